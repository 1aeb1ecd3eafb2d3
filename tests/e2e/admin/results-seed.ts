// A graded session for the results page's browser test, made on the harness's own app the way the
// demo's graded session is (exam/demo/graded.ts): the real plan functions — roster, seats, papers,
// check-in, start, grading against each stored paper, end, graded — on a clock stepped to the moments
// they happened, a few hours before the harness's "now". Four on the roster: two pass, one fails, one absent.
import type { Clock } from '../../../core/index.ts';
import { createPlanService } from '../../../exam/plans/service.ts';
import type { AnswerSheet } from '../../../exam/types.ts';
import { TEMPLATE, bankQuestions, csv, idn, person } from '../../exam/plans-fixture.ts';
import type { AdminConsole } from './harness.ts';

export const GRADED_PEOPLE = [
  { idNumber: idn(41), name: '周敏', right: 1 },
  { idNumber: idn(42), name: '吴刚', right: 0.9 },
  { idNumber: idn(43), name: '郑伟', right: 0.3 },
  { idNumber: idn(44), name: '王芳', right: null },
] as const;

const day = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);

export async function seedGradedSession(c: AdminConsole): Promise<{ sessionId: string }> {
  const exam = c.app.exam;
  if (!exam.bank.versions().some((v) => v.id === 'v1'))
    exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
  const now = c.clock.now();
  const startsAt = Math.floor((now - 4 * 3600_000) / 60_000) * 60_000;
  let at = startsAt - 2 * 3600_000;
  const clock: Clock = { now: () => at };
  const plans = createPlanService({ ...exam.deps, clock, bank: exam.bank });
  const plan = plans.createPlan({ name: '成绩页测试计划', from: day(startsAt - 86_400_000), to: day(now + 86_400_000) }, 'user:admin');
  const s = plans.createSession({ planId: plan.id, room: 'R1', startsAt: new Date(startsAt).toISOString(), templateId: TEMPLATE.id }, 'user:admin');
  await plans.importRoster(s.id, { bytes: csv(GRADED_PEOPLE.map((p, k) => person(41 + k, p.name))), filename: 'roster.csv' }, 'user:admin');
  plans.assignSeats(s.id, 'user:admin');
  plans.generateSessionPapers(s.id, 'user:admin');
  at = startsAt - 30 * 60_000;
  plans.advanceSession(s.id, 'checkin', 'user:admin');
  const sitting = GRADED_PEOPLE.filter((p) => p.right !== null);
  for (const p of sitting) plans.setRosterStatus(s.id, p.idNumber, 'admitted');
  at = startsAt;
  plans.advanceSession(s.id, 'in_progress', 'user:admin');
  for (const p of sitting) plans.setRosterStatus(s.id, p.idNumber, 'in_exam');
  at = startsAt + 60 * 60_000;
  for (const p of sitting) {
    const paper = plans.paperStore.forCandidate(s.id, p.idNumber)!;
    const sheet: AnswerSheet = {};
    paper.items.forEach((item, i) => {
      const right = i < Math.round(paper.items.length * p.right!);
      sheet[i + 1] = right ? item.key : [(item.key[0]! + 1) % (item.type === 'judge' ? 2 : 4)];
    });
    plans.gradeCandidate(s.id, p.idNumber, sheet, 'user:admin');
  }
  at = startsAt + s.durationMinutes * 60_000;
  plans.advanceSession(s.id, 'ended', 'user:admin');
  at += 5 * 60_000;
  plans.advanceSession(s.id, 'graded', 'user:admin');
  return { sessionId: s.id };
}
