// The terminal service's parts work on one TerminalState and can be exercised without an app or a
// socket: a real exam engine on a scratch database is all they need.
import t from 'tap';
import { createTerminalState } from '../../terminal/service/state.ts';
import { startedAt } from '../../terminal/service/sessions.ts';
import { admitCandidate } from '../../terminal/service/commands.ts';
import { idn, person, planAndSession, runToInProgress, site } from '../exam/plans-fixture.ts';

t.test('a session started by another process takes its start from the exam engine, not from now', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  const started = s.clock.now();
  // Started with no terminal service listening (the CLI): the terminal's own clock table has no row.
  await runToInProgress(s, session.id, [person(1)]);
  s.clock.advance(25 * 60_000);
  const st = createTerminalState({ db: s.db, clock: s.clock, bus: s.bus, config: s.config, audit: s.audit, paths: s.paths, exam: s.exam });
  t.equal(startedAt(st, s.plans.session(session.id)), started);
  t.equal(st.store.sessionStart(session.id), started, 'and remembered in the terminal clock table');
});

t.test('admitting goes through the exam engine’s roster status and records when', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  await runToInProgress(s, session.id, [person(1)]);
  const st = createTerminalState({ db: s.db, clock: s.clock, bus: s.bus, config: s.config, audit: s.audit, paths: s.paths, exam: s.exam });
  const e = admitCandidate(st, session.id, idn(1), 'user:admin');
  t.equal(e.status, 'admitted');
  t.equal(s.plans.roster(session.id)[0]!.status, 'admitted');
  t.equal(s.plans.admittedAt(session.id, idn(1)), s.clock.now());
  t.equal(s.audit.list({ action: 'exam.candidate.admit' }).length, 1);
  t.equal(admitCandidate(st, session.id, idn(1), 'user:admin').status, 'admitted', 'admitting twice changes nothing');
  t.equal(s.audit.list({ action: 'exam.candidate.admit' }).length, 1);
});
