// What the session archive (records/archive) reads of the kiosk: every identity attempt made for a
// session, oldest first, with its decision, scores, override and capture file. Read only; the face
// descriptors stay out (they are derived data, not a record), and so does the raw ID-card read.
import type { Db } from '../storage/index.ts';

export interface SignInAttempt {
  id: string;
  kioskId: string;
  idNumber: string;
  /** How the ID was entered: read from the card or typed by staff. */
  source: 'typed' | 'card';
  startedAt: number;
  decidedAt: number | null;
  decision: 'admitted' | 'refused' | 'overridden' | null;
  reason: string | null;
  detail: string | null;
  liveness: unknown;
  /** Face distance to the roster photo (smaller = more alike) and to the card photo, and the threshold in force. */
  distance: number | null;
  cardDistance: number | null;
  threshold: number | null;
  seat: string | null;
  /** The live capture, relative to the data folder's captures/. */
  capture: string | null;
  rosterPhoto: string | null;
  cardPhoto: string | null;
  overrideBy: string | null;
  overrideReason: string | null;
}

/** Every kiosk attempt made for the session, oldest first. */
export function sessionSignIns(db: Db, sessionId: string): SignInAttempt[] {
  const rows = db
    .prepare(
      `SELECT id, kiosk_id, id_number, source, started_at, decided_at, decision, reason, detail, liveness, distance, card_distance, threshold,
              seat, capture, roster_photo, card_photo, override_by, override_reason
       FROM identity_attempts WHERE session_id = ? ORDER BY started_at, id`,
    )
    .all(sessionId) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: r.id as string,
    kioskId: r.kiosk_id as string,
    idNumber: r.id_number as string,
    source: r.source as 'typed' | 'card',
    startedAt: r.started_at as number,
    decidedAt: r.decided_at as number | null,
    decision: r.decision as SignInAttempt['decision'],
    reason: r.reason as string | null,
    detail: r.detail as string | null,
    liveness: r.liveness ? (JSON.parse(r.liveness as string) as unknown) : null,
    distance: r.distance as number | null,
    cardDistance: r.card_distance as number | null,
    threshold: r.threshold as number | null,
    seat: r.seat as string | null,
    capture: r.capture as string | null,
    rosterPhoto: r.roster_photo as string | null,
    cardPhoto: r.card_photo as string | null,
    overrideBy: r.override_by as string | null,
    overrideReason: r.override_reason as string | null,
  }));
}
