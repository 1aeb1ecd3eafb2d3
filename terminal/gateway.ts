// The transport half of the terminal gateway: who is connected (one socket per terminal), reading
// and validating one client message, the per-connection token bucket, and sending. It knows nothing
// of exams; the service (service.ts) decides what a message means.
import { Compile } from 'typebox/compile';
import { explainSchemaErrors } from '../core/index.ts';
import type { TerminalConfig } from '../config/index.ts';
import { CLIENT_MESSAGES, LIMITS, type ClientMessage, type ClientMessageType, type ErrorCode, type ServerMessage } from './protocol.ts';

/** What the gateway needs of a socket; a `ws` WebSocket is one. */
export interface TerminalSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  readonly readyState: number;
}

const OPEN = 1;

export interface Conn {
  readonly id: number;
  readonly terminal: TerminalConfig;
  readonly socket: TerminalSocket;
  readonly ip: string | null;
  /** The attempt this connection speaks for, once a candidate logged in or was resumed. */
  bound: { sessionId: string; idNumber: string } | null;
  /** A move request this terminal is waiting on (login at the wrong seat). */
  pendingMove: string | null;
  /** Monotonic ms (performance.now) of the last message heard: liveness is transport time, not exam time. */
  heardAt: number;
  lastTimePush: number;
  tokens: number;
  refilledAt: number;
  /** Set when this socket was superseded or is being closed by the server: its close is not "offline". */
  retired: boolean;
}

export type Parsed = { ok: true; msg: ClientMessage } | { ok: false; code: ErrorCode; reason: string; for?: string; seq?: number };

const validators = Object.fromEntries(Object.entries(CLIENT_MESSAGES).map(([k, schema]) => [k, Compile(schema)])) as {
  [K in ClientMessageType]: ReturnType<typeof Compile>;
};

/** Reads one frame: JSON, an object with a known type, and that type's exact shape. */
export function parseClientMessage(data: Buffer | string, isBinary: boolean): Parsed {
  if (isBinary) return { ok: false, code: 'bad_message', reason: 'messages are JSON text frames, not binary' };
  const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (bytes > LIMITS.maxMessageBytes) return { ok: false, code: 'too_large', reason: `message is ${bytes} bytes; the limit is ${LIMITS.maxMessageBytes}` };
  const text = typeof data === 'string' ? data : data.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_json', reason: 'message is not valid JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, code: 'bad_message', reason: 'message must be a JSON object with a "type"' };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, code: 'bad_message', reason: 'message must be a JSON object with a "type"' };
  if (!Object.hasOwn(CLIENT_MESSAGES, type)) {
    return {
      ok: false,
      code: 'unknown_type',
      reason: `unknown message type ${JSON.stringify(type.slice(0, 40))} (known: ${Object.keys(CLIENT_MESSAGES).join(', ')})`,
      for: type.slice(0, 40),
    };
  }
  const v = validators[type as ClientMessageType];
  if (!v.Check(value)) {
    // No values in the reason: a malformed login may still carry a credential, and reasons are logged.
    const problems = explainSchemaErrors([...v.Errors(value)], { schema: CLIENT_MESSAGES[type as ClientMessageType], root: type, withoutValues: true })
      .slice(0, 5)
      .map((p) => `${p.path}: ${p.problem}`);
    const seq = (value as { seq?: unknown }).seq;
    return {
      ok: false,
      code: 'bad_message',
      reason: `${type}: ${problems.join('; ') || 'invalid'}`,
      for: type,
      ...(Number.isInteger(seq) ? { seq: seq as number } : {}),
    };
  }
  return { ok: true, msg: value as ClientMessage };
}

/** While terminals are connected the registry notes every BEAT_MS that the loop turns; a gap over STALL_MS is a stall. */
const BEAT_MS = 50;
const STALL_MS = 150;

export function createRegistry(now: () => number = () => performance.now()) {
  let nextId = 1;
  const byTerminal = new Map<string, Conn>();
  // The latest stretch in which this process did not read its sockets (a long commit, a GC pause, the
  // machine busy elsewhere): frames that reach the front of the queue together after it were sent
  // spread over it, so the token bucket counts them as arriving then (see take()).
  let beatAt = now();
  const stall = { from: 0, to: 0 };
  let beating: NodeJS.Timeout | null = null;

  function noteStall(t: number): void {
    if (t - beatAt > STALL_MS) {
      stall.from = beatAt;
      stall.to = t;
    }
    beatAt = t;
  }

  function sendText(conn: Conn, text: string): void {
    if (conn.socket.readyState !== OPEN) return;
    try {
      conn.socket.send(text);
    } catch {
      // A socket that died between the check and the send: its close handler cleans up.
    }
  }

  function send(conn: Conn, msg: ServerMessage): void {
    if (conn.socket.readyState === OPEN) sendText(conn, JSON.stringify(msg));
  }

  return {
    now,
    send,
    /** The hottest message, an ack, without an object to stringify. */
    sendAck(conn: Conn, seq: number, no: number): void {
      sendText(conn, `{"type":"ack","seq":${seq},"no":${no}}`);
    },
    /** How the registry learns that the loop stalled, for tests that drive `now` themselves. */
    beat(): void {
      noteStall(now());
    },
    /** Registers a new connection for a terminal; returns it and the one it supersedes, if any. */
    add(terminal: TerminalConfig, socket: TerminalSocket, ip: string | null): { conn: Conn; previous: Conn | null } {
      const t = now();
      const conn: Conn = {
        id: nextId++,
        terminal,
        socket,
        ip,
        bound: null,
        pendingMove: null,
        heardAt: t,
        lastTimePush: 0,
        tokens: LIMITS.burst,
        refilledAt: t,
        retired: false,
      };
      const previous = byTerminal.get(terminal.id) ?? null;
      byTerminal.set(terminal.id, conn);
      if (!beating) {
        beatAt = t;
        beating = setInterval(() => noteStall(now()), BEAT_MS);
        beating.unref();
      }
      return { conn, previous };
    },
    /** Forgets a connection; true when it was the terminal's current one (so the terminal is now offline). */
    remove(conn: Conn): boolean {
      if (byTerminal.get(conn.terminal.id) !== conn) return false;
      byTerminal.delete(conn.terminal.id);
      if (byTerminal.size === 0 && beating) {
        clearInterval(beating);
        beating = null;
      }
      return true;
    },
    ofTerminal(terminalId: string): Conn | null {
      return byTerminal.get(terminalId) ?? null;
    },
    ofCandidate(sessionId: string, idNumber: string): Conn | null {
      for (const c of byTerminal.values()) if (c.bound && c.bound.sessionId === sessionId && c.bound.idNumber === idNumber) return c;
      return null;
    },
    all(): Conn[] {
      return [...byTerminal.values()];
    },
    /**
     * Token bucket: LIMITS.messagesPerSecond sustained, LIMITS.burst at once. False when empty.
     * A frame counts when it arrived, not when it is read: after a stall of this process (a long
     * commit, a GC pause, the machine busy elsewhere) a connection's backlog is read at once although
     * it was sent over the stall, so those frames are taken as arriving at the sustained rate from the
     * stall's start (or the connection's last frame) until its end. A client within the rate passes
     * after any stall; a flood still runs dry, getting at most the stall's share on top of the burst.
     */
    take(conn: Conn): boolean {
      const t = now();
      noteStall(t);
      const perMs = LIMITS.messagesPerSecond / 1000;
      const at = conn.refilledAt < stall.to ? Math.min(stall.to, Math.max(stall.from, conn.refilledAt) + 1 / perMs) : t;
      conn.tokens = Math.min(LIMITS.burst, conn.tokens + (at - conn.refilledAt) * perMs);
      conn.refilledAt = at;
      if (conn.tokens < 1) return false;
      conn.tokens -= 1;
      return true;
    },
    /** Says why, then closes; the socket's close handler does the rest. */
    retire(conn: Conn, code: number, msg: ServerMessage | null, reason: string): void {
      conn.retired = true;
      if (msg) send(conn, msg);
      try {
        conn.socket.close(code, reason);
      } catch {
        conn.socket.terminate();
      }
    },
  };
}

export type Registry = ReturnType<typeof createRegistry>;
