// What a terminal is sent: hello, the time, its whole state on log-in or resync, the paper, the
// submission; and the integrity incidents and move decisions the bus is told about.
import type { Conn } from '../gateway.ts';
import { LIMITS, PROTOCOL_VERSION, type ServerMessage } from '../protocol.ts';
import type { Attempt, Incident, Move } from '../store.ts';
import { keyOf, maskIdNumber, type TerminalState, type Session, type Entry } from './state.ts';
import { flushSaves } from './saves.ts';
import { loginLocked } from './login-lock.ts';
import { lastAddedFor, openSessionOf, paperOf, reloadSession, sessionInfo, sessionOf, timerOfCandidate } from './sessions.ts';
import { consentAtSeat } from '../face-consent.ts';

export function hello(st: TerminalState, conn: Conn): ServerMessage {
  const s = openSessionOf(st, conn.terminal.room);
  return {
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    terminalId: conn.terminal.id,
    roomId: conn.terminal.room,
    roomName: st.config.rooms.find((r) => r.id === conn.terminal.room)?.name ?? conn.terminal.room,
    seat: conn.terminal.seat,
    serverTime: st.clock.now(),
    timezone: st.config.site.timezone,
    session: s ? sessionInfo(st, s) : null,
    snapshotIntervalSeconds: st.config.exam.snapshotIntervalSeconds,
    resultDisplaySeconds: st.config.exam.resultDisplaySeconds,
    ...(loginLocked(st, conn.terminal.id) ? { loginLocked: true } : {}),
    limits: { ...LIMITS, maxSnapshotBytes: Math.min(LIMITS.maxSnapshotBytes, st.config.exam.snapshotMaxBytes) },
  };
}

export function timeMessage(st: TerminalState, s: Session, idNumber: string, submitted: boolean): ServerMessage {
  return { type: 'time', serverTime: st.clock.now(), ...timerOfCandidate(st, s, idNumber, submitted), lastAdded: lastAddedFor(st, s, idNumber) };
}

export function submittedMessage(st: TerminalState, s: Session, a: Attempt): ServerMessage {
  const r = st.plans.resultOf(s.id, a.idNumber);
  return {
    type: 'submitted',
    by: a.submittedBy ?? 'auto',
    at: a.submittedAt ?? st.clock.now(),
    result: st.config.exam.showScore && r ? { score: r.score, total: r.total, passMark: s.template.passMark, passed: r.passed } : null,
  };
}

export function pushTime(st: TerminalState, conn: Conn): void {
  const b = conn.bound;
  if (!b) return;
  st.send(conn, timeMessage(st, sessionOf(st, b.sessionId), b.idNumber, !st.active.has(keyOf(b.sessionId, b.idNumber))));
  conn.lastTimePush = st.reg.now();
}

export function sendPaper(st: TerminalState, conn: Conn, s: Session, idNumber: string, attempt: Attempt | null): void {
  st.send(conn, { type: 'paper', questions: paperOf(st, s.id, idNumber), answers: st.store.answers(s.id, idNumber), lastSeq: attempt?.lastSeq ?? 0 });
}

/** The whole state of a bound terminal: who, the paper once started, the time, the lock. `entry`: when the caller has just read it. */
export function sendState(st: TerminalState, conn: Conn, resumed: boolean, entry?: Entry): void {
  if (!conn.bound) return;
  flushSaves(st);
  const s = reloadSession(st, conn.bound.sessionId);
  const e = entry ?? st.plans.roster(s.id).find((x) => x.idNumber === conn.bound!.idNumber)!;
  const a = st.store.attempt(s.id, e.idNumber);
  const questions = paperOf(st, s.id, e.idNumber);
  st.send(conn, {
    type: 'logged_in',
    resumed,
    candidate: { name: e.name, ticketNo: e.ticketNo, idNumber: maskIdNumber(e.idNumber), seat: e.seat ?? conn.terminal.seat },
    session: sessionInfo(st, s),
    exam: { questions: questions.length, total: s.template.total, passMark: s.template.passMark },
    faceConsent: consentAtSeat(st.db, s.id, e.idNumber)?.decision ?? null,
  });
  if (a?.status === 'submitted') {
    st.send(conn, submittedMessage(st, s, a));
  } else if (s.status === 'in_progress') {
    sendPaper(st, conn, s, e.idNumber, a);
  }
  pushTime(st, conn);
  st.send(conn, { type: 'lock', locked: a?.locked ?? false, reason: a?.lockReason ?? null });
}

export function conns(st: TerminalState, sessionId: string, idNumber: string | null): Conn[] {
  return st.reg.all().filter((c) => c.bound?.sessionId === sessionId && (idNumber === null || c.bound.idNumber === idNumber));
}

export function incident(st: TerminalState, i: Omit<Incident, 'id' | 'at'>): Incident {
  const x = st.store.addIncident(i);
  st.bus.emit('terminal.integrity', {
    incidentId: x.id,
    terminalId: x.terminalId,
    roomId: st.terminalById(x.terminalId)?.room ?? '',
    sessionId: x.sessionId,
    idNumber: x.idNumber,
    kind: x.kind,
    source: x.source,
    detail: x.detail,
    at: x.at,
  });
  return x;
}

/** Tells the console a move request ended (its alert clears); emitted after the decision is durable. */
export function moveDecided(st: TerminalState, m: Move, roomId: string, status: 'approved' | 'rejected' | 'withdrawn', by: string): void {
  st.bus.emit('terminal.move_decided', {
    moveId: m.id,
    sessionId: m.sessionId,
    roomId,
    idNumber: m.idNumber,
    fromTerminal: m.fromTerminal,
    toTerminal: m.toTerminal,
    status,
    by,
  });
}
