// What a candidate chose about face recognition for an exam session, as the seat side needs it: the
// one read of the kiosk's face_consents that terminal/, proctor/ and records/ share (issue 23). The
// kiosk writes the table and owns its reader (`faceConsent` on the identity service); this function
// stays the seat side's single point of contact, a narrowing of that reader to exam sessions.
import { faceConsentOf } from '../kiosk/index.ts';
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
  return faceConsentOf(db, { sessionId }, idNumber);
}

/** True when the candidate declined face recognition for this session: nothing matches their face. */
export const declinedAtSeat = (db: Db, sessionId: string, idNumber: string): boolean => consentAtSeat(db, sessionId, idNumber)?.decision === 'declined';
