// The kiosk's identity checks of one exam session, for the records module (results reporting): a read of
// the kiosk's own table through the kiosk's face, so no other module reads identity_attempts directly.
import type { Db } from '../storage/index.ts';

export interface SessionIdentityCheck {
  id: string;
  idNumber: string;
  kioskId: string;
  source: 'typed' | 'card';
  startedAt: number;
  decidedAt: number | null;
  /** null: the attempt ran out or was abandoned before a decision. */
  decision: 'admitted' | 'refused' | 'overridden' | null;
  reason: string | null;
  distance: number | null;
  cardDistance: number | null;
  threshold: number | null;
  liveness: unknown;
  seat: string | null;
  overrideBy: string | null;
  overrideReason: string | null;
  /** The live capture's file under the data folder's captures/ (null when none was kept). */
  capture: string | null;
}

/** Every kiosk attempt for an exam session, oldest first. */
export function sessionIdentityChecks(db: Db, sessionId: string): SessionIdentityCheck[] {
  const rows = db
    .prepare(
      `SELECT id, id_number AS idNumber, kiosk_id AS kioskId, source, started_at AS startedAt, decided_at AS decidedAt, decision, reason,
              distance, card_distance AS cardDistance, threshold, liveness, seat, override_by AS overrideBy, override_reason AS overrideReason, capture
       FROM identity_attempts WHERE session_id = ? ORDER BY started_at, id`,
    )
    .all(sessionId) as (Omit<SessionIdentityCheck, 'liveness'> & { liveness: string | null })[];
  return rows.map((r) => ({ ...r, liveness: r.liveness ? (JSON.parse(r.liveness) as unknown) : null }));
}
