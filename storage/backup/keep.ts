// The keep rule (grandfather-father-son): the newest backup of each of the last N days that have one,
// of the last W weeks, of the last M months, on the site's calendar. The newest backup is always kept,
// whatever the rule says, so pruning can never leave a site with none.
import { localDate } from '../../core/index.ts';

const DAY = 86_400_000;

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

export type KeepRole = 'newest' | 'daily' | 'weekly' | 'monthly';

/** Why each backup is kept: its roles under the rule (a backup may be a day's, a week's and a month's newest). */
export function keptAs(items: readonly { name: string; takenAt: number }[], rule: KeepRule, tz: string): Map<string, Set<KeepRole>> {
  const newestFirst = [...items].sort((a, b) => b.takenAt - a.takenAt);
  const roles = new Map<string, Set<KeepRole>>();
  const mark = (name: string, role: KeepRole) => roles.set(name, (roles.get(name) ?? new Set<KeepRole>()).add(role));
  if (newestFirst[0]) mark(newestFirst[0].name, 'newest');
  const bucket = (role: KeepRole, count: number, period: (date: string) => string) => {
    const seen = new Set<string>();
    for (const it of newestFirst) {
      const p = period(localDate(it.takenAt, tz));
      if (seen.has(p)) continue;
      if (seen.size >= count) break;
      seen.add(p);
      mark(it.name, role);
    }
  };
  bucket('daily', rule.daily, (d) => d);
  bucket('weekly', rule.weekly, isoWeek);
  bucket('monthly', rule.monthly, (d) => d.slice(0, 7));
  return roles;
}

/** The names to keep among `items`; every other one may be deleted. */
export function backupsToKeep(items: readonly { name: string; takenAt: number }[], rule: KeepRule, tz: string): Set<string> {
  return new Set(keptAs(items, rule, tz).keys());
}

/**
 * How long the rule means to keep a backup in the roles it holds: a day's newest for `daily` days from
 * when it was taken, a week's for `weekly` weeks, a month's for `monthly` calendar months (while backups
 * go on being taken; a site that stops keeps its last ones longer, and the newest always). A week's or a
 * month's role counts only once that week or month is over (`now` on the site's calendar): until then a
 * later backup may still take it, and locking each night's copy for 36 months as it passes would hold
 * every copy that long. An object lock set to this keeps the backup as long as the rule means to.
 */
export function keepHorizon(takenAt: number, roles: ReadonlySet<KeepRole>, rule: KeepRule, at: { now: number; tz: string }): number {
  const day = localDate(takenAt, at.tz);
  const today = localDate(at.now, at.tz);
  let until = takenAt;
  if (roles.has('daily') || roles.has('newest')) until = Math.max(until, takenAt + rule.daily * DAY);
  if (roles.has('weekly') && isoWeek(day) !== isoWeek(today)) until = Math.max(until, takenAt + rule.weekly * 7 * DAY);
  if (roles.has('monthly') && day.slice(0, 7) !== today.slice(0, 7)) {
    const t = new Date(takenAt);
    until = Math.max(
      until,
      Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + rule.monthly, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()),
    );
  }
  return until;
}
