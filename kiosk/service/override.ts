// A staff decision at the kiosk: a password-checked admin or invigilator of the room admits an exam
// candidate without a face decision, with a reason, audited. A person who declined face recognition has
// this path by right (issue 23): the reason recorded is then "declined face recognition" (staff compared
// the ID card with the person by eye), and for a training member — whose face refusals are otherwise
// retried, never overridden — staff confirm the sign-in or sign-out the same way.
import { Conflict, Forbidden, Locked, Unauthorized, ValidationError } from '../../core/index.ts';
import { DECLINED_FACE_REASON } from '../protocol.ts';
import type { IdentityAttempt } from '../store.ts';
import type { StaffUser } from './types.ts';
import { declined } from './consent.ts';
import { openAttempt } from './lookup.ts';
import { entryOf, roomName, type IdentityState } from './state.ts';

export async function override(
  st: IdentityState,
  kioskId: string,
  attemptId: string,
  input: { username: string; password: string; reason: string },
  ip: string | null,
) {
  const a = openAttempt(st, kioskId, attemptId);
  const declinedFace = declined(st, a);
  if (!a.sessionId && !declinedFace)
    throw new Conflict(
      `attempt ${attemptId} is a training check: staff confirm a member only when they declined face recognition; a face refusal is retried at the kiosk`,
    );
  if (a.decision === 'admitted' || a.decision === 'overridden') throw new Conflict(`attempt ${attemptId} already ended in admission (${a.decision})`);
  const typed = input.reason.trim();
  if ([...typed].length < 4)
    throw new ValidationError([{ path: 'body.reason', problem: 'say why in at least 4 characters (it goes into the audit log)', got: input.reason }]);
  // The consent record, not the words typed, says why no face was compared; staff's own words are kept beside it.
  const reason = declinedFace ? (typed === DECLINED_FACE_REASON ? typed : `${DECLINED_FACE_REASON}: ${typed}`) : typed;
  const target = a.sessionId ?? a.classId!;
  const roomId = a.sessionId ? st.plans.session(a.sessionId).roomId : null;
  const via = `device:${kioskId}`;
  const refused = (why: string, actor: string) =>
    st.audit.append({
      actor,
      action: a.sessionId ? 'kiosk.override.refused' : 'training.confirm.refused',
      target,
      detail: { attemptId, via, username: input.username.slice(0, 64), why },
      ip,
    });
  let user: StaffUser;
  try {
    user = await st.deps.authenticate(input.username, input.password, ip);
  } catch (err) {
    if (err instanceof Unauthorized) {
      refused('wrong user name or password', via);
      throw new Forbidden(`${a.sessionId ? 'override' : 'confirmation'} refused: wrong user name or password`);
    }
    if (err instanceof Locked) refused('account locked', via);
    throw err;
  }
  const actor = `user:${user.username}`;
  if (roomId === null) {
    // Training: the class's 班主任 (or an admin) confirms; training/ says who that is (onStaffConfirm's mayConfirm).
    const may = st.confirmers.get('training');
    const why = may ? may(a, user) : user.role === 'admin' ? null : `role ${user.role} may not confirm training attendance`;
    if (why) {
      refused(why, actor);
      throw new Forbidden(`confirmation refused: ${why}`);
    }
    return confirmTraining(st, a, actor, user.username, reason, via, ip);
  }
  if (!(user.role === 'admin' || (user.role === 'invigilator' && user.rooms.includes(roomId)))) {
    refused(`role ${user.role}${user.role === 'invigilator' ? ` for rooms ${user.rooms.join(', ')}` : ''} may not admit to room ${roomId}`, actor);
    throw new Forbidden(`override refused: ${user.username} is not an admin or an invigilator of room ${roomId}`);
  }
  const s = st.plans.session(a.sessionId!);
  const e = entryOf(st, s.id, a.idNumber)!;
  const seat = st.deps.admit(s.id, a.idNumber, actor).seat;
  if (!a.decidedAt)
    st.store.decide(a.id, {
      decision: 'overridden',
      reason: 'override',
      detail: declinedFace
        ? 'admitted by staff: the candidate declined face recognition and the ID card was checked by eye'
        : 'admitted by staff without a face decision',
      seat,
      overrideBy: actor,
      overrideReason: reason,
    });
  else st.store.override(a.id, { seat, by: actor, reason });
  st.audit.append({
    actor,
    action: 'kiosk.override',
    target: s.id,
    detail: { attemptId, via, ticketNo: e.ticketNo, seat, reason, refusal: a.reason, distance: a.distance, faceConsent: declinedFace ? 'declined' : null },
    ip,
  });
  st.bus.emit('identity.override', {
    attemptId,
    kioskId,
    sessionId: s.id,
    roomId: s.roomId,
    idNumber: a.idNumber,
    seat,
    by: actor,
    reason,
    at: st.clock.now(),
  });
  return { ok: true as const, decision: 'admitted' as const, seat, roomId: s.roomId, roomName: roomName(st, s.roomId), by: user.username };
}

function confirmTraining(st: IdentityState, a: IdentityAttempt, actor: string, username: string, reason: string, via: string, ip: string | null) {
  if (a.decidedAt) throw new Conflict(`attempt ${a.id} was already decided (${a.decision}); look the ID up again for a new check`);
  const confirm = st.confirmations.get('training');
  if (!confirm) throw new Conflict('training attendance is not running on this server');
  return { ...(confirm(a, { actor, reason, via, ip }) as object), by: username };
}
