// What records/ reads of results without a service of its own: the passed results, for the certificates'
// catch-up at start (a pass graded while no listener ran still gets its certificate). Read only.
import type { Db } from '../../storage/index.ts';

export interface PassedResultRef {
  resultId: string;
  sessionId: string;
  idNumber: string;
  gradedAt: number;
}

/** Every passed result, oldest first (so catch-up numbers certificates in grading order). */
export function passedResults(db: Db): PassedResultRef[] {
  return db
    .prepare(
      'SELECT id AS resultId, session_id AS sessionId, id_number AS idNumber, graded_at AS gradedAt FROM results WHERE passed = 1 ORDER BY graded_at, id',
    )
    .all() as PassedResultRef[];
}
