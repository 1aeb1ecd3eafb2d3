// Site-calendar dates and wall-clock times. The exam engine keeps the same rules in exam/plans/time.ts but
// does not export them; these few lines are repeated rather than reaching into its internals.
const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(ms: number, tz: string): Record<string, string> {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formatters.set(tz, f);
  }
  return Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
}

/** YYYY-MM-DD on the site's calendar. */
export function localDate(ms: number, tz: string): string {
  const p = parts(ms, tz);
  return `${p.year}-${p.month}-${p.day}`;
}

/** YYYY-MM-DD HH:mm on the site's clock. */
export function localDateTime(ms: number, tz: string): string {
  const p = parts(ms, tz);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

export function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** Full-width digits, spaces and a lower-case x are what people type; all mean the same number. */
export function normaliseIdNumber(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/**
 * The GB 11643-1999 shape and ISO 7064 MOD 11-2 check character of an 18-character 居民身份证号码 —
 * what a kiosk can tell from the number alone (the roster import applies the full rules).
 */
export function idNumberProblem(id: string): string | null {
  if (/^\d{15}$/.test(id)) return 'is a 15-digit first-generation card number; the 18-digit number of the current card is needed';
  if (!/^\d{17}[\dX]$/.test(id)) return `must be 18 characters, 17 digits and a check digit (0–9 or X); this has ${[...id].length}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * WEIGHTS[i]!;
  const want = '10X98765432'[sum % 11]!;
  if (id[17] !== want) return `check digit (the last character) should be ${want}: a digit was mistyped`;
  return null;
}

export function maskIdNumber(id: string): string {
  if (id.length < 10) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}
