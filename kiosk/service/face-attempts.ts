// How many face checks a person has used, and whether they may make another: counted by the server from
// identity_attempts (the refused ones of this person in this exam session), so a reloaded page, another
// kiosk or a second card swipe starts nowhere new. Once the limit (config identity.faceAttempts) is reached
// the server refuses further face work on the person's attempts — quality frames, verification, give-up —
// and staff decide at the desk (override). A training check has no limit: staff may not override a
// trainee's face (override.ts), so a limit there would leave them nowhere to go.
import { Conflict, maskIdNumber } from '../../core/index.ts';
import type { FaceAttempts } from '../protocol.ts';
import type { IdentityAttempt } from '../store.ts';
import type { IdentityState } from './state.ts';

/** Whose attempts count together: a session's candidate, or a trainee's checks of one lesson and action. */
export type AttemptScope = { sessionId: string; idNumber: string } | { classId: string; lessonId: string | null; action: string | null; idNumber: string };

export function scopeOfAttempt(a: IdentityAttempt): AttemptScope {
  return a.sessionId ? { sessionId: a.sessionId, idNumber: a.idNumber } : { classId: a.classId!, lessonId: a.lessonId, action: a.action, idNumber: a.idNumber };
}

export function faceAttempts(st: IdentityState, scope: AttemptScope): FaceAttempts {
  const used = st.store.refusedCount(scope);
  if (!('sessionId' in scope)) return { used, limit: null, left: null };
  const limit = st.config.identity.faceAttempts;
  return { used, limit, left: Math.max(0, limit - used) };
}

/** Refuses face work on an attempt whose person has used every face check of the session: staff decide. */
export function requireFaceAttemptLeft(st: IdentityState, a: IdentityAttempt): FaceAttempts {
  const f = faceAttempts(st, scopeOfAttempt(a));
  if (f.left === 0)
    throw new Conflict(
      `${maskIdNumber(a.idNumber)} has used all ${f.limit} face checks for session ${a.sessionId} (identity.faceAttempts); no more faces are taken — staff decide at the desk (POST /api/kiosk/attempts/${a.id}/override)`,
      'face_attempts_used',
      { used: f.used, limit: f.limit! },
    );
  return f;
}
