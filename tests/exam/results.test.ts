// Results and the retake rules: a pass is valid 12 months and blocks the same exam meanwhile; a fail
// allows one retake (补考, attempt 2); two fails require retraining. The person file shows it all.
import t from 'tap';
import { Conflict, NotFound, ValidationError, formatProblem } from '../../core/index.ts';
import { HEADER, TEMPLATE, csv, idn, person, rightAnswers, runToInProgress, site, type Site } from './plans-fixture.ts';

const at = (local: string) => Date.parse(`${local}+08:00`);

function newPlan(s: Site) {
  return s.plans.createPlan({ name: '全年', from: '2026-03-01', to: '2027-12-31' }, s.actor);
}

/** Holds a whole session on `day`: roster, seats, papers, check-in, start, grading, end, graded. */
async function sit(s: Site, planId: string, day: string, people: { row: string[]; pass: boolean }[]) {
  const session = s.plans.createSession({ planId, room: 'R1', startsAt: `${day}T09:00`, templateId: TEMPLATE.id }, s.actor);
  await runToInProgress(
    s,
    session.id,
    people.map((p) => p.row),
  );
  s.clock.set(at(`${day}T10:00:00`));
  const results = people.map((p) => s.plans.gradeCandidate(session.id, p.row[0]!, p.pass ? rightAnswers(s, session.id, p.row[0]!) : {}));
  s.plans.advanceSession(session.id, 'ended', s.actor);
  s.plans.advanceSession(session.id, 'graded', s.actor);
  return { session, results };
}

async function importRefusal(s: Site, sessionId: string, rows: string[][], header = HEADER): Promise<string[]> {
  try {
    await s.plans.importRoster(sessionId, { bytes: csv(rows, header), filename: 'r.csv' }, s.actor);
  } catch (err) {
    if (err instanceof ValidationError) return err.problems.map(formatProblem);
    throw err;
  }
  return [];
}

const session = (s: Site, planId: string, day: string) =>
  s.plans.createSession({ planId, room: 'R1', startsAt: `${day}T09:00`, templateId: TEMPLATE.id }, s.actor);

t.test('grading stores attempt, score, breakdown and, for a pass, validity until 12 months later', async (t) => {
  const s = site(t);
  const plan = newPlan(s);
  const { session: sess, results } = await sit(s, plan.id, '2026-03-10', [
    { row: person(1, '张三'), pass: true },
    { row: person(2, '李四'), pass: false },
  ]);
  const [pass, fail] = results;
  t.match(pass, {
    sessionId: sess.id,
    idNumber: idn(1),
    attempt: 1,
    score: 100,
    total: 100,
    passed: true,
    gradedAt: at('2026-03-10T10:00:00'),
    validUntil: at('2027-03-10T10:00:00'),
    category: 'principal',
    industry: 'machinery',
  });
  t.match(pass!.breakdown, { passMark: 80, perItem: { length: 10 }, byKnowledgePoint: [{ knowledgePoint: String }] });
  t.match(fail, { attempt: 1, score: 0, passed: false, validUntil: null });
  t.equal(pass!.paperId, s.plans.paperStore.forCandidate(sess.id, idn(1))!.id, 'the result names the paper it graded');
  t.match(s.plans.sessionSummary(sess.id), {
    status: 'graded',
    roster: 2,
    seated: 2,
    papers: 2,
    graded: 2,
    passed: 1,
    failed: 1,
    passRate: 0.5,
    averageScore: 50,
  });
  t.match(
    s.events.filter((e) => e.name === 'result.graded'),
    [{ payload: { idNumber: idn(1), passed: true, score: 100 } }, { payload: { idNumber: idn(2), passed: false } }],
  );
  t.equal(s.audit.list({ action: 'exam.result.grade' }).length, 2);
});

t.test('a result is final, and papers are graded only while the session runs or has ended', async (t) => {
  const s = site(t);
  const plan = newPlan(s);
  const sess = session(s, plan.id, '2026-03-10');
  await s.plans.importRoster(sess.id, { bytes: csv([person(1)]), filename: 'r.csv' }, s.actor);
  s.plans.assignSeats(sess.id, s.actor);
  s.plans.generateSessionPapers(sess.id, s.actor);
  t.throws(() => s.plans.gradeCandidate(sess.id, idn(1), {}), {
    name: 'Conflict',
    message: /is papers_ready; papers are graded only while it is in progress or ended/,
  });
  s.plans.advanceSession(sess.id, 'checkin', s.actor);
  s.plans.advanceSession(sess.id, 'in_progress', s.actor);
  s.plans.gradeCandidate(sess.id, idn(1), {});
  t.throws(() => s.plans.gradeCandidate(sess.id, idn(1), {}), { name: 'Conflict', message: /was already graded .*: 0\/100/ });
  t.throws(() => s.plans.gradeCandidate(sess.id, idn(9), {}), NotFound);
});

t.test('a session is marked graded only when everyone who sat has a result; no-shows become absent', async (t) => {
  const s = site(t);
  const plan = newPlan(s);
  const sess = session(s, plan.id, '2026-03-10');
  await runToInProgress(s, sess.id, [person(1), person(2), person(3)]);
  s.db.prepare("UPDATE roster_entries SET status = 'in_exam' WHERE id_number IN (?, ?)").run(idn(1), idn(2));
  s.plans.gradeCandidate(sess.id, idn(1), {});
  s.plans.advanceSession(sess.id, 'ended', s.actor);
  const err = (() => {
    try {
      s.plans.advanceSession(sess.id, 'graded', s.actor);
    } catch (e) {
      return e as Error;
    }
    return null;
  })();
  t.ok(err instanceof Conflict);
  t.match(err!.message, /1 candidates sat but have no result yet \(tickets \d{3}-\d{4}-\d{4}\)/);
  s.plans.gradeCandidate(sess.id, idn(2), {});
  s.plans.advanceSession(sess.id, 'graded', s.actor);
  t.same(
    s.plans
      .roster(sess.id)
      .map((e) => [e.idNumber, e.status])
      .sort(),
    [
      [idn(1), 'submitted'],
      [idn(2), 'submitted'],
      [idn(3), 'absent'],
    ].sort(),
  );
});

t.test('one admitted at the door who never logged in at a terminal is absent when the exam ends, and said so in the audit', async (t) => {
  const s = site(t);
  const plan = newPlan(s);
  const sess = session(s, plan.id, '2026-03-10');
  await runToInProgress(s, sess.id, [person(1), person(2)]);
  s.db.prepare("UPDATE roster_entries SET status = 'admitted' WHERE id_number IN (?, ?)").run(idn(1), idn(2));
  s.db.prepare("UPDATE roster_entries SET status = 'in_exam' WHERE id_number = ?").run(idn(1));
  s.plans.gradeCandidate(sess.id, idn(1), {});
  const statuses = () =>
    s.plans
      .roster(sess.id)
      .map((e) => [e.idNumber, e.status])
      .sort();
  s.plans.advanceSession(sess.id, 'ended', s.actor);
  t.same(
    statuses(),
    [
      [idn(1), 'submitted'],
      [idn(2), 'absent'],
    ].sort(),
    'absent at the end of the exam, before any grading',
  );
  t.match(s.plans.sessionSummary(sess.id), { admitted: 1, absent: 1 }, 'and counted so');
  const ticket2 = s.plans.roster(sess.id).find((e) => e.idNumber === idn(2))!.ticketNo;
  const ended = s.audit.list({ action: 'exam.session.status' }).find((e) => (e.detail as { to: string }).to === 'ended');
  t.match(ended?.detail, { absent: 1, admittedNeverStarted: [ticket2] }, 'the audit of the end names who was admitted but never started');
  s.plans.advanceSession(sess.id, 'graded', s.actor);
  t.same(
    statuses(),
    [
      [idn(1), 'submitted'],
      [idn(2), 'absent'],
    ].sort(),
    'grading changes nothing more',
  );
  const graded = s.audit.list({ action: 'exam.session.status' }).find((e) => (e.detail as { to: string }).to === 'graded');
  t.match(graded?.detail, { absent: 0 }, 'nobody left to mark at grading');
});

t.test('a pass refuses the same exam while valid (12 months), and allows it after', async (t) => {
  const s = site(t);
  const plan = newPlan(s);
  await sit(s, plan.id, '2026-03-10', [{ row: person(1), pass: true }]);
  const soon = session(s, plan.id, '2026-04-01');
  t.same(await importRefusal(s, soon.id, [person(1)]), ['row 2, column 身份证号: already passed on 2026-03-10, valid until 2027-03-10']);
  const lastDay = session(s, plan.id, '2027-03-10');
  t.same(
    await importRefusal(s, lastDay.id, [person(1)]),
    ['row 2, column 身份证号: already passed on 2026-03-10, valid until 2027-03-10'],
    'still valid on its last morning',
  );
  const after = session(s, plan.id, '2027-03-11');
  const r = await s.plans.importRoster(after.id, { bytes: csv([person(1)]), filename: 'r.csv' }, s.actor);
  t.match(r.entries, [{ idNumber: idn(1), attempt: 1 }], 'a lapsed pass starts afresh');
});

t.test('one failure allows one retake (attempt 2); a second failure requires retraining', async (t) => {
  const s = site(t);
  const plan = newPlan(s);
  await sit(s, plan.id, '2026-03-10', [
    { row: person(1), pass: false },
    { row: person(2), pass: false },
  ]);

  const retake = session(s, plan.id, '2026-03-20');
  const r = await s.plans.importRoster(retake.id, { bytes: csv([person(1)]), filename: 'r.csv' }, s.actor);
  t.match(r.entries, [{ idNumber: idn(1), attempt: 2 }], '补考 is attempt 2');
  t.match(s.audit.list({ action: 'exam.roster.import' }).at(0), { detail: { retakes: 1 } });
  await s.plans.importRoster(retake.id, { bytes: csv([person(2)]), filename: 'r2.csv' }, s.actor);
  s.clock.set(at('2026-03-19T12:00:00'));
  await runToInProgressAfterImport(s, retake.id);
  s.clock.set(at('2026-03-20T10:00:00'));
  t.match(s.plans.gradeCandidate(retake.id, idn(1), {}), { attempt: 2, passed: false });
  t.match(s.plans.gradeCandidate(retake.id, idn(2), rightAnswers(s, retake.id, idn(2))), { attempt: 2, passed: true, validUntil: at('2027-03-20T10:00:00') });
  s.plans.advanceSession(retake.id, 'ended', s.actor);
  s.plans.advanceSession(retake.id, 'graded', s.actor);

  const third = session(s, plan.id, '2026-04-10');
  t.same(await importRefusal(s, third.id, [person(1)]), [
    'row 2, column 身份证号: failed twice; must retrain before another exam (failed on 2026-03-10 and 2026-03-20; give a 培训结业日期 after 2026-03-20 once retrained)',
  ]);
  const withTraining = [...HEADER, '培训结业日期'];
  t.same(
    await importRefusal(s, third.id, [[...person(1), '2026-03-15']], withTraining),
    [
      'row 2, column 身份证号: failed twice; must retrain before another exam (failed on 2026-03-10 and 2026-03-20; give a 培训结业日期 after 2026-03-20 once retrained)',
    ],
    'training that ended before the second failure does not count',
  );
  t.same(await importRefusal(s, third.id, [[...person(1), '2026-04-05']], withTraining), [
    'row 2, column 培训结业日期: is in the future (today is 2026-03-20) (got "2026-04-05")',
  ]);
  s.clock.set(at('2026-04-06T12:00:00'));
  const retrained = await s.plans.importRoster(third.id, { bytes: csv([[...person(1), '2026-04-05']], withTraining), filename: 'r.csv' }, s.actor);
  t.match(retrained.entries, [{ idNumber: idn(1), attempt: 1, trainedOn: '2026-04-05' }], 'after retraining the count starts again');

  // The training date stays on record: failing the fresh attempt leaves one retake, without repeating it.
  await runToInProgressAfterImport(s, third.id);
  s.clock.set(at('2026-04-10T10:00:00'));
  s.plans.gradeCandidate(third.id, idn(1), {});
  s.plans.advanceSession(third.id, 'ended', s.actor);
  s.plans.advanceSession(third.id, 'graded', s.actor);
  const fourth = session(s, plan.id, '2026-04-20');
  const again = await s.plans.importRoster(fourth.id, { bytes: csv([person(1)]), filename: 'r.csv' }, s.actor);
  t.match(again.entries, [{ idNumber: idn(1), attempt: 2 }]);
});

t.test('an absent candidate used no attempt', async (t) => {
  const s = site(t);
  const plan = newPlan(s);
  const first = session(s, plan.id, '2026-03-10');
  await runToInProgress(s, first.id, [person(1), person(2)]);
  s.clock.set(at('2026-03-10T10:00:00'));
  s.plans.gradeCandidate(first.id, idn(2), {});
  s.plans.advanceSession(first.id, 'ended', s.actor);
  s.plans.advanceSession(first.id, 'graded', s.actor);
  const next = session(s, plan.id, '2026-03-20');
  const r = await s.plans.importRoster(next.id, { bytes: csv([person(1)]), filename: 'r.csv' }, s.actor);
  t.match(r.entries, [{ idNumber: idn(1), attempt: 1 }]);
});

t.test('the person file lists every session, paper and result, and the passes still valid', async (t) => {
  const s = site(t);
  const plan = newPlan(s);
  const first = await sit(s, plan.id, '2026-03-10', [{ row: person(1, '张三'), pass: false }]);
  const second = await sit(s, plan.id, '2026-03-20', [{ row: person(1, '张三'), pass: true }]);
  const rec = s.plans.personRecord(idn(1));
  t.match(rec, { idNumber: idn(1), name: '张三' });
  t.match(rec.exams, [
    {
      session: { id: first.session.id, planName: '全年', status: 'graded', templateName: TEMPLATE.name },
      entry: { attempt: 1 },
      paperId: first.results[0]!.paperId,
      result: { passed: false, attempt: 1 },
    },
    { session: { id: second.session.id }, entry: { attempt: 2 }, paperId: second.results[0]!.paperId, result: { passed: true, attempt: 2 } },
  ]);
  t.match(rec.valid, [{ sessionId: second.session.id, validUntil: at('2027-03-20T10:00:00') }]);
  t.throws(() => s.plans.personRecord(idn(9)), NotFound);
});

/** The rest of runToInProgress for a session whose roster is already in. */
async function runToInProgressAfterImport(s: Site, id: string) {
  s.plans.assignSeats(id, s.actor);
  s.plans.generateSessionPapers(id, s.actor);
  s.plans.advanceSession(id, 'checkin', s.actor);
  s.plans.advanceSession(id, 'in_progress', s.actor);
}
