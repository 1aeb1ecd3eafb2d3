// What a candidate chose about face recognition for an exam session, as the seat side needs it: the
// one read of the kiosk's face_consents that terminal/, proctor/ and records/ share (issue 23). The
// kiosk writes the table and owns its reader (`faceConsent` on the identity service); this function
// stays the seat side's single point of contact so that it can be pointed at that reader in one place.
import type { Db } from '../storage/index.ts';

export type SeatConsentDecision = 'accepted' | 'declined';

export interface SeatConsent {
  decision: SeatConsentDecision;
  decidedAt: number;
  noticeVersion: string;
}

/**
 * The decision in force for this person in this exam session: the newest row wins (a person may change
 * their mind at the kiosk; rows are never updated). Null when the kiosk recorded none (a hand admission
 * at a staff desk, a session before consent existed): the seat side then behaves as it always has.
 */
export function consentAtSeat(db: Db, sessionId: string, idNumber: string): SeatConsent | null {
  const r = db
    .prepare(
      'SELECT decision, decided_at AS decidedAt, notice_version AS noticeVersion FROM face_consents WHERE session_id = ? AND id_number = ? ORDER BY id DESC LIMIT 1',
    )
    .get(sessionId, idNumber) as SeatConsent | undefined;
  return r ?? null;
}

/** True when the candidate declined face recognition for this session: nothing matches their face. */
export const declinedAtSeat = (db: Db, sessionId: string, idNumber: string): boolean => consentAtSeat(db, sessionId, idNumber)?.decision === 'declined';
