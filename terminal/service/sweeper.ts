// The one-second sweeper and the rooms' sessions: auto-submit, status changes made by another
// process, heartbeats and time pushes, and telling a room's terminals when their session changes.
import { LIMITS } from '../protocol.ts';
import { OPEN_STATUSES, SWEEP_MS, type TerminalState } from './state.ts';
import { pushTime, sendPaper } from './messages.ts';
import { flushSaves } from './saves.ts';
import { clockOf, openSessionOf, reloadSession, sessionInfo, startedAt } from './sessions.ts';
import { sweep } from './submit.ts';
import { sweepSnapshotLeftovers } from './snapshots.ts';

export function roomKey(st: TerminalState, roomId: string): string {
  const s = openSessionOf(st, roomId);
  return s ? `${s.id}:${s.status}` : '';
}

/** Tells a room's terminals about its session: the paper when it starts, submission when it ends. */
export function roomChanged(st: TerminalState, roomId: string): void {
  st.roomKeys.set(roomId, roomKey(st, roomId));
  const s = openSessionOf(st, roomId);
  if (s?.status === 'in_progress') startedAt(st, s);
  sweep(st);
  for (const c of st.reg.all().filter((x) => x.terminal.room === roomId)) {
    try {
      st.send(c, { type: 'session', session: s ? sessionInfo(st, s) : null });
      if (c.bound && s && c.bound.sessionId === s.id) {
        const a = st.store.attempt(s.id, c.bound.idNumber);
        if (s.status === 'in_progress' && a?.status === 'active') sendPaper(st, c, s, c.bound.idNumber, a);
        pushTime(st, c);
      }
    } catch (err) {
      st.logError(err, `telling terminal ${c.terminal.id} about its session failed`);
    }
  }
}

/** Each room's roomKey and the status of every open session, in one query (the tick runs it every second). */
export function openRooms(st: TerminalState): { keys: Map<string, string>; statusOf: Map<string, string> } {
  const keys = new Map<string, string>();
  const statusOf = new Map<string, string>();
  for (const r of st.store.openSessions()) {
    statusOf.set(r.id, r.status);
    // As openSessionOf: the room's session in progress, else its first open for check-in.
    const k = keys.get(r.roomId);
    if (k === undefined || (r.status === 'in_progress' && !k.endsWith(':in_progress'))) keys.set(r.roomId, `${r.id}:${r.status}`);
  }
  return { keys, statusOf };
}

/** A status change made by another process (the CLI) is noticed here within a tick. */
export function refreshRooms(st: TerminalState): void {
  const { keys, statusOf } = openRooms(st);
  for (const [id, s] of st.sessions) {
    const now = statusOf.get(id);
    if (now === undefined ? !OPEN_STATUSES.includes(s.status) : now === s.status) continue;
    try {
      reloadSession(st, id);
    } catch (err) {
      st.sessions.delete(id);
      st.logError(err, `re-reading exam session ${id} failed`);
    }
  }
  for (const r of new Set([...st.roomKeys.keys(), ...keys.keys()])) if ((st.roomKeys.get(r) ?? '') !== (keys.get(r) ?? '')) roomChanged(st, r);
}

/** Follows status changes made in this process: the clock starts, terminals hear, papers are dropped. */
export function listenToSessions(st: TerminalState): () => void {
  return st.bus.on('session.status', ({ sessionId, roomId, to }) => {
    if (to === 'in_progress') clockOf(st, sessionId).startedAt = st.store.setSessionStart(sessionId, st.clock.now());
    reloadSession(st, sessionId);
    roomChanged(st, roomId);
    // A session past its exam needs its delivered papers no more.
    if (!OPEN_STATUSES.includes(to)) for (const k of st.papers.keys()) if (k.startsWith(`${sessionId}\n`)) st.papers.delete(k);
  });
}

export function tick(st: TerminalState): void {
  sweep(st);
  refreshRooms(st);
  const t = st.reg.now();
  for (const c of st.reg.all()) {
    if (t - c.heardAt > LIMITS.heartbeatTimeoutMs) {
      // Silent for too long: a cable pulled or a frozen browser. Dropping it makes it offline now.
      c.socket.terminate();
      continue;
    }
    // Each connection has its own phase within the push interval: a room that logged in in the same
    // second must not get its 500 time pushes in the same tick (measured: a 30–80 ms stall).
    const phase = (c.id * SWEEP_MS) % LIMITS.timePushMs;
    const slot = (Math.floor(t / SWEEP_MS) * SWEEP_MS) % LIMITS.timePushMs === phase;
    // A push is due at the connection's slot once 4 s have passed; 10 s without one forces it.
    const since = t - c.lastTimePush;
    const due = since >= 2 * LIMITS.timePushMs || (slot && since >= LIMITS.timePushMs - SWEEP_MS);
    if (c.bound && due) {
      try {
        pushTime(st, c);
      } catch (err) {
        st.logError(err, 'pushing the time failed');
      }
    }
  }
}

export function start(st: TerminalState): void {
  if (st.timer) return;
  // What terminals were last told, as it stands now: the first tick after a restart re-sends nothing.
  for (const [r, k] of openRooms(st).keys) st.roomKeys.set(r, k);
  sweep(st);
  try {
    sweepSnapshotLeftovers(st);
  } catch (err) {
    st.logError(err, 'sweeping snapshot leftovers failed');
  }
  st.timer = setInterval(() => {
    try {
      tick(st);
    } catch (err) {
      st.logError(err, 'terminal tick failed');
    }
  }, SWEEP_MS);
  st.timer.unref();
}

export function stop(st: TerminalState): void {
  if (st.timer) clearInterval(st.timer);
  st.timer = null;
  st.stopped = true;
  st.checks.length = 0;
  st.offStatus();
  // Saves already received are committed and acked before the database closes.
  flushSaves(st);
}
