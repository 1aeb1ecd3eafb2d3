// Invigilators' commands: admit, pause and resume, add time, force submit, lock, approve or reject a
// move. Each is audited in the transaction that makes it and reported on the bus after it.
import { Conflict, NotFound, ValidationError } from '../../core/index.ts';
import { credentialKey } from '../../exam/index.ts';
import { CLOSE } from '../protocol.ts';
import type { Attempt, Move } from '../store.ts';
import { OPEN_STATUSES, type TerminalState, type Session, type Entry } from './state.ts';
import { attach, busy, holderElsewhere } from './login.ts';
import { conns, moveDecided, pushTime } from './messages.ts';
import { mustEntry } from './sessions.ts';
import { submitAttempt } from './submit.ts';

export function openOrConflict(st: TerminalState, sessionId: string, what: string): Session {
  const s = st.plans.session(sessionId);
  if (!OPEN_STATUSES.includes(s.status))
    throw new Conflict(`exam session ${s.id} is ${s.status}; ${what} only during check-in or the exam`, 'session_not_open', { status: s.status });
  return s;
}

export function activeAttempt(st: TerminalState, s: Session, e: Entry): Attempt {
  const a = st.store.attempt(s.id, e.idNumber);
  if (!a) throw new Conflict(`${e.name} (ticket ${e.ticketNo}) has not logged in on a terminal`, 'not_logged_in', { name: e.name });
  if (a.status === 'submitted') throw new Conflict(`${e.name} (ticket ${e.ticketNo}) has already submitted`, 'already_submitted', { name: e.name });
  return a;
}

export function pushTimes(st: TerminalState, sessionId: string, idNumber: string | null): void {
  for (const c of conns(st, sessionId, idNumber)) pushTime(st, c);
}

export function admitCandidate(st: TerminalState, sessionId: string, idNumber: string, by: string, ip: string | null = null): Entry {
  const s = openOrConflict(st, sessionId, 'candidates are admitted');
  const e = st.plans.roster(s.id).find((x) => x.idNumber === idNumber.toUpperCase());
  if (!e) throw new NotFound(`${idNumber} is not on the roster of exam session ${s.id}`);
  if (e.status === 'admitted' || e.status === 'in_exam') return e;
  if (e.status !== 'registered')
    throw new Conflict(`${e.name} (ticket ${e.ticketNo}) is ${e.status}; only a registered candidate can be admitted`, 'not_registered', {
      name: e.name,
      status: e.status,
    });
  st.db
    .transaction(() => {
      st.plans.setRosterStatus(s.id, e.idNumber, 'admitted');
      st.audit.append({ actor: by, action: 'exam.candidate.admit', target: s.id, detail: { ticketNo: e.ticketNo, seat: e.seat }, ip });
    })
    .immediate();
  st.bus.emit('candidate.admitted', { sessionId: s.id, roomId: s.roomId, idNumber: e.idNumber, by });
  return { ...e, status: 'admitted' };
}

/** Stops the clock for one candidate (candidate given) or the whole room (null). */
export function pause(st: TerminalState, sessionId: string, candidate: string | null, reason: string | null, actor: string, ip: string | null = null) {
  const s = openOrConflict(st, sessionId, 'the clock can be paused');
  const e = candidate === null ? null : mustEntry(st, s, candidate);
  if (e) activeAttempt(st, s, e);
  st.db
    .transaction(() => {
      if (st.store.openPause(s.id, e?.idNumber ?? null))
        throw new Conflict(e ? `${e.name} (ticket ${e.ticketNo}) is already paused` : `room ${s.roomId} is already paused`, 'already_paused', {
          who: e ? e.name : s.roomId,
        });
      st.store.startPause(s.id, e?.idNumber ?? null, reason, actor);
      st.audit.append({
        actor,
        action: 'terminal.pause',
        target: s.id,
        detail: { scope: e ? 'candidate' : 'room', ticketNo: e?.ticketNo ?? null, reason },
        ip,
      });
    })
    .immediate();
  st.clocks.delete(s.id);
  st.bus.emit('terminal.command', { sessionId: s.id, roomId: s.roomId, idNumber: e?.idNumber ?? null, command: 'pause', by: actor });
  pushTimes(st, s.id, e?.idNumber ?? null);
  return { scope: e ? 'candidate' : 'room', ticketNo: e?.ticketNo ?? null, paused: true };
}

export function resume(st: TerminalState, sessionId: string, candidate: string | null, actor: string, ip: string | null = null) {
  const s = openOrConflict(st, sessionId, 'the clock can be resumed');
  const e = candidate === null ? null : mustEntry(st, s, candidate);
  st.db
    .transaction(() => {
      const p = st.store.openPause(s.id, e?.idNumber ?? null);
      if (!p)
        throw new Conflict(e ? `${e.name} (ticket ${e.ticketNo}) is not paused` : `room ${s.roomId} is not paused`, 'not_paused', {
          who: e ? e.name : s.roomId,
        });
      st.store.endPause(p.id, actor);
      st.audit.append({
        actor,
        action: 'terminal.resume',
        target: s.id,
        detail: { scope: e ? 'candidate' : 'room', ticketNo: e?.ticketNo ?? null, pausedMs: st.clock.now() - p.startedAt },
        ip,
      });
    })
    .immediate();
  st.clocks.delete(s.id);
  st.bus.emit('terminal.command', { sessionId: s.id, roomId: s.roomId, idNumber: e?.idNumber ?? null, command: 'resume', by: actor });
  pushTimes(st, s.id, e?.idNumber ?? null);
  return { scope: e ? 'candidate' : 'room', ticketNo: e?.ticketNo ?? null, paused: false };
}

export function addTime(
  st: TerminalState,
  sessionId: string,
  candidate: string | null,
  minutes: number,
  reason: string,
  actor: string,
  ip: string | null = null,
) {
  const s = openOrConflict(st, sessionId, 'time can be added');
  const e = candidate === null ? null : mustEntry(st, s, candidate);
  if (e) activeAttempt(st, s, e);
  st.db
    .transaction(() => {
      st.store.addTime(s.id, e?.idNumber ?? null, minutes * 60_000, reason, actor);
      st.audit.append({
        actor,
        action: 'terminal.add_time',
        target: s.id,
        detail: { scope: e ? 'candidate' : 'room', ticketNo: e?.ticketNo ?? null, minutes, reason },
        ip,
      });
    })
    .immediate();
  st.clocks.delete(s.id);
  st.bus.emit('terminal.command', { sessionId: s.id, roomId: s.roomId, idNumber: e?.idNumber ?? null, command: 'add_time', by: actor });
  pushTimes(st, s.id, e?.idNumber ?? null);
  return { scope: e ? 'candidate' : 'room', ticketNo: e?.ticketNo ?? null, minutes };
}

export function forceSubmit(st: TerminalState, sessionId: string, candidate: string, reason: string, actor: string, ip: string | null = null) {
  const s = st.plans.session(sessionId);
  if (s.status !== 'in_progress' && s.status !== 'ended')
    throw new Conflict(`exam session ${s.id} is ${s.status}; a paper can be submitted only once the exam has started`);
  const e = mustEntry(st, s, candidate);
  activeAttempt(st, s, e);
  const out = submitAttempt(st, s.id, e.idNumber, 'invigilator', actor, reason, ip);
  st.bus.emit('terminal.command', { sessionId: s.id, roomId: s.roomId, idNumber: e.idNumber, command: 'force_submit', by: actor });
  return { ticketNo: e.ticketNo, score: out.result?.score ?? null, passed: out.result?.passed ?? null };
}

export function setLock(
  st: TerminalState,
  sessionId: string,
  candidate: string,
  locked: boolean,
  reason: string | null,
  actor: string,
  ip: string | null = null,
) {
  const s = openOrConflict(st, sessionId, 'screens can be locked');
  const e = mustEntry(st, s, candidate);
  activeAttempt(st, s, e);
  st.db
    .transaction(() => {
      st.store.setLock(s.id, e.idNumber, locked, reason);
      st.audit.append({ actor, action: locked ? 'terminal.lock' : 'terminal.unlock', target: s.id, detail: { ticketNo: e.ticketNo, reason }, ip });
    })
    .immediate();
  st.bus.emit('terminal.command', { sessionId: s.id, roomId: s.roomId, idNumber: e.idNumber, command: locked ? 'lock' : 'unlock', by: actor });
  for (const c of conns(st, s.id, e.idNumber)) st.send(c, { type: 'lock', locked, reason: locked ? reason : null });
  return { ticketNo: e.ticketNo, locked };
}

export function move(st: TerminalState, id: string): Move {
  const m = st.store.move(id);
  if (!m) throw new NotFound(`no terminal move request ${JSON.stringify(id)}`);
  return m;
}

/**
 * Lets a candidate continue at the terminal they logged in at: re-seats them there (audited by
 * the plans module) and moves the attempt, with every acked answer and the clock, to it.
 */
/** What an invigilator types to approve a contested move: the candidate's seat or the last 4 of their ID number, and why. */
export interface MoveConfirmation {
  confirm?: string;
  reason?: string;
}

/** Seats compare as typed on a keypad: 1 and 01 are one seat. */
const seatKey = (seat: string) => credentialKey(seat).replace(/^0+(?=.)/, '');

/**
 * A move away from a terminal that is connected and holds the candidate's attempt hands that attempt
 * to whoever typed the ticket elsewhere — the impersonation of issue 16, item 4. Such an approval needs
 * the stronger confirmation, checked here and not only in the console: refused without it.
 */
function checkContested(
  st: TerminalState,
  m: Move,
  e: Entry,
  c: MoveConfirmation,
): { terminal: string; seat: string; confirmedBy: string; reason: string } | null {
  const holder = holderElsewhere(st, m.sessionId, e.idNumber, m.toTerminal);
  if (!holder) return null;
  const where = { terminal: holder.terminal.id, seat: holder.terminal.seat };
  const reason = c.reason?.trim() ?? '';
  if (!c.confirm?.trim() || !reason)
    throw new Conflict(
      `${e.name} is logged in and answering at terminal ${holder.terminal.id} (seat ${holder.terminal.seat}) right now, so the person at terminal ${m.toTerminal} may not be them: check both people's ID cards. To approve anyway, type the candidate's seat or the last 4 characters of their ID number, and a reason`,
      'move_contested',
      where,
    );
  const typed = credentialKey(c.confirm);
  const confirmedBy = e.seat && seatKey(c.confirm) === seatKey(e.seat) ? 'seat' : typed === e.idNumber.slice(-4) ? 'id_last4' : null;
  if (!confirmedBy)
    throw new ValidationError(
      [{ path: 'confirm', problem: "matches neither the candidate's seat nor the last 4 characters of their ID number" }],
      `confirm: matches neither the candidate's seat nor the last 4 characters of their ID number; the move was not approved`,
    );
  return { ...where, confirmedBy, reason };
}

export function approveMove(st: TerminalState, id: string, actor: string, ip: string | null = null, confirmation: MoveConfirmation = {}): Move {
  const m = move(st, id);
  if (m.status !== 'pending') throw new Conflict(`move request ${id} is already ${m.status}`, 'move_decided', { status: m.status });
  const s = openOrConflict(st, m.sessionId, 'candidates can move');
  const e = mustEntry(st, s, m.idNumber);
  if (e.status === 'submitted') throw new Conflict(`${e.name} (ticket ${e.ticketNo}) has already submitted`, 'already_submitted', { name: e.name });
  const holder = st.store.attemptOnTerminal(m.toTerminal, [s.id]);
  if (holder && holder.idNumber !== e.idNumber && holder.status === 'active')
    throw new Conflict(`terminal ${m.toTerminal} is in use by another candidate`, 'terminal_in_use', { terminal: m.toTerminal });
  const contested = checkContested(st, m, e, confirmation);
  if (e.seat !== m.toSeat) st.plans.reseat(s.id, e.idNumber, m.toSeat, actor, { reason: `continues on terminal ${m.toTerminal} (move ${m.id})`, ip });
  st.db
    .transaction(() => {
      st.store.decideMove(m.id, 'approved', actor);
      if (st.store.attempt(s.id, e.idNumber)) st.store.bindTerminal(s.id, e.idNumber, m.toTerminal);
      st.audit.append({
        actor,
        action: 'terminal.move.approve',
        target: s.id,
        detail: { ticketNo: e.ticketNo, from: m.fromTerminal, to: m.toTerminal, seat: m.toSeat, ...(contested ? { contested } : {}) },
        ip,
      });
    })
    .immediate();
  st.bus.emit('terminal.command', { sessionId: s.id, roomId: s.roomId, idNumber: e.idNumber, command: 'approve_move', by: actor });
  moveDecided(st, m, s.roomId, 'approved', actor);
  const entry = st.plans.roster(s.id).find((x) => x.idNumber === e.idNumber)!;
  const target = st.reg.ofTerminal(m.toTerminal);
  if (target && !busy(st, target)) {
    attach(st, target, s, entry, actor);
  } else {
    for (const old of conns(st, s.id, e.idNumber)) {
      if (old.terminal.id === m.toTerminal) continue;
      old.bound = null;
      st.reg.retire(
        old,
        CLOSE.MOVED,
        { type: 'bye', reason: 'moved', message: `the candidate continues on terminal ${m.toTerminal}` },
        'moved to another terminal',
      );
    }
  }
  return move(st, id);
}

export function rejectMove(st: TerminalState, id: string, actor: string, ip: string | null = null): Move {
  const m = move(st, id);
  if (m.status !== 'pending') throw new Conflict(`move request ${id} is already ${m.status}`, 'move_decided', { status: m.status });
  const s = st.plans.session(m.sessionId);
  st.db
    .transaction(() => {
      st.store.decideMove(m.id, 'rejected', actor);
      st.audit.append({ actor, action: 'terminal.move.reject', target: s.id, detail: { to: m.toTerminal }, ip });
    })
    .immediate();
  st.bus.emit('terminal.command', { sessionId: s.id, roomId: s.roomId, idNumber: m.idNumber, command: 'reject_move', by: actor });
  moveDecided(st, m, s.roomId, 'rejected', actor);
  const target = st.reg.ofTerminal(m.toTerminal);
  if (target?.pendingMove === m.id) {
    target.pendingMove = null;
    st.send(target, {
      type: 'login_refused',
      reason: 'wrong_seat',
      message: 'the invigilator did not approve continuing at this terminal; go to your own seat',
    });
  }
  return move(st, id);
}
