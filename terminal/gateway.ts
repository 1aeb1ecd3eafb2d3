// The transport half of the terminal gateway: who is connected (one socket per terminal), reading
// and validating one client message, the per-connection token bucket, and sending. It knows nothing
// of exams; the service (service.ts) decides what a message means.
import { Compile } from 'typebox/compile';
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

const validators = Object.fromEntries(Object.entries(CLIENT_MESSAGES).map(([k, schema]) => [k, Compile(schema)])) as { [K in ClientMessageType]: ReturnType<typeof Compile> };

/** Reads one frame: JSON, an object with a known type, and that type's exact shape. */
export function parseClientMessage(data: Buffer | string, isBinary: boolean): Parsed {
  if (isBinary) return { ok: false, code: 'bad_message', reason: 'messages are JSON text frames, not binary' };
  const text = typeof data === 'string' ? data : data.toString('utf8');
  if (Buffer.byteLength(text) > LIMITS.maxMessageBytes) return { ok: false, code: 'too_large', reason: `message is ${Buffer.byteLength(text)} bytes; the limit is ${LIMITS.maxMessageBytes}` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_json', reason: 'message is not valid JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, code: 'bad_message', reason: 'message must be a JSON object with a "type"' };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, code: 'bad_message', reason: 'message must be a JSON object with a "type"' };
  if (!Object.hasOwn(CLIENT_MESSAGES, type)) {
    return { ok: false, code: 'unknown_type', reason: `unknown message type ${JSON.stringify(type.slice(0, 40))} (known: ${Object.keys(CLIENT_MESSAGES).join(', ')})`, for: type.slice(0, 40) };
  }
  const v = validators[type as ClientMessageType];
  if (!v.Check(value)) {
    const problems = [...v.Errors(value)]
      .filter((e) => e.keyword !== 'boolean')
      .slice(0, 5)
      .map((e) => {
        const extra = (e.params as { additionalProperties?: string[] }).additionalProperties;
        return extra ? `unknown field ${extra.join(', ')}` : `${e.instancePath.slice(1).replace(/\//g, '.') || type}: ${e.message}`;
      });
    const seq = (value as { seq?: unknown }).seq;
    return { ok: false, code: 'bad_message', reason: `${type}: ${problems.join('; ') || 'invalid'}`, for: type, ...(Number.isInteger(seq) ? { seq: seq as number } : {}) };
  }
  return { ok: true, msg: value as ClientMessage };
}

export function createRegistry(now: () => number = () => performance.now()) {
  let nextId = 1;
  const byTerminal = new Map<string, Conn>();

  function send(conn: Conn, msg: ServerMessage): void {
    if (conn.socket.readyState !== OPEN) return;
    try {
      conn.socket.send(JSON.stringify(msg));
    } catch {
      // A socket that died between the check and the send: its close handler cleans up.
    }
  }

  return {
    now,
    send,
    /** Registers a new connection for a terminal; returns it and the one it supersedes, if any. */
    add(terminal: TerminalConfig, socket: TerminalSocket, ip: string | null): { conn: Conn; previous: Conn | null } {
      const t = now();
      const conn: Conn = { id: nextId++, terminal, socket, ip, bound: null, pendingMove: null, heardAt: t, lastTimePush: 0, tokens: LIMITS.burst, refilledAt: t, retired: false };
      const previous = byTerminal.get(terminal.id) ?? null;
      byTerminal.set(terminal.id, conn);
      return { conn, previous };
    },
    /** Forgets a connection; true when it was the terminal's current one (so the terminal is now offline). */
    remove(conn: Conn): boolean {
      if (byTerminal.get(conn.terminal.id) !== conn) return false;
      byTerminal.delete(conn.terminal.id);
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
    /** Token bucket: LIMITS.messagesPerSecond sustained, LIMITS.burst at once. False when empty. */
    take(conn: Conn): boolean {
      const t = now();
      conn.tokens = Math.min(LIMITS.burst, conn.tokens + ((t - conn.refilledAt) / 1000) * LIMITS.messagesPerSecond);
      conn.refilledAt = t;
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
