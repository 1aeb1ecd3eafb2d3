// The identity service: the entrance check (人证合一) — ID lookup against today's rosters, live face
// verification with an active liveness challenge, admission through the terminal service, staff
// overrides — plus roster-photo enrolment and the seat re-check of terminal snapshots.
// Each job is a file of this folder working on one IdentityState (state.ts); this file assembles the
// service object the routes, training attendance and the terminal's seat check use.
import type { IdentityAttempt } from '../store.ts';
import type { ReaderEvent } from '../protocol.ts';
import type { FaceJudgement, IdentityDeps, KioskStream } from './types.ts';
import { broadcast, candidateView, createIdentityState, engine, kiosk, roomName, sessionView, type IdentityState } from './state.ts';
import { enrolments, enrolPhoto, enrolSession, listenToBus } from './enrolment.ts';
import { auditSimulatedCard, kioskState, postCard, takeCard } from './desk.ts';
import { lookup, photoOf } from './lookup.ts';
import { giveUp, judge, pendingAttempt, refusedReply, verify } from './verify.ts';
import { cancelAttempt, expireStale, SWEEP_MS } from './outcomes.ts';
import { faceAttempts } from './face-attempts.ts';
import { override } from './override.ts';
import { quality } from './quality.ts';
import { checkSnapshot } from './snapshots.ts';
import { captureOf, listAttempts } from './admin.ts';
import { consentAsk, faceConsent, recordConsent } from './consent.ts';
import type { ConsentBody } from '../protocol.ts';
import type { StaffConfirmation, StaffUser } from './types.ts';

export * from './types.ts';
export { decodeBase64Image, writeDurably } from './images.ts';

export function createIdentityService(deps: IdentityDeps) {
  const st = createIdentityState(deps);
  const bind =
    <A extends unknown[], R>(f: (st: IdentityState, ...a: A) => R) =>
    (...a: A): R =>
      f(st, ...a);
  const unlisten = listenToBus(st);
  // Attempts nobody finished get their outcome (expired) now and every minute, not only when someone reads the list.
  const sweep = () => {
    try {
      expireStale(st);
    } catch (err) {
      st.logError(err, 'marking expired kiosk attempts failed');
    }
  };
  sweep();
  const sweeper = setInterval(sweep, SWEEP_MS);
  sweeper.unref();
  const connected = (kioskId: string) => [...st.streams].some((x) => x.kioskId === kioskId);
  // The ID-card reader of each kiosk, as its bridge last said (server/auth/devices.ts emits it): the page
  // hears every change and, when it connects, the latest.
  const readers = new Map<string, ReaderEvent>();
  const offReader = st.bus.on('card_reader.status', ({ kioskId, deviceId: _d, ...event }) => {
    readers.set(kioskId, event);
    broadcast(st, kioskId, 'reader', event);
  });
  return {
    store: st.store,
    engine: bind(engine),
    kiosk: bind(kiosk),
    state: bind(kioskState),
    postCard: bind(postCard),
    auditSimulatedCard: bind(auditSimulatedCard),
    takeCard: bind(takeCard),
    lookup: bind(lookup),
    photoOf: bind(photoOf),
    verify: bind(verify),
    giveUp: bind(giveUp),
    /** The kiosk left an undecided attempt (取消 at the notice or the face guide, or its screen timed out). */
    cancel: bind(cancelAttempt),
    /** Marks attempts nobody finished as expired (audited); the service also does so every minute. */
    expireStale: bind(expireStale),
    faceAttempts: bind(faceAttempts),
    /** The refusal reply of a face check (training's sign-in answers with it too). */
    refusedReply: bind(refusedReply),
    judge: bind(judge),
    pendingAttempt: bind(pendingAttempt),
    override: bind(override),
    quality: bind(quality),
    checkSnapshot: bind(checkSnapshot),
    enrolPhoto: bind(enrolPhoto),
    enrolSession: bind(enrolSession),
    enrolments: bind(enrolments),
    listAttempts: bind(listAttempts),
    captureOf: bind(captureOf),
    /** Finishes the enrolments queued by roster imports (tests and shutdown wait on it). */
    idle: () => st.backgroundQueue,
    /** The consent to face recognition in force for a person in an exam session or a training class (newest row), or null. */
    faceConsent: bind(faceConsent),
    consentAsk: bind(consentAsk),
    /** The person's choice on the notice, on an open attempt of this kiosk (kiosk/service/consent.ts). */
    recordConsent: (kioskId: string, attemptId: string, body: ConsentBody) => recordConsent(st, pendingAttempt(st, kioskId, attemptId), body),
    /** Lets another purpose (training attendance) record a staff confirmation of someone who declined face recognition. */
    onStaffConfirm(
      kind: 'training',
      fn: (a: IdentityAttempt, by: StaffConfirmation) => unknown,
      mayConfirm?: (a: IdentityAttempt, user: StaffUser) => string | null,
    ): void {
      st.confirmations.set(kind, fn);
      if (mayConfirm) st.confirmers.set(kind, mayConfirm);
    },
    /** Lets another purpose (training attendance) complete a verified face its own way. */
    onComplete(kind: 'training', fn: (a: IdentityAttempt, j: FaceJudgement) => unknown): void {
      st.completions.set(kind, fn);
    },
    /** A kiosk is online while its page holds an event stream: the admin console's device list shows it. */
    subscribe(s: KioskStream): () => void {
      const first = !connected(s.kioskId);
      st.streams.add(s);
      if (first) st.bus.emit('device.online', { deviceId: s.kioskId, kind: 'kiosk' });
      return () => {
        if (!st.streams.delete(s) || connected(s.kioskId)) return;
        st.bus.emit('device.offline', { deviceId: s.kioskId, kind: 'kiosk', since: st.clock.now() });
      };
    },
    connected,
    readerState: (kioskId: string): ReaderEvent | null => readers.get(kioskId) ?? null,
    /** Stops listening and ends the event streams; background enrolment stops after the photo in hand. */
    stop(): void {
      st.stopped = true;
      clearInterval(sweeper);
      unlisten();
      offReader();
      for (const s of st.streams) s.close();
      st.streams.clear();
    },
    /** Closes the engine if this service created it. */
    async closeEngine(): Promise<void> {
      const p = st.engineP;
      st.engineP = null;
      if (p) await (await p.catch(() => null))?.close();
    },
    broadcast: bind(broadcast),
    roomOfSession: (sessionId: string) => st.plans.session(sessionId).roomId,
    sessionView: bind(sessionView),
    roomName: bind(roomName),
    candidateView: bind(candidateView),
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
