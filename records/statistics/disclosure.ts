// The public disclosure of pass rates per training institution (培训机构合格率公示): aggregates only,
// and any figure built from fewer than DISCLOSURE_MIN_PEOPLE people withheld (CLARIFICATIONS). A
// withheld row must not be recoverable from the rest either: when the withheld rows together hold 1–4
// people, the total is withheld too, since total minus the shown rows would give them away.
import type { SittingRow } from '../../exam/index.ts';
import { DISCLOSURE_MIN_PEOPLE, type PublicPassRate, type PublicPassRatesReply } from '../protocol.ts';
import { figuresOf, groupBy } from './figures.ts';

export function disclose(rows: readonly SittingRow[], min = DISCLOSURE_MIN_PEOPLE): Pick<PublicPassRatesReply, 'institutions' | 'total' | 'minPeople'> {
  const groups = groupBy(rows, (r) => r.institution ?? '');
  const institutions: PublicPassRate[] = [];
  let withheldPeople = 0;
  for (const [institution, list] of groups) {
    const f = figuresOf(list);
    if (f.sat === 0) continue; // only absences: no pass rate to disclose, and no row that says someone was absent
    if (f.sat < min) {
      withheldPeople += f.sat;
      institutions.push({ institution, suppressed: true, sat: null, passed: null, passRate: null });
    } else institutions.push({ institution, suppressed: false, sat: f.sat, passed: f.passed, passRate: f.passRate });
  }
  // Named institutions first, by name in code-point order (the same list on every machine); the rows without one last.
  institutions.sort(
    (a, b) => (a.institution === '' ? 1 : 0) - (b.institution === '' ? 1 : 0) || (a.institution < b.institution ? -1 : a.institution > b.institution ? 1 : 0),
  );
  const all = figuresOf(rows);
  const totalHidden = all.sat < min || (withheldPeople > 0 && withheldPeople < min);
  return {
    minPeople: min,
    institutions,
    total: totalHidden
      ? { suppressed: true, sat: null, passed: null, passRate: null }
      : { suppressed: false, sat: all.sat, passed: all.passed, passRate: all.passRate },
  };
}
