// Instants are stored as UTC milliseconds; people read and type wall-clock times of the site's
// timezone (config site.timezone). Dates of plans and validity are site-local calendar dates.

interface Wall {
  y: number;
  m: number;
  d: number;
  hh: number;
  mm: number;
  ss: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

/**
 * Zones whose UTC offset has not changed since 1992 (China ended daylight saving in 1991), in hours:
 * their wall time is UTC plus the offset. Asking ICU instead costs a command's start 20–40 ms, for
 * loading locale data on the first Intl.DateTimeFormat (bench startup); earlier instants and every
 * other zone still ask ICU.
 */
const FIXED_OFFSET_HOURS = new Map<string, number>([
  ['Asia/Shanghai', 8],
  ['Asia/Chongqing', 8],
  ['Asia/Harbin', 8],
  ['PRC', 8],
  ['Asia/Hong_Kong', 8],
  ['Asia/Macau', 8],
  ['Asia/Taipei', 8],
  ['UTC', 0],
  ['Etc/UTC', 0],
]);
const FIXED_SINCE = Date.UTC(1992, 0, 1);
const FIXED_UNTIL = Date.UTC(9999, 0, 1);

function wallOf(ms: number, tz: string): Wall {
  const offsetHours = FIXED_OFFSET_HOURS.get(tz);
  if (offsetHours !== undefined && ms >= FIXED_SINCE && ms < FIXED_UNTIL) {
    const d = new Date(ms + offsetHours * 3600_000);
    return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), hh: d.getUTCHours(), mm: d.getUTCMinutes(), ss: d.getUTCSeconds() };
  }
  const parts = Object.fromEntries(
    formatter(tz)
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), hh: Number(parts.hour), mm: Number(parts.minute), ss: Number(parts.second) };
}

/** The instant at which the site's clocks show this wall time (two passes settle a DST edge). */
function instantOf(w: Wall, tz: string): number {
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.hh, w.mm, w.ss);
  let t = asUtc;
  for (let i = 0; i < 2; i++) {
    const seen = wallOf(t, tz);
    t += asUtc - Date.UTC(seen.y, seen.m - 1, seen.d, seen.hh, seen.mm, seen.ss);
  }
  return t;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** YYYY-MM-DD on the site's calendar. */
export function localDate(ms: number, tz: string): string {
  const w = wallOf(ms, tz);
  return `${w.y}-${pad(w.m)}-${pad(w.d)}`;
}

/** YYYY-MM-DD HH:mm on the site's clock. */
export function localDateTime(ms: number, tz: string): string {
  const w = wallOf(ms, tz);
  return `${w.y}-${pad(w.m)}-${pad(w.d)} ${pad(w.hh)}:${pad(w.mm)}`;
}

export function localTime(ms: number, tz: string): string {
  const w = wallOf(ms, tz);
  return `${pad(w.hh)}:${pad(w.mm)}`;
}

/** A real calendar date written YYYY-MM-DD. */
export function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * An ISO 8601 date-time. With Z or an offset it is that instant; without one it is the site's wall
 * clock, because staff type "2026-03-01T09:00" meaning nine o'clock in the exam room.
 */
export function parseInstant(s: string, tz: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (!m) return null;
  const w: Wall = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]), hh: Number(m[4]), mm: Number(m[5]), ss: Number(m[6] ?? 0) };
  if (!isDate(`${m[1]}-${m[2]}-${m[3]}`) || w.hh > 23 || w.mm > 59 || w.ss > 59) return null;
  if (m[7]) {
    const t = Date.parse(s.trim().replace(' ', 'T'));
    return Number.isNaN(t) ? null : t;
  }
  return instantOf(w, tz);
}

/**
 * The same wall-clock moment `months` later on the site's calendar; a day the target month lacks
 * becomes its last day (a pass on 29 February is valid until 28 February).
 */
export function addMonths(ms: number, months: number, tz: string): number {
  const w = wallOf(ms, tz);
  const total = w.y * 12 + (w.m - 1) + months;
  const y = Math.floor(total / 12);
  const m = (total % 12) + 1;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return instantOf({ ...w, y, m, d: Math.min(w.d, last) }, tz);
}

export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
