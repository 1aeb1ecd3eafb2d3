// Log-in at the right seat, and attaching an attempt to a terminal; a log-in at another seat becomes
// a move request that an invigilator approves or rejects (commands.ts).
import type { Conn } from '../gateway.ts';
import { CLOSE, type ServerMessage } from '../protocol.ts';
import { Refusal, keyOf, type TerminalState, type Session, type Entry } from './state.ts';
import { conns, incident, moveDecided, sendState } from './messages.ts';
import { flushSaves } from './saves.ts';
import { entryOf, openSessionOf } from './sessions.ts';

/** True while the terminal holds an attempt under way; one showing a submitted paper is free for the next log-in. */
export function busy(st: TerminalState, conn: Conn): boolean {
  return conn.bound !== null && st.store.attempt(conn.bound.sessionId, conn.bound.idNumber)?.status !== 'submitted';
}

export function login(st: TerminalState, conn: Conn, credential: string): void {
  if (busy(st, conn)) throw new Refusal('already_logged_in', 'a candidate is already logged in on this terminal');
  const refuse = (reason: Extract<ServerMessage, { type: 'login_refused' }>['reason'], message: string, moveRequestId?: string) =>
    st.send(conn, { type: 'login_refused', reason, message, ...(moveRequestId ? { moveRequestId } : {}) });
  const s = openSessionOf(st, conn.terminal.room);
  if (!s) return refuse('session_not_open', `no exam session is open in room ${conn.terminal.room} yet; log-in opens with check-in`);
  const e = entryOf(st, s.id, credential);
  if (!e) return refuse('not_on_roster', 'this ticket or ID number is not on the roster of the session in this room');
  const a = st.store.attempt(s.id, e.idNumber);
  if (a?.status === 'submitted' || e.status === 'submitted') return refuse('already_submitted', 'this candidate has already submitted the paper');
  if (e.status !== 'admitted' && e.status !== 'in_exam') return refuse('not_admitted', 'not admitted yet: the identity check at the entrance comes first');
  if (e.seat !== conn.terminal.seat) {
    // requestMove withdraws the candidate's request from another terminal; its alert must clear too.
    const superseded = st.store.pendingMoves(s.id).filter((x) => x.idNumber === e.idNumber && x.toTerminal !== conn.terminal.id);
    const { move, created } = st.store.requestMove({
      sessionId: s.id,
      idNumber: e.idNumber,
      fromTerminal: a?.terminalId ?? st.terminalAtSeat(s.roomId, e.seat),
      toTerminal: conn.terminal.id,
      toSeat: conn.terminal.seat,
    });
    conn.pendingMove = move.id;
    if (created) {
      incident(st, {
        sessionId: s.id,
        idNumber: e.idNumber,
        terminalId: conn.terminal.id,
        kind: 'wrong_seat_login',
        source: 'server',
        detail: `seat ${e.seat ?? '(none)'}, tried seat ${conn.terminal.seat}`,
      });
      for (const old of superseded) moveDecided(st, old, s.roomId, 'withdrawn', 'system');
      st.bus.emit('terminal.move_requested', {
        moveId: move.id,
        sessionId: s.id,
        roomId: s.roomId,
        idNumber: e.idNumber,
        fromTerminal: move.fromTerminal,
        toTerminal: move.toTerminal,
      });
    }
    return refuse(
      'wrong_seat',
      `this is seat ${conn.terminal.seat}; your seat is ${e.seat ?? 'not assigned'}. Ask the invigilator to approve continuing here.`,
      move.id,
    );
  }
  attach(st, conn, s, e, `device:${conn.terminal.id}`);
}

/** Binds a candidate's attempt (new or under way) to this connection's terminal. */
export function attach(st: TerminalState, conn: Conn, s: Session, e: Entry, actor: string): void {
  const before = st.store.attempt(s.id, e.idNumber);
  flushSaves(st);
  const withdrawn = st.store.pendingMoves(s.id).filter((x) => x.idNumber === e.idNumber && x.toTerminal !== conn.terminal.id);
  st.db
    .transaction(() => {
      if (!before) st.store.createAttempt(s.id, e.idNumber, conn.terminal.id);
      st.store.bindTerminal(s.id, e.idNumber, conn.terminal.id);
      st.plans.setRosterStatus(s.id, e.idNumber, 'in_exam');
      for (const m of withdrawn) st.store.decideMove(m.id, 'withdrawn', 'system');
      st.audit.append({
        actor,
        action: 'terminal.login',
        target: s.id,
        detail: { ticketNo: e.ticketNo, terminal: conn.terminal.id, seat: conn.terminal.seat, resumed: Boolean(before), from: before?.terminalId ?? null },
      });
    })
    .immediate();
  for (const old of conns(st, s.id, e.idNumber)) {
    if (old === conn) continue;
    old.bound = null;
    st.reg.retire(
      old,
      CLOSE.MOVED,
      { type: 'bye', reason: 'moved', message: `the candidate continues on terminal ${conn.terminal.id}` },
      'moved to another terminal',
    );
  }
  for (const m of withdrawn) moveDecided(st, m, s.roomId, 'withdrawn', 'system');
  if (!before) st.active.set(keyOf(s.id, e.idNumber), { sessionId: s.id, idNumber: e.idNumber });
  conn.bound = { sessionId: s.id, idNumber: e.idNumber };
  conn.pendingMove = null;
  sendState(st, conn, Boolean(before), e);
  st.bus.emit('terminal.login', {
    terminalId: conn.terminal.id,
    roomId: conn.terminal.room,
    seat: conn.terminal.seat,
    sessionId: s.id,
    idNumber: e.idNumber,
    resumed: Boolean(before),
  });
}
