// A terminal's socket: connect (the newer connection wins, a held attempt resumes), disconnect, and
// every frame it sends, rate-limited, parsed and dispatched. A frame can only earn its own connection an error.
import { DomainError } from '../../core/index.ts';
import { parseClientMessage, type Conn, type TerminalSocket } from '../gateway.ts';
import { CLOSE, LIMITS, type ClientMessage } from '../protocol.ts';
import { Refusal, OPEN_STATUSES, keyOf, type TerminalState } from './state.ts';
import { login } from './login.ts';
import { hello, incident, sendState } from './messages.ts';
import { flushSaves, save } from './saves.ts';
import { integrity, snapshot } from './snapshots.ts';
import { submitFromTerminal } from './submit.ts';

/** A terminal's socket opened. Resumes the attempt the terminal holds, if any. Null when refused. */
export function connect(st: TerminalState, terminalId: string, socket: TerminalSocket, ip: string | null = null): Conn | null {
  const terminal = st.terminalById(terminalId);
  if (!terminal) {
    socket.close(CLOSE.POLICY, 'not a configured terminal');
    return null;
  }
  const { conn, previous } = st.reg.add(terminal, socket, ip);
  if (previous) {
    // The newer connection wins: after a browser crash or reload the old socket is usually a
    // half-open leftover, and refusing the new one would lock the candidate out.
    if (previous.bound) {
      incident(st, {
        sessionId: previous.bound.sessionId,
        idNumber: previous.bound.idNumber,
        terminalId,
        kind: 'second_connection',
        source: 'server',
        detail: 'a newer connection of this terminal took over',
      });
    }
    previous.bound = null;
    st.reg.retire(previous, CLOSE.REPLACED, { type: 'bye', reason: 'replaced', message: 'a newer connection of this terminal took over' }, 'replaced');
  }
  const was = st.presence.get(terminalId);
  st.presence.set(terminalId, { online: true, since: st.clock.now() });
  if (!was?.online) st.bus.emit('terminal.online', { terminalId, roomId: terminal.room, seat: terminal.seat });
  st.send(conn, hello(st, conn));
  try {
    const open = st.plans.listSessions({ roomIds: [terminal.room] }).filter((s) => OPEN_STATUSES.includes(s.status));
    const a = st.store.attemptOnTerminal(
      terminalId,
      open.map((s) => s.id),
    );
    // An attempt under way is resumed; a submitted one only while its result may still be on screen
    // (the terminal lost its connection around the submission), so the next person at this PC is never
    // sent the previous candidate's name and score. The page clears a result it did not show before.
    const showing = a?.status === 'submitted' && (a.submittedAt ?? 0) + st.config.exam.resultDisplaySeconds * 1000 > st.clock.now();
    if (a && (a.status === 'active' || showing)) {
      conn.bound = { sessionId: a.sessionId, idNumber: a.idNumber };
      sendState(st, conn, true);
      st.bus.emit('terminal.login', { terminalId, roomId: terminal.room, seat: terminal.seat, sessionId: a.sessionId, idNumber: a.idNumber, resumed: true });
    }
  } catch (err) {
    st.logError(err, 'resuming a terminal failed');
    st.send(conn, { type: 'error', code: 'internal', reason: 'could not resume; log in again' });
  }
  return conn;
}

export function disconnect(st: TerminalState, conn: Conn): void {
  if (!st.reg.remove(conn)) return;
  const since = st.clock.now();
  st.presence.set(conn.terminal.id, { online: false, since });
  st.bus.emit('terminal.offline', {
    terminalId: conn.terminal.id,
    roomId: conn.terminal.room,
    seat: conn.terminal.seat,
    since,
    sessionId: conn.bound?.sessionId ?? null,
    idNumber: conn.bound?.idNumber ?? null,
    answering: conn.bound !== null && st.active.has(keyOf(conn.bound.sessionId, conn.bound.idNumber)),
  });
}

/** One frame from a terminal. Whatever it holds, it can only earn this connection an error. */
export function receive(st: TerminalState, conn: Conn, data: Buffer | string, isBinary: boolean): void {
  if (conn.retired) return;
  conn.heardAt = st.reg.now();
  // Counted on arrival, before anything waits in the save queue.
  if (!st.reg.take(conn)) {
    incident(st, {
      sessionId: conn.bound?.sessionId ?? null,
      idNumber: conn.bound?.idNumber ?? null,
      terminalId: conn.terminal.id,
      kind: 'message_flood',
      source: 'server',
      detail: `more than ${LIMITS.messagesPerSecond} messages/s`,
    });
    st.send(conn, {
      type: 'error',
      code: 'rate_limited',
      reason: `more than ${LIMITS.messagesPerSecond} messages per second (burst ${LIMITS.burst}); reconnect after a pause`,
    });
    st.reg.retire(conn, CLOSE.POLICY, { type: 'bye', reason: 'rate_limited', message: 'too many messages' }, 'rate limit exceeded');
    return;
  }
  const parsed = parseClientMessage(data, isBinary);
  if (!parsed.ok) {
    const { ok: _, ...rest } = parsed;
    return st.send(conn, { type: 'error', ...rest });
  }
  const msg = parsed.msg;
  // Whatever else a terminal says is answered after its earlier saves are committed and acked.
  if (msg.type !== 'save' && msg.type !== 'ping') flushSaves(st);
  try {
    dispatch(st, conn, msg);
  } catch (err) {
    const seq = msg.type === 'save' ? { seq: msg.seq } : {};
    if (err instanceof Refusal) return st.send(conn, { type: 'error', code: err.code, reason: err.message, for: msg.type, ...seq });
    if (!(err instanceof DomainError)) st.logError(err, `terminal ${conn.terminal.id}: ${msg.type} failed`);
    st.send(conn, {
      type: 'error',
      code: 'internal',
      reason: err instanceof DomainError ? err.message : 'internal error; the details are in the server log',
      for: msg.type,
      ...seq,
    });
  }
}

export function dispatch(st: TerminalState, conn: Conn, msg: ClientMessage): void {
  switch (msg.type) {
    case 'ping':
      return st.send(conn, { type: 'pong', serverTime: st.clock.now(), ...(msg.t === undefined ? {} : { t: msg.t }) });
    case 'resync':
      if (conn.bound) return sendState(st, conn, true);
      return st.send(conn, hello(st, conn));
    case 'login':
      return login(st, conn, msg.credential, msg.pc);
    case 'save':
      return save(st, conn, msg);
    case 'submit':
      return submitFromTerminal(st, conn);
    case 'integrity':
      return integrity(st, conn, msg);
    case 'snapshot':
      return snapshot(st, conn, msg);
  }
}
