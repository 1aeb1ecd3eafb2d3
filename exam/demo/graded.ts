// The demo's session already taken and graded (a few hours before the first start), so its results
// sheet, score reports, room log, certificates, archive and statistics can be opened at once. It runs
// through the same plan functions as a real session — roster import, seats, papers, check-in, start,
// grading of answers against each stored paper, end, graded — on a clock set to the moments they
// happened, so every stored time is where it would be. No row is written any other way.
import type { Clock } from '../../core/index.ts';
import type { ExamService } from '../index.ts';
import { createPlanService } from '../plans/service.ts';
import type { AnswerSheet } from '../types.ts';

/** Six candidates: five sat the exam, one never came (缺考). Each answers this share of questions right. */
const SITTERS = [
  { name: '郑浩', right: 0.96 },
  { name: '冯雪', right: 0.88 },
  { name: '韩冰', right: 0.72 },
  { name: '曹阳', right: 0.91 },
  { name: '许静', right: 0.64 },
  { name: '邓超', right: null },
] as const;

export interface GradedDemoSession {
  id: string;
  room: string;
  startsAt: number;
  candidates: number;
  templateId: string;
}

/**
 * `startsAt` is in the past; the session runs its whole life on a clock that steps from two hours
 * before it to its end, and ends graded.
 */
export async function seedGradedSession(
  exam: ExamService,
  o: { planId: string; room: string; templateId: string; startsAt: number; category: string; idNumber: (k: number) => string },
): Promise<GradedDemoSession> {
  const actor = 'system';
  let at = o.startsAt - 2 * 3600_000;
  const clock: Clock = { now: () => at };
  const plans = createPlanService({ ...exam.deps, clock, bank: exam.bank });
  const session = plans.createSession({ planId: o.planId, room: o.room, startsAt: new Date(o.startsAt).toISOString(), templateId: o.templateId }, actor);
  const roster = SITTERS.map((p, k) => ({
    身份证号: o.idNumber(k),
    姓名: p.name,
    人员类别: o.category,
    行业: '通用',
    培训机构: k % 2 ? '广州市安全生产培训中心（示范）' : '广州市天河区安全技术培训学校（示范）',
  }));
  await plans.importRoster(session.id, { bytes: Buffer.from(JSON.stringify(roster)), filename: 'demo-graded-roster.json' }, actor);
  plans.assignSeats(session.id, actor);
  plans.generateSessionPapers(session.id, actor);

  at = o.startsAt - 30 * 60_000;
  plans.advanceSession(session.id, 'checkin', actor);
  const entries = plans.roster(session.id);
  const byId = new Map(entries.map((e) => [e.idNumber, e]));
  const sitting = SITTERS.flatMap((p, k) => (p.right === null ? [] : [{ idNumber: o.idNumber(k), right: p.right, k }]));
  for (const s of sitting) {
    at += 60_000;
    // Admitted by hand at the desk: the demo has no kiosk captures for these people.
    plans.setRosterStatus(session.id, s.idNumber, 'admitted');
    exam.deps.audit.append({
      actor,
      action: 'exam.candidate.admit',
      target: session.id,
      detail: { ticketNo: byId.get(s.idNumber)!.ticketNo, seat: byId.get(s.idNumber)!.seat, demo: true },
    });
  }
  at = o.startsAt;
  plans.advanceSession(session.id, 'in_progress', actor);
  for (const s of sitting) plans.setRosterStatus(session.id, s.idNumber, 'in_exam');

  for (const s of sitting) {
    at = o.startsAt + (45 + s.k * 9) * 60_000;
    const paper = plans.paperStore.forCandidate(session.id, s.idNumber)!;
    // Deterministic answers: question i is right when it falls inside the candidate's share, else a wrong option.
    const sheet: AnswerSheet = {};
    paper.items.forEach((item, i) => {
      const right = ((i * 37 + s.k * 11) % 100) / 100 < s.right;
      const options = item.type === 'judge' ? 2 : 4;
      sheet[i + 1] = right ? item.key : [(item.key[0]! + 1) % options];
    });
    plans.gradeCandidate(session.id, s.idNumber, sheet, actor);
  }
  at = o.startsAt + session.durationMinutes * 60_000;
  plans.advanceSession(session.id, 'ended', actor);
  at += 5 * 60_000;
  plans.advanceSession(session.id, 'graded', actor);
  return { id: session.id, room: o.room, startsAt: o.startsAt, candidates: SITTERS.length, templateId: o.templateId };
}
