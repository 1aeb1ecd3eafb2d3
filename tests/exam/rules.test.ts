// The retake and validity rules as config (rules:), through the real roster import and grading: a site
// that allows two retakes gets the third sitting, a different validity moves valid_until, an item
// override beats its category, and each roster entry keeps the retake number and the rule applied.
import t from 'tap';
import { ValidationError, formatProblem } from '../../core/index.ts';
import { retakesOf } from '../../exam/index.ts';
import { HEADER, TEMPLATE, csv, idn, person, rightAnswers, runToInProgress, site, type Site } from './plans-fixture.ts';

const at = (local: string) => Date.parse(`${local}+08:00`);

async function sit(s: Site, planId: string, day: string, people: { row: string[]; pass: boolean }[]) {
  s.clock.set(at(`${day}T08:00:00`) - 86_400_000);
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

const plan = (s: Site) => s.plans.createPlan({ name: '全年', from: '2026-03-01', to: '2028-12-31' }, s.actor);

t.test('two retakes allowed: the third sitting is admitted as the second 补考, the fourth needs retraining', async (t) => {
  const s = site(t, { extraYaml: 'rules:\n  principal:\n    retakesAfterFail: 2\n' });
  const p = plan(s);
  await sit(s, p.id, '2026-03-10', [{ row: person(1), pass: false }]);
  await sit(s, p.id, '2026-03-20', [{ row: person(1), pass: false }]);
  const third = await sit(s, p.id, '2026-03-30', [{ row: person(1), pass: false }]);
  t.match(third.results[0], { attempt: 2, passed: false }, 'the third sitting happened: a retake');

  const history = retakesOf(s.db, idn(1));
  t.match(
    history.map((h) => [h.attempt, h.retake, h.rule?.retakesAfterFail, h.rule?.path, h.rule?.configured]),
    [
      [1, 0, 2, 'rules.principal', true],
      [2, 1, 2, 'rules.principal', true],
      [2, 2, 2, 'rules.principal', true],
    ],
    'each entry keeps which retake it was and the rule that allowed it',
  );

  s.clock.set(at('2026-04-01T12:00:00'));
  const fourth = s.plans.createSession({ planId: p.id, room: 'R1', startsAt: '2026-04-10T09:00', templateId: TEMPLATE.id }, s.actor);
  t.same(await importRefusal(s, fourth.id, [person(1)]), [
    'row 2, column 身份证号: failed 3 times; must retrain before another exam (failed on 2026-03-10, 2026-03-20 and 2026-03-30; give a 培训结业日期 after 2026-03-30 once retrained; rules.principal: 不合格可补考 2 次 · 连续 3 次不合格须重新培训 · 合格成绩有效 12 个月)',
  ]);
  const r = await s.plans.importRoster(fourth.id, { bytes: csv([[...person(1), '2026-03-31']], [...HEADER, '培训结业日期']), filename: 'r.csv' }, s.actor);
  t.match(r.entries, [{ idNumber: idn(1), attempt: 1 }], 'retrained: the count starts again');
  t.match(retakesOf(s.db, idn(1)).at(-1), { retake: 0 });
});

t.test('the national default still refuses the second retake (behaviour unchanged without rules:)', async (t) => {
  const s = site(t);
  const p = plan(s);
  await sit(s, p.id, '2026-03-10', [{ row: person(1), pass: false }]);
  await sit(s, p.id, '2026-03-20', [{ row: person(1), pass: false }]);
  s.clock.set(at('2026-03-21T12:00:00'));
  const third = s.plans.createSession({ planId: p.id, room: 'R1', startsAt: '2026-03-30T09:00', templateId: TEMPLATE.id }, s.actor);
  t.same(await importRefusal(s, third.id, [person(1)]), [
    'row 2, column 身份证号: failed twice; must retrain before another exam (failed on 2026-03-10 and 2026-03-20; give a 培训结业日期 after 2026-03-20 once retrained)',
  ]);
  t.match(retakesOf(s.db, idn(1))[1]!.rule, { path: 'rules.principal', configured: false, retakesAfterFail: 1, resultValidityMonths: 12 });
});

t.test('an operation-item override beats its category: no retake in machinery, 24-month validity', async (t) => {
  const s = site(t, {
    extraYaml: 'rules:\n  principal:\n    retakesAfterFail: 2\n    items:\n      machinery: { retakesAfterFail: 0, resultValidityMonths: 24 }\n',
  });
  const p = plan(s);
  const first = await sit(s, p.id, '2026-03-10', [
    { row: person(1), pass: false },
    { row: person(2), pass: true },
  ]);
  t.equal(first.results[1]!.validUntil, at('2028-03-10T10:00:00'), "a pass is valid for the item's 24 months");
  s.clock.set(at('2026-03-11T12:00:00'));
  const next = s.plans.createSession({ planId: p.id, room: 'R1', startsAt: '2026-03-20T09:00', templateId: TEMPLATE.id }, s.actor);
  t.same(await importRefusal(s, next.id, [person(1), person(2)]), [
    'row 2, column 身份证号: failed once; must retrain before another exam (failed on 2026-03-10; give a 培训结业日期 after 2026-03-10 once retrained; rules.principal.items.machinery: 不合格不设补考 · 连续 1 次不合格须重新培训 · 合格成绩有效 24 个月)',
    'row 3, column 身份证号: already passed on 2026-03-10, valid until 2028-03-10',
  ]);
  t.match(retakesOf(s.db, idn(2))[0]!.rule, { path: 'rules.principal.items.machinery', item: 'machinery', category: 'principal' });
});
