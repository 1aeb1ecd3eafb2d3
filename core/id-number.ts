// The 18-character 居民身份证号码 (GB 11643-1999): six-digit region code, eight-digit birth date,
// three-digit sequence (odd for men), and an ISO 7064 MOD 11-2 check character.
// Residence permits for Hong Kong, Macao and Taiwan residents (810000/820000/830000) use the same format.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** First two digits: the provinces of GB/T 2260, plus 71 (Taiwan) and 81–83 (residence permits). */
const PROVINCE_PREFIXES = new Set([
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '71',
  '81',
  '82',
  '83',
]);

export interface IdCard {
  /** Upper-case, half-width: the form stored and compared everywhere. */
  idNumber: string;
  region: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: 'male' | 'female';
}

export type IdCardCheck = { ok: true; card: IdCard } | { ok: false; problem: string; got: string };

export function checkDigitOf(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** Full-width digits and a lower-case x are what people type from a phone; both mean the same number. */
export function normaliseIdNumber(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/**
 * Checks a 居民身份证号码. `today` (YYYY-MM-DD) bounds the birth date. The `got` of a failure never
 * repeats the whole number: problems end up in logs and on screens, and the row number locates it.
 */
export function checkIdNumber(raw: string, today: string): IdCardCheck {
  const id = normaliseIdNumber(raw);
  const tail = (n: number) => `…${id.slice(-n)}`;
  if (id === '') return { ok: false, problem: 'missing', got: '' };
  if (/^\d{15}$/.test(id)) {
    return {
      ok: false,
      problem: 'is a 15-digit number from a first-generation card (withdrawn since 2013); give the 18-digit number on the current card',
      got: tail(4),
    };
  }
  if (!/^\d{17}[\dX]$/.test(id)) {
    return {
      ok: false,
      problem: `must be 18 characters, 17 digits and a check digit (0–9 or X); this has ${[...id].length}`,
      got: id.length > 4 ? tail(4) : id,
    };
  }
  const region = id.slice(0, 6);
  if (!PROVINCE_PREFIXES.has(region.slice(0, 2))) {
    return { ok: false, problem: `region code ${region} does not start with a province code (11–65, 71, 81–83)`, got: region };
  }
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (m < 1 || m > 12 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return { ok: false, problem: `birth date ${birth} (characters 7–14) is not a calendar date`, got: birth };
  }
  if (y < 1900 || birth > today) {
    return { ok: false, problem: `birth date ${birth} (characters 7–14) is ${y < 1900 ? 'before 1900' : 'in the future'}`, got: birth };
  }
  const want = checkDigitOf(id.slice(0, 17));
  if (id[17] !== want) return { ok: false, problem: `check digit should be ${want}`, got: tail(1) };
  return { ok: true, card: { idNumber: id, region, birthDate: birth, sex: Number(id[16]) % 2 === 1 ? 'male' : 'female' } };
}

/**
 * The GB 11643-1999 shape and ISO 7064 MOD 11-2 check character of a normalised number: what can be
 * told from the number alone, before anyone asks a roster (a kiosk checks this while the person waits).
 */
export function idNumberProblem(id: string): string | null {
  if (/^\d{15}$/.test(id)) return 'is a 15-digit first-generation card number; the 18-digit number of the current card is needed';
  if (!/^\d{17}[\dX]$/.test(id)) return `must be 18 characters, 17 digits and a check digit (0–9 or X); this has ${[...id].length}`;
  const want = checkDigitOf(id.slice(0, 17));
  if (id[17] !== want) return `check digit (the last character) should be ${want}: a digit was mistyped`;
  return null;
}

/** 440106********1234: region and last four stay, so staff can match a card without the list exposing it. */
export function maskIdNumber(id: string): string {
  if (id.length < 10) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}

/** Whole years of age on a date (YYYY-MM-DD). */
export function ageOn(birthDate: string, on: string): number {
  const years = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return on.slice(5) >= birthDate.slice(5) ? years : years - 1;
}
