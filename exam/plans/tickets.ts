// Admission ticket numbers (准考证号) the appliance issues: ten random digits and a Damm check digit,
// printed 3-4-4 like a mobile number (`381-2045-7796`). The ticket is what a candidate types to log in
// at their terminal, so it must not be guessable: the old `<last 6 of session id>-NNN` was, since every
// terminal's hello names the session (issue 16, item 4). Digits only: read aloud in Chinese without
// spelling letters, typed on any keypad, and no 0/O or 1/I/L to confuse. Entropy and the guesses a
// terminal is allowed are weighed in docs/security.md "Tickets, seat log-ins and moves".
import { randomInt } from 'node:crypto';

/** Random digits per ticket: 10^10 tickets, so a session of 100 candidates is hit by 1 guess in 10^8. */
export const TICKET_RANDOM_DIGITS = 10;

// Damm's totally anti-symmetric quasigroup of order 10: the check digit catches every single-digit
// error and every swap of two adjacent digits, the two typos people make when copying a number.
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
] as const;

function dammInterim(digits: string): number {
  let i = 0;
  for (const d of digits) i = DAMM[i]![Number(d)]!;
  return i;
}

/** The check digit to append to `digits` (all 0–9). */
export function dammCheckDigit(digits: string): string {
  return String(dammInterim(digits));
}

/** A run of digits whose last one is its Damm check digit. */
export function dammValid(digits: string): boolean {
  return /^\d+$/.test(digits) && dammInterim(digits) === 0;
}

/**
 * What a typed ticket or ID number is compared as: upper case, without spaces, dashes, dots or
 * underscores, full-width characters folded (a Chinese IME types １２３－). So `381 2045 7796`,
 * `38120457796` and `381-2045-7796` are one ticket, and an ID number's x is X.
 */
export function credentialKey(typed: string): string {
  return typed
    .normalize('NFKC')
    .replace(/[\s\-_.·]/g, '')
    .toUpperCase();
}

/** A new ticket, as stored and printed: `DDD-DDDD-DDDD`. `taken`: compared by credentialKey. */
export function newTicketNo(taken: ReadonlySet<string>): string {
  for (;;) {
    let digits = '';
    for (let i = 0; i < TICKET_RANDOM_DIGITS; i++) digits += String(randomInt(10));
    const all = digits + dammCheckDigit(digits);
    if (taken.has(credentialKey(all))) continue;
    return `${all.slice(0, 3)}-${all.slice(3, 7)}-${all.slice(7)}`;
  }
}

/** The shape of an issued ticket once typed (11 digits): a mistyped one fails its check digit. */
export function isIssuedTicketShape(key: string): boolean {
  return /^\d{11}$/.test(key);
}
