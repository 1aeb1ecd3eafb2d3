// What records/ reads of the entrance kiosk's identity checks for a session's score reports and room
// log: every attempt with its decision, scores, capture and override. A read; nothing here writes.
import type { Db } from '../storage/index.ts';

export interface IdentityCheckRecord {
  id: string;
  idNumber: string;
  kioskId: string;
  source: 'typed' | 'card';
  startedAt: number;
  decidedAt: number | null;
  decision: 'admitted' | 'refused' | 'overridden' | null;
  reason: string | null;
  distance: number | null;
  threshold: number | null;
  seat: string | null;
  /** The live capture, relative to the data folder's captures/; null when none was kept. */
  capture: string | null;
  overrideBy: string | null;
  overrideReason: string | null;
}

/** Every identity check made for an exam session, oldest first. */
export function identityChecksOfSession(db: Db, sessionId: string): IdentityCheckRecord[] {
  return db
    .prepare(
      `SELECT id, id_number AS idNumber, kiosk_id AS kioskId, source, started_at AS startedAt, decided_at AS decidedAt, decision, reason,
              distance, threshold, seat, capture, override_by AS overrideBy, override_reason AS overrideReason
         FROM identity_attempts WHERE session_id = ? ORDER BY started_at, id`,
    )
    .all(sessionId) as IdentityCheckRecord[];
}
