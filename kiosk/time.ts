// The kiosk's view of dates and ID numbers: the exam engine's own rules (site calendar, GB 11643
// numbers), plus the one check a kiosk makes on a number before it asks the roster.
import { checkDigitOf } from '../exam/plans/idcard.ts';

export { isDate, localDate, localDateTime } from '../exam/plans/time.ts';
export { maskIdNumber, normaliseIdNumber } from '../exam/plans/idcard.ts';

/**
 * The GB 11643-1999 shape and ISO 7064 MOD 11-2 check character of an 18-character 居民身份证号码 —
 * what a kiosk can tell from the number alone (the roster import applies the full rules).
 */
export function idNumberProblem(id: string): string | null {
  if (/^\d{15}$/.test(id)) return 'is a 15-digit first-generation card number; the 18-digit number of the current card is needed';
  if (!/^\d{17}[\dX]$/.test(id)) return `must be 18 characters, 17 digits and a check digit (0–9 or X); this has ${[...id].length}`;
  const want = checkDigitOf(id.slice(0, 17));
  if (id[17] !== want) return `check digit (the last character) should be ${want}: a digit was mistyped`;
  return null;
}
