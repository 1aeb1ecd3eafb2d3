// The terminal's answer queue: nothing the candidate picked is ever lost. Every pick is kept (in
// memory and in localStorage, keyed by attempt) until the server acknowledges it — the server
// commits before it acks — and is sent again on every new connection until then.
// No DOM here, so the rules can be tested in Node.
import type { ErrorCode, SaveMessage, SavedAnswer } from '../../protocol.ts';

/** localStorage, or anything with its three methods. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Errors after which a save will never be accepted (protocol.ts SAVE_ERRORS_FINAL): drop it. */
export const FINAL_SAVE_ERRORS: readonly ErrorCode[] = ['bad_message', 'invalid_answer', 'seq_reused', 'time_up', 'submitted'];

export type SaveStatus = 'saved' | 'saving' | 'none';

interface Pending {
  choice: number[];
  /** The seq it was last sent with on the current connection; null = not sent on this one yet. */
  seq: number | null;
}

interface Persisted {
  v: 1;
  highestSeq: number;
  pending: [number, number[]][];
}

const sameChoice = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const normalise = (choice: readonly number[]) => [...new Set(choice)].sort((a, b) => a - b);

export class SaveQueue {
  private pending = new Map<number, Pending>();
  private committed = new Map<number, number[]>();
  /** seq → what was sent with it, while unacknowledged on this connection. */
  private inFlight = new Map<number, { no: number; choice: number[] }>();
  private highestSeq = 0;

  constructor(
    /** e.g. `examroom.terminal.<sessionId>.<ticketNo>.saves` */
    private readonly key: string,
    private readonly store: KeyValueStore | null,
    private maxInFlight = 16,
  ) {
    const raw = store?.getItem(key);
    if (raw) {
      try {
        const p = JSON.parse(raw) as Persisted;
        if (p.v === 1) {
          this.highestSeq = p.highestSeq;
          for (const [no, choice] of p.pending) this.pending.set(no, { choice, seq: null });
        }
      } catch {
        // A damaged entry (hand-edited, truncated by a crash) holds nothing we can trust.
      }
    }
  }

  setMaxInFlight(n: number): void {
    this.maxInFlight = Math.max(1, n);
  }

  /** The candidate's pick: shown at once, saved as soon as a connection can carry it. */
  answer(no: number, choice: readonly number[]): void {
    const c = normalise(choice);
    const committed = this.committed.get(no) ?? [];
    // Back to what the server already holds: nothing left to send (an in-flight save, if any, is
    // superseded below by the server's answer only once acked, so keep tracking it).
    if (sameChoice(c, committed) && ![...this.inFlight.values()].some((s) => s.no === no)) this.pending.delete(no);
    else this.pending.set(no, { choice: c, seq: null });
    this.persist();
  }

  /**
   * The paper as the server holds it, on every (re)connection: its committed answers and the highest
   * seq it committed. A pick the server already holds is done; every other one goes again, numbered
   * after everything the server has seen (a seq is never reused with other content).
   */
  sync(answers: readonly SavedAnswer[], lastSeq: number): void {
    this.inFlight.clear();
    this.committed.clear();
    for (const a of answers) this.committed.set(a.no, normalise(a.choice));
    this.highestSeq = Math.max(this.highestSeq, lastSeq);
    for (const [no, p] of this.pending) {
      if (sameChoice(p.choice, this.committed.get(no) ?? [])) this.pending.delete(no);
      else p.seq = null;
    }
    this.persist();
  }

  /** The connection dropped: whatever was in flight must go again on the next one. */
  disconnected(): void {
    this.inFlight.clear();
    for (const p of this.pending.values()) p.seq = null;
  }

  /** The saves to send now, each with a fresh seq, up to the in-flight limit. */
  drain(): SaveMessage[] {
    const out: SaveMessage[] = [];
    for (const [no, p] of [...this.pending].sort((a, b) => a[0] - b[0])) {
      if (this.inFlight.size >= this.maxInFlight) break;
      if (p.seq !== null) continue;
      p.seq = ++this.highestSeq;
      this.inFlight.set(p.seq, { no, choice: p.choice });
      out.push({ type: 'save', seq: p.seq, no, choice: p.choice });
    }
    if (out.length) this.persist();
    return out;
  }

  /** The server committed save `seq`. */
  ack(seq: number, no: number): void {
    const sent = this.inFlight.get(seq);
    this.inFlight.delete(seq);
    if (!sent || sent.no !== no) return;
    // A newer seq always wins on the server, so an older ack never overrides a newer commit.
    this.committed.set(no, sent.choice);
    const p = this.pending.get(no);
    if (p && p.seq === seq) this.pending.delete(no);
    this.persist();
  }

  /**
   * The server refused save `seq`. A final refusal drops the pick (the question shows the server's
   * answer again) and returns its question number; any other is sent again later.
   */
  refused(seq: number, code: ErrorCode): { no: number; dropped: boolean } | null {
    const sent = this.inFlight.get(seq);
    if (!sent) return null;
    this.inFlight.delete(seq);
    const p = this.pending.get(sent.no);
    if (!p || p.seq !== seq) return { no: sent.no, dropped: false };
    if (FINAL_SAVE_ERRORS.includes(code)) {
      this.pending.delete(sent.no);
      this.persist();
      return { no: sent.no, dropped: true };
    }
    p.seq = null;
    return { no: sent.no, dropped: false };
  }

  /** What the question shows: the pick not yet saved, else what the server holds. */
  choiceOf(no: number): number[] {
    return this.pending.get(no)?.choice ?? this.committed.get(no) ?? [];
  }

  status(no: number): SaveStatus {
    if (this.pending.has(no)) return 'saving';
    return (this.committed.get(no)?.length ?? 0) > 0 ? 'saved' : 'none';
  }

  /** Picks not yet acknowledged. */
  get unsaved(): number {
    return this.pending.size;
  }

  get waitingToSend(): boolean {
    return [...this.pending.values()].some((p) => p.seq === null);
  }

  /** After the paper is submitted, nothing is left to keep. */
  forget(): void {
    this.pending.clear();
    this.inFlight.clear();
    this.store?.removeItem(this.key);
  }

  private persist(): void {
    if (!this.store) return;
    const p: Persisted = { v: 1, highestSeq: this.highestSeq, pending: [...this.pending].map(([no, x]) => [no, x.choice]) };
    try {
      this.store.setItem(this.key, JSON.stringify(p));
    } catch {
      // A full or disabled localStorage: the memory copy still stands while the page lives.
    }
  }
}
