// `npm run bench -- backup-causes [--mib 512] [--seconds 8]`: why answer saves slow down while a backup
// runs, one cause at a time. A probe commits a one-row transaction every 10 ms on its own WAL database
// with synchronous=FULL (an fsync per commit, as the server's saves), and measures each commit, while a
// nice-19 child process does one thing the backup does: nothing (the baseline), CPU only (brotli -1 of
// in-memory data), holding a read transaction on the probe's database (its WAL cannot restart and grows),
// writing a snapshot-sized file and syncing it at the end (what SQLite's backup API does to its
// destination), the same file written with a sync every 8 MiB, the snapshot through SQLite's backup API,
// and the whole backup job as the server runs it (storage/backup/seal-job.ts, old and new snapshot).
// Each phase reports the probe's commit p50/p99/max; the machine's load is printed before and after.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { brotliCompressSync, constants as zc } from 'node:zlib';
import Database from 'better-sqlite3';
import { machineNote, percentile } from './lib/site.ts';

const MiB = 1024 * 1024;
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

type Phase = 'idle' | 'cpu' | 'pin' | 'write-sync-end' | 'write-sync-8mib' | 'job-before' | 'job-after';

// ---- The child: does one phase's work at nice 19 until told to stop ----------------------------------
if (process.env.BACKUP_CAUSES_CHILD) {
  setPriority(19);
  const [phase, dir, probeDb, bigDb] = JSON.parse(process.env.BACKUP_CAUSES_CHILD) as [Phase, string, string, string];
  let stop = false;
  process.on('message', () => {
    stop = true;
  });
  // CPU and pin phases last BACKUP_CAUSES_SECONDS; the others as long as their work.
  setTimeout(() => {
    stop = true;
  }, Number(process.env.BACKUP_CAUSES_SECONDS) * 1000).unref();
  const tick = () => new Promise((r) => setImmediate(r));
  const writeFile = async (syncEvery: number | null) => {
    const f = join(dir, 'child-write.bin');
    const fd = openSync(f, 'w');
    const chunk = Buffer.alloc(MiB, 7);
    let since = 0;
    for (let i = 0; i < 512; i++) {
      writeSync(fd, chunk);
      since += MiB;
      if (syncEvery && since >= syncEvery) {
        fsyncSync(fd);
        since = 0;
      }
      await tick();
    }
    fsyncSync(fd);
    closeSync(fd);
    rmSync(f);
  };
  if (phase === 'cpu') {
    const data = Buffer.from(JSON.stringify(Array.from({ length: 60_000 }, (_, i) => ({ i, name: '张伟', at: 1_780_000_000_000 + i }))));
    while (!stop) {
      brotliCompressSync(data, { params: { [zc.BROTLI_PARAM_QUALITY]: 1 } });
      await tick();
    }
  } else if (phase === 'pin') {
    const db = new Database(probeDb, { readonly: true });
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM t').get();
    while (!stop) await new Promise((r) => setTimeout(r, 50));
    db.exec('COMMIT');
    db.close();
  } else if (phase === 'write-sync-end') await writeFile(null);
  else if (phase === 'write-sync-8mib') await writeFile(8 * MiB);
  else if (phase === 'job-before' || phase === 'job-after') {
    const { mkdirSync } = await import('node:fs');
    const { snapshotAndSeal } = await import('../storage/backup/seal-job.ts');
    const { sealBackup, DB_MEMBER } = await import('../storage/backup/format.ts');
    const { backupKeyOf } = await import('../storage/backup/key.ts');
    const key = backupKeyOf(Buffer.alloc(32, 1));
    const work = join(dir, 'job-work');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work);
    const partial = join(dir, 'job.partial');
    if (phase === 'job-before') {
      // The job as it was: SQLite's backup API, 1024 pages a step, in a read transaction (its destination
      // synced whole at the end), then the sealed file synced once at its end.
      const src = new Database(bigDb, { readonly: true });
      src.exec('BEGIN');
      src.prepare('SELECT count(*) FROM sqlite_master').get();
      await src.backup(join(work, DB_MEMBER), { progress: () => 1024 });
      src.exec('COMMIT');
      src.close();
      await sealBackup(
        { site: 'bench', takenAt: Date.now(), reason: 'manual', schemaVersion: 0, auditHead: { seq: 0, hash: '0'.repeat(64) } },
        [{ name: DB_MEMBER, file: join(work, DB_MEMBER) }],
        key,
        partial,
        { syncEveryBytes: Number.POSITIVE_INFINITY },
      );
    } else {
      await snapshotAndSeal(
        { dbFile: bigDb, root: dir, anchors: join(dir, 'no-anchors'), work, partial, site: 'bench', takenAt: Date.now(), reason: 'manual' },
        key,
      );
    }
    rmSync(work, { recursive: true, force: true });
    rmSync(partial, { force: true });
  }
  process.send!('done', () => process.exit(0));
} else {
  const { values } = parseArgs({ options: { mib: { type: 'string', default: '512' }, seconds: { type: 'string', default: '8' } } });
  const seconds = Number(values.seconds);
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? '/var/tmp', 'examroom-bench-causes-'));
  try {
    console.log(`machine: ${machineNote()}`);
    // The big database the snapshot phases copy (site-like rows, as bench/backup.ts fills).
    const bigDb = join(dir, 'big.sqlite');
    {
      const db = new Database(bigDb);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = OFF');
      db.exec('CREATE TABLE f (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      const ins = db.prepare('INSERT INTO f (body) VALUES (?)');
      let seed = 7;
      const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
      while ((db.pragma('page_count', { simple: true }) as number) * 4096 < Number(values.mib) * MiB)
        db.transaction(() => {
          for (let i = 0; i < 2000; i++)
            ins.run(JSON.stringify({ actor: `device:R0${rnd() % 9}`, name: '张伟', at: rnd(), hash: rnd().toString(16).repeat(8) }));
        })();
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    }
    // The probe: the server's save, reduced to its commit, on the database the backup copies (as the
    // server's saves are): a pinned read transaction grows this WAL, and its first commit after the pin
    // ends pays the checkpoint of everything that piled up.
    const probe = new Database(bigDb);
    probe.pragma('journal_mode = WAL');
    probe.pragma('synchronous = FULL');
    // Answers keyed by a random id, as saves from 200 seats land all over an index: a few pages a commit.
    probe.exec('CREATE TABLE t (id TEXT PRIMARY KEY, seat TEXT, choice TEXT, at INTEGER) WITHOUT ROWID');
    const ins = probe.prepare('INSERT INTO t (id, seat, choice, at) VALUES (?, ?, ?, ?)');
    const save = {
      run: (seat: string, choice: string, at: number) =>
        probe.transaction(() => {
          for (let k = 0; k < 4; k++) ins.run(randomUUID(), seat, choice.repeat(200), at);
        })(),
    };
    // The two jobs alternate three times, so that the machine's changing load falls on both alike.
    const phases: Phase[] = [
      'idle',
      'cpu',
      'pin',
      'write-sync-end',
      'write-sync-8mib',
      'job-before',
      'job-after',
      'job-before',
      'job-after',
      'job-before',
      'job-after',
      'idle',
    ];
    const pooled = new Map<Phase, number[]>();
    const rows: string[] = [];
    for (const phase of phases) {
      const child =
        phase === 'idle'
          ? null
          : fork(import.meta.filename, [], {
              execArgv: ['--import', 'tsx'],
              env: { ...process.env, BACKUP_CAUSES_SECONDS: String(seconds), BACKUP_CAUSES_CHILD: JSON.stringify([phase, dir, bigDb, bigDb]) },
            });
      const childDone = child ? new Promise<void>((r) => child.once('exit', () => r())) : Promise.resolve();
      let finished = !child;
      void childDone.then(() => {
        finished = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      const lat: number[] = [];
      const t0 = performance.now();
      // The jobs run to their end (that is the phase); the others for `seconds`.
      let endAt = Number.POSITIVE_INFINITY;
      const until = () => {
        if (phase === 'idle') return performance.now() - t0 > seconds * 1000;
        // Two seconds past the child's end: the checkpoint of what a read transaction held back lands there.
        if (finished && endAt === Number.POSITIVE_INFINITY) endAt = performance.now() + 2000;
        return performance.now() > endAt;
      };
      let n = 0;
      while (!until() && performance.now() - t0 < 120_000) {
        const s = performance.now();
        save.run(`R01-T${n % 200}`, 'A', Date.now());
        lat.push(performance.now() - s);
        n++;
        await new Promise((r) => setTimeout(r, 10));
      }
      const secs = (performance.now() - t0) / 1000;
      if (!finished) {
        child?.send('stop');
        await childDone;
      }
      const walMiB = ((probe.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log * 4096) / MiB;
      pooled.set(phase, [...(pooled.get(phase) ?? []), ...lat]);
      const l = Float64Array.from(lat).sort();
      const row = `  ${phase.padEnd(16)} ${fmt(secs)} s, ${l.length} commits: p50 ${fmt(percentile(l, 0.5), 2)} ms, p99 ${fmt(percentile(l, 0.99), 1)} ms, max ${fmt(l.at(-1) ?? NaN, 1)} ms (WAL ${fmt(walMiB, 1)} MiB after)`;
      console.log(row);
    }
    for (const [phase, lat] of pooled) {
      const l = Float64Array.from(lat).sort();
      rows.push(`${phase} p99 ${fmt(percentile(l, 0.99), 1)} ms`);
      if (phase.startsWith('job') || phase === 'idle')
        console.log(
          `  all ${phase.padEnd(12)} ${l.length} commits: p50 ${fmt(percentile(l, 0.5), 2)} ms, p99 ${fmt(percentile(l, 0.99), 1)} ms, max ${fmt(l.at(-1) ?? NaN, 1)} ms`,
        );
    }
    probe.close();
    console.log(`machine: ${machineNote()}`);
    console.log(`backup-causes: ${rows.join(', ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}
