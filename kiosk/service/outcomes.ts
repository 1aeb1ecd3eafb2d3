// The outcomes of attempts nobody decided by face or by staff: a person who left at the notice or the face
// guide (the kiosk says so: cancelled), and an attempt nobody finished (the page was closed, the network
// or the power went: the sweep marks it expired a little after its expiry). Both are recorded on the
// attempt and audited as its other decisions are, so staff lists and the person file (一人一档) never show
// an attempt hanging open, and neither counts as a face check used (face-attempts.ts).
import { Conflict, localDateTime, maskIdNumber } from '../../core/index.ts';
import type { CancelBody, CancelReply, CancelStage } from '../protocol.ts';
import type { IdentityAttempt } from '../store.ts';
import { openAttempt } from './lookup.ts';
import type { IdentityState } from './state.ts';

/**
 * How long after its expiry an open attempt is left alone: a kiosk may still report a face guide that gave
 * up (give-up records attempts past their expiry) or a cancel that waited out a network cut.
 */
export const EXPIRY_GRACE_MS = 2 * 60_000;
/** How often the service sweeps without being asked (reads of the attempt lists sweep first too). */
export const SWEEP_MS = 60_000;

const STAGE_WORDS: Record<CancelStage, string> = {
  notice: 'at the face-recognition notice, before choosing',
  face_guide: 'at the face guide, before the face check',
  declined: 'after declining face recognition, before staff checked the ID card',
  staff_needed: 'at the "staff decide" screen (no face checks left), before staff came',
};

const targetOf = (a: IdentityAttempt) => a.sessionId ?? a.classId;
const actionOf = (a: IdentityAttempt, what: 'cancelled' | 'expired') => `${a.classId ? 'training' : 'kiosk'}.attempt.${what}`;

/** The kiosk left an undecided attempt (取消, 返回, or its screen timed out): recorded as cancelled, audited. */
export function cancelAttempt(st: IdentityState, kioskId: string, attemptId: string, body: CancelBody): CancelReply {
  const a = openAttempt(st, kioskId, attemptId);
  if (a.decidedAt) throw new Conflict(`attempt ${attemptId} was already decided (${a.decision}); nothing to cancel`, 'attempt_decided');
  if (st.verifying.has(a.id)) throw new Conflict(`attempt ${a.id} is being verified; its verdict decides it`, 'attempt_decided');
  const detail = `${body.by === 'person' ? 'the person left' : 'the kiosk returned to its idle screen by itself'} ${STAGE_WORDS[body.stage]}`;
  let at = 0;
  st.db
    .transaction(() => {
      if (!st.store.decide(a.id, { decision: 'cancelled', reason: body.stage, detail }))
        throw new Conflict(`attempt ${attemptId} was decided by another request meanwhile`, 'attempt_decided');
      at = st.clock.now();
      st.audit.append({
        actor: `device:${a.kioskId}`,
        action: actionOf(a, 'cancelled'),
        target: targetOf(a),
        detail: { attemptId: a.id, idNumber: maskIdNumber(a.idNumber), stage: body.stage, by: body.by, detail },
      });
    })
    .immediate();
  return { ok: true, attemptId: a.id, decision: 'cancelled', decidedAt: new Date(at).toISOString() };
}

/** Marks every attempt still open EXPIRY_GRACE_MS after its expiry as expired, each audited; returns how many. */
export function expireStale(st: IdentityState): number {
  let n = 0;
  for (;;) {
    const due = st.store.undecidedBefore(st.clock.now() - EXPIRY_GRACE_MS);
    if (due.length === 0) return n;
    st.db
      .transaction(() => {
        for (const a of due) {
          if (st.verifying.has(a.id)) continue;
          const detail = `nobody finished the attempt: it expired at ${localDateTime(a.expiresAt, st.tz)} with no face check, cancel or staff decision (the kiosk page was closed, or lost the network or power)`;
          if (!st.store.decide(a.id, { decision: 'expired', reason: 'expired', detail })) continue;
          n++;
          st.audit.append({
            actor: 'system',
            action: actionOf(a, 'expired'),
            target: targetOf(a),
            detail: { attemptId: a.id, kioskId: a.kioskId, idNumber: maskIdNumber(a.idNumber), expiresAt: new Date(a.expiresAt).toISOString() },
          });
        }
      })
      .immediate();
    // Attempts under verification stay open; they alone would loop forever.
    if (due.every((a) => st.verifying.has(a.id))) return n;
  }
}
