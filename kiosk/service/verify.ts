// Verification: liveness over all frames, the first usable face as the probe, 1:1 against the roster
// (and ID-card) photo; the capture is fsynced and the attempt decided once, before the reply.
import { join } from 'node:path';
import { Conflict, DomainError, ValidationError } from '../../core/index.ts';
import { removeQuietly } from '../../storage/index.ts';
import { DEFAULT_THRESHOLD, distance, type FaceRefusal } from '../face/index.ts';
import type { IdentityAttempt } from '../store.ts';
import { localDate, localDateTime } from '../../core/index.ts';
import { FRAMES, VERIFY_MESSAGES, noFacts, type VerifyRefusal, type FaceJudgement, type VerifyResult } from './types.ts';
import type { GiveUpBody, GiveUpHint, RefusalFacts } from '../protocol.ts';
import { jpegOk, writeDurably, decodeBase64Image } from './images.ts';
import { enrolPhoto } from './enrolment.ts';
import { openAttempt } from './lookup.ts';
import { requireAccepted } from './consent.ts';
import { faceAttempts, requireFaceAttemptLeft, scopeOfAttempt } from './face-attempts.ts';
import { candidateView, engine, entryOf, roomName, type IdentityState } from './state.ts';

export function checkFrames(st: IdentityState, frames: string[]): Buffer[] {
  if (frames.length < FRAMES.min || frames.length > FRAMES.max) {
    throw new ValidationError([
      { path: 'body.frames', problem: `needs ${FRAMES.min} to ${FRAMES.max} frames taken over about ${FRAMES.seconds} s`, got: frames },
    ]);
  }
  const problems: { path: string; problem: string }[] = [];
  const out = frames.map((f, i) => {
    try {
      const b = decodeBase64Image(f, `body.frames[${i}]`, FRAMES.maxBytes);
      if (!jpegOk(b)) problems.push({ path: `body.frames[${i}]`, problem: 'is not a JPEG' });
      return b;
    } catch (err) {
      if (err instanceof ValidationError) problems.push(...err.problems);
      return Buffer.alloc(0);
    }
  });
  if (problems.length) throw new ValidationError(problems);
  return out;
}

/**
 * Liveness over all frames, then the first frames that give a usable face are the probe: the
 * candidate starts the challenge looking straight at the camera. The probe frame is stored as the
 * attempt's capture whatever the outcome (the first frame when none gave a face).
 */
export async function judge(st: IdentityState, a: IdentityAttempt, frames: Buffer[]): Promise<FaceJudgement> {
  const eng = await engine(st);
  const threshold = eng.threshold;
  const refs = [
    a.rosterPhoto ? enrolPhoto(st, a.rosterPhoto) : Promise.resolve(null),
    a.cardPhoto ? enrolPhoto(st, a.cardPhoto) : Promise.resolve(null),
  ] as const;
  const livenessP = eng.liveness(frames, a.challenge);
  let probe: { index: number; descriptor: Float32Array } | null = null;
  let probeRefusal: { reason: FaceRefusal; detail: string; frame: number } | null = null;
  for (const i of [0, 1, 2].filter((x) => x < frames.length)) {
    const r = await eng.enrol(frames[i]!, { mode: 'fast', purpose: 'live' });
    if (r.ok) {
      probe = { index: i, descriptor: r.descriptor };
      break;
    }
    probeRefusal ??= { reason: r.reason, detail: `frame ${i + 1}: ${r.detail}`, frame: i + 1 };
  }
  const [live, roster, cardRef] = await Promise.all([livenessP, refs[0], refs[1]]);
  const captureBytes = frames[probe?.index ?? 0]!;
  const capture = `kiosk/${localDate(st.clock.now(), st.tz)}/${a.id}.jpg`;
  const captureSha256 = writeDurably(st.vault, join(st.paths.captures, capture), captureBytes);
  const base = {
    liveness: live,
    threshold,
    capture,
    captureSha256,
    captureExpiresAt: st.clock.now() + st.config.retention.days * 86_400_000,
    probeDescriptor: probe?.descriptor ?? null,
  };
  const no = (reason: VerifyRefusal, detail: string, facts: Partial<RefusalFacts> = {}, d: number | null = null, cd: number | null = null): FaceJudgement => ({
    ok: false,
    reason,
    detail,
    distance: d,
    cardDistance: cd,
    ...base,
    facts: { ...noFacts(), ...facts, cardDistance: cd },
  });

  if (!live.ok) {
    const seen = { challenge: live.challenge, liveness: live.reason };
    if (live.reason === 'no_face' || live.reason === 'several_faces') return no(live.reason, `liveness (${live.challenge}): ${live.detail}`, seen);
    return no('liveness', `liveness challenge ${live.challenge} not seen (${live.reason}): ${live.detail}`, seen);
  }
  if (!probe)
    return no(probeRefusal?.reason ?? 'no_face', probeRefusal?.detail ?? 'no usable face in the first frames', {
      frame: probeRefusal ? probeRefusal.frame : null,
    });
  if (!roster) return no('no_reference', 'the candidate has no roster photo to compare with', { rosterPhoto: 'missing' });
  if (!roster.ok)
    return no('no_reference', `the roster photo cannot be used (${roster.reason}): ${roster.detail}`, {
      rosterPhoto: roster.reason === 'missing' ? 'missing' : roster.reason,
    });
  const d = distance(probe.descriptor, roster.descriptor);
  let cd: number | null = null;
  let cardNote = '';
  const cardPhotoUnused = cardRef && !cardRef.ok && cardRef.reason !== 'missing' ? cardRef.reason : null;
  if (cardRef?.ok) cd = distance(probe.descriptor, cardRef.descriptor);
  else if (cardRef) cardNote = `; the ID card photo could not be used (${cardRef.reason}) and was not compared`;
  const poor = roster.warnings.length ? `; the roster photo was enrolled with warnings (${roster.warnings.map((w) => w.reason).join(', ')})` : '';
  const figures = { rosterWarnings: roster.warnings.map((w) => w.reason), cardPhotoUnused };
  if (d > threshold)
    return no('mismatch', `distance to the roster photo ${d.toFixed(3)} is above the threshold ${threshold}${poor}${cardNote}`, figures, d, cd);
  if (cd !== null && cd > threshold)
    return no('card_mismatch', `matches the roster photo (${d.toFixed(3)}) but not the ID card photo (${cd.toFixed(3)} > ${threshold})`, figures, d, cd);
  return {
    ok: true,
    reason: null,
    detail: `distance ${d.toFixed(3)} ≤ ${threshold}${cd !== null ? `, ID card ${cd.toFixed(3)}` : ''}${cardNote}; liveness: ${live.detail}`,
    distance: d,
    cardDistance: cd,
    ...base,
    facts: { ...noFacts(), ...figures, cardDistance: cd },
  };
}

/** Common guard of verify: the attempt is this kiosk's, undecided and not expired. */
export function pendingAttempt(st: IdentityState, kioskId: string, attemptId: string): IdentityAttempt {
  const a = openAttempt(st, kioskId, attemptId);
  if (a.decidedAt) throw new Conflict(`attempt ${attemptId} was already decided (${a.decision}); look the ID up again for a new attempt`);
  if (st.clock.now() > a.expiresAt) throw new Conflict(`attempt ${attemptId} expired at ${localDateTime(a.expiresAt, st.tz)}; look the ID up again`);
  return a;
}

export async function verify(st: IdentityState, kioskId: string, attemptId: string, rawFrames: string[]): Promise<VerifyResult | unknown> {
  const frames = checkFrames(st, rawFrames);
  const a = pendingAttempt(st, kioskId, attemptId);
  requireAccepted(st, a);
  requireFaceAttemptLeft(st, a);
  // A double-tapped button must not run the face check twice: the second request is told so at once.
  if (st.verifying.has(a.id)) throw new Conflict(`attempt ${a.id} is being verified already`);
  st.verifying.add(a.id);
  try {
    const j = await judge(st, a, frames);
    try {
      if (a.classId) return st.completions.get('training')!(a, j);
      return completeAdmission(st, a, j);
    } catch (err) {
      // The capture was written before the decision; a decision that was not stored (the database
      // refused, another request decided first) leaves a file nothing names: it goes.
      if (j.capture && st.store.attempt(a.id)?.capture !== j.capture) removeQuietly(join(st.paths.captures, j.capture));
      throw err;
    }
  } finally {
    st.verifying.delete(a.id);
  }
}

/** Staff-facing words for what the face guide last said (the audit and the override dialog show them). */
const GIVE_UP_WORDS: Record<GiveUpHint, string> = {
  no_face: 'no face found',
  several_faces: 'several faces in view',
  too_small: 'the face too small (too far away)',
  too_close: 'the face too close',
  off_center: 'the face off the centre of the frame',
  turned: 'the head turned away',
  blurred: 'the picture blurred',
  too_dark: 'the picture too dark',
  camera_down: 'the camera not delivering pictures',
  no_answer: 'no answer from the quality check',
};

/**
 * The kiosk stopped waiting for a usable face: the attempt is refused as `timed_out`, recorded and audited
 * as any refusal is (kiosk.verify.refused, identity.refused), so a candidate never leaves the kiosk without
 * a decision on record. An attempt past its expiry is still recorded (one the sweep marked expired too): that is
 * the case it is for.
 */
export function giveUp(st: IdentityState, kioskId: string, attemptId: string, input: GiveUpBody): VerifyResult | unknown {
  const a = openAttempt(st, kioskId, attemptId);
  // The sweep may have marked it expired while the kiosk's report waited out a network cut: the report is the truer outcome.
  if (a.decidedAt && a.decision !== 'expired')
    throw new Conflict(`attempt ${attemptId} was already decided (${a.decision}); look the ID up again for a new attempt`);
  if (st.verifying.has(a.id)) throw new Conflict(`attempt ${a.id} is being verified already`);
  requireFaceAttemptLeft(st, a);
  const j: FaceJudgement = {
    ok: false,
    reason: 'timed_out',
    detail: `no face good enough to start the liveness challenge within ${input.waitedSeconds} s; the face guide last saw ${GIVE_UP_WORDS[input.lastHint]} (${input.lastHint})`,
    liveness: null,
    distance: null,
    cardDistance: null,
    threshold: st.config.identity.threshold ?? DEFAULT_THRESHOLD,
    capture: null,
    captureSha256: null,
    captureExpiresAt: null,
    probeDescriptor: null,
    facts: { ...noFacts(), waitedSeconds: input.waitedSeconds, lastHint: input.lastHint },
  };
  if (a.classId) return st.completions.get('training')!(a, j);
  return completeAdmission(st, a, j);
}

export function completeAdmission(st: IdentityState, a: IdentityAttempt, j: FaceJudgement): VerifyResult {
  const s = st.plans.session(a.sessionId!);
  const e = entryOf(st, s.id, a.idNumber)!;
  const actor = `device:${a.kioskId}`;
  let refusal: { reason: VerifyRefusal; detail: string } | null = j.ok ? null : { reason: j.reason!, detail: j.detail };
  let seat: string | null = null;
  if (!refusal) {
    try {
      seat = st.deps.admit(s.id, a.idNumber, actor).seat;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      refusal = { reason: 'admission_failed', detail: err.message };
    }
  }
  const decided = st.store.decide(a.id, {
    decision: refusal ? 'refused' : 'admitted',
    reason: refusal?.reason ?? null,
    detail: refusal?.detail ?? j.detail,
    liveness: j.liveness,
    distance: j.distance,
    cardDistance: j.cardDistance,
    threshold: j.threshold,
    seat,
    capture: j.capture,
    captureSha256: j.captureSha256,
    captureExpiresAt: j.captureExpiresAt,
    probeDescriptor: j.probeDescriptor,
  });
  if (!decided) throw new Conflict(`attempt ${a.id} was decided by another request meanwhile`);
  const at = st.clock.now();
  st.audit.append({
    actor,
    action: refusal ? 'kiosk.verify.refused' : 'kiosk.verify.admitted',
    target: s.id,
    detail: {
      attemptId: a.id,
      ticketNo: e.ticketNo,
      reason: refusal?.reason ?? null,
      detail: refusal?.detail ?? null,
      distance: j.distance,
      cardDistance: j.cardDistance,
      threshold: j.threshold,
      seat,
      capture: j.capture,
      source: a.source,
    },
  });
  if (refusal) {
    st.bus.emit('identity.refused', {
      attemptId: a.id,
      kioskId: a.kioskId,
      sessionId: s.id,
      roomId: s.roomId,
      idNumber: a.idNumber,
      reason: refusal.reason,
      distance: j.distance,
      at,
    });
    return refusedReply(st, a, { ...j, reason: refusal.reason, detail: refusal.detail });
  }
  st.bus.emit('identity.verified', {
    attemptId: a.id,
    kioskId: a.kioskId,
    sessionId: s.id,
    roomId: s.roomId,
    idNumber: a.idNumber,
    seat,
    distance: j.distance!,
    at,
  });
  return {
    ok: true,
    decision: 'admitted',
    attemptId: a.id,
    seat,
    roomId: s.roomId,
    roomName: roomName(st, s.roomId),
    distance: j.distance!,
    cardDistance: j.cardDistance,
    threshold: j.threshold,
    candidate: candidateView(st, e, a.id, Boolean(a.cardPhoto)),
  };
}

/**
 * The refusal the kiosk is answered with, once the attempt's decision is stored: the reason with its words
 * for the candidate, the facts for staff's words, and the person's face checks as now counted (this one
 * included). Training's sign-in answers a refused face with the same (training/sign-in.ts).
 */
export function refusedReply(
  st: IdentityState,
  a: IdentityAttempt,
  j: Pick<FaceJudgement, 'detail' | 'distance' | 'threshold' | 'facts'> & { reason: VerifyRefusal },
): Extract<VerifyResult, { ok: false }> {
  const f = faceAttempts(st, scopeOfAttempt(a));
  return {
    ok: false,
    decision: 'refused',
    attemptId: a.id,
    reason: j.reason,
    detail: j.detail,
    message: VERIFY_MESSAGES[j.reason],
    distance: j.distance,
    threshold: j.threshold,
    facts: j.facts,
    retryAllowed: j.reason !== 'no_reference' && f.left !== 0,
    faceAttempts: f,
  };
}
