// What records/ reads of the exam engine's tables for statistics and disclosure: one row per roster
// entry of the sessions that started in a period, with its result when there is one, and the per-item
// marks of those results for the item analysis. Reads only; the engine stays the one writer of
// roster_entries, results, exam_sessions and questions.
import type { Db } from '../storage/index.ts';
import type { Category, Industry, QuestionType } from './types.ts';
import type { RosterStatus, SessionStatus } from './plans/model.ts';

/** One person on one session's roster (a sitting, or an absence), with the result if graded. */
export interface SittingRow {
  sessionId: string;
  sessionStatus: SessionStatus;
  /** Planned start, UTC ms: what puts the sitting in a day and a month. */
  startsAt: number;
  roomId: string;
  templateId: string;
  templateName: string;
  idNumber: string;
  category: Category;
  operationClass: string | null;
  industry: Industry;
  /** 培训机构 as the roster gave it (NFKC, trimmed), or null when the roster had none. */
  institution: string | null;
  /** 1, or 2 for the one retake (补考). */
  attempt: number;
  rosterStatus: RosterStatus;
  resultId: string | null;
  score: number | null;
  total: number | null;
  passed: boolean | null;
}

/** Roster entries of the sessions in the given statuses whose planned start is in [fromMs, toMs). */
export function sittingsBetween(db: Db, fromMs: number, toMs: number, statuses: readonly SessionStatus[]): SittingRow[] {
  if (statuses.length === 0) return [];
  const rows = db
    .prepare(
      `SELECT s.id AS sessionId, s.status AS sessionStatus, s.starts_at AS startsAt, s.room_id AS roomId, s.template_id AS templateId,
              json_extract(s.template, '$.name') AS templateName,
              e.id_number AS idNumber, e.category, e.operation_class AS operationClass, e.industry, e.institution, e.attempt,
              e.status AS rosterStatus, r.id AS resultId, r.score, r.total, r.passed
         FROM exam_sessions s
         JOIN roster_entries e ON e.session_id = s.id
         LEFT JOIN results r ON r.session_id = e.session_id AND r.id_number = e.id_number
        WHERE s.starts_at >= ? AND s.starts_at < ? AND s.status IN (${statuses.map(() => '?').join(', ')})
        ORDER BY s.starts_at, s.id, e.ticket_no`,
    )
    .all(fromMs, toMs, ...statuses) as (Omit<SittingRow, 'passed'> & { passed: number | null })[];
  return rows.map((r) => ({ ...r, passed: r.passed === null ? null : r.passed === 1 }));
}

/** Sessions whose planned start is in [fromMs, toMs), by status: what a period's figures leave out. */
export function sessionCountsBetween(db: Db, fromMs: number, toMs: number): Partial<Record<SessionStatus, number>> {
  const rows = db.prepare('SELECT status, COUNT(*) AS n FROM exam_sessions WHERE starts_at >= ? AND starts_at < ? GROUP BY status').all(fromMs, toMs) as {
    status: SessionStatus;
    n: number;
  }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** One graded paper, item by item: the input of the item analysis. */
export interface GradedPaper {
  resultId: string;
  sessionId: string;
  templateId: string;
  score: number;
  total: number;
  items: { questionId: string; correct: boolean }[];
}

/** The graded papers of the sessions in the given statuses whose planned start is in [fromMs, toMs). */
export function gradedPapersBetween(db: Db, fromMs: number, toMs: number, statuses: readonly SessionStatus[]): GradedPaper[] {
  if (statuses.length === 0) return [];
  const rows = db
    .prepare(
      `SELECT r.id AS resultId, r.session_id AS sessionId, s.template_id AS templateId, r.score, r.total, r.breakdown
         FROM results r JOIN exam_sessions s ON s.id = r.session_id
        WHERE s.starts_at >= ? AND s.starts_at < ? AND s.status IN (${statuses.map(() => '?').join(', ')})
        ORDER BY r.id`,
    )
    .all(fromMs, toMs, ...statuses) as { resultId: string; sessionId: string; templateId: string; score: number; total: number; breakdown: string }[];
  return rows.map(({ breakdown, ...r }) => {
    const b = JSON.parse(breakdown) as { perItem?: { questionId: string; correct: boolean }[] };
    return { ...r, items: (b.perItem ?? []).map((i) => ({ questionId: i.questionId, correct: i.correct })) };
  });
}

export interface QuestionFacts {
  id: string;
  type: QuestionType;
  stem: string;
  knowledgePoint: string;
  difficulty: number;
  externalId: string | null;
  retired: boolean;
}

/** The bank's facts about these questions (every version: a paper may hold a retired question). */
export function questionFacts(db: Db, ids: readonly string[]): Map<string, QuestionFacts> {
  const out = new Map<string, QuestionFacts>();
  const stmt = db.prepare(
    `SELECT id, type, stem, knowledge_point AS knowledgePoint, difficulty, external_id AS externalId, retired_at IS NOT NULL AS retired
       FROM questions WHERE id = ?`,
  );
  for (const id of ids) {
    const q = stmt.get(id) as (Omit<QuestionFacts, 'retired'> & { retired: number }) | undefined;
    if (q) out.set(id, { ...q, retired: q.retired === 1 });
  }
  return out;
}
