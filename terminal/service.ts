// The exam-terminal service: log-in at the right seat, the paper, saves committed before they are
// acked, the server's clock with pauses and added time, submit and auto-submit, resume after any
// crash, moves between terminals, integrity incidents, snapshots and invigilators' commands.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Conflict, DomainError, NotFound, newId, type Clock, type EventBus } from '../core/index.ts';
import type { Config, TerminalConfig } from '../config/index.ts';
import type { AuditLog, DataPaths, Db } from '../storage/index.ts';
import { deliver, type DeliveredQuestion, type ExamService } from '../exam/index.ts';
import { createRegistry, parseClientMessage, type Conn, type TerminalSocket } from './gateway.ts';
import { CLOSE, IDENTITY_RESULTS, LIMITS, PROTOCOL_VERSION, type ClientMessage, type ErrorCode, type IdentityResult, type IntegrityMessage, type SaveMessage, type ServerMessage, type SessionInfo, type SnapshotMessage } from './protocol.ts';
import { createTerminalStore, type Attempt, type Incident, type Move, type SubmittedBy } from './store.ts';
import { timerOf, type PauseSpan, type TimerState } from './timer.ts';

/**
 * Compares a terminal's webcam snapshot with the candidate's roster photo (the identity service, in
 * kiosk/). May take seconds; it runs apart from the answers. A throw counts as 'unchecked'.
 */
export type SnapshotChecker = (s: { sessionId: string; idNumber: string; jpeg: Buffer; terminalId: string; roomId: string }) => Promise<{ identity: IdentityResult; distance: number | null; detail: string }>;

export interface TerminalDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  config: Config;
  audit: AuditLog;
  paths: DataPaths;
  exam: ExamService;
  log?: { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
  /** The identity re-check of snapshots; without it every snapshot is answered 'unchecked'. */
  checkSnapshot?: SnapshotChecker;
}

type Session = ReturnType<ExamService['plans']['session']>;
type Entry = ReturnType<ExamService['plans']['roster']>[number];

/** A refusal the terminal is told about as {type:'error', code, reason}. */
class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const OPEN_STATUSES = ['checkin', 'in_progress'];
const SWEEP_MS = 1000;
/** Snapshots waiting for the identity check beyond this many are answered 'unchecked' at once. */
const MAX_CHECKS_QUEUED = 100;

/**
 * A session's clock inputs that commands change (time added, pauses), per candidate and for the room,
 * read from SQL once and dropped whenever a command changes them, so the timer is always what SQL says.
 */
interface SessionClock {
  startedAt: number | null;
  roomAddedMs: number;
  roomPauses: PauseSpan[];
  addedMs: Map<string, number>;
  pauses: Map<string, PauseSpan[]>;
}

/** A save checked and waiting for the next group commit (see flushSaves). */
interface PendingSave {
  conn: Conn;
  sessionId: string;
  roomId: string;
  idNumber: string;
  terminalId: string;
  seq: number;
  no: number;
  choice: string;
}

const keyOf = (sessionId: string, idNumber: string) => `${sessionId}\n${idNumber}`;

export function maskIdNumber(id: string): string {
  if (id.length < 10) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}

export function createTerminalService(deps: TerminalDeps) {
  const { db, clock, bus, config, audit, paths, exam } = deps;
  const plans = exam.plans;
  const store = createTerminalStore(db, clock);
  const reg = createRegistry();
  const papers = new Map<string, DeliveredQuestion[]>();
  const presence = new Map<string, { online: boolean; since: number }>();
  const roomKeys = new Map<string, string>();
  let timer: NodeJS.Timeout | null = null;
  // Sessions as last read: refreshed on every status change, in-process at once (the bus) and from
  // another process (the CLI) within a tick (refreshRooms). Saves re-read the status itself.
  const sessions = new Map<string, Session>();
  const clocks = new Map<string, SessionClock>();
  // Every attempt under way, so the sweep needs no SQL to know whose time may run out.
  const active = new Map<string, { sessionId: string; idNumber: string }>();
  for (const a of store.activeAttempts()) active.set(keyOf(a.sessionId, a.idNumber), { sessionId: a.sessionId, idNumber: a.idNumber });
  let pending: PendingSave[] = [];
  let flushing: NodeJS.Immediate | null = null;
  const checks: (() => Promise<void>)[] = [];
  let checking = false;
  // After stop() no identity check starts: the checker's engine may already be closed with the app.
  let stopped = false;

  const send = (conn: Conn, msg: ServerMessage) => reg.send(conn, msg);
  const terminalById = (id: string): TerminalConfig | null => config.terminals.find((t) => t.id === id) ?? null;
  const terminalAtSeat = (roomId: string, seat: string | null) => (seat ? (config.terminals.find((t) => t.room === roomId && t.seat === seat)?.id ?? null) : null);
  const logError = (err: unknown, msg: string) => deps.log?.error({ err }, msg);

  // ---- sessions, candidates, the clock -------------------------------------------------------

  /** The session a room's terminals serve now: in progress, else open for check-in. */
  function openSessionOf(roomId: string): Session | null {
    const open = plans.listSessions({ roomIds: [roomId] }).filter((s) => OPEN_STATUSES.includes(s.status));
    return open.find((s) => s.status === 'in_progress') ?? open[0] ?? null;
  }

  function sessionInfo(s: Session): SessionInfo {
    return { id: s.id, roomId: s.roomId, name: s.template.name, status: s.status, startsAt: s.startsAt, durationMinutes: s.durationMinutes };
  }

  function sessionOf(id: string): Session {
    let s = sessions.get(id);
    if (!s) sessions.set(id, (s = plans.session(id)));
    return s;
  }

  function reloadSession(id: string): Session {
    const s = plans.session(id);
    sessions.set(id, s);
    return s;
  }

  function entryOf(sessionId: string, credential: string): Entry | null {
    const c = credential.trim();
    const upper = c.toUpperCase();
    return plans.roster(sessionId).find((e) => e.ticketNo === c || e.idNumber === upper) ?? null;
  }

  function mustEntry(s: Session, candidate: string): Entry {
    const e = entryOf(s.id, candidate);
    if (!e) throw new NotFound(`no candidate with ticket or ID number ${JSON.stringify(candidate)} on the roster of exam session ${s.id}`);
    return e;
  }

  /**
   * When the exam started: recorded the moment the session moved to in_progress. A session started
   * while this process was not listening (another process, a restart in between) falls back to the
   * exam engine's record of the status change, so a restart never resets anyone's clock.
   */
  function startedAt(s: Session): number | null {
    if (s.status !== 'in_progress' && s.status !== 'ended' && s.status !== 'graded' && s.status !== 'archived') return null;
    const c = clockOf(s.id);
    if (c.startedAt !== null) return c.startedAt;
    const known = store.sessionStart(s.id);
    if (known !== null) return (c.startedAt = known);
    return (c.startedAt = store.setSessionStart(s.id, plans.sessionStartedAt(s.id) ?? clock.now()));
  }

  function clockOf(sessionId: string): SessionClock {
    let c = clocks.get(sessionId);
    if (c) return c;
    c = { startedAt: null, roomAddedMs: 0, roomPauses: [], addedMs: new Map(), pauses: new Map() };
    const inputs = store.clockInputs(sessionId);
    for (const a of inputs.added) {
      if (a.idNumber === null) c.roomAddedMs += a.ms;
      else c.addedMs.set(a.idNumber, a.ms);
    }
    for (const { idNumber, ...p } of inputs.pauses) {
      if (idNumber === null) c.roomPauses.push(p);
      else c.pauses.set(idNumber, [...(c.pauses.get(idNumber) ?? []), p]);
    }
    clocks.set(sessionId, c);
    return c;
  }

  /** The clock of one candidate, from memory: the sweep runs this for every attempt every second. */
  function timerOfCandidate(s: Session, idNumber: string, submitted: boolean): TimerState {
    const c = clockOf(s.id);
    const own = c.pauses.get(idNumber);
    return timerOf({
      startedAt: startedAt(s),
      durationMs: s.durationMinutes * 60_000,
      addedMs: c.roomAddedMs + (c.addedMs.get(idNumber) ?? 0),
      pauses: own ? c.roomPauses.concat(own) : c.roomPauses,
      now: clock.now(),
      submitted: submitted || !OPEN_STATUSES.includes(s.status),
    });
  }

  function timerFor(s: Session, idNumber: string, attempt: Attempt | null): TimerState {
    return timerOfCandidate(s, idNumber, attempt?.status === 'submitted');
  }

  function paperOf(sessionId: string, idNumber: string): DeliveredQuestion[] {
    const key = `${sessionId}\n${idNumber}`;
    let p = papers.get(key);
    if (!p) {
      const paper = plans.paperStore.forCandidate(sessionId, idNumber);
      if (!paper) throw new Conflict(`candidate has no paper in exam session ${sessionId}`);
      // Papers cannot change once check-in has opened, so the delivered form is kept.
      p = deliver(paper.items, exam.bank.questionsByIds(paper.items.map((i) => i.questionId)));
      papers.set(key, p);
    }
    return p;
  }

  // ---- what a terminal is sent ---------------------------------------------------------------

  function hello(conn: Conn): ServerMessage {
    const s = openSessionOf(conn.terminal.room);
    return {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      terminalId: conn.terminal.id,
      roomId: conn.terminal.room,
      seat: conn.terminal.seat,
      serverTime: clock.now(),
      timezone: config.site.timezone,
      session: s ? sessionInfo(s) : null,
      snapshotIntervalSeconds: config.exam.snapshotIntervalSeconds,
      limits: { ...LIMITS },
    };
  }

  function timeMessage(s: Session, idNumber: string, submitted: boolean): ServerMessage {
    return { type: 'time', serverTime: clock.now(), ...timerOfCandidate(s, idNumber, submitted) };
  }

  function submittedMessage(s: Session, a: Attempt): ServerMessage {
    const r = plans.resultOf(s.id, a.idNumber);
    return {
      type: 'submitted',
      by: a.submittedBy ?? 'auto',
      at: a.submittedAt ?? clock.now(),
      result: config.exam.showScore && r ? { score: r.score, total: r.total, passMark: s.template.passMark, passed: r.passed } : null,
    };
  }

  function pushTime(conn: Conn): void {
    const b = conn.bound;
    if (!b) return;
    send(conn, timeMessage(sessionOf(b.sessionId), b.idNumber, !active.has(keyOf(b.sessionId, b.idNumber))));
    conn.lastTimePush = reg.now();
  }

  function sendPaper(conn: Conn, s: Session, idNumber: string, attempt: Attempt | null): void {
    send(conn, { type: 'paper', questions: paperOf(s.id, idNumber), answers: store.answers(s.id, idNumber), lastSeq: attempt?.lastSeq ?? 0 });
  }

  /** The whole state of a bound terminal: who, the paper once started, the time, the lock. `entry`: when the caller has just read it. */
  function sendState(conn: Conn, resumed: boolean, entry?: Entry): void {
    if (!conn.bound) return;
    flushSaves();
    const s = reloadSession(conn.bound.sessionId);
    const e = entry ?? plans.roster(s.id).find((x) => x.idNumber === conn.bound!.idNumber)!;
    const a = store.attempt(s.id, e.idNumber);
    const questions = paperOf(s.id, e.idNumber);
    send(conn, {
      type: 'logged_in',
      resumed,
      candidate: { name: e.name, ticketNo: e.ticketNo, idNumber: maskIdNumber(e.idNumber), seat: e.seat ?? conn.terminal.seat },
      session: sessionInfo(s),
      exam: { questions: questions.length, total: s.template.total, passMark: s.template.passMark },
    });
    if (a?.status === 'submitted') {
      send(conn, submittedMessage(s, a));
    } else if (s.status === 'in_progress') {
      sendPaper(conn, s, e.idNumber, a);
    }
    pushTime(conn);
    send(conn, { type: 'lock', locked: a?.locked ?? false, reason: a?.lockReason ?? null });
  }

  function conns(sessionId: string, idNumber: string | null): Conn[] {
    return reg.all().filter((c) => c.bound?.sessionId === sessionId && (idNumber === null || c.bound.idNumber === idNumber));
  }

  // ---- incidents -----------------------------------------------------------------------------

  function incident(i: Omit<Incident, 'id' | 'at'>): Incident {
    const x = store.addIncident(i);
    bus.emit('terminal.integrity', { incidentId: x.id, terminalId: x.terminalId, roomId: terminalById(x.terminalId)?.room ?? '', sessionId: x.sessionId, idNumber: x.idNumber, kind: x.kind, source: x.source, detail: x.detail, at: x.at });
    return x;
  }

  // ---- connections ---------------------------------------------------------------------------

  /** A terminal's socket opened. Resumes the attempt the terminal holds, if any. Null when refused. */
  /** Tells the console a move request ended (its alert clears); emitted after the decision is durable. */
  function moveDecided(m: Move, roomId: string, status: 'approved' | 'rejected' | 'withdrawn', by: string): void {
    bus.emit('terminal.move_decided', { moveId: m.id, sessionId: m.sessionId, roomId, idNumber: m.idNumber, fromTerminal: m.fromTerminal, toTerminal: m.toTerminal, status, by });
  }

  function connect(terminalId: string, socket: TerminalSocket, ip: string | null = null): Conn | null {
    const terminal = terminalById(terminalId);
    if (!terminal) {
      socket.close(CLOSE.POLICY, 'not a configured terminal');
      return null;
    }
    const { conn, previous } = reg.add(terminal, socket, ip);
    if (previous) {
      // The newer connection wins: after a browser crash or reload the old socket is usually a
      // half-open leftover, and refusing the new one would lock the candidate out.
      if (previous.bound) {
        incident({ sessionId: previous.bound.sessionId, idNumber: previous.bound.idNumber, terminalId, kind: 'second_connection', source: 'server', detail: 'a newer connection of this terminal took over' });
      }
      previous.bound = null;
      reg.retire(previous, CLOSE.REPLACED, { type: 'bye', reason: 'replaced', message: 'a newer connection of this terminal took over' }, 'replaced');
    }
    const was = presence.get(terminalId);
    presence.set(terminalId, { online: true, since: clock.now() });
    if (!was?.online) bus.emit('terminal.online', { terminalId, roomId: terminal.room, seat: terminal.seat });
    send(conn, hello(conn));
    try {
      const open = plans.listSessions({ roomIds: [terminal.room] }).filter((s) => OPEN_STATUSES.includes(s.status));
      const a = store.attemptOnTerminal(terminalId, open.map((s) => s.id));
      if (a) {
        conn.bound = { sessionId: a.sessionId, idNumber: a.idNumber };
        sendState(conn, true);
        bus.emit('terminal.login', { terminalId, roomId: terminal.room, seat: terminal.seat, sessionId: a.sessionId, idNumber: a.idNumber, resumed: true });
      }
    } catch (err) {
      logError(err, 'resuming a terminal failed');
      send(conn, { type: 'error', code: 'internal', reason: 'could not resume; log in again' });
    }
    return conn;
  }

  function disconnect(conn: Conn): void {
    if (!reg.remove(conn)) return;
    const since = clock.now();
    presence.set(conn.terminal.id, { online: false, since });
    bus.emit('terminal.offline', { terminalId: conn.terminal.id, roomId: conn.terminal.room, seat: conn.terminal.seat, since, sessionId: conn.bound?.sessionId ?? null, idNumber: conn.bound?.idNumber ?? null });
  }

  /** One frame from a terminal. Whatever it holds, it can only earn this connection an error. */
  function receive(conn: Conn, data: Buffer | string, isBinary: boolean): void {
    if (conn.retired) return;
    conn.heardAt = reg.now();
    // Counted on arrival, before anything waits in the save queue.
    if (!reg.take(conn)) {
      incident({ sessionId: conn.bound?.sessionId ?? null, idNumber: conn.bound?.idNumber ?? null, terminalId: conn.terminal.id, kind: 'message_flood', source: 'server', detail: `more than ${LIMITS.messagesPerSecond} messages/s` });
      send(conn, { type: 'error', code: 'rate_limited', reason: `more than ${LIMITS.messagesPerSecond} messages per second (burst ${LIMITS.burst}); reconnect after a pause` });
      reg.retire(conn, CLOSE.POLICY, { type: 'bye', reason: 'rate_limited', message: 'too many messages' }, 'rate limit exceeded');
      return;
    }
    const parsed = parseClientMessage(data, isBinary);
    if (!parsed.ok) {
      const { ok: _, ...rest } = parsed;
      return send(conn, { type: 'error', ...rest });
    }
    const msg = parsed.msg;
    // Whatever else a terminal says is answered after its earlier saves are committed and acked.
    if (msg.type !== 'save' && msg.type !== 'ping') flushSaves();
    try {
      dispatch(conn, msg);
    } catch (err) {
      const seq = msg.type === 'save' ? { seq: msg.seq } : {};
      if (err instanceof Refusal) return send(conn, { type: 'error', code: err.code, reason: err.message, for: msg.type, ...seq });
      if (!(err instanceof DomainError)) logError(err, `terminal ${conn.terminal.id}: ${msg.type} failed`);
      send(conn, { type: 'error', code: 'internal', reason: err instanceof DomainError ? err.message : 'internal error; the details are in the server log', for: msg.type, ...seq });
    }
  }

  function dispatch(conn: Conn, msg: ClientMessage): void {
    switch (msg.type) {
      case 'ping':
        return send(conn, { type: 'pong', serverTime: clock.now(), ...(msg.t === undefined ? {} : { t: msg.t }) });
      case 'resync':
        if (conn.bound) return sendState(conn, true);
        return send(conn, hello(conn));
      case 'login':
        return login(conn, msg.credential);
      case 'save':
        return save(conn, msg);
      case 'submit':
        return submitFromTerminal(conn);
      case 'integrity':
        return integrity(conn, msg);
      case 'snapshot':
        return snapshot(conn, msg);
    }
  }

  // ---- log-in and attaching ------------------------------------------------------------------

  /** True while the terminal holds an attempt under way; one showing a submitted paper is free for the next log-in. */
  function busy(conn: Conn): boolean {
    return conn.bound !== null && store.attempt(conn.bound.sessionId, conn.bound.idNumber)?.status !== 'submitted';
  }

  function login(conn: Conn, credential: string): void {
    if (busy(conn)) throw new Refusal('already_logged_in', 'a candidate is already logged in on this terminal');
    const refuse = (reason: Extract<ServerMessage, { type: 'login_refused' }>['reason'], message: string, moveRequestId?: string) =>
      send(conn, { type: 'login_refused', reason, message, ...(moveRequestId ? { moveRequestId } : {}) });
    const s = openSessionOf(conn.terminal.room);
    if (!s) return refuse('session_not_open', `no exam session is open in room ${conn.terminal.room} yet; log-in opens with check-in`);
    const e = entryOf(s.id, credential);
    if (!e) return refuse('not_on_roster', 'this ticket or ID number is not on the roster of the session in this room');
    const a = store.attempt(s.id, e.idNumber);
    if (a?.status === 'submitted' || e.status === 'submitted') return refuse('already_submitted', 'this candidate has already submitted the paper');
    if (e.status !== 'admitted' && e.status !== 'in_exam') return refuse('not_admitted', 'not admitted yet: the identity check at the entrance comes first');
    if (e.seat !== conn.terminal.seat) {
      // requestMove withdraws the candidate's request from another terminal; its alert must clear too.
      const superseded = store.pendingMoves(s.id).filter((x) => x.idNumber === e.idNumber && x.toTerminal !== conn.terminal.id);
      const { move, created } = store.requestMove({ sessionId: s.id, idNumber: e.idNumber, fromTerminal: a?.terminalId ?? terminalAtSeat(s.roomId, e.seat), toTerminal: conn.terminal.id, toSeat: conn.terminal.seat });
      conn.pendingMove = move.id;
      if (created) {
        incident({ sessionId: s.id, idNumber: e.idNumber, terminalId: conn.terminal.id, kind: 'wrong_seat_login', source: 'server', detail: `seat ${e.seat ?? '(none)'}, tried seat ${conn.terminal.seat}` });
        for (const old of superseded) moveDecided(old, s.roomId, 'withdrawn', 'system');
        bus.emit('terminal.move_requested', { moveId: move.id, sessionId: s.id, roomId: s.roomId, idNumber: e.idNumber, fromTerminal: move.fromTerminal, toTerminal: move.toTerminal });
      }
      return refuse('wrong_seat', `this is seat ${conn.terminal.seat}; your seat is ${e.seat ?? 'not assigned'}. Ask the invigilator to approve continuing here.`, move.id);
    }
    attach(conn, s, e, `device:${conn.terminal.id}`);
  }

  /** Binds a candidate's attempt (new or under way) to this connection's terminal. */
  function attach(conn: Conn, s: Session, e: Entry, actor: string): void {
    const before = store.attempt(s.id, e.idNumber);
    flushSaves();
    const withdrawn = store.pendingMoves(s.id).filter((x) => x.idNumber === e.idNumber && x.toTerminal !== conn.terminal.id);
    db.transaction(() => {
      if (!before) store.createAttempt(s.id, e.idNumber, conn.terminal.id);
      store.bindTerminal(s.id, e.idNumber, conn.terminal.id);
      plans.setRosterStatus(s.id, e.idNumber, 'in_exam');
      for (const m of withdrawn) store.decideMove(m.id, 'withdrawn', 'system');
      audit.append({ actor, action: 'terminal.login', target: s.id, detail: { ticketNo: e.ticketNo, terminal: conn.terminal.id, seat: conn.terminal.seat, resumed: Boolean(before), from: before?.terminalId ?? null } });
    }).immediate();
    for (const old of conns(s.id, e.idNumber)) {
      if (old === conn) continue;
      old.bound = null;
      reg.retire(old, CLOSE.MOVED, { type: 'bye', reason: 'moved', message: `the candidate continues on terminal ${conn.terminal.id}` }, 'moved to another terminal');
    }
    for (const m of withdrawn) moveDecided(m, s.roomId, 'withdrawn', 'system');
    if (!before) active.set(keyOf(s.id, e.idNumber), { sessionId: s.id, idNumber: e.idNumber });
    conn.bound = { sessionId: s.id, idNumber: e.idNumber };
    conn.pendingMove = null;
    sendState(conn, Boolean(before), e);
    bus.emit('terminal.login', { terminalId: conn.terminal.id, roomId: conn.terminal.room, seat: conn.terminal.seat, sessionId: s.id, idNumber: e.idNumber, resumed: Boolean(before) });
  }

  // ---- answers -------------------------------------------------------------------------------

  /**
   * Checks a save and queues it for the group commit that runs once this turn of the event loop has
   * read every socket (flushSaves). Nothing is acked before that commit.
   */
  function save(conn: Conn, msg: SaveMessage): void {
    const b = conn.bound;
    if (!b) throw new Refusal('not_logged_in', 'log in before saving answers');
    let s = sessionOf(b.sessionId);
    // Another process (the CLI) may have ended the exam a moment ago; the status alone is read afresh.
    if (store.sessionStatus(s.id) !== s.status) s = reloadSession(s.id);
    if (!active.has(keyOf(s.id, b.idNumber))) throw new Refusal('submitted', 'the paper has been submitted; answers can no longer change');
    if (s.status === 'checkin') throw new Refusal('not_started', 'the exam has not started yet');
    if (s.status !== 'in_progress') throw new Refusal('time_up', 'the exam has ended');
    if (timerOfCandidate(s, b.idNumber, false).state === 'over') {
      submitAttempt(s.id, b.idNumber, 'auto', 'system', 'time up');
      throw new Refusal('time_up', 'time is up; the paper has been submitted');
    }
    const paper = paperOf(s.id, b.idNumber);
    const q = paper[msg.no - 1];
    if (!q) throw new Refusal('invalid_answer', `question ${msg.no} does not exist; the paper has ${paper.length}`);
    // The message is this function's own (parsed from the frame): sorted in place, checked in one pass.
    const choice = msg.choice.sort((x, y) => x - y);
    for (let i = 0; i < choice.length; i++) {
      if (choice[i]! >= q.options.length) throw new Refusal('invalid_answer', `question ${msg.no} has options 0–${q.options.length - 1}; ${choice[i]} is not one`);
      if (i > 0 && choice[i] === choice[i - 1]) throw new Refusal('invalid_answer', `question ${msg.no}: an option is chosen twice`);
    }
    if (q.type !== 'multiple' && choice.length > 1) throw new Refusal('invalid_answer', `question ${msg.no} is ${q.type === 'judge' ? 'a true/false' : 'a single-choice'} question; choose one option`);
    pending.push({ conn, sessionId: s.id, roomId: s.roomId, idNumber: b.idNumber, terminalId: conn.terminal.id, seq: msg.seq, no: msg.no, choice: JSON.stringify(choice) });
    flushing ??= setImmediate(flushSaves);
  }

  /**
   * Group commit: every save queued since the last flush in one transaction, then each is answered.
   * Committed (synchronous=FULL: the WAL fsynced) before its ack is sent, so an acked answer survives
   * a power cut; the saves that arrived together (after a stall, hundreds) share one fsync instead of
   * paying one each. Runs before anything that reads answers or ends an attempt, so those never miss
   * a received save.
   */
  function flushSaves(): void {
    if (flushing) {
      clearImmediate(flushing);
      flushing = null;
    }
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const outcomes: (ReturnType<typeof store.recordSave> | Error)[] = [];
    try {
      db.transaction(() => {
        for (const p of batch) outcomes.push(store.recordSave(p.sessionId, p.idNumber, p.terminalId, p.seq, p.no, p.choice));
      }).immediate();
    } catch (err) {
      // One bad save must not cost the others theirs: each alone.
      logError(err, `committing ${batch.length} saves together failed; committing each alone`);
      outcomes.length = 0;
      for (const p of batch) {
        try {
          outcomes.push(db.transaction(() => store.recordSave(p.sessionId, p.idNumber, p.terminalId, p.seq, p.no, p.choice)).immediate());
        } catch (e) {
          logError(e, `terminal ${p.terminalId}: save ${p.seq} failed`);
          outcomes.push(e as Error);
        }
      }
    }
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      const outcome = outcomes[i]!;
      if (outcome instanceof Error) {
        send(p.conn, { type: 'error', code: 'internal', reason: 'the save could not be stored; send it again', for: 'save', seq: p.seq });
      } else if (outcome === 'reused') {
        const prior = store.saveBySeq(p.sessionId, p.idNumber, p.seq);
        send(p.conn, { type: 'error', code: 'seq_reused', reason: `seq ${p.seq} was already used for question ${prior?.no ?? '?'} with another choice; every save needs a new seq`, for: 'save', seq: p.seq });
      } else {
        reg.sendAck(p.conn, p.seq, p.no);
        if (outcome !== 'replay') bus.emit('answer.saved', { sessionId: p.sessionId, roomId: p.roomId, idNumber: p.idNumber, no: p.no, seq: p.seq, applied: outcome === 'applied' });
      }
    }
  }

  // ---- submitting ----------------------------------------------------------------------------

  function submitFromTerminal(conn: Conn): void {
    const b = conn.bound;
    if (!b) throw new Refusal('not_logged_in', 'log in first');
    const s = plans.session(b.sessionId);
    if (s.status === 'checkin') throw new Refusal('not_started', 'the exam has not started yet');
    submitAttempt(s.id, b.idNumber, 'candidate', `device:${conn.terminal.id}`);
  }

  /**
   * Ends an attempt: marks it submitted and grades the committed answers, in one transaction.
   * Submitting twice returns the first submission.
   */
  function submitAttempt(sessionId: string, idNumber: string, by: SubmittedBy, actor: string, reason: string | null = null, ip: string | null = null) {
    flushSaves();
    const s = reloadSession(sessionId);
    const out = db
      .transaction(() => {
        const a = store.attempt(s.id, idNumber);
        if (!a) throw new Conflict(`${idNumber} has not logged in on a terminal in exam session ${s.id}`);
        if (a.status === 'submitted') return { first: false, answered: 0 };
        const answers = store.answers(s.id, idNumber);
        const sheet = Object.fromEntries(answers.map((x) => [x.no, x.choice]));
        store.markSubmitted(s.id, idNumber, by, actor);
        const result = plans.resultOf(s.id, idNumber) ?? plans.gradeCandidate(s.id, idNumber, sheet, actor);
        const e = plans.roster(s.id).find((x) => x.idNumber === idNumber)!;
        const answered = answers.filter((x) => x.choice.length > 0).length;
        audit.append({ actor, action: 'terminal.submit', target: s.id, detail: { ticketNo: e.ticketNo, by, reason, answered, score: result.score, passed: result.passed }, ip });
        return { first: true, answered, score: result.score, passed: result.passed };
      })
      .immediate();
    active.delete(keyOf(s.id, idNumber));
    const a = store.attempt(s.id, idNumber)!;
    if (out.first) bus.emit('attempt.submitted', { sessionId: s.id, roomId: s.roomId, idNumber, by, actor, answered: out.answered, score: out.score!, passed: out.passed! });
    for (const c of conns(s.id, idNumber)) {
      send(c, submittedMessage(s, a));
      pushTime(c);
    }
    return { attempt: a, result: plans.resultOf(s.id, idNumber) };
  }

  /**
   * Auto-submit: every attempt whose time is up, and every attempt of a session that has ended,
   * whether or not its terminal is connected. Runs every second and at start-up, so an attempt
   * that ran out while the server was down is submitted as soon as it is back.
   */
  function sweep(): number {
    let n = 0;
    // From memory only (attempts, sessions, clocks): SQL is touched just for an attempt that is due.
    for (const a of active.values()) {
      try {
        const s = sessionOf(a.sessionId);
        const due = s.status === 'ended' || (s.status === 'in_progress' && timerOfCandidate(s, a.idNumber, false).state === 'over');
        if (!due) continue;
        submitAttempt(s.id, a.idNumber, 'auto', 'system', s.status === 'ended' ? 'session ended' : 'time up');
        n++;
      } catch (err) {
        logError(err, `auto-submit of ${a.sessionId}/${a.idNumber} failed`);
      }
    }
    return n;
  }

  // ---- integrity and snapshots ---------------------------------------------------------------

  function integrity(conn: Conn, msg: IntegrityMessage): void {
    const sessionId = conn.bound?.sessionId ?? openSessionOf(conn.terminal.room)?.id ?? null;
    const x = incident({ sessionId, idNumber: conn.bound?.idNumber ?? null, terminalId: conn.terminal.id, kind: msg.kind, source: 'terminal', detail: msg.detail ?? null });
    send(conn, { type: 'noted', kind: msg.kind, incidentId: x.id });
  }

  function snapshot(conn: Conn, msg: SnapshotMessage): void {
    const b = conn.bound;
    if (!b) throw new Refusal('not_logged_in', 'snapshots are taken of a logged-in candidate');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(msg.jpegBase64)) throw new Refusal('bad_snapshot', 'jpegBase64 is not base64 (no data: prefix, no line breaks)');
    const bytes = Buffer.from(msg.jpegBase64, 'base64');
    if (bytes.length > LIMITS.maxSnapshotBytes) throw new Refusal('bad_snapshot', `snapshot is ${bytes.length} bytes; the limit is ${LIMITS.maxSnapshotBytes}`);
    if (!(bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)) throw new Refusal('bad_snapshot', 'snapshot is not a JPEG');
    const at = clock.now();
    const id = newId(at);
    const file = join('terminal', b.sessionId, b.idNumber, `${at}-${id}.jpg`);
    const full = join(paths.captures, file);
    mkdirSync(dirname(full), { recursive: true, mode: 0o750 });
    writeFileSync(full, bytes, { mode: 0o640 });
    store.addSnapshot({ id, at, sessionId: b.sessionId, idNumber: b.idNumber, terminalId: conn.terminal.id, file, bytes: bytes.length });
    const shot = { snapshotId: id, terminalId: conn.terminal.id, roomId: conn.terminal.room, sessionId: b.sessionId, idNumber: b.idNumber, file, at };
    const check = stopped ? undefined : deps.checkSnapshot;
    if (!check) {
      bus.emit('terminal.snapshot', { ...shot, identity: 'unchecked', distance: null, detail: stopped && deps.checkSnapshot ? 'the server is stopping; not checked' : 'no identity check on this site' });
      return send(conn, { type: 'snapshot_result', snapshotId: id, identity: 'unchecked' });
    }
    if (checks.length >= MAX_CHECKS_QUEUED) return snapshotChecked(shot, { identity: 'unchecked', distance: null, detail: `the identity check is behind (${checks.length} snapshots waiting); this one was not checked` });
    // Queued, one check at a time: a face engine is CPU-heavy, and saves must never wait for it.
    checks.push(async () => {
      let verdict: { identity: IdentityResult; distance: number | null; detail: string };
      try {
        const r = await check({ sessionId: shot.sessionId, idNumber: shot.idNumber, jpeg: bytes, terminalId: shot.terminalId, roomId: shot.roomId });
        verdict = (IDENTITY_RESULTS as readonly string[]).includes(r?.identity)
          ? { identity: r.identity, distance: typeof r.distance === 'number' && Number.isFinite(r.distance) ? r.distance : null, detail: String(r.detail ?? '') }
          : { identity: 'unchecked', distance: null, detail: `the identity check answered ${JSON.stringify(r?.identity)}, which is not a verdict` };
      } catch (err) {
        deps.log?.warn({ err, snapshotId: shot.snapshotId }, 'the identity check of a terminal snapshot failed');
        verdict = { identity: 'unchecked', distance: null, detail: `the identity check failed: ${err instanceof Error ? err.message : String(err)}` };
      }
      snapshotChecked(shot, verdict);
    });
    if (!checking) void runChecks();
  }

  async function runChecks(): Promise<void> {
    checking = true;
    try {
      // Off the message path: the snapshot's own message is answered (and the next frames read) first.
      await new Promise((r) => setImmediate(r));
      for (let next = checks.shift(); next && !stopped; next = checks.shift()) await next();
    } finally {
      checking = false;
    }
  }

  /** Records the verdict on the snapshot, tells the candidate's terminal and the bus. Never throws. */
  function snapshotChecked(shot: { snapshotId: string; terminalId: string; roomId: string; sessionId: string; idNumber: string; file: string; at: number }, v: { identity: IdentityResult; distance: number | null; detail: string }): void {
    try {
      store.setSnapshotIdentity(shot.snapshotId, v);
    } catch (err) {
      logError(err, `storing the identity check of snapshot ${shot.snapshotId} failed`);
    }
    try {
      bus.emit('terminal.snapshot', { ...shot, ...v });
      for (const c of conns(shot.sessionId, shot.idNumber)) send(c, { type: 'snapshot_result', snapshotId: shot.snapshotId, identity: v.identity });
    } catch (err) {
      logError(err, `reporting the identity check of snapshot ${shot.snapshotId} failed`);
    }
  }

  // ---- the room's session changing -----------------------------------------------------------

  function roomKey(roomId: string): string {
    const s = openSessionOf(roomId);
    return s ? `${s.id}:${s.status}` : '';
  }

  /** Tells a room's terminals about its session: the paper when it starts, submission when it ends. */
  function roomChanged(roomId: string): void {
    roomKeys.set(roomId, roomKey(roomId));
    const s = openSessionOf(roomId);
    if (s?.status === 'in_progress') startedAt(s);
    sweep();
    for (const c of reg.all().filter((x) => x.terminal.room === roomId)) {
      try {
        send(c, { type: 'session', session: s ? sessionInfo(s) : null });
        if (c.bound && s && c.bound.sessionId === s.id) {
          const a = store.attempt(s.id, c.bound.idNumber);
          if (s.status === 'in_progress' && a?.status === 'active') sendPaper(c, s, c.bound.idNumber, a);
          pushTime(c);
        }
      } catch (err) {
        logError(err, `telling terminal ${c.terminal.id} about its session failed`);
      }
    }
  }

  /** Each room's roomKey and the status of every open session, in one query (the tick runs it every second). */
  function openRooms(): { keys: Map<string, string>; statusOf: Map<string, string> } {
    const keys = new Map<string, string>();
    const statusOf = new Map<string, string>();
    for (const r of store.openSessions()) {
      statusOf.set(r.id, r.status);
      // As openSessionOf: the room's session in progress, else its first open for check-in.
      const k = keys.get(r.roomId);
      if (k === undefined || (r.status === 'in_progress' && !k.endsWith(':in_progress'))) keys.set(r.roomId, `${r.id}:${r.status}`);
    }
    return { keys, statusOf };
  }

  /** A status change made by another process (the CLI) is noticed here within a tick. */
  function refreshRooms(): void {
    const { keys, statusOf } = openRooms();
    for (const [id, s] of sessions) {
      const now = statusOf.get(id);
      if (now === undefined ? !OPEN_STATUSES.includes(s.status) : now === s.status) continue;
      try {
        reloadSession(id);
      } catch (err) {
        sessions.delete(id);
        logError(err, `re-reading exam session ${id} failed`);
      }
    }
    for (const r of new Set([...roomKeys.keys(), ...keys.keys()])) if ((roomKeys.get(r) ?? '') !== (keys.get(r) ?? '')) roomChanged(r);
  }

  const offStatus = bus.on('session.status', ({ sessionId, roomId, to }) => {
    if (to === 'in_progress') clockOf(sessionId).startedAt = store.setSessionStart(sessionId, clock.now());
    reloadSession(sessionId);
    roomChanged(roomId);
    // A session past its exam needs its delivered papers no more.
    if (!OPEN_STATUSES.includes(to)) for (const k of papers.keys()) if (k.startsWith(`${sessionId}\n`)) papers.delete(k);
  });

  function tick(): void {
    sweep();
    refreshRooms();
    const t = reg.now();
    for (const c of reg.all()) {
      if (t - c.heardAt > LIMITS.heartbeatTimeoutMs) {
        // Silent for too long: a cable pulled or a frozen browser. Dropping it makes it offline now.
        c.socket.terminate();
        continue;
      }
      // Each connection has its own phase within the push interval: a room that logged in in the same
      // second must not get its 500 time pushes in the same tick (measured: a 30–80 ms stall).
      const phase = (c.id * SWEEP_MS) % LIMITS.timePushMs;
      const slot = ((Math.floor(t / SWEEP_MS) * SWEEP_MS) % LIMITS.timePushMs) === phase;
      // A push is due at the connection's slot once 4 s have passed; 10 s without one forces it.
      const since = t - c.lastTimePush;
      const due = since >= 2 * LIMITS.timePushMs || (slot && since >= LIMITS.timePushMs - SWEEP_MS);
      if (c.bound && due) {
        try {
          pushTime(c);
        } catch (err) {
          logError(err, 'pushing the time failed');
        }
      }
    }
  }

  // ---- invigilators' commands ----------------------------------------------------------------

  function openOrConflict(sessionId: string, what: string): Session {
    const s = plans.session(sessionId);
    if (!OPEN_STATUSES.includes(s.status)) throw new Conflict(`exam session ${s.id} is ${s.status}; ${what} only during check-in or the exam`);
    return s;
  }

  function activeAttempt(s: Session, e: Entry): Attempt {
    const a = store.attempt(s.id, e.idNumber);
    if (!a) throw new Conflict(`${e.name} (ticket ${e.ticketNo}) has not logged in on a terminal`);
    if (a.status === 'submitted') throw new Conflict(`${e.name} (ticket ${e.ticketNo}) has already submitted`);
    return a;
  }

  function pushTimes(sessionId: string, idNumber: string | null): void {
    for (const c of conns(sessionId, idNumber)) pushTime(c);
  }

  const service = {
    store,
    connect,
    disconnect,
    receive,
    sweep,
    tick,
    submitAttempt,
    timerFor,
    openSessionOf,
    presence: (terminalId: string) => presence.get(terminalId) ?? { online: false, since: null as number | null },
    connections: () => reg.all().length,

    start(): void {
      if (timer) return;
      // What terminals were last told, as it stands now: the first tick after a restart re-sends nothing.
      for (const [r, k] of openRooms().keys) roomKeys.set(r, k);
      sweep();
      timer = setInterval(() => {
        try {
          tick();
        } catch (err) {
          logError(err, 'terminal tick failed');
        }
      }, SWEEP_MS);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
      stopped = true;
      checks.length = 0;
      offStatus();
      // Saves already received are committed and acked before the database closes.
      flushSaves();
    },

    /**
     * The identity check at the door admits a candidate (roster status admitted); until the kiosk
     * is built, staff do it by hand. Admitting twice changes nothing.
     */
    admitCandidate(sessionId: string, idNumber: string, by: string, ip: string | null = null): Entry {
      const s = openOrConflict(sessionId, 'candidates are admitted');
      const e = plans.roster(s.id).find((x) => x.idNumber === idNumber.toUpperCase());
      if (!e) throw new NotFound(`${idNumber} is not on the roster of exam session ${s.id}`);
      if (e.status === 'admitted' || e.status === 'in_exam') return e;
      if (e.status !== 'registered') throw new Conflict(`${e.name} (ticket ${e.ticketNo}) is ${e.status}; only a registered candidate can be admitted`);
      db.transaction(() => {
        plans.setRosterStatus(s.id, e.idNumber, 'admitted');
        audit.append({ actor: by, action: 'exam.candidate.admit', target: s.id, detail: { ticketNo: e.ticketNo, seat: e.seat }, ip });
      }).immediate();
      bus.emit('candidate.admitted', { sessionId: s.id, roomId: s.roomId, idNumber: e.idNumber, by });
      return { ...e, status: 'admitted' };
    },

    /** Stops the clock for one candidate (candidate given) or the whole room (null). */
    pause(sessionId: string, candidate: string | null, reason: string | null, actor: string, ip: string | null = null) {
      const s = openOrConflict(sessionId, 'the clock can be paused');
      const e = candidate === null ? null : mustEntry(s, candidate);
      if (e) activeAttempt(s, e);
      db.transaction(() => {
        if (store.openPause(s.id, e?.idNumber ?? null)) throw new Conflict(e ? `${e.name} (ticket ${e.ticketNo}) is already paused` : `room ${s.roomId} is already paused`);
        store.startPause(s.id, e?.idNumber ?? null, reason, actor);
        audit.append({ actor, action: 'terminal.pause', target: s.id, detail: { scope: e ? 'candidate' : 'room', ticketNo: e?.ticketNo ?? null, reason }, ip });
      }).immediate();
      clocks.delete(s.id);
      bus.emit('terminal.command', { sessionId: s.id, roomId: s.roomId, idNumber: e?.idNumber ?? null, command: 'pause', by: actor });
      pushTimes(s.id, e?.idNumber ?? null);
      return { scope: e ? 'candidate' : 'room', ticketNo: e?.ticketNo ?? null, paused: true };
    },

    resume(sessionId: string, candidate: string | null, actor: string, ip: string | null = null) {
      const s = openOrConflict(sessionId, 'the clock can be resumed');
      const e = candidate === null ? null : mustEntry(s, candidate);
      db.transaction(() => {
        const p = store.openPause(s.id, e?.idNumber ?? null);
        if (!p) throw new Conflict(e ? `${e.name} (ticket ${e.ticketNo}) is not paused` : `room ${s.roomId} is not paused`);
        store.endPause(p.id, actor);
        audit.append({ actor, action: 'terminal.resume', target: s.id, detail: { scope: e ? 'candidate' : 'room', ticketNo: e?.ticketNo ?? null, pausedMs: clock.now() - p.startedAt }, ip });
      }).immediate();
      clocks.delete(s.id);
      bus.emit('terminal.command', { sessionId: s.id, roomId: s.roomId, idNumber: e?.idNumber ?? null, command: 'resume', by: actor });
      pushTimes(s.id, e?.idNumber ?? null);
      return { scope: e ? 'candidate' : 'room', ticketNo: e?.ticketNo ?? null, paused: false };
    },

    addTime(sessionId: string, candidate: string | null, minutes: number, reason: string, actor: string, ip: string | null = null) {
      const s = openOrConflict(sessionId, 'time can be added');
      const e = candidate === null ? null : mustEntry(s, candidate);
      if (e) activeAttempt(s, e);
      db.transaction(() => {
        store.addTime(s.id, e?.idNumber ?? null, minutes * 60_000, reason, actor);
        audit.append({ actor, action: 'terminal.add_time', target: s.id, detail: { scope: e ? 'candidate' : 'room', ticketNo: e?.ticketNo ?? null, minutes, reason }, ip });
      }).immediate();
      clocks.delete(s.id);
      bus.emit('terminal.command', { sessionId: s.id, roomId: s.roomId, idNumber: e?.idNumber ?? null, command: 'add_time', by: actor });
      pushTimes(s.id, e?.idNumber ?? null);
      return { scope: e ? 'candidate' : 'room', ticketNo: e?.ticketNo ?? null, minutes };
    },

    forceSubmit(sessionId: string, candidate: string, reason: string, actor: string, ip: string | null = null) {
      const s = plans.session(sessionId);
      if (s.status !== 'in_progress' && s.status !== 'ended') throw new Conflict(`exam session ${s.id} is ${s.status}; a paper can be submitted only once the exam has started`);
      const e = mustEntry(s, candidate);
      activeAttempt(s, e);
      const out = submitAttempt(s.id, e.idNumber, 'invigilator', actor, reason, ip);
      bus.emit('terminal.command', { sessionId: s.id, roomId: s.roomId, idNumber: e.idNumber, command: 'force_submit', by: actor });
      return { ticketNo: e.ticketNo, score: out.result?.score ?? null, passed: out.result?.passed ?? null };
    },

    setLock(sessionId: string, candidate: string, locked: boolean, reason: string | null, actor: string, ip: string | null = null) {
      const s = openOrConflict(sessionId, 'screens can be locked');
      const e = mustEntry(s, candidate);
      activeAttempt(s, e);
      db.transaction(() => {
        store.setLock(s.id, e.idNumber, locked, reason);
        audit.append({ actor, action: locked ? 'terminal.lock' : 'terminal.unlock', target: s.id, detail: { ticketNo: e.ticketNo, reason }, ip });
      }).immediate();
      bus.emit('terminal.command', { sessionId: s.id, roomId: s.roomId, idNumber: e.idNumber, command: locked ? 'lock' : 'unlock', by: actor });
      for (const c of conns(s.id, e.idNumber)) send(c, { type: 'lock', locked, reason: locked ? reason : null });
      return { ticketNo: e.ticketNo, locked };
    },

    move(id: string): Move {
      const m = store.move(id);
      if (!m) throw new NotFound(`no terminal move request ${JSON.stringify(id)}`);
      return m;
    },

    /**
     * Lets a candidate continue at the terminal they logged in at: re-seats them there (audited by
     * the plans module) and moves the attempt, with every acked answer and the clock, to it.
     */
    approveMove(id: string, actor: string, ip: string | null = null): Move {
      const m = service.move(id);
      if (m.status !== 'pending') throw new Conflict(`move request ${id} is already ${m.status}`);
      const s = openOrConflict(m.sessionId, 'candidates can move');
      const e = mustEntry(s, m.idNumber);
      if (e.status === 'submitted') throw new Conflict(`${e.name} (ticket ${e.ticketNo}) has already submitted`);
      const holder = store.attemptOnTerminal(m.toTerminal, [s.id]);
      if (holder && holder.idNumber !== e.idNumber && holder.status === 'active') throw new Conflict(`terminal ${m.toTerminal} is in use by another candidate`);
      if (e.seat !== m.toSeat) plans.reseat(s.id, e.idNumber, m.toSeat, actor, { reason: `continues on terminal ${m.toTerminal} (move ${m.id})`, ip });
      db.transaction(() => {
        store.decideMove(m.id, 'approved', actor);
        if (store.attempt(s.id, e.idNumber)) store.bindTerminal(s.id, e.idNumber, m.toTerminal);
        audit.append({ actor, action: 'terminal.move.approve', target: s.id, detail: { ticketNo: e.ticketNo, from: m.fromTerminal, to: m.toTerminal, seat: m.toSeat }, ip });
      }).immediate();
      bus.emit('terminal.command', { sessionId: s.id, roomId: s.roomId, idNumber: e.idNumber, command: 'approve_move', by: actor });
      moveDecided(m, s.roomId, 'approved', actor);
      const entry = plans.roster(s.id).find((x) => x.idNumber === e.idNumber)!;
      const target = reg.ofTerminal(m.toTerminal);
      if (target && !busy(target)) {
        attach(target, s, entry, actor);
      } else {
        for (const old of conns(s.id, e.idNumber)) {
          if (old.terminal.id === m.toTerminal) continue;
          old.bound = null;
          reg.retire(old, CLOSE.MOVED, { type: 'bye', reason: 'moved', message: `the candidate continues on terminal ${m.toTerminal}` }, 'moved to another terminal');
        }
      }
      return service.move(id);
    },

    rejectMove(id: string, actor: string, ip: string | null = null): Move {
      const m = service.move(id);
      if (m.status !== 'pending') throw new Conflict(`move request ${id} is already ${m.status}`);
      const s = plans.session(m.sessionId);
      db.transaction(() => {
        store.decideMove(m.id, 'rejected', actor);
        audit.append({ actor, action: 'terminal.move.reject', target: s.id, detail: { to: m.toTerminal }, ip });
      }).immediate();
      bus.emit('terminal.command', { sessionId: s.id, roomId: s.roomId, idNumber: m.idNumber, command: 'reject_move', by: actor });
      moveDecided(m, s.roomId, 'rejected', actor);
      const target = reg.ofTerminal(m.toTerminal);
      if (target?.pendingMove === m.id) {
        target.pendingMove = null;
        send(target, { type: 'login_refused', reason: 'wrong_seat', message: 'the invigilator did not approve continuing at this terminal; go to your own seat' });
      }
      return service.move(id);
    },

    incidents(sessionId: string): Incident[] {
      plans.session(sessionId);
      return store.incidents(sessionId);
    },

    /** The room at a glance for the proctor console: each candidate's attempt, terminal, clock. */
    sessionState(sessionId: string) {
      const s = plans.session(sessionId);
      const attempts = new Map(store.attemptsOf(s.id).map((a) => [a.idNumber, a]));
      const answered = store.answeredCount(s.id);
      const roomPause = store.openPause(s.id, null);
      const incidents = store.incidents(s.id);
      return {
        session: sessionInfo(s),
        startedAt: startedAt(s),
        roomPaused: roomPause !== null,
        candidates: plans.roster(s.id).map((e) => {
          const a = attempts.get(e.idNumber) ?? null;
          const terminalId = a?.terminalId ?? terminalAtSeat(s.roomId, e.seat);
          const p = terminalId ? presence.get(terminalId) : undefined;
          const t = timerFor(s, e.idNumber, a);
          return {
            ticketNo: e.ticketNo,
            name: e.name,
            idNumber: e.idNumber,
            seat: e.seat,
            rosterStatus: e.status,
            attempt: a ? { status: a.status, locked: a.locked, lastSeq: a.lastSeq, answered: answered.get(e.idNumber) ?? 0, submittedBy: a.submittedBy, submittedAt: a.submittedAt } : null,
            terminal: terminalId ? { id: terminalId, online: p?.online ?? false, since: p?.since ?? null } : null,
            time: { state: t.state, remainingMs: t.remainingMs, deadline: t.deadline, addedMs: t.addedMs, pausedMs: t.pausedMs, paused: t.pause !== null },
            incidents: incidents.filter((i) => i.idNumber === e.idNumber).length,
          };
        }),
        pendingMoves: store.pendingMoves(s.id),
      };
    },
  };
  return service;
}

export type TerminalService = ReturnType<typeof createTerminalService>;
