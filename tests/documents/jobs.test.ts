// The job runner (documents/jobs.ts) on a real SQLite file: progress reaches the bus and the row (so a
// reloaded page re-attaches by id), a cancel reaches the job's signal — from this process or another —,
// failures say why, and a job whose process was killed is marked interrupted at the next start.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createEventBus, DomainError, fixedClock, type EventMap } from '../../core/index.ts';
import { createJobRunner, JobCancelled } from '../../documents/index.ts';
import { openDatabase } from '../../storage/index.ts';
import { ROOT, scratchDir } from '../helpers.ts';

function setup(t: Test, opts: { concurrency?: number } = {}) {
  const dir = scratchDir(t, 'examroom-jobs-');
  const file = join(dir, 'examroom.sqlite');
  const db = openDatabase(file);
  const bus = createEventBus();
  const clock = fixedClock(Date.UTC(2026, 11, 6, 8));
  const events: Array<{ name: string; payload: unknown }> = [];
  bus.on('job.progress', (p) => events.push({ name: 'job.progress', payload: p }));
  bus.on('job.status', (p) => events.push({ name: 'job.status', payload: p }));
  const runner = createJobRunner({ db, bus, clock, progressEveryMs: 0, ...opts });
  t.teardown(async () => {
    await runner.close();
    db.close();
  });
  return { dir, file, db, bus, clock, events, runner };
}

/** A job that waits for its test to let it go, reporting progress at each step. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

t.test('a job runs, its progress goes to the bus and to its row, and a reloaded page finds it by id', async (t) => {
  const s = setup(t);
  const step = gate();
  s.runner.define<{ session: string }, { file: string }>('archive', async (ctx) => {
    ctx.progress(1, 3, 'roster');
    await step.opened;
    ctx.progress(2, 3, 'video index');
    return { file: `${ctx.params.session}.zip` };
  });
  const job = s.runner.start('archive', { session: 'S1' }, 'admin');
  t.equal(job.status, 'running', 'a free slot starts it at once');
  // What a reloaded page asks for: the job by id, and the running jobs of its kind.
  const seen = s.runner.get(job.id);
  t.same(seen.progress, { done: 1, total: 3, note: 'roster' });
  t.same(
    s.runner.list({ kind: 'archive', status: ['queued', 'running'] }).map((j) => j.id),
    [job.id],
  );
  step.open();
  const done = await s.runner.wait(job.id);
  t.equal(done.status, 'done');
  t.same(done.result, { file: 'S1.zip' });
  t.same(done.progress, { done: 2, total: 3, note: 'video index' });
  t.equal(done.createdBy, 'admin');
  t.same(
    s.events.map((e) => [e.name, (e.payload as EventMap['job.status']).status ?? (e.payload as EventMap['job.progress']).done]),
    [
      ['job.status', 'queued'],
      ['job.status', 'running'],
      ['job.progress', 1],
      ['job.progress', 2],
      ['job.status', 'done'],
    ],
  );
});

t.test('progress is written at most once per interval, and the last figure always lands', async (t) => {
  const dir = scratchDir(t, 'examroom-jobs-');
  const db = openDatabase(join(dir, 'x.sqlite'));
  t.teardown(() => db.close());
  const bus = createEventBus();
  let events = 0;
  bus.on('job.progress', () => events++);
  const runner = createJobRunner({ db, bus, clock: fixedClock(0), progressEveryMs: 60_000 });
  t.teardown(() => runner.close());
  runner.define('count', async (ctx) => {
    for (let i = 1; i <= 10_000; i++) ctx.progress(i, 10_000);
  });
  const job = await runner.wait(runner.start('count', null, 'admin').id);
  t.equal(events, 2, 'the first call and the final flush, not ten thousand');
  t.same(job.progress, { done: 10_000, total: 10_000, note: null });
});

t.test('a cancel reaches the running job through its signal; it ends cancelled, not failed', async (t) => {
  const s = setup(t);
  let sawAbort = false;
  s.runner.define('slow', async (ctx) => {
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    sawAbort = true;
    ctx.throwIfCancelled();
    return 'should not get here';
  });
  const job = s.runner.start('slow', {}, 'admin');
  const asked = s.runner.cancel(job.id, 'invig');
  t.equal(asked.cancelRequested, true);
  const ended = await s.runner.wait(job.id);
  t.ok(sawAbort);
  t.equal(ended.status, 'cancelled');
  t.equal(ended.cancelledBy, 'invig');
  t.equal(ended.result, null);
  t.throws(() => s.runner.cancel(job.id, 'admin'), /already ended \(cancelled\)/, 'an ended job cannot be cancelled again');
});

t.test('a queued job cancelled before its turn never runs; jobs run one at a time in order', async (t) => {
  const s = setup(t);
  const ran: string[] = [];
  const first = gate();
  s.runner.define<{ n: string }, void>('step', async (ctx) => {
    ran.push(ctx.params.n);
    if (ctx.params.n === 'a') await first.opened;
  });
  const a = s.runner.start('step', { n: 'a' }, 'admin');
  const b = s.runner.start('step', { n: 'b' }, 'admin');
  const c = s.runner.start('step', { n: 'c' }, 'admin');
  t.equal(s.runner.get(b.id).status, 'queued');
  t.equal(s.runner.cancel(b.id, 'admin').status, 'cancelled');
  first.open();
  t.equal((await s.runner.wait(c.id)).status, 'done');
  t.equal((await s.runner.wait(a.id)).status, 'done');
  t.same(ran, ['a', 'c']);
});

t.test('a cancel from another process (a second runner on the same file) is seen at the next progress write', async (t) => {
  const s = setup(t);
  const otherDb = openDatabase(s.file);
  const other = createJobRunner({ db: otherDb, bus: createEventBus(), clock: s.clock });
  t.teardown(async () => {
    await other.close();
    otherDb.close();
  });
  let cancelledSeen = false;
  s.runner.define('loop', async (ctx) => {
    for (let i = 0; ; i++) {
      ctx.progress(i);
      if (ctx.signal.aborted) {
        cancelledSeen = true;
        throw new JobCancelled();
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  const job = s.runner.start('loop', {}, 'admin');
  await new Promise((r) => setTimeout(r, 30));
  t.equal(other.cancel(job.id, 'cli').status, 'running', 'the other process only sets the flag');
  const ended = await s.runner.wait(job.id);
  t.ok(cancelledSeen);
  t.equal(ended.status, 'cancelled');
  t.equal((await other.wait(job.id)).status, 'cancelled', 'the other process can wait on it through the row');
});

t.test('a failure records why: a domain error in its own words, anything else as unexpected', async (t) => {
  const s = setup(t);
  s.runner.define('bad', async () => {
    throw new DomainError('session S9 is not graded yet; grade it before archiving');
  });
  s.runner.define('bug', async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'x')");
  });
  const bad = await s.runner.wait(s.runner.start('bad', {}, 'admin').id);
  t.same([bad.status, bad.error], ['failed', 'session S9 is not graded yet; grade it before archiving']);
  const bug = await s.runner.wait(s.runner.start('bug', {}, 'admin').id);
  t.equal(bug.status, 'failed');
  t.match(bug.error, /^failed unexpectedly \(Cannot read properties/);
  t.throws(() => s.runner.start('nope', {}, 'admin'), /no kind of job named nope/);
  t.throws(() => s.runner.define('bad', async () => {}), /already have a handler/);
  t.throws(() => s.runner.get('missing'), /no job missing/);
});

t.test('closing the runner interrupts its jobs, running and queued, and does not wait forever for one that ignores it', async (t) => {
  const s = setup(t);
  s.runner.define('forever', async (ctx) => {
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    ctx.throwIfCancelled();
  });
  const a = s.runner.start('forever', {}, 'admin');
  const b = s.runner.start('forever', {}, 'admin');
  await s.runner.close();
  t.same([s.runner.get(a.id).status, s.runner.get(b.id).status], ['interrupted', 'interrupted']);
  t.match(s.runner.get(a.id).error, /stopped while the job ran/);
  t.throws(() => s.runner.start('forever', {}, 'admin'), /stopping/);

  const deaf = createJobRunner({ db: s.db, bus: s.bus, clock: s.clock, closeWaitMs: 50 });
  deaf.define('deaf', () => new Promise(() => {}));
  const c = deaf.start('deaf', {}, 'admin');
  await deaf.close();
  t.equal(deaf.get(c.id).status, 'interrupted', 'a job that ignores its signal is recorded interrupted after the wait');
});

t.test('a job whose process was killed is marked interrupted at the next start; a live one is left alone', async (t) => {
  const s = setup(t);
  // A live job of this process's runner: not to be touched by a start-up in another runner.
  const hold = gate();
  s.runner.define('live', () => hold.opened);
  const live = s.runner.start('live', {}, 'admin');

  const script = join(s.dir, 'child.ts');
  writeFileSync(
    script,
    `import { createEventBus, systemClock } from ${JSON.stringify(join(ROOT, 'core/index.ts'))};
import { createJobRunner } from ${JSON.stringify(join(ROOT, 'documents/index.ts'))};
import { openDatabase } from ${JSON.stringify(join(ROOT, 'storage/index.ts'))};
const db = openDatabase(${JSON.stringify(s.file)});
const runner = createJobRunner({ db, bus: createEventBus(), clock: systemClock });
runner.define('export', async (ctx) => { ctx.progress(1, 10, 'started'); await new Promise(() => setInterval(() => {}, 1000)); });
const job = runner.start('export', { session: 'S1' }, 'admin');
process.stdout.write(job.id + '\\n');
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const jobId = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`child exited ${code} before starting its job`)));
  });
  t.equal(s.runner.get(jobId).status, 'running', 'the child runs it');
  t.same(s.runner.recoverInterrupted(), [], 'while the child lives, a start-up leaves its job alone');
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGKILL');
  await exited;

  const recovered = s.runner.recoverInterrupted();
  t.same(
    recovered.map((j) => j.id),
    [jobId],
  );
  const job = s.runner.get(jobId);
  t.equal(job.status, 'interrupted');
  t.match(job.error, new RegExp(`pid ${child.pid}\\) stopped before it ended`));
  t.same(job.progress, { done: 1, total: 10, note: 'started' }, 'its last progress stays, to show how far it got');
  t.equal(s.runner.get(live.id).status, 'running', 'the live job of this process is untouched');
  hold.open();
  t.equal((await s.runner.wait(live.id)).status, 'done');
});
