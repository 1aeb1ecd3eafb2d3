// Integrity events (a window left, a key blocked, full screen left) on their way to the gateway: the
// same event is told at most once every two seconds, and while the candidate is not logged in on an
// open connection they wait in a short queue, told as soon as the connection is back (the proctor
// still wants to know).
import type { IntegrityKind } from '../../protocol.ts';

const INTEGRITY_THROTTLE_MS = 2_000;
const INTEGRITY_QUEUE_MAX = 50;

export interface IntegrityEvent {
  kind: IntegrityKind;
  detail?: string;
}

export class IntegrityReports {
  private queue: IntegrityEvent[] = [];
  private last = new Map<string, number>();

  /** `canSend`: logged in on this connection; `send` returns false when the message could not go. */
  constructor(
    private readonly canSend: () => boolean,
    private readonly send: (event: IntegrityEvent) => boolean,
  ) {}

  report(kind: IntegrityKind, detail?: string): void {
    const now = performance.now();
    const k = `${kind}:${detail ?? ''}`;
    if (now - (this.last.get(k) ?? -Infinity) < INTEGRITY_THROTTLE_MS) return;
    this.last.set(k, now);
    const msg = detail === undefined ? { kind } : { kind, detail: detail.slice(0, 200) };
    if (this.canSend() && this.send(msg)) return;
    this.queue.push(msg);
    if (this.queue.length > INTEGRITY_QUEUE_MAX) this.queue.shift();
  }

  /** After a log-in on a new connection: what was queued goes now. */
  flush(): void {
    if (!this.canSend()) return;
    const q = this.queue;
    this.queue = [];
    for (const m of q) this.send(m);
  }
}
