// The identity service's state, in one object every part works on: the face engine (created on
// first use), card reads held for ten minutes, the kiosks' event streams, enrolments under way; and
// the small views every part shares (a session, a candidate, which rooms a kiosk serves).
import { Forbidden } from '../../core/index.ts';
import type { KioskConfig } from '../../config/index.ts';
import { localDateTime, maskIdNumber } from '../../core/index.ts';
import { createIdentityStore, type IdentityAttempt } from '../store.ts';
import type { StaffConfirmation, StaffUser } from './types.ts';
import type { CandidateView, EnrolOutcome, Entry, FaceJudgement, HeldCard, IdentityDeps, KioskFaceEngine, KioskStream, Session, SessionView } from './types.ts';

export function createIdentityState(deps: IdentityDeps) {
  const { config } = deps;
  return {
    deps,
    db: deps.db,
    clock: deps.clock,
    bus: deps.bus,
    config,
    audit: deps.audit,
    paths: deps.paths,
    exam: deps.exam,
    plans: deps.exam.plans,
    tz: config.site.timezone,
    vault: deps.faceVault,
    store: createIdentityStore(deps.db, deps.clock, deps.faceVault),
    cards: new Map<string, HeldCard>(),
    streams: new Set<KioskStream>(),
    enrolling: new Map<string, Promise<EnrolOutcome>>(),
    engineP: null as Promise<KioskFaceEngine> | null,
    stopped: false,
    /** Enrolments queued by roster imports, one after another. */
    backgroundQueue: Promise.resolve() as Promise<unknown>,
    /** How another purpose (training attendance) completes a verified face. */
    completions: new Map<string, (a: IdentityAttempt, j: FaceJudgement) => unknown>(),
    /** How another purpose (training attendance) records a staff confirmation of a person who declined face recognition. */
    confirmations: new Map<string, (a: IdentityAttempt, by: StaffConfirmation) => unknown>(),
    /** Who may give that confirmation: null when this staff member may, else why not (training: the class's 班主任 or an admin). */
    confirmers: new Map<string, (a: IdentityAttempt, user: StaffUser) => string | null>(),
    /** Attempts whose face check is running: a double-tapped button must not run it twice. */
    verifying: new Set<string>(),
    logError: (err: unknown, msg: string) => deps.log?.error({ err }, msg),
  };
}

export type IdentityState = ReturnType<typeof createIdentityState>;

export function engine(st: IdentityState): Promise<KioskFaceEngine> {
  // After stop, a late check (a snapshot still queued at shutdown) must not start a worker that keeps the process alive.
  if (st.stopped) return Promise.reject(new Error('the identity service has stopped'));
  if (!st.engineP) {
    st.engineP = st.deps.engine();
    // A failed load is retried by the next request rather than remembered forever.
    st.engineP.catch(() => (st.engineP = null));
  }
  return st.engineP;
}

export function roomName(st: IdentityState, id: string) {
  return st.config.rooms.find((r) => r.id === id)?.name ?? id;
}

export function kiosk(st: IdentityState, id: string): KioskConfig {
  const k = st.config.kiosks.find((x) => x.id === id);
  if (!k) throw new Forbidden(`device ${id} is not a kiosk of this site's config`);
  return k;
}

export function serves(st: IdentityState, k: KioskConfig, roomId: string) {
  return !k.rooms || k.rooms.includes(roomId);
}

export function sessionView(st: IdentityState, s: Session): SessionView {
  return {
    id: s.id,
    name: s.template.name,
    roomId: s.roomId,
    roomName: roomName(st, s.roomId),
    startsAt: new Date(s.startsAt).toISOString(),
    startsAtLocal: localDateTime(s.startsAt, st.tz),
    status: s.status,
  };
}

export function entryOf(st: IdentityState, sessionId: string, idNumber: string): Entry | null {
  return st.plans.roster(sessionId).find((e) => e.idNumber === idNumber) ?? null;
}

export function candidateView(
  st: IdentityState,
  e: { name: string; idNumber: string; ticketNo?: string | null; photo: string | null },
  attemptId: string,
  cardPhoto: boolean,
): CandidateView {
  return {
    name: e.name,
    idNumberMasked: maskIdNumber(e.idNumber),
    ticketNo: e.ticketNo ?? null,
    photoUrl: e.photo ? `/api/kiosk/photos/${attemptId}` : null,
    hasPhoto: Boolean(e.photo),
    cardPhoto,
  };
}

export function broadcast(st: IdentityState, kioskId: string | null, event: string, data: unknown): void {
  for (const s of st.streams) {
    if (kioskId !== null && s.kioskId !== kioskId) continue;
    try {
      s.send(event, data);
    } catch (err) {
      st.logError(err, 'kiosk event stream write failed');
      st.streams.delete(s);
    }
  }
}
