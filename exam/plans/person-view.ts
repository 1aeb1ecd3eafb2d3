// What the person file (一人一档, records/people) reads of the exam beyond plans.personRecord: which
// retake each roster entry was and the rule that let the candidate sit (stored by the roster import,
// migration 021). Read-only; takes the database so records/ needs no second copy of the SQL.
import type { AppliedRule } from '../../config/index.ts';
import type { Db } from '../../storage/index.ts';

export interface RetakeRecord {
  sessionId: string;
  /** 1 first sitting, 2 a retake (补考). */
  attempt: number;
  /** Which retake: 0 the first sitting, 1 the first 补考 … */
  retake: number;
  /** The rule in force at the import; null for entries imported before rules were recorded. */
  rule: AppliedRule | null;
}

export function retakesOf(db: Db, idNumber: string): RetakeRecord[] {
  const rows = db
    .prepare(
      `SELECT r.session_id AS sessionId, r.attempt, r.retake, r.rule FROM roster_entries r JOIN exam_sessions s ON s.id = r.session_id
       WHERE r.id_number = ? ORDER BY s.starts_at, r.session_id`,
    )
    .all(idNumber) as { sessionId: string; attempt: number; retake: number; rule: string | null }[];
  return rows.map((r) => ({ ...r, rule: r.rule ? (JSON.parse(r.rule) as AppliedRule) : null }));
}
