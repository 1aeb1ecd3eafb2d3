// The simulated terminals, split over a few worker threads (terminal-worker.ts), driven from the
// bench's main thread: a command goes to every worker and each answers once.
import { Worker } from 'node:worker_threads';
import type { Command, TermSpec } from './terminal-worker.ts';

const TSX_API = import.meta.resolve('tsx/esm/api');
const ENTRY = new URL('./terminal-worker.ts', import.meta.url).href;
// Node 20 does not pass --import to workers: the worker registers tsx itself, as bin/examroom.mjs does.
const BOOT = `import(${JSON.stringify(TSX_API)}).then((m) => { m.register(); return import(${JSON.stringify(ENTRY)}); })`;

type Reply = { ev: string } & Record<string, unknown>;

export class Fleet {
  private readonly waiting = new Map<Worker, Map<string, (r: Reply) => void>>();
  private readonly listeners = new Map<string, ((r: Reply) => void)[]>();

  private constructor(readonly workers: Worker[]) {
    for (const w of workers) {
      this.waiting.set(w, new Map());
      w.on('message', (r: Reply) => {
        const waiter = this.waiting.get(w)!.get(r.ev);
        if (waiter) {
          this.waiting.get(w)!.delete(r.ev);
          return waiter(r);
        }
        for (const l of this.listeners.get(r.ev) ?? []) l(r);
      });
      w.on('error', (err) => {
        process.stderr.write(`terminal worker failed: ${err.stack ?? String(err)}\n`);
        process.exit(1);
      });
    }
  }

  /** Terminals dealt round-robin over `workers` threads. */
  static start(terms: TermSpec[], opts: { workers: number; reconnect: boolean; seed?: number }): Fleet {
    const groups: TermSpec[][] = Array.from({ length: opts.workers }, () => []);
    terms.forEach((t, i) => groups[i % opts.workers]!.push(t));
    return new Fleet(
      groups.map((g, i) => new Worker(BOOT, { eval: true, workerData: { terms: g, reconnect: opts.reconnect, seed: (opts.seed ?? 20260310) + i * 7919 } })),
    );
  }

  /** Sends a command to every worker and waits for each one's reply of the given kind. */
  all<T = Reply>(command: Command, reply: string): Promise<T[]> {
    return Promise.all(
      this.workers.map(
        (w) =>
          new Promise<T>((resolve) => {
            this.waiting.get(w)!.set(reply, resolve as (r: Reply) => void);
            w.postMessage(command);
          }),
      ),
    );
  }

  /** Sends without waiting (the reply, if any, arrives through all() called later or on()). */
  post(command: Command): void {
    for (const w of this.workers) w.postMessage(command);
  }

  /** Replies of this kind that nobody waits for (e.g. 'resumed' as each terminal resumes). */
  on(ev: string, fn: (r: Reply) => void): void {
    this.listeners.set(ev, [...(this.listeners.get(ev) ?? []), fn]);
  }

  /** Waits for a reply of this kind from every worker, without sending anything. */
  expect<T = Reply>(reply: string): Promise<T[]> {
    return Promise.all(this.workers.map((w) => new Promise<T>((resolve) => this.waiting.get(w)!.set(reply, resolve as (r: Reply) => void))));
  }

  private stopped = false;

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.race([this.all({ cmd: 'close' }, 'closed'), new Promise((r) => setTimeout(r, 5000))]);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
