// Scaffolding for the reporting tests: a graded exam session made through the exam service's own calls
// (bank, plan, roster, papers, grading), and a kiosk attempt row as the kiosk records one.
import type { ExamService } from '../../exam/index.ts';
import type { Db } from '../../storage/index.ts';
import { TEMPLATE, bankQuestions, csv, idn, person } from '../exam/plans-fixture.ts';

const bankMade = new WeakSet<ExamService>();

/** A day two days from now, so the session is not "in the past" on the real clock the sender runs on. */
function futureDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A session with `people` candidates (the first passes, the rest fail), graded and marked graded.
 * Returns the session id and the candidates' ID numbers.
 */
export async function gradedSession(exam: ExamService, o: { first: number; people: number; day?: number }): Promise<{ sessionId: string; ids: string[] }> {
  const actor = 'user:admin';
  if (!bankMade.has(exam)) {
    if (!exam.bank.latest()) exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
    bankMade.add(exam);
  }
  // A day of its own per fixture call (by the first candidate's number): one room hosts one session at a time.
  const day = futureDay(o.day ?? 2 + o.first);
  const plan = exam.plans.createPlan({ name: `报告测试 ${o.first}`, from: day, to: day }, actor);
  const session = exam.plans.createSession({ planId: plan.id, room: 'R1', startsAt: `${day}T09:00`, templateId: TEMPLATE.id }, actor);
  const rows = Array.from({ length: o.people }, (_, i) => person(o.first + i));
  await exam.plans.importRoster(session.id, { bytes: csv(rows), filename: 'roster.csv' }, actor);
  exam.plans.assignSeats(session.id, actor);
  exam.plans.generateSessionPapers(session.id, actor);
  exam.plans.advanceSession(session.id, 'checkin', actor);
  exam.plans.advanceSession(session.id, 'in_progress', actor);
  const ids = rows.map((r) => r[0]!);
  ids.forEach((id, i) => {
    const paper = exam.plans.paperStore.forCandidate(session.id, id)!;
    const answers = i === 0 ? Object.fromEntries(paper.items.map((it, k) => [k + 1, it.key])) : {};
    exam.plans.gradeCandidate(session.id, id, answers);
  });
  exam.plans.advanceSession(session.id, 'ended', actor);
  exam.plans.advanceSession(session.id, 'graded', actor);
  return { sessionId: session.id, ids };
}

/** One decided kiosk attempt, as the kiosk's store writes it (an override by a named invigilator when `overrideBy`). */
export function kioskAttempt(db: Db, a: { sessionId: string; idNumber: string; at: number; distance: number; overrideBy?: string }): void {
  db.prepare(
    `INSERT INTO identity_attempts (id, kiosk_id, session_id, id_number, source, challenge, started_at, expires_at, decided_at, decision, reason, distance, threshold, seat, capture, override_by, override_reason)
     VALUES (?, 'K1', ?, ?, 'card', 'blink', ?, ?, ?, ?, ?, ?, 0.5, '01', 'caps/x.jpg', ?, ?)`,
  ).run(
    `att-${a.idNumber}-${a.at}`,
    a.sessionId,
    a.idNumber,
    a.at,
    a.at + 300_000,
    a.at + 5_000,
    a.overrideBy ? 'overridden' : 'admitted',
    a.overrideBy ? 'override' : null,
    a.distance,
    a.overrideBy ?? null,
    a.overrideBy ? '证件照片过旧' : null,
  );
}

export { idn };
