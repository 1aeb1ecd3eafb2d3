// A small pool of face workers with a FIFO queue. Each worker handles one request at a time (tfjs-wasm
// is single-threaded per runtime), so the queue is where requests wait, never the event loop.
import { Worker } from 'node:worker_threads';
import type { CoreLimits, DetectMode } from './core.ts';

export type WorkerRequest =
  | { id: number; op: 'describe'; image: ArrayBuffer; mode: DetectMode }
  | { id: number; op: 'analyse'; image: ArrayBuffer }
  | { id: number; op: 'crash'; image: ArrayBuffer };

export type WorkerReply =
  | { type: 'ready'; backend: string }
  | { type: 'fatal'; error: string }
  | { type: 'result'; id: number; result: unknown; tensors: number }
  | { type: 'error'; id: number; error: string };

export interface PoolLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

interface Job {
  id: number;
  op: WorkerRequest['op'];
  image: Uint8Array;
  mode?: DetectMode;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  index: number;
}

// The worker is TypeScript; worker-boot.mjs loads it through tsx's API (see there for why not execArgv).
const workerUrl = new URL('./worker-boot.mjs', import.meta.url);
// A worker that dies before its models load will die again: stop instead of respawning forever.
const MAX_EARLY_DEATHS = 3;

export class FacePool {
  private slots: Slot[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readyWaiters: Array<{ resolve(): void; reject(e: Error): void }> = [];
  private fatal: Error | null = null;
  backend = '';
  /** Live tensors in the worker after its last request: a leak shows as a growing number. */
  lastTensorCount = 0;
  restarts = 0;
  private earlyDeaths = 0;

  constructor(
    private readonly size: number,
    private readonly limits: Partial<CoreLimits>,
    private readonly log: PoolLog | undefined,
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn(i));
  }

  private spawn(index: number): Slot {
    const worker = new Worker(workerUrl, {
      execArgv: [],
      workerData: { limits: this.limits },
    });
    const slot: Slot = { worker, ready: false, job: null, index };
    worker.on('message', (msg: WorkerReply) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.log?.error({ err, worker: index }, 'face worker error'));
    worker.on('exit', (code) => this.onExit(slot, code));
    return slot;
  }

  private onMessage(slot: Slot, msg: WorkerReply): void {
    if (msg.type === 'ready') {
      slot.ready = true;
      this.earlyDeaths = 0;
      this.backend = msg.backend;
      this.log?.info({ worker: slot.index, backend: msg.backend }, 'face worker ready');
      for (const w of this.readyWaiters.splice(0)) w.resolve();
      this.pump();
      return;
    }
    if (msg.type === 'fatal') {
      this.fatal = new Error(msg.error);
      for (const w of this.readyWaiters.splice(0)) w.reject(this.fatal);
      for (const j of this.queue.splice(0)) j.reject(this.fatal);
      return;
    }
    const job = slot.job;
    if (!job || job.id !== msg.id) return;
    slot.job = null;
    if (msg.type === 'result') {
      this.lastTensorCount = msg.tensors;
      job.resolve(msg.result);
    } else {
      job.reject(new Error(`face worker failed on ${job.op}: ${msg.error}`));
    }
    this.pump();
  }

  private onExit(slot: Slot, code: number): void {
    const job = slot.job;
    slot.job = null;
    if (job) job.reject(new Error(`face worker ${slot.index} exited with code ${code} while handling ${job.op}; the request was not completed`));
    if (this.closed || this.fatal) return;
    if (!slot.ready && ++this.earlyDeaths >= MAX_EARLY_DEATHS) {
      this.fatal = new Error(`face worker exited ${this.earlyDeaths} times (code ${code}) before its models loaded; the face engine is unavailable`);
      this.log?.error({ worker: slot.index, code }, this.fatal.message);
      for (const w of this.readyWaiters.splice(0)) w.reject(this.fatal);
      for (const j of this.queue.splice(0)) j.reject(this.fatal);
      return;
    }
    this.restarts++;
    this.log?.warn({ worker: slot.index, code, restarts: this.restarts }, 'face worker exited; restarting');
    const fresh = this.spawn(slot.index);
    this.slots[slot.index] = fresh;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      // Copy into a fresh transferable buffer (Buffer#slice would share the pool memory): the caller
      // keeps its own Buffer intact.
      const copy = new Uint8Array(job.image.byteLength);
      copy.set(job.image);
      const image = copy.buffer;
      const msg = { id: job.id, op: job.op, image, ...(job.mode ? { mode: job.mode } : {}) } as WorkerRequest;
      slot.worker.postMessage(msg, [image]);
    }
  }

  /** Resolves once at least one worker has its models loaded. */
  ready(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.slots.some((s) => s.ready)) return Promise.resolve();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  run<T>(op: WorkerRequest['op'], image: Uint8Array, mode?: DetectMode): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the face engine is closed'));
    if (this.fatal) return Promise.reject(this.fatal);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, op, image, ...(mode ? { mode } : {}), resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.job).length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('the face engine was closed before this request ran');
    for (const j of this.queue.splice(0)) j.reject(err);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
