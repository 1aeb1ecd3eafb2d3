// Log-in at the right seat, and attaching an attempt to a terminal; a ticket typed at another seat
// becomes a move request that an invigilator approves or rejects (commands.ts).
import type { Conn } from '../gateway.ts';
import { CLOSE, type PcState, type ServerMessage } from '../protocol.ts';
import { Refusal, keyOf, type TerminalState, type Session, type Entry } from './state.ts';
import { conns, incident, moveDecided, sendState } from './messages.ts';
import { flushSaves } from './saves.ts';
import { openSessionOf } from './sessions.ts';
import { loginLocked, noteFailedLogin } from './login-lock.ts';
import { checkDigitOf } from '../../core/index.ts';
import { credentialKey, dammValid, isIssuedTicketShape } from '../../exam/index.ts';

/** True while the terminal holds an attempt under way; one showing a submitted paper is free for the next log-in. */
export function busy(st: TerminalState, conn: Conn): boolean {
  return conn.bound !== null && st.store.attempt(conn.bound.sessionId, conn.bound.idNumber)?.status !== 'submitted';
}

/**
 * A live connection of another terminal holding this candidate's attempt: the candidate (or whoever
 * logged in as them first) is at that terminal now, so a move to another one may be an impostor's.
 */
export function holderElsewhere(st: TerminalState, sessionId: string, idNumber: string, exceptTerminal: string): Conn | null {
  return conns(st, sessionId, idNumber).find((c) => c.terminal.id !== exceptTerminal && !c.retired && c.socket.readyState === 1) ?? null;
}

/** A credential that cannot be anyone's: an issued ticket's or an ID number's check digit is wrong (a typo, not a guess). */
function mistyped(key: string): boolean {
  if (isIssuedTicketShape(key)) return !dammValid(key);
  if (/^\d{17}[\dX]$/.test(key)) return key[17] !== checkDigitOf(key.slice(0, 17));
  return false;
}

/**
 * What every log-in checks of the PC (config examPcs.loginChecks; docs/exam-pcs.md "Integrity at log-in"):
 * the page is the server's build, records the whole monitor and fills the screen. A page can lie about
 * all three — these catch a stale, misconfigured or casually altered PC, not a rebuilt browser.
 */
function checkPc(st: TerminalState, pc: PcState | undefined): { reason: 'app_outdated' | 'not_whole_screen' | 'not_fullscreen'; message: string } | null {
  const checks = st.config.examPcs.loginChecks;
  const expected = checks.build ? (st.deps.appHash?.() ?? null) : null;
  if (expected && pc?.appHash !== expected)
    return {
      reason: 'app_outdated',
      message: `this PC runs ${pc ? `another build of the exam app (${pc.appHash || 'unknown'})` : 'an old exam app'}, not the server's (${expected}): reload the page (F5); if it stays, the IT person restarts the browser`,
    };
  if (checks.monitor && pc?.surface !== 'monitor')
    return {
      reason: 'not_whole_screen',
      message: `this PC ${pc?.surface ? `records a ${pc.surface}, not the whole screen` : 'is not recording its screen'}: the IT person starts the browser as the exam-PC set-up does (docs/exam-pcs.md)`,
    };
  if (checks.fullscreen && !pc?.fullscreen)
    return { reason: 'not_fullscreen', message: 'the exam page is not full screen: the IT person starts the browser in kiosk mode (docs/exam-pcs.md)' };
  return null;
}

/**
 * The log-in rules (issue 16, item 4): the ticket is the credential; an ID number — printed on many
 * papers, seen at the door — logs in only the candidate admitted to this very seat. A refusal never
 * names a candidate or a seat, so guessing from an empty seat learns nothing, and unknown
 * credentials count towards the terminal's lock (login-lock.ts).
 */
export function login(st: TerminalState, conn: Conn, credential: string, pc?: PcState): void {
  if (busy(st, conn)) throw new Refusal('already_logged_in', 'a candidate is already logged in on this terminal');
  const refuse = (reason: Extract<ServerMessage, { type: 'login_refused' }>['reason'], message: string, moveRequestId?: string) =>
    st.send(conn, { type: 'login_refused', reason, message, ...(moveRequestId ? { moveRequestId } : {}) });
  // The PC first: no credential is looked at by a page that is not the server's app on a locked-down PC.
  const pcRefusal = checkPc(st, pc);
  if (pcRefusal) {
    st.audit.append({
      actor: `device:${conn.terminal.id}`,
      action: 'terminal.login_pc_refused',
      target: conn.terminal.id,
      detail: { reason: pcRefusal.reason, appHash: pc?.appHash ?? null, surface: pc?.surface ?? null, fullscreen: pc?.fullscreen ?? null },
    });
    return refuse(pcRefusal.reason, pcRefusal.message);
  }
  if (loginLocked(st, conn.terminal.id))
    return refuse('terminal_locked', 'this terminal is locked after too many failed log-ins; call the invigilator to unlock it');
  const s = openSessionOf(st, conn.terminal.room);
  if (!s) return refuse('session_not_open', `no exam session is open in room ${conn.terminal.room} yet; log-in opens with check-in`);
  const key = credentialKey(credential);
  const roster = st.plans.roster(s.id);
  const byTicket = roster.find((x) => credentialKey(x.ticketNo) === key) ?? null;
  const byId = byTicket ? null : (roster.find((x) => x.idNumber === key) ?? null);
  const e = byTicket ?? (byId && byId.seat === conn.terminal.seat ? byId : null);
  if (!e) {
    if (!byId && mistyped(key)) return refuse('ticket_mistyped', 'check the number: a digit is wrong or two are swapped');
    if (noteFailedLogin(st, conn, s.id))
      return refuse('terminal_locked', 'this terminal is locked after too many failed log-ins; call the invigilator to unlock it');
    // The same words whether the ID number is unknown or someone else's at another seat.
    return refuse('not_on_roster', 'not recognised: type the ticket number (准考证号) on your admission ticket; an ID number works only at your own seat');
  }
  const a = st.store.attempt(s.id, e.idNumber);
  if (a?.status === 'submitted' || e.status === 'submitted') return refuse('already_submitted', 'this candidate has already submitted the paper');
  if (e.status !== 'admitted' && e.status !== 'in_exam') return refuse('not_admitted', 'not admitted yet: the identity check at the entrance comes first');
  if (e.seat !== conn.terminal.seat) {
    // requestMove withdraws the candidate's request from another terminal; its alert must clear too.
    const superseded = st.store.pendingMoves(s.id).filter((x) => x.idNumber === e.idNumber && x.toTerminal !== conn.terminal.id);
    const holder = holderElsewhere(st, s.id, e.idNumber, conn.terminal.id);
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
        detail: `seat ${e.seat ?? '(none)'}, tried seat ${conn.terminal.seat}${holder ? `; still logged in at terminal ${holder.terminal.id}` : ''}`,
      });
      for (const old of superseded) moveDecided(st, old, s.roomId, 'withdrawn', 'system');
      st.bus.emit('terminal.move_requested', {
        moveId: move.id,
        sessionId: s.id,
        roomId: s.roomId,
        idNumber: e.idNumber,
        fromTerminal: move.fromTerminal,
        toTerminal: move.toTerminal,
        contested: holder ? { terminalId: holder.terminal.id, seat: holder.terminal.seat } : null,
      });
    }
    // No seat and no name: the one who typed the ticket may not be its owner (issue 16, item 4).
    return refuse('wrong_seat', 'this is not the seat for this ticket. Please stay here and raise your hand: the invigilator has been told.', move.id);
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
