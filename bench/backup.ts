// Database backups (storage/backup/): how long a 1 GB database takes to back up (snapshot in small steps
// + brotli + AES-256-GCM, target ≤ 30 s), what the compression choices cost on the same data, and the
// p99 of answer saves at 200 terminals against a real server process, without a backup and while one
// asked for from the admin console runs (in its low-priority child process; target ≤ 20 ms during).
// Usage: npm run bench -- backup [--gib 1] [--terminals 200] [--seconds 20] [--keep]
import { appendFileSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createReadStream } from 'node:fs';
import { brotliCompressSync, constants as zc, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { fixedClock } from '../core/index.ts';
import {
  checkBackupFile,
  createAuditLog,
  createBackupService,
  dataPaths,
  ensureDataFolders,
  loadAuditKey,
  loadBackupKey,
  openDatabase,
} from '../storage/index.ts';
import { hashPassword } from '../server/auth/passwords.ts';
import { ensureServerBuild } from '../server/build-server.mjs';
import { Fleet } from './lib/fleet.ts';
import { cpuMeter, machineNote, percentile, prepareSite, removeSite, spawnServer } from './lib/site.ts';
import type { PhaseStats } from './lib/terminal-worker.ts';

const { values } = parseArgs({
  options: {
    gib: { type: 'string', default: '1' },
    terminals: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
  },
});
const GIB = Number(values.gib);
const n = Number(values.terminals);
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const log = (s: string) => console.log(s);
const MiB = 1024 * 1024;

/**
 * Rows like the ones a site accumulates (audit details, answers, rosters): text with names, numbers and
 * repeated field names, so it compresses about as a real database does, not as zeros or noise.
 */
function fill(file: string, bytes: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.exec('CREATE TABLE IF NOT EXISTS bench_filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const ins = db.prepare('INSERT INTO bench_filler (body) VALUES (?)');
  const names = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨帆', '赵磊', '黄敏'];
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const row = () =>
    JSON.stringify({
      actor: `device:R0${rnd() % 9}-T${String(rnd() % 500).padStart(3, '0')}`,
      action: ['answer.saved', 'terminal.online', 'identity.verified', 'media.view.start'][rnd() % 4],
      name: names[rnd() % names.length],
      idNumber: `44010${String(rnd()).padStart(13, '0')}`.slice(0, 18),
      choice: 'ABCD'[rnd() % 4],
      at: 1_780_000_000_000 + rnd(),
      hash: rnd().toString(16).repeat(8).slice(0, 64),
    });
  const per = 2000;
  const target = bytes;
  while (statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0) < target) {
    db.transaction(() => {
      for (let i = 0; i < per; i++) ins.run(row());
    })();
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/**
 * What the disk and the backup are doing, every 100 ms while the backup runs, to say why saves slow
 * down: the step the backup is in (the snapshot file growing, then the sealed file), the server's WAL
 * (pinned by the snapshot's read transaction, it cannot restart), the kernel's dirty and writeback
 * page-cache bytes (what a save's fsync may have to wait behind on ext4), and the saves' p99 per step.
 */
function backupSampler(dataDir: string) {
  const staging = join(dataDir, 'backups');
  const wal = join(dataDir, 'db', 'examroom.sqlite-wal');
  const size = (f: string) => statSync(f, { throwIfNoEntry: false })?.size ?? 0;
  const meminfo = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024;
  const samples: { at: number; step: 'snapshot' | 'seal' | 'after' | 'other'; walMiB: number; dirtyMiB: number; writebackMiB: number }[] = [];
  const timer = setInterval(() => {
    const last = samples.at(-1);
    // The three seconds after a backup: the checkpoint of the saves its read transaction held back lands there.
    let step: 'snapshot' | 'seal' | 'after' | 'other' =
      last && (last.step === 'seal' || (last.step === 'after' && Date.now() - samples.findLast((x) => x.step === 'seal')!.at < 3000)) ? 'after' : 'other';
    try {
      const names = readdirSync(staging);
      if (names.some((n) => n.endsWith('.partial') && size(join(staging, n)) > 0)) step = 'seal';
      else if (names.some((n) => n.startsWith('.work-'))) step = 'snapshot';
    } catch {
      // No staging folder before the first backup.
    }
    samples.push({ at: Date.now(), step, walMiB: size(wal) / MiB, dirtyMiB: meminfo('Dirty'), writebackMiB: meminfo('Writeback') });
  }, 100);
  return {
    stop() {
      clearInterval(timer);
    },
    report(lat: Float64Array, at: Float64Array): string[] {
      const stepAt = (t: number) => {
        let s: (typeof samples)[number]['step'] = 'other';
        for (const x of samples) {
          if (x.at > t) break;
          s = x.step;
        }
        return s;
      };
      const out: string[] = [];
      for (const step of ['snapshot', 'seal', 'after'] as const) {
        const mine = samples.filter((x) => x.step === step);
        if (!mine.length) continue;
        const l = Float64Array.from([...lat].filter((_, i) => stepAt(at[i]!) === step)).sort();
        const max = (k: 'walMiB' | 'dirtyMiB' | 'writebackMiB') => fmt(Math.max(...mine.map((x) => x[k])), 0);
        out.push(
          `    ${step.padEnd(8)} ${fmt((mine.length * 100) / 1000)} s: ${l.length} saves, p50 ${fmt(percentile(l, 0.5), 1)} ms, p99 ${fmt(percentile(l, 0.99), 1)} ms; WAL up to ${max('walMiB')} MiB, dirty up to ${max('dirtyMiB')} MiB, writeback up to ${max('writebackMiB')} MiB`,
        );
      }
      return out;
    },
  };
}

log(`machine: ${machineNote()}`);

// ---- 1. A 1 GB database, backed up and verified in this process --------------------------------------
const dir = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'examroom-bench-backup-'));
try {
  const paths = dataPaths(join(dir, 'data'));
  ensureDataFolders(paths);
  openDatabase(paths.dbFile).close();
  let t0 = performance.now();
  fill(paths.dbFile, GIB * 1024 * MiB);
  const dbBytes = statSync(paths.dbFile).size;
  log(`database: ${fmt(dbBytes / MiB, 0)} MiB of site-like rows, made in ${fmt((performance.now() - t0) / 1000)} s`);

  // The compression choice, on the first 64 MiB of the same file.
  const sample = await new Promise<Buffer>((res) => {
    const parts: Buffer[] = [];
    let got = 0;
    createReadStream(paths.dbFile, { start: 0, end: 64 * MiB - 1 })
      .on('data', (c) => {
        parts.push(c as Buffer);
        got += (c as Buffer).length;
      })
      .on('end', () => res(Buffer.concat(parts, got)));
  });
  const measure = (label: string, f: (b: Buffer) => Buffer) => {
    const s = performance.now();
    const out = f(sample);
    const secs = (performance.now() - s) / 1000;
    log(`  ${label.padEnd(12)} ${fmt(sample.length / MiB / secs, 0)} MiB/s, ${fmt((100 * out.length) / sample.length)} % of the size`);
  };
  log('compression of 64 MiB of it (one core; Node 20 has no zstd):');
  measure('gzip -1', (b) => gzipSync(b, { level: 1 }));
  measure('gzip -6', (b) => gzipSync(b, { level: 6 }));
  measure('brotli -1', (b) => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 1 } }));
  measure('brotli -4', (b) => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 4 } }));

  const db = openDatabase(paths.dbFile);
  const keysDir = join(dir, 'keys');
  const clock = fixedClock(Date.now());
  const audit = createAuditLog(db, clock, { key: loadAuditKey(keysDir, { create: true }) });
  const service = createBackupService({
    db,
    paths,
    keysDir,
    site: { id: 'bench-site', timezone: 'Asia/Shanghai' },
    settings: { at: null, keep: { daily: 14, weekly: 8, monthly: 36 } },
    audit,
    clock: { now: () => Date.now() },
    destination: null,
  });
  t0 = performance.now();
  const taken = await service.take('manual', 'system:bench');
  const backupSecs = (performance.now() - t0) / 1000;
  log(
    `backup of ${fmt(dbBytes / MiB, 0)} MiB: ${fmt(backupSecs)} s (target ≤ 30 s), file ${fmt(taken.bytes / MiB, 0)} MiB (${fmt((100 * taken.bytes) / dbBytes)} %)`,
  );
  t0 = performance.now();
  const check = await checkBackupFile(join(service.stagingDir, taken.name), {
    key: loadBackupKey(keysDir, { create: false })!.key,
    auditKey: loadAuditKey(keysDir, { create: false }),
    sha256: taken.sha256,
    scratchIn: service.stagingDir,
  });
  const verifySecs = (performance.now() - t0) / 1000;
  log(`verify (unpack + integrity_check + audit chain): ${fmt(verifySecs)} s, ${check.ok ? 'good' : `FAILED: ${check.problems.join('; ')}`}`);
  db.close();

  // ---- 2. Answer saves at N terminals, without and during a backup of the same size ------------------
  await ensureServerBuild();
  const site = await prepareSite({ terminals: n, rooms: Math.max(1, n / 50) });
  try {
    appendFileSync(
      site.configFile,
      `examPcs: { loginChecks: { build: false, monitor: false, fullscreen: false } }\nusers:\n  - { username: admin, role: admin, passwordHash: "${await hashPassword('bench-admin-pass-1')}" }\n`,
    );
    fill(join(site.dataDir, 'db', 'examroom.sqlite'), GIB * 1024 * MiB);
    const server = await spawnServer(site);
    const serverCpu = cpuMeter(server.pid);
    const fleet = Fleet.start(
      site.terminals.map((x) => ({ id: x.id, token: x.token, credential: x.credential })),
      { workers: 2, reconnect: false },
    );
    try {
      await fleet.all({ cmd: 'connect', url: server.base.replace(/^http/, 'ws') }, 'connected');
      await new Promise((r) => setTimeout(r, 1000));
      await fleet.all({ cmd: 'login', at: performance.timeOrigin + performance.now() + 300 }, 'loggedIn');
      await new Promise((r) => setTimeout(r, 2000));
      const phase = async (label: string, during?: () => Promise<number>) => {
        serverCpu.start();
        const answering = fleet.all<{ stats: PhaseStats }>({ cmd: 'answer', ratePerSecond: 1, seconds: during ? null : Number(values.seconds) }, 'answered');
        let extra = '';
        const sampler = backupSampler(site.dataDir);
        if (during) {
          const secs = await during();
          extra = `, backup ${fmt(secs)} s`;
          fleet.post({ cmd: 'stop' });
        }
        const b = await answering;
        sampler.stop();
        const cpu = serverCpu.read();
        const lat = Float64Array.from(b.flatMap((x) => [...x.stats.latencies])).sort();
        const acked = b.reduce((s, x) => s + x.stats.acked, 0);
        log(
          `  ${label}: ${acked} saves acked in ${fmt(cpu.wallSeconds)} s, p50 ${fmt(percentile(lat, 0.5), 2)} ms, p99 ${fmt(percentile(lat, 0.99), 2)} ms, max ${fmt(lat.at(-1) ?? NaN, 1)} ms; server CPU ${fmt(cpu.percent)} %${extra}`,
        );
        if (during) {
          const all = b.flatMap((x) => [...x.stats.latencies]);
          const ats = b.flatMap((x) => [...x.stats.ackedAt]);
          for (const l of sampler.report(Float64Array.from(all), Float64Array.from(ats))) log(l);
        }
        return { p99: percentile(lat, 0.99), backupSecs: extra ? Number(extra.replace(/[^0-9.]/g, '')) : NaN };
      };
      log(`saves at ${n} terminals × 1 save/s, database ${fmt(statSync(join(site.dataDir, 'db', 'examroom.sqlite')).size / MiB, 0)} MiB:`);
      const without = await phase('without a backup');
      const login = await fetch(`${server.base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'bench-admin-pass-1' }),
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const during = await phase('during a backup', async () => {
        await new Promise((r) => setTimeout(r, 2000));
        const s = performance.now();
        await fetch(`${server.base}/api/system/backups`, { method: 'POST', headers: { cookie } });
        for (;;) {
          await new Promise((r) => setTimeout(r, 250));
          const st = (await (await fetch(`${server.base}/api/system/backups`, { headers: { cookie } })).json()) as { running: unknown; backups: unknown[] };
          if (!st.running && st.backups.length > 0) break;
        }
        const secs = (performance.now() - s) / 1000;
        // Answers go on for 3 s after it: what the backup leaves behind (a checkpoint) is counted too.
        await new Promise((r) => setTimeout(r, 3000));
        return secs;
      });
      log(`machine: ${machineNote()}`);
      log('');
      log(
        `backup: ${fmt(backupSecs)} s for ${fmt(dbBytes / 1024 / MiB, 2)} GiB, verify ${fmt(verifySecs)} s, save p99 ${fmt(during.p99, 1)} ms during vs ${fmt(without.p99, 1)} ms without at ${n} terminals (backup asked of the server ${fmt(during.backupSecs)} s)`,
      );
    } finally {
      await fleet.stop();
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    if (values.keep) console.error(`kept ${site.dir}`);
    else removeSite(site);
  }
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
