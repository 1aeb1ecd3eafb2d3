// Roster status has one writer (exam/plans/roster-status.ts): registered → admitted → in_exam →
// submitted, or absent. A move the rules do not allow changes nothing, even when callers race.
import t from 'tap';
import { ROSTER_STATUS_FROM, rosterStatusMoveAllowed, type RosterStatus } from '../../exam/index.ts';
import { idn, person, planAndSession, runToInProgress, site, type Site } from './plans-fixture.ts';

const statusOf = (s: Site, sessionId: string, seq: number) => s.plans.roster(sessionId).find((e) => e.idNumber === idn(seq))!.status;
const force = (s: Site, sessionId: string, seq: number, status: RosterStatus) =>
  s.db.prepare('UPDATE roster_entries SET status = ? WHERE session_id = ? AND id_number = ?').run(status, sessionId, idn(seq));

t.test('a candidate goes registered → admitted → in_exam → submitted, one step at a time', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  await runToInProgress(s, session.id, [person(1)]);
  t.equal(statusOf(s, session.id, 1), 'registered');
  t.equal(s.plans.setRosterStatus(session.id, idn(1), 'admitted'), true);
  t.equal(statusOf(s, session.id, 1), 'admitted');
  t.equal(s.plans.setRosterStatus(session.id, idn(1), 'in_exam'), true);
  t.equal(s.plans.setRosterStatus(session.id, idn(1), 'submitted'), true);
  t.equal(statusOf(s, session.id, 1), 'submitted');
});

t.test('the refused moves change nothing and say so', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  await runToInProgress(s, session.id, [person(1), person(2), person(3)]);
  t.equal(s.plans.setRosterStatus(session.id, idn(1), 'in_exam'), false, 'registered cannot log in before the door admits them');
  t.equal(statusOf(s, session.id, 1), 'registered');
  t.equal(s.plans.setRosterStatus(session.id, idn(1), 'registered'), false, 'nothing leads back to registered');

  s.plans.setRosterStatus(session.id, idn(2), 'submitted');
  for (const to of ['registered', 'admitted', 'in_exam', 'absent'] as const) {
    t.equal(s.plans.setRosterStatus(session.id, idn(2), to), false, `submitted is final (not ${to})`);
  }
  t.equal(statusOf(s, session.id, 2), 'submitted');

  force(s, session.id, 3, 'absent');
  for (const to of ['registered', 'admitted', 'in_exam', 'submitted'] as const) {
    t.equal(s.plans.setRosterStatus(session.id, idn(3), to), false, `absent is final (not ${to})`);
  }
  t.equal(statusOf(s, session.id, 3), 'absent');

  t.equal(s.plans.setRosterStatus(session.id, idn(9), 'admitted'), false, 'nobody by that ID number: nothing to move');
});

t.test('admitting twice keeps the first admission time', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  await runToInProgress(s, session.id, [person(1)]);
  t.equal(s.plans.admittedAt(session.id, idn(1)), null, 'not admitted yet');
  const first = s.clock.now();
  s.plans.setRosterStatus(session.id, idn(1), 'admitted');
  s.clock.advance(60_000);
  t.equal(s.plans.setRosterStatus(session.id, idn(1), 'admitted'), false);
  t.equal(s.plans.admittedAt(session.id, idn(1)), first);
});

t.test('the rules table is what the function applies, from every status to every status', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  await runToInProgress(s, session.id, [person(1)]);
  const all = Object.keys(ROSTER_STATUS_FROM) as RosterStatus[];
  for (const to of all) {
    for (const from of all) {
      force(s, session.id, 1, from);
      const moved = s.plans.setRosterStatus(session.id, idn(1), to);
      t.equal(moved, rosterStatusMoveAllowed(from, to), `${from} → ${to}`);
      t.equal(statusOf(s, session.id, 1), moved ? to : from);
    }
  }
  t.same(
    all.flatMap((to) => all.filter((from) => rosterStatusMoveAllowed(from, to)).map((from) => `${from}→${to}`)).sort(),
    [
      'admitted→absent',
      'admitted→in_exam',
      'admitted→submitted',
      'in_exam→submitted',
      'registered→absent',
      'registered→admitted',
      'registered→submitted',
    ].sort(),
    'exactly these moves are allowed',
  );
});
