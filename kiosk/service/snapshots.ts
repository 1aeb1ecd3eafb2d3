// The seat re-check of terminal snapshots: against the face that entered at the kiosk, else the
// roster photo; 'unchecked' when there is neither, without starting the engine.
import { DESCRIPTOR_LENGTH, distance } from '../face/index.ts';
import { enrolPhoto } from './enrolment.ts';
import { engine, entryOf, type IdentityState } from './state.ts';

export async function checkSnapshot(st: IdentityState, s: { sessionId: string; idNumber: string; jpeg: Buffer; terminalId: string; roomId: string }) {
  const emit = (identity: 'match' | 'mismatch' | 'no_face' | 'several_faces' | 'unchecked', d: number | null, detail: string) => {
    st.bus.emit('seat.check', {
      terminalId: s.terminalId,
      roomId: s.roomId,
      sessionId: s.sessionId,
      idNumber: s.idNumber,
      identity,
      distance: d,
      detail,
      at: st.clock.now(),
    });
    return { identity, distance: d, detail };
  };
  const admission = st.store.admission(s.sessionId, s.idNumber);
  // An admission capture described by an earlier model (before an upgrade changed it) is not comparable:
  // the roster photo, enrolled again with the current model, is the reference then.
  const captured = admission?.probeDescriptor ?? null;
  let ref: Float32Array | null = captured?.length === DESCRIPTOR_LENGTH ? captured : null;
  let against = 'the kiosk capture at admission';
  if (!ref) {
    const photo = entryOf(st, s.sessionId, s.idNumber)?.photo ?? null;
    if (photo) {
      const r = await enrolPhoto(st, photo);
      if (r.ok) {
        ref = r.descriptor;
        against = 'the roster photo';
      }
    }
  }
  // Without a reference the engine is not even started: a site without photos pays nothing for snapshots.
  if (!ref) return emit('unchecked', null, 'no kiosk capture and no usable roster photo to compare with');
  const eng = await engine(st);
  const probe = await eng.enrol(s.jpeg, { mode: 'fast', purpose: 'live' });
  if (!probe.ok) {
    if (probe.reason === 'no_face' || probe.reason === 'several_faces') return emit(probe.reason, null, probe.detail);
    return emit('unchecked', null, `snapshot not usable (${probe.reason}): ${probe.detail}`);
  }
  const d = distance(probe.descriptor, ref);
  return d <= eng.threshold
    ? emit('match', d, `distance ${d.toFixed(3)} to ${against} ≤ ${eng.threshold}`)
    : emit('mismatch', d, `distance ${d.toFixed(3)} to ${against} is above ${eng.threshold}: possibly a different person at the seat`);
}
