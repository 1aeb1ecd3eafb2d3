// A terminal that keeps failing log-ins is someone guessing tickets: after LOGIN_LOCK.failures unknown
// credentials within LOGIN_LOCK.windowMinutes (server clock) it refuses every log-in until an
// invigilator unlocks it from the console. The lock is durable (a restart or a reloaded page does not
// lift it), audited both ways, and raises one alert: further attempts while locked are not counted.
import { Conflict, NotFound } from '../../core/index.ts';
import type { Conn } from '../gateway.ts';
import { LOGIN_LOCK, type ServerMessage } from '../protocol.ts';
import type { TerminalState } from './state.ts';

const WINDOW_MS = LOGIN_LOCK.windowMinutes * 60_000;

export function loginLocked(st: TerminalState, terminalId: string): boolean {
  return st.store.loginLock(terminalId) !== null;
}

export function loginLockMessage(locked: boolean): ServerMessage {
  return {
    type: 'login_lock',
    locked,
    message: locked
      ? 'this terminal is locked after too many failed log-ins; call the invigilator to unlock it'
      : 'the invigilator unlocked this terminal; log in with your ticket number',
  };
}

/**
 * Counts one failed log-in at this terminal; true when it was the one that locked it. Failures are
 * kept in memory (a restart forgets fewer than the limit); the lock itself is in SQL before it is told.
 */
export function noteFailedLogin(st: TerminalState, conn: Conn, sessionId: string | null): boolean {
  const id = conn.terminal.id;
  const now = st.clock.now();
  const recent = (st.loginFailures.get(id) ?? []).filter((at) => at > now - WINDOW_MS && at <= now);
  recent.push(now);
  if (recent.length < LOGIN_LOCK.failures) {
    st.loginFailures.set(id, recent);
    return false;
  }
  st.loginFailures.delete(id);
  st.db
    .transaction(() => {
      st.store.lockLogin(id, recent.length, sessionId);
      st.audit.append({
        actor: `device:${id}`,
        action: 'terminal.login_locked',
        target: id,
        // Never the credentials typed: a near miss of a real ticket is half a secret.
        detail: {
          room: conn.terminal.room,
          seat: conn.terminal.seat,
          sessionId,
          failures: recent.length,
          firstAt: recent[0],
          windowMinutes: LOGIN_LOCK.windowMinutes,
        },
        ip: conn.ip,
      });
    })
    .immediate();
  st.bus.emit('terminal.login_locked', {
    terminalId: id,
    roomId: conn.terminal.room,
    seat: conn.terminal.seat,
    sessionId,
    failures: recent.length,
    windowMinutes: LOGIN_LOCK.windowMinutes,
    at: now,
  });
  st.send(conn, loginLockMessage(true));
  return true;
}

/** An invigilator lifts the lock (the console's unlock button): audited, the alert settles, the terminal is told. */
export function unlockLogin(st: TerminalState, terminalId: string, actor: string, reason: string | null, ip: string | null = null) {
  const t = st.terminalById(terminalId);
  if (!t) throw new NotFound(`no terminal ${JSON.stringify(terminalId)} is configured`);
  const lock = st.store.loginLock(terminalId);
  if (!lock) throw new Conflict(`terminal ${terminalId} (seat ${t.seat}) is not locked`, 'not_locked', { terminal: terminalId });
  const at = st.clock.now();
  st.db
    .transaction(() => {
      st.store.unlockLogin(terminalId);
      st.audit.append({
        actor,
        action: 'terminal.login_unlocked',
        target: terminalId,
        detail: { room: t.room, seat: t.seat, lockedAt: lock.lockedAt, failures: lock.failures, sessionId: lock.sessionId, reason },
        ip,
      });
    })
    .immediate();
  st.loginFailures.delete(terminalId);
  st.bus.emit('terminal.login_unlocked', { terminalId, roomId: t.room, seat: t.seat, by: actor, at });
  const conn = st.reg.ofTerminal(terminalId);
  if (conn) st.send(conn, loginLockMessage(false));
  return { terminalId, room: t.room, seat: t.seat, locked: false, lockedAt: lock.lockedAt, failures: lock.failures };
}
