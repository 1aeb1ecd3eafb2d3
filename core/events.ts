// The typed event bus: how one module hears about another without importing it.
// Every domain event is declared here, so a listener's payload is checked at compile time.

export interface EventMap {
  'user.login': { username: string; ok: boolean; ip: string };
  'user.locked': { username: string; until: number };
  /**
   * Sessions of a user ended: one (sessionHash, at log-out or expiry) or all of them (null: a password
   * reset, the account disabled, its role, rooms or jurisdiction changed). Whatever was let in on them —
   * WebSockets, event streams — closes (server/auth/channels.ts).
   */
  'user.sessions_ended': { username: string; sessionHash: string | null; reason: SessionEndReason };
  'device.pairing': { pairingId: string; kind: DeviceKind; code: string; claimedId: string | null };
  /** An admin approved (as deviceId) or rejected a pending pairing request; the device collects later. */
  'device.pairing_decided': { pairingId: string; kind: DeviceKind; status: 'approved' | 'rejected'; deviceId: string | null };
  'device.paired': { deviceId: string; kind: DeviceKind };
  'device.revoked': { deviceId: string; kind: DeviceKind };
  'device.online': { deviceId: string; kind: DeviceKind };
  'device.offline': { deviceId: string; kind: DeviceKind; since: number };
  /** A connected device's token is due for rotation: whoever holds its socket/stream asks it to fetch a new one. */
  'device.token_due': { deviceId: string; kind: DeviceKind };
  /** A kiosk or terminal sent its device-health report; problems are what the console warns about. */
  'device.health': { deviceId: string; kind: DeviceKind; problems: string[] };
  /**
   * The ID-card reader bridge of a kiosk reported its state (kiosk/protocol.ts ReaderEvent), or went on
   * or offline: the kiosk screen says it in words to the candidate and staff.
   */
  'card_reader.status': {
    kioskId: string;
    deviceId: string;
    state: 'ready' | 'no_reader' | 'not_authorised' | 'reader_fault';
    online: boolean;
    problem: 'unreadable_card' | 'unsupported_card' | null;
    detail: string;
    photoDecoder: boolean;
  };
  'audit.appended': { seq: number; action: string };
  // Exam plans and sessions (exam/plans): what the kiosk, terminals and proctor console react to.
  'session.status': { sessionId: string; roomId: string; from: string; to: string };
  'roster.imported': { sessionId: string; added: number; total: number };
  'seats.assigned': { sessionId: string; roomId: string; seated: number };
  'seat.changed': { sessionId: string; roomId: string; idNumber: string; from: string | null; to: string };
  'papers.generated': { sessionId: string; papers: number; bankVersion: string; replaced: number };
  'result.graded': { sessionId: string; idNumber: string; attempt: number; score: number; passed: boolean };
  // Certificates (records/certificates): issued for a pass, revoked by an admin with a reason.
  'certificate.issued': { number: string; sessionId: string; idNumber: string };
  'certificate.revoked': { number: string; sessionId: string; idNumber: string; reason: string };
  // The exam-terminal gateway (terminal/): presence, log-ins, answers, integrity and commands, for the proctor console.
  'candidate.admitted': { sessionId: string; roomId: string; idNumber: string; by: string };
  'terminal.online': { terminalId: string; roomId: string; seat: string };
  /** answering: a candidate was logged in at it with their paper not yet submitted (an exam matter, not only a device one). */
  'terminal.offline': {
    terminalId: string;
    roomId: string;
    seat: string;
    since: number;
    sessionId: string | null;
    idNumber: string | null;
    answering: boolean;
  };
  'terminal.login': { terminalId: string; roomId: string; seat: string; sessionId: string; idNumber: string; resumed: boolean };
  'terminal.move_requested': {
    moveId: string;
    sessionId: string;
    roomId: string;
    idNumber: string;
    fromTerminal: string | null;
    toTerminal: string;
    /** The candidate's attempt is held by another terminal that is connected now: perhaps an impostor at toTerminal. */
    contested?: { terminalId: string; seat: string | null } | null;
  };
  // A terminal refused log-ins after too many failures (terminal/service/login-lock.ts); it stays locked until a person unlocks it.
  'terminal.login_locked': { terminalId: string; roomId: string; seat: string; sessionId: string | null; failures: number; windowMinutes: number; at: number };
  'terminal.login_unlocked': { terminalId: string; roomId: string; seat: string; by: string; at: number };
  // A move request ended: an invigilator approved or rejected it, or the system withdrew it (the candidate logged in elsewhere, or asked again from another terminal).
  'terminal.move_decided': {
    moveId: string;
    sessionId: string;
    roomId: string;
    idNumber: string;
    fromTerminal: string | null;
    toTerminal: string;
    status: 'approved' | 'rejected' | 'withdrawn';
    by: string;
  };
  'terminal.integrity': {
    incidentId: string;
    terminalId: string;
    roomId: string;
    sessionId: string | null;
    idNumber: string | null;
    kind: string;
    source: 'terminal' | 'server';
    detail: string | null;
    at: number;
  };
  'terminal.snapshot': {
    snapshotId: string;
    terminalId: string;
    roomId: string;
    sessionId: string;
    idNumber: string;
    file: string;
    at: number;
    identity: 'unchecked' | 'match' | 'mismatch' | 'no_face' | 'several_faces';
    distance: number | null;
    detail: string;
  };
  'terminal.command': {
    sessionId: string;
    roomId: string;
    idNumber: string | null;
    command: 'pause' | 'resume' | 'add_time' | 'force_submit' | 'lock' | 'unlock' | 'approve_move' | 'reject_move';
    by: string;
  };
  'answer.saved': { sessionId: string; roomId: string; idNumber: string; no: number; seq: number; applied: boolean };
  'attempt.submitted': {
    sessionId: string;
    roomId: string;
    idNumber: string;
    by: 'candidate' | 'auto' | 'invigilator';
    actor: string;
    answered: number;
    score: number;
    passed: boolean;
  };
  // Identity (kiosk/): the entrance check (人证合一), staff overrides, seat re-checks, training attendance.
  'identity.verified': {
    attemptId: string;
    kioskId: string;
    sessionId: string;
    roomId: string;
    idNumber: string;
    seat: string | null;
    distance: number;
    at: number;
  };
  'identity.refused': {
    attemptId: string;
    kioskId: string;
    sessionId: string | null;
    roomId: string | null;
    idNumber: string;
    reason: string;
    distance: number | null;
    at: number;
  };
  'identity.override': {
    attemptId: string;
    kioskId: string;
    sessionId: string;
    roomId: string;
    idNumber: string;
    seat: string | null;
    by: string;
    reason: string;
    at: number;
  };
  /**
   * A person accepted or declined face recognition at a kiosk (issue 23), for an exam session (sessionId)
   * or a training class (classId): the newest choice is the one in force (kiosk faceConsent()).
   */
  'face.consent': {
    idNumber: string;
    sessionId: string | null;
    classId: string | null;
    decision: 'accepted' | 'declined';
    noticeVersion: string;
    kioskId: string;
    attemptId: string;
    at: number;
  };
  'seat.check': {
    terminalId: string;
    roomId: string;
    sessionId: string;
    idNumber: string;
    identity: 'match' | 'mismatch' | 'no_face' | 'several_faces' | 'unchecked';
    distance: number | null;
    detail: string;
    at: number;
  };
  /** A sign-in or sign-out of a lesson (training/), or a 班主任's correction (action 'correction'). */
  'training.attendance': {
    classId: string;
    lessonId: string;
    idNumber: string;
    action: 'check_in' | 'check_out' | 'correction';
    at: number;
    hours: number | null;
    /** On a sign-out: the lesson's teacher, and whether it was their last lesson of the class (a rating is due). */
    teacherId?: string | null;
    lastLessonOfTeacher?: boolean;
  };
  /** A class's timetable changed (lessons added, moved, cancelled): recording windows move with it. */
  'training.timetable': { classId: string };
  // Media (media/): ingest supervision, recording and the disk that holds three years of it.
  'camera.up': { sourceId: string; kind: 'camera' | 'screen'; room: string; at: number };
  /** stopped: the appliance ended the ingest on purpose (shutdown, source removed), not a fault. */
  /** name: what the site calls the source (第二考场前方), for texts people read. */
  'camera.down': { sourceId: string; name?: string; kind: 'camera' | 'screen'; room: string; at: number; reason: string; stopped: boolean };
  'recording.segment': { sourceId: string; segmentId: number; start: number; end: number; bytes: number };
  'recording.stopped': { sourceId: string; at: number; reason: string };
  'disk.forecast': {
    ok: boolean;
    path: string;
    freeBytes: number;
    needBytes: number;
    bytesPerDay: number;
    /** The days the figures cover: retention.days, or objectStore.hotDays when a store holds the older recordings (then = hotDays). */
    days: number;
    /** With an object store, the days the local disk keeps (older ones are in the store); null without one. */
    hotDays: number | null;
    daysUntilFull: number | null;
    /** Free space above the minimum that must stay free (retention.minFreeGiB). */
    usableBytes?: number;
    /** The month the disk runs out at the current plan, YYYY-MM on the site calendar; null when it does not within the retention period. */
    fullMonth?: string | null;
    at: number;
  };
  'disk.low': { path: string; freeBytes: number; minFreeBytes: number; recordingStopped: boolean; at: number };
  // The object-store tier (storage/tier/): files waiting on the local disk while the store is unreachable
  // (ok: false, with the days of recording the disk still holds), or drained again (ok: true).
  'tier.backlog': { ok: boolean; waitingBytes: number; daysLeft: number | null; detail: string; at: number };
  /** The integrity sample found a tiered object changed, missing or written over by someone else. */
  'tier.integrity': { key: string; versionId: string | null; path: string; result: 'mismatch' | 'missing' | 'newer_version'; detail: string; at: number };
  // Proctor console (proctor/): an alert raised, repeated/cleared, or acknowledged; an incident (违纪) recorded.
  /** reopened: an 'update' that opened again an alert whose condition had cleared (a new occurrence, not a repeat). */
  'proctor.alert': { alertId: string; roomId: string | null; change: 'new' | 'update' | 'ack'; reopened?: boolean };
  'proctor.incident': { incidentId: string; sessionId: string; roomId: string };
  // A candidate who declined face recognition is to be confirmed at the seat by eye (due), or was (confirmed).
  'seat.identity': {
    checkId: string;
    sessionId: string;
    roomId: string;
    idNumber: string;
    seat: string | null;
    change: 'due' | 'confirmed' | 'not_the_person';
    /** not_the_person: who decided, the incident recorded, the seat's terminal, and what was done to the paper. */
    by?: string;
    terminalId?: string | null;
    incidentId?: string;
    locked?: boolean;
    paused?: boolean;
  };
  // TLS (server/tls/): a site CA made while PCs trusted an earlier one (they must trust the new one), and server certificate issues.
  'tls.ca_replaced': { fingerprint: string; previous: string; reason: string; at: number };
  'tls.certificate_issued': { fingerprint: string; notAfter: number; reason: string; at: number };
  // Long jobs (documents/jobs.ts): progress at most a few times a second, and each change of status, so a
  // page that reloads and re-attaches by job id sees the bar move on.
  'job.progress': { jobId: string; kind: string; done: number; total: number | null; note: string | null; at: number };
  'job.status': {
    jobId: string;
    kind: string;
    status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';
    error: string | null;
    at: number;
  };
  'system.stopping': { reason: string };
}

/** reader: the ID-card reader bridge on a kiosk PC (kiosk/reader-bridge), id `K1.reader`, its own token. */
export type DeviceKind = 'kiosk' | 'terminal' | 'reader';
/** rights: the role, rooms or jurisdiction changed. */
export type SessionEndReason = 'logout' | 'expired' | 'password' | 'disabled' | 'rights';
export type EventName = keyof EventMap;
export type Listener<K extends EventName> = (payload: EventMap[K]) => void;

export interface EventBus {
  on<K extends EventName>(name: K, listener: Listener<K>): () => void;
  emit<K extends EventName>(name: K, payload: EventMap[K]): void;
}

/**
 * Listeners run synchronously in registration order. A throwing listener is reported and skipped:
 * one module's bug must never stop another module from hearing an event.
 */
export function createEventBus(onListenerError: (name: string, err: unknown) => void = () => {}): EventBus {
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    emit(name, payload) {
      const set = listeners.get(name);
      if (!set) return;
      for (const l of [...set]) {
        try {
          l(payload);
        } catch (err) {
          onListenerError(name, err);
        }
      }
    },
  };
}
