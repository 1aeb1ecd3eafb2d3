// The keep rule (grandfather-father-son): the newest backup of each of the last N days that have one,
// of the last W weeks, of the last M months, on the site's calendar. The newest backup is always kept,
// whatever the rule says, so pruning can never leave a site with none.
import { localDate } from '../../core/index.ts';

export interface KeepRule {
  daily: number;
  weekly: number;
  monthly: number;
}

/** The ISO week (YYYY-Www) of a YYYY-MM-DD date: weeks run Monday to Sunday. */
function isoWeek(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  const day = (t.getUTCDay() + 6) % 7;
  t.setUTCDate(t.getUTCDate() - day + 3);
  // t is now the Thursday of the week, whose year is the week's year.
  const week = 1 + Math.floor((t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / (7 * 86_400_000));
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** The names to keep among `items`; every other one may be deleted. */
export function backupsToKeep(items: readonly { name: string; takenAt: number }[], rule: KeepRule, tz: string): Set<string> {
  const newestFirst = [...items].sort((a, b) => b.takenAt - a.takenAt);
  const keep = new Set<string>();
  if (newestFirst[0]) keep.add(newestFirst[0].name);
  const bucket = (count: number, period: (date: string) => string) => {
    const seen = new Set<string>();
    for (const it of newestFirst) {
      const p = period(localDate(it.takenAt, tz));
      if (seen.has(p)) continue;
      if (seen.size >= count) break;
      seen.add(p);
      keep.add(it.name);
    }
  };
  bucket(rule.daily, (d) => d);
  bucket(rule.weekly, isoWeek);
  bucket(rule.monthly, (d) => d.slice(0, 7));
  return keep;
}
