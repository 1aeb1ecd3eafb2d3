// The job runner: long tasks a person starts and watches (a session archive, a batch of score reports,
// an archive check) run in the server, not in the request. Each job is a row (storage/migrations
// 016_jobs), so a page that reloads finds it again by id; progress goes out on the event bus
// ('job.progress', 'job.status') and into the row, a few times a second at most; a cancel is a flag
// the job's AbortSignal carries (and a row column, so another process can set it); and a job whose
// process died is marked interrupted at the next start, never left "running" forever.
import { randomBytes } from 'node:crypto';
import { Conflict, DomainError, NotFound, newId, type Clock, type EventBus } from '../core/index.ts';
import type { Db } from '../storage/index.ts';
import { JobCancelled } from './cancel.ts';
import { processAlive } from './process-alive.ts';
import type { JobView } from './protocol.ts';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';
export const FINISHED: readonly JobStatus[] = ['done', 'failed', 'cancelled', 'interrupted'];

export interface Job {
  id: string;
  kind: string;
  params: unknown;
  status: JobStatus;
  createdBy: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  progress: { done: number; total: number | null; note: string | null };
  cancelRequested: boolean;
  cancelledBy: string | null;
  result: unknown;
  error: string | null;
}

export interface JobContext<P> {
  id: string;
  params: P;
  /** Aborted when the job is cancelled or the runner closes: pass it to every stream and writer. */
  signal: AbortSignal;
  /** Where the job is; total null while unknown. Cheap to call per chunk: the runner throttles. */
  progress(done: number, total?: number | null, note?: string | null): void;
  /** Throws JobCancelled when a cancel was asked for (here or from another process). */
  throwIfCancelled(): void;
}

export type JobHandler<P = unknown, R = unknown> = (ctx: JobContext<P>) => Promise<R>;

export interface JobRunnerDeps {
  db: Db;
  bus: EventBus;
  clock: Clock;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Jobs running at once; more wait queued. Default 1: an archive reads the disk and fills a core. */
  concurrency?: number;
  /** Least time between two progress writes and events of one job, ms (default 500). */
  progressEveryMs?: number;
  /** How long close() waits for aborted jobs to return before recording them interrupted anyway (default 5000). */
  closeWaitMs?: number;
}

export interface JobRunner {
  /** Names a kind of job and the code that runs it; once per kind. */
  define<P, R>(kind: string, handler: JobHandler<P, R>): void;
  /** Stores the job (queued) and runs it when a slot is free. */
  start(kind: string, params: unknown, by: string): Job;
  get(id: string): Job;
  list(filter?: { kind?: string; status?: JobStatus[]; limit?: number }): Job[];
  /** Asks a queued or running job to stop; a finished one is a Conflict. */
  cancel(id: string, by: string): Job;
  /** Resolves with the job once it has finished (whichever process runs it). */
  wait(id: string): Promise<Job>;
  /**
   * Marks interrupted every queued or running job whose process is gone (this runner's own process
   * included, for jobs of an earlier runner in it). The server calls it once at start-up; returns them.
   */
  recoverInterrupted(): Job[];
  /** Stops: running jobs are aborted and recorded as interrupted, queued ones too. */
  close(): Promise<void>;
}

/**
 * A job that fails with something a page shows in detail (a bank import's bad rows, each with its row
 * and column): the message is the job's error and `result` is kept as the failed job's result.
 */
export class JobFailedWith extends DomainError {
  override readonly code = 'failed';
  constructor(
    message: string,
    readonly result: unknown,
  ) {
    super(message);
    this.name = 'JobFailedWith';
  }
}

/** The job runner is closing: jobs stopped by it are interrupted, not cancelled by anyone. */
class RunnerClosing extends DomainError {
  override readonly code = 'interrupted';
}

interface JobRow {
  id: string;
  kind: string;
  params: string;
  status: JobStatus;
  created_by: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  runner: string;
  progress_done: number;
  progress_total: number | null;
  progress_note: string | null;
  cancel_requested: number;
  cancelled_by: string | null;
  result: string | null;
  error: string | null;
}

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    params: JSON.parse(r.params),
    status: r.status,
    createdBy: r.created_by,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    progress: { done: r.progress_done, total: r.progress_total, note: r.progress_note },
    cancelRequested: r.cancel_requested === 1,
    cancelledBy: r.cancelled_by,
    result: r.result === null ? null : JSON.parse(r.result),
    error: r.error,
  };
}

/** Runner instances alive in this process: how a start-up tells an earlier runner's jobs from its own. */
const liveRunners = new Set<string>();

function runnerGone(runner: string): boolean {
  const pid = Number(runner.split(':')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return !liveRunners.has(runner);
  return !processAlive(pid);
}

export function createJobRunner(deps: JobRunnerDeps): JobRunner {
  const { db, bus, clock } = deps;
  const concurrency = Math.max(1, deps.concurrency ?? 1);
  const every = deps.progressEveryMs ?? 500;
  const self = `${process.pid}:${randomBytes(6).toString('hex')}`;
  liveRunners.add(self);
  const handlers = new Map<string, JobHandler<never, unknown>>();
  const queue: string[] = [];
  const running = new Map<string, AbortController>();
  const waiters = new Map<string, Array<(j: Job) => void>>();
  const settled = new Set<Promise<void>>();
  let closed = false;

  const q = {
    get: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?'),
    insert: db.prepare(`INSERT INTO jobs (id, kind, params, status, created_by, created_at, runner, updated_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?)`),
    start: db.prepare(`UPDATE jobs SET status = 'running', started_at = ?, updated_at = ? WHERE id = ? AND status = 'queued'`),
    progress: db.prepare('UPDATE jobs SET progress_done = ?, progress_total = ?, progress_note = ?, updated_at = ? WHERE id = ?'),
    cancelFlag: db.prepare<[string], { cancel_requested: number }>('SELECT cancel_requested FROM jobs WHERE id = ?'),
    finish: db.prepare(`UPDATE jobs SET status = ?, finished_at = ?, result = ?, error = ?, updated_at = ? WHERE id = ? AND status IN ('queued', 'running')`),
    requestCancel: db.prepare(`UPDATE jobs SET cancel_requested = 1, cancelled_by = ?, updated_at = ? WHERE id = ? AND status IN ('queued', 'running')`),
    unfinished: db.prepare<[], JobRow>(`SELECT * FROM jobs WHERE status IN ('queued', 'running') ORDER BY created_at`),
  };

  const emitStatus = (job: Job) => bus.emit('job.status', { jobId: job.id, kind: job.kind, status: job.status, error: job.error, at: clock.now() });

  const get = (id: string): Job => {
    const r = q.get.get(id);
    if (!r) throw new NotFound(`no job ${id}`);
    return toJob(r);
  };

  const finish = (id: string, status: JobStatus, result: unknown, error: string | null): Job => {
    const now = clock.now();
    q.finish.run(status, now, result === undefined || result === null ? null : JSON.stringify(result), error, now, id);
    const job = get(id);
    emitStatus(job);
    for (const w of waiters.get(id) ?? []) w(job);
    waiters.delete(id);
    return job;
  };

  async function run(id: string): Promise<void> {
    const row = q.get.get(id);
    // Cancelled (here or from another process) while it waited.
    if (row?.status !== 'queued') return;
    const handler = handlers.get(row.kind);
    if (!handler) {
      finish(id, 'failed', null, `no handler for jobs of kind ${row.kind} in this process`);
      return;
    }
    const ac = new AbortController();
    running.set(id, ac);
    const now = clock.now();
    q.start.run(now, now, id);
    emitStatus(get(id));
    let lastWrite = Number.NEGATIVE_INFINITY;
    let pending: { done: number; total: number | null; note: string | null } | null = null;
    const flush = () => {
      if (!pending) return;
      const at = clock.now();
      q.progress.run(pending.done, pending.total, pending.note, at, id);
      bus.emit('job.progress', { jobId: id, kind: row.kind, ...pending, at });
      pending = null;
      // A cancel set by another process (the CLI next to the server) is seen at the next write.
      if (!ac.signal.aborted && q.cancelFlag.get(id)?.cancel_requested === 1) ac.abort(new JobCancelled());
    };
    const ctx: JobContext<unknown> = {
      id,
      params: JSON.parse(row.params),
      signal: ac.signal,
      progress(done, total = null, note = null) {
        pending = { done, total, note };
        // Wall time, not the clock: throttling is about this machine's load, not about what time it is.
        const t = performance.now();
        if (t - lastWrite >= every) {
          lastWrite = t;
          flush();
        }
      },
      throwIfCancelled() {
        if (ac.signal.aborted) throw ac.signal.reason instanceof Error ? ac.signal.reason : new JobCancelled();
      },
    };
    try {
      const result = await (handler as JobHandler<unknown, unknown>)(ctx);
      flush();
      // A job that finished its work although a cancel came at the last moment is done: its result exists.
      finish(id, 'done', result ?? null, null);
    } catch (err) {
      flush();
      const reason = ac.signal.aborted ? ac.signal.reason : null;
      if (reason instanceof RunnerClosing) finish(id, 'interrupted', null, reason.message);
      else if (err instanceof JobCancelled || reason instanceof JobCancelled) finish(id, 'cancelled', null, null);
      else {
        // A DomainError's message is written for people; anything else is a bug, logged in full.
        const message = err instanceof DomainError ? err.message : `failed unexpectedly (${(err as Error)?.message ?? String(err)})`;
        if (!(err instanceof DomainError)) deps.log?.error({ err, jobId: id, kind: row.kind }, 'job failed unexpectedly');
        finish(id, 'failed', err instanceof JobFailedWith ? err.result : null, message);
      }
    } finally {
      running.delete(id);
    }
  }

  function pump(): void {
    while (!closed && running.size < concurrency && queue.length > 0) {
      const id = queue.shift()!;
      const p = run(id).catch((err) => deps.log?.error({ err, jobId: id }, 'job runner failed'));
      settled.add(p);
      void p.finally(() => {
        settled.delete(p);
        pump();
      });
      // run() marks the job running synchronously before its first await, so running.size is current.
    }
  }

  return {
    define(kind, handler) {
      if (handlers.has(kind)) throw new Conflict(`jobs of kind ${kind} already have a handler`);
      handlers.set(kind, handler as JobHandler<never, unknown>);
    },
    start(kind, params, by) {
      if (closed) throw new Conflict('the job runner is stopping; start the job again after the restart');
      if (!handlers.has(kind)) throw new NotFound(`no kind of job named ${kind}`);
      const now = clock.now();
      const id = newId(now);
      q.insert.run(id, kind, JSON.stringify(params ?? null), by, now, self, now);
      const job = get(id);
      emitStatus(job);
      queue.push(id);
      pump();
      return get(id);
    },
    get,
    list(filter = {}) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.kind) {
        where.push('kind = ?');
        args.push(filter.kind);
      }
      if (filter.status?.length) {
        where.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
        args.push(...filter.status);
      }
      const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`;
      return (db.prepare(sql).all(...args, Math.min(filter.limit ?? 100, 1000)) as JobRow[]).map(toJob);
    },
    cancel(id, by) {
      const job = get(id);
      if (FINISHED.includes(job.status)) throw new Conflict(`job ${id} has already ended (${job.status}); there is nothing to cancel`);
      q.requestCancel.run(by, clock.now(), id);
      if (job.status === 'queued') {
        const i = queue.indexOf(id);
        if (i >= 0) queue.splice(i, 1);
        return finish(id, 'cancelled', null, null);
      }
      running.get(id)?.abort(new JobCancelled(`cancelled by ${by}`));
      return get(id);
    },
    wait(id) {
      const job = get(id);
      if (FINISHED.includes(job.status)) return Promise.resolve(job);
      if (running.has(id) || queue.includes(id)) {
        return new Promise((resolve) => {
          const list = waiters.get(id) ?? [];
          list.push(resolve);
          waiters.set(id, list);
        });
      }
      // Another process runs it: its row is all there is to watch.
      return new Promise((resolve, reject) => {
        const timer = setInterval(
          () => {
            try {
              const j = get(id);
              if (FINISHED.includes(j.status)) {
                clearInterval(timer);
                resolve(j);
              }
            } catch (err) {
              clearInterval(timer);
              reject(err);
            }
          },
          Math.max(every, 100),
        );
      });
    },
    recoverInterrupted() {
      const recovered: Job[] = [];
      for (const r of q.unfinished.all()) {
        if (!runnerGone(r.runner)) continue;
        const gone = r.runner.split(':')[0];
        recovered.push(finish(r.id, 'interrupted', null, `the process that ran it (pid ${gone}) stopped before it ended; start it again`));
      }
      if (recovered.length) deps.log?.warn({ jobs: recovered.map((j) => j.id) }, 'jobs interrupted by a stop were marked so');
      return recovered;
    },
    async close() {
      closed = true;
      for (const id of queue.splice(0)) finish(id, 'interrupted', null, 'the server stopped before the job began; start it again');
      const why = 'the server stopped while the job ran; start it again';
      for (const ac of running.values()) ac.abort(new RunnerClosing(why));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...settled]),
        new Promise((r) => {
          timer = setTimeout(r, deps.closeWaitMs ?? 5000);
        }),
      ]);
      clearTimeout(timer);
      // A job that ignores its signal cannot hold up a shutdown; its row must not stay "running".
      for (const id of [...running.keys()]) finish(id, 'interrupted', null, why);
      running.clear();
      liveRunners.delete(self);
    },
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A job as the HTTP API and the web apps see it (documents/protocol.ts). */
export function jobView(j: Job): JobView {
  return {
    id: j.id,
    kind: j.kind,
    params: j.params,
    status: j.status,
    createdBy: j.createdBy,
    createdAt: iso(j.createdAt)!,
    startedAt: iso(j.startedAt),
    finishedAt: iso(j.finishedAt),
    progress: j.progress,
    cancelRequested: j.cancelRequested,
    cancelledBy: j.cancelledBy,
    result: j.result,
    error: j.error,
  };
}
