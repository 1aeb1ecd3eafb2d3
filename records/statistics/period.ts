// The period a statistics request covers, on the site's calendar: days for staff (from/to YYYY-MM-DD),
// whole months for the public page (YYYY-MM). A session belongs to the day of its planned start.
import { ValidationError, isDate, localDate, parseInstant, type Problem } from '../../core/index.ts';

export interface Period {
  from: string;
  to: string;
  /** [fromMs, toMs): from the first instant of `from` to the first instant of the day after `to`. */
  fromMs: number;
  toMs: number;
}

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const monthStart = (m: string) => `${m}-01`;
const monthEnd = (m: string) => {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return `${m}-${String(new Date(Date.UTC(y, mo, 0)).getUTCDate()).padStart(2, '0')}`;
};
const monthsBefore = (m: string, n: number) => {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  const total = y * 12 + (mo - 1) - n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
};

function bounds(from: string, to: string, tz: string): Period {
  return { from, to, fromMs: parseInstant(`${from}T00:00`, tz)!, toMs: parseInstant(`${nextDay(to)}T00:00`, tz)! };
}

/** Days: default the twelve months up to today (from the first of the month eleven months back). */
export function dayPeriod(q: { from?: string; to?: string }, now: number, tz: string): Period {
  const today = localDate(now, tz);
  const from = q.from ?? monthStart(monthsBefore(today.slice(0, 7), 11));
  const to = q.to ?? today;
  const problems: Problem[] = [];
  if (!isDate(from)) problems.push({ path: 'querystring.from', problem: 'must be a date written YYYY-MM-DD', got: q.from });
  if (!isDate(to)) problems.push({ path: 'querystring.to', problem: 'must be a date written YYYY-MM-DD', got: q.to });
  if (!problems.length && from > to) problems.push({ path: 'querystring.to', problem: `must not be before from (${from})`, got: to });
  if (problems.length) throw new ValidationError(problems);
  return bounds(from, to, tz);
}

const isMonth = (s: string) => /^\d{4}-(0[1-9]|1[0-2])$/.test(s);

/** Whole months: default the twelve months up to this one. */
export function monthPeriod(q: { from?: string; to?: string }, now: number, tz: string): Period {
  const thisMonth = localDate(now, tz).slice(0, 7);
  const from = q.from ?? monthsBefore(thisMonth, 11);
  const to = q.to ?? thisMonth;
  const problems: Problem[] = [];
  if (!isMonth(from)) problems.push({ path: 'querystring.from', problem: 'must be a month written YYYY-MM', got: q.from });
  if (!isMonth(to)) problems.push({ path: 'querystring.to', problem: 'must be a month written YYYY-MM', got: q.to });
  if (!problems.length && from > to) problems.push({ path: 'querystring.to', problem: `must not be before from (${from})`, got: to });
  if (problems.length) throw new ValidationError(problems);
  return { ...bounds(monthStart(from), monthEnd(to), tz), from, to };
}
