// One WebSocket to the gateway that keeps itself alive: heartbeat pings, a dead-socket timeout, and
// reconnection with exponential backoff (with jitter, so a room of terminals does not reconnect in
// lock-step after a server restart). What the messages mean is the controller's business.
import type { ClientMessage, ServerMessage, CLOSE as CloseCodes, WS_PATH as WsPath } from '../../protocol.ts';

// Values from protocol.ts, checked against its literal types (the app imports types only).
export const WS_PATH: typeof WsPath = '/ws/terminal';
export const CLOSE: typeof CloseCodes = { GOING_AWAY: 1001, POLICY: 1008, REVOKED: 4401, REPLACED: 4409, MOVED: 4410 };

// docs/terminal-protocol.md: every 0.25 s for the first 10 s of an outage, then 0.5 s, 1 s, 2 s … at most
// 10 s (each with jitter). A restarted server listens 0.5–1 s after it is spawned (bench startup/crash), and
// systemd spawns it 2 s after a crash (RestartSec): retries that doubled from the start (attempts at ~0.2,
// 0.6, 1.3, 2.8, 5.8 s) met it up to 3 s late. A refused connection costs neither side anything, so a
// young outage is retried at the first step's pace; the doubling and the cap keep a long one cheap.
const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 10_000;
const FAST_RETRIES_FOR_MS = 10_000;
/** After a policy close (rate limit) wait at least this long. */
const POLICY_PAUSE_MS = 5_000;

export interface ConnectionEvents {
  open(): void;
  message(msg: ServerMessage): void;
  /** The socket closed; `retryInMs` is null when the connection will not be retried. */
  closed(info: { code: number; reason: string; everOpened: boolean; retryInMs: number | null }): void;
}

export class Connection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  /** When the current outage began (its first failed or lost socket); null while healthy. */
  private outageSince: number | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private stopped = false;
  private heartbeatMs = 10_000;
  private timeoutMs = 30_000;
  /** Close codes after which this page must not reconnect by itself. */
  private readonly terminal = new Set<number>([CLOSE.REVOKED, CLOSE.REPLACED]);

  constructor(
    private readonly url: string,
    private readonly on: ConnectionEvents,
  ) {}

  static urlFor(loc: Location): string {
    return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}${WS_PATH}`;
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Stops for good (revoked, replaced, page leaving). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.stopHeartbeat();
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'terminal stopped');
  }

  /** The hello's limits: how often to ping and when a silent socket counts as dead. */
  setHeartbeat(intervalMs: number, timeoutMs: number): void {
    this.heartbeatMs = intervalMs;
    this.timeoutMs = timeoutMs;
    if (this.pingTimer !== undefined) this.startHeartbeat();
  }

  /** The server answered properly (hello): the next outage starts its backoff from the beginning. */
  healthy(): void {
    this.attempt = 0;
    this.outageSince = null;
  }

  send(msg: ClientMessage): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** Drops the current socket and reconnects now (e.g. the browser says the network is back). */
  reconnectNow(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.outageSince = null;
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return;
    this.ws?.close();
    this.ws = null;
    this.connect();
  }

  private connect(): void {
    clearTimeout(this.retryTimer);
    let everOpened = false;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleRetry(1006, '', false);
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      everOpened = true;
      this.lastHeard = performance.now();
      this.startHeartbeat();
      this.on.open();
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.lastHeard = performance.now();
      let msg: ServerMessage;
      try {
        msg = JSON.parse(String(ev.data)) as ServerMessage;
      } catch {
        return;
      }
      this.on.message(msg);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopHeartbeat();
      this.scheduleRetry(ev.code, ev.reason, everOpened);
    };
  }

  private scheduleRetry(code: number, reason: string, everOpened: boolean): void {
    if (this.stopped || this.terminal.has(code)) {
      this.on.closed({ code, reason, everOpened, retryInMs: null });
      return;
    }
    const now = performance.now();
    this.outageSince ??= now;
    const young = now - this.outageSince < FAST_RETRIES_FOR_MS;
    if (!young) this.attempt = Math.min(this.attempt + 1, 10);
    const base = young ? BACKOFF_FIRST_MS : Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
    let delay = Math.round(base / 2 + (Math.random() * base) / 2);
    if (code === CLOSE.POLICY) delay = Math.max(delay, POLICY_PAUSE_MS);
    this.on.closed({ code, reason, everOpened, retryInMs: delay });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    let lastPing = performance.now();
    this.pingTimer = setInterval(() => {
      const ws = this.ws;
      if (!ws) return;
      const now = performance.now();
      // A socket that has heard nothing (not even pongs) for this long is dead though not yet closed,
      // as after a cable is pulled: give up on it rather than wait minutes for TCP to notice.
      if (now - this.lastHeard > this.timeoutMs) {
        this.ws = null;
        this.stopHeartbeat();
        ws.onclose = null;
        ws.close();
        this.scheduleRetry(1006, 'heartbeat timeout', true);
        return;
      }
      if (now - lastPing >= this.heartbeatMs) {
        lastPing = now;
        this.send({ type: 'ping', t: now });
      }
    }, 1_000);
  }

  private stopHeartbeat(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }
}
