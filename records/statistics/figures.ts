// The figures of a group of sittings (docs/records.md "Statistics"): who was on the roster, who was
// absent, who sat, who passed, the average score, retakes. Pure functions over the exam engine's rows.
import type { SittingRow } from '../../exam/index.ts';
import type { Figures } from '../protocol.ts';

export function figuresOf(rows: readonly SittingRow[]): Figures {
  let absent = 0;
  let sat = 0;
  let passed = 0;
  let percentSum = 0;
  let retakes = 0;
  let retakesPassed = 0;
  let firstSat = 0;
  let firstPassed = 0;
  for (const r of rows) {
    if (r.rosterStatus === 'absent') absent++;
    // A sitting is a result: in a graded session everyone not absent has one (the status machine refuses
    // `graded` otherwise), so registered = absent + sat there.
    if (r.resultId === null || r.score === null || r.total === null) continue;
    sat++;
    percentSum += (r.score / r.total) * 100;
    if (r.passed) passed++;
    if (r.attempt === 2) {
      retakes++;
      if (r.passed) retakesPassed++;
    } else {
      firstSat++;
      if (r.passed) firstPassed++;
    }
  }
  return {
    registered: rows.length,
    absent,
    sat,
    passed,
    failed: sat - passed,
    passRate: sat ? passed / sat : null,
    absenceRate: rows.length ? absent / rows.length : null,
    averageScore: sat ? percentSum / sat : null,
    retakes,
    retakesPassed,
    firstAttemptPassRate: firstSat ? firstPassed / firstSat : null,
  };
}

/** Rows into groups by a key, in first-seen order (rows come in session start order). */
export function groupBy<K extends string>(rows: readonly SittingRow[], keyOf: (r: SittingRow) => K): Map<K, SittingRow[]> {
  const out = new Map<K, SittingRow[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}
