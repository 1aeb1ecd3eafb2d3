// A staff override at the kiosk: a password-checked admin or invigilator of the room admits the
// candidate without a face decision, with a reason, audited.
import { Conflict, Forbidden, Locked, Unauthorized, ValidationError } from '../../core/index.ts';
import { distance } from '../face/index.ts';
import type { StaffUser } from './types.ts';
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
  if (!a.sessionId) throw new Conflict(`attempt ${attemptId} is a training check; overrides are for exam admission`);
  if (a.decision === 'admitted' || a.decision === 'overridden') throw new Conflict(`attempt ${attemptId} already ended in admission (${a.decision})`);
  const reason = input.reason.trim();
  if ([...reason].length < 4)
    throw new ValidationError([{ path: 'body.reason', problem: 'say why in at least 4 characters (it goes into the audit log)', got: input.reason }]);
  const s = st.plans.session(a.sessionId);
  const via = `device:${kioskId}`;
  const refused = (why: string, actor: string) =>
    st.audit.append({ actor, action: 'kiosk.override.refused', target: s.id, detail: { attemptId, via, username: input.username.slice(0, 64), why }, ip });
  let user: StaffUser;
  try {
    user = await st.deps.authenticate(input.username, input.password, ip);
  } catch (err) {
    if (err instanceof Unauthorized) {
      refused('wrong user name or password', via);
      throw new Forbidden('override refused: wrong user name or password');
    }
    if (err instanceof Locked) refused('account locked', via);
    throw err;
  }
  const actor = `user:${user.username}`;
  if (!(user.role === 'admin' || (user.role === 'invigilator' && user.rooms.includes(s.roomId)))) {
    refused(`role ${user.role}${user.role === 'invigilator' ? ` for rooms ${user.rooms.join(', ')}` : ''} may not admit to room ${s.roomId}`, actor);
    throw new Forbidden(`override refused: ${user.username} is not an admin or an invigilator of room ${s.roomId}`);
  }
  const e = entryOf(st, s.id, a.idNumber)!;
  const seat = st.deps.admit(s.id, a.idNumber, actor).seat;
  if (!a.decidedAt)
    st.store.decide(a.id, {
      decision: 'overridden',
      reason: 'override',
      detail: 'admitted by staff without a face decision',
      seat,
      overrideBy: actor,
      overrideReason: reason,
    });
  else st.store.override(a.id, { seat, by: actor, reason });
  st.audit.append({
    actor,
    action: 'kiosk.override',
    target: s.id,
    detail: { attemptId, via, ticketNo: e.ticketNo, seat, reason, refusal: a.reason, distance: a.distance },
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
