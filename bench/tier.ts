// `npm run bench -- tier [MIB=512]`: the object-store tier draining a backlog of real segments to a real
// Ceph RADOS Gateway on loopback while two cameras record. Figures: upload MB/s (verified: every object is
// read back, Ceph 16 has no S3 checksums), the appliance's CPU per 10 MB/s, the longest delay of a
// recording segment write (the gap between two segments of a source beyond the segment length; also the
// same before the upload began, on the same run, for comparison), and the first-byte latency of a ranged GET.
// The backlog is copies of one real 10 s ffmpeg segment (H.264 1080p, ~8 Mbit/s), indexed ten days old.
// The test cluster's OSD keeps objects in memory (memstore, 1 GiB): the default 512 MiB fits beside Ceph.
// `--backup` also runs `bench backup` (a 1 GiB database backup, answer-save p99 at 200 terminals with and
// without it) after the tier's figures and prints its `backup:` line above the `tier:` line, as issue 27 asks.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { parseConfig } from '../config/index.ts';
import { startRtspSource } from '../media/index.ts';
import { buildApp } from '../server/app.ts';
import { deferredSchemas } from '../server/deferred-schemas.ts';
import { createMediaStore, dataPaths, ensureDataFolders, openDatabase } from '../storage/index.ts';
import { createObjectStore } from '../storage/object-store/index.ts';
import { startRadosgw } from '../tests/helpers/radosgw.ts';
import { TEST_CONFIG_YAML } from '../tests/helpers.ts';

const MiB = 1024 * 1024;
const DAY = 86_400_000;
const benchArgs = process.argv.slice(2);
const withBackup = benchArgs.includes('--backup');
const wantMiB = Number(benchArgs.find((a) => !a.startsWith('--')) ?? 512);
const teardowns: (() => unknown)[] = [];
const fakeT = { teardown: (fn: () => unknown) => teardowns.push(fn) } as unknown as Parameters<typeof startRadosgw>[0];
const cleanup = async () => {
  for (const fn of teardowns.reverse()) await fn();
};
const fmt = (n: number, d = 1) => n.toFixed(d);
const log = (s: string) => process.stdout.write(`${s}\n`);

try {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  log(`machine: ${(await import('node:os')).cpus().length} cores, load average ${load} at start`);
  const gw = await startRadosgw(fakeT, { timeoutMs: 120_000 });
  const dir = mkdtempSync(join(tmpdir(), 'examroom-bench-tier-'));
  teardowns.push(() => rmSync(dir, { recursive: true, force: true }));
  const secretFile = join(dir, 'secret');
  writeFileSync(secretFile, gw.secret);
  chmodSync(secretFile, 0o600);
  const store = createObjectStore({
    endpoint: gw.endpoint,
    bucket: 'bench',
    region: gw.region,
    addressing: 'path',
    accessKeyId: gw.accessKeyId,
    secret: gw.secret,
    prefix: 'exams',
    objectLock: 'none',
  });
  teardowns.push(() => store.destroy());
  await store.s3.send(new CreateBucketCommand({ Bucket: 'bench', ObjectLockEnabledForBucket: true }));

  // One real segment, copied into a backlog ten days old.
  const data = join(dir, 'data');
  const paths = dataPaths(data);
  ensureDataFolders(paths);
  const sample = join(dir, 'sample.mkv');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1920x1080:rate=25',
    '-t',
    '10',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-b:v',
    '8M',
    '-maxrate',
    '8M',
    '-bufsize',
    '4M',
    sample,
  ]);
  const segBytes = statSync(sample).size;
  const sha = createHash('sha256').update(readFileSync(sample)).digest('hex');
  const count = Math.max(1, Math.round((wantMiB * MiB) / segBytes));
  const db = openDatabase(paths.dbFile);
  const ms = createMediaStore(db);
  const t0 = Date.now() - 10 * DAY;
  mkdirSync(join(paths.media, 'old1', '20261127'), { recursive: true });
  for (let i = 0; i < count; i++) {
    const rel = join('old1', '20261127', `${t0}-${String(i).padStart(5, '0')}.mkv`);
    copyFileSync(sample, join(paths.media, rel));
    ms.addSegment({ sourceId: 'old1', start: t0 + i * 10_000, end: t0 + (i + 1) * 10_000, bytes: segBytes, path: rel, sha256: sha });
  }
  db.close();
  log(`backlog: ${count} copies of a real ${fmt(segBytes / MiB)} MiB ffmpeg segment = ${fmt((count * segBytes) / MiB, 0)} MiB (asked ${wantMiB} MiB)`);

  const camA = await startRtspSource();
  const camB = await startRtspSource();
  teardowns.push(
    () => camA.stop(),
    () => camB.stop(),
  );
  const config = parseConfig(
    `${TEST_CONFIG_YAML}\ncameras:\n  - { id: camA, name: A, room: R1, url: "${camA.url}" }\n  - { id: camB, name: B, room: R1, url: "${camB.url}" }\nmedia: { segmentSeconds: 2, reserveMiB: 0, record: always }\nretention: { minFreeGiB: 1 }\nobjectStore: { endpoint: "${gw.endpoint}", bucket: bench, region: ${gw.region}, accessKeyId: ${gw.accessKeyId}, secretFile: "${secretFile}", prefix: exams, hotDays: 7 }\n`,
    { dataDir: data },
  );
  const app = await buildApp({
    config,
    schemaController: deferredSchemas().schemaController,
    tierIntervals: { passMs: 3_600_000, sampleMs: 3_600_000, sweepMs: 3_600_000 },
  });
  teardowns.push(() => app.close());
  const segTimes = new Map<string, number[]>();
  app.ctx.bus.on('recording.segment', (p) => {
    const list = segTimes.get(p.sourceId) ?? [];
    list.push(performance.now());
    segTimes.set(p.sourceId, list);
  });
  await app.ready();
  const worstGap = (from: number, to: number) => {
    let worst = 0;
    for (const list of segTimes.values()) {
      const inRange = list.filter((x) => x >= from && x <= to);
      for (let i = 1; i < inRange.length; i++) worst = Math.max(worst, inRange[i]! - inRange[i - 1]! - 2000);
    }
    return Math.max(0, worst);
  };
  // Recording alone first: the same measure without uploads, on the same machine at the same load.
  while ((segTimes.get('camA')?.length ?? 0) < 3 || (segTimes.get('camB')?.length ?? 0) < 3) await new Promise((r) => setTimeout(r, 200));
  const baseFrom = performance.now();
  await new Promise((r) => setTimeout(r, 20_000));
  const baseTo = performance.now();

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let uploaded = 0;
  while (app.tier.status().filesWaiting > 0 || uploaded === 0) {
    const r = await app.tier.runPass();
    uploaded += r.uploaded;
    if (r.uploaded === 0 && r.failed > 0) throw new Error(`uploads failed: ${app.tier.status().lastError?.message}`);
    if (r.uploaded === 0) break;
  }
  const wall = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  const bytes = app.tier.status().bytesTiered;
  const mbps = bytes / 1e6 / wall;
  const cpuPct = ((cpu.user + cpu.system) / 1e6 / wall) * 100;
  const cpuPer10 = cpuPct / (mbps / 10);
  const recordDelay = worstGap(wall0, performance.now());
  const baseDelay = worstGap(baseFrom, baseTo);
  log(`uploaded ${uploaded} files, ${fmt(bytes / MiB, 0)} MiB in ${fmt(wall)} s: ${fmt(mbps)} MB/s, verified by read-back`);
  log(
    `appliance CPU ${fmt(cpuPct)} % of one core during the upload (user+system of the Node process; ffmpeg and Ceph not counted) = ${fmt(cpuPer10, 2)} % per 10 MB/s`,
  );
  log(
    `recording: longest segment-write delay ${fmt(recordDelay, 0)} ms while uploading vs ${fmt(baseDelay, 0)} ms recording alone; event loop max ${fmt(loop.max / 1e6, 0)} ms, p99 ${fmt(loop.percentile(99) / 1e6, 0)} ms`,
  );

  // First byte of a ranged GET (what playback of a tiered segment waits for), 20 objects.
  const rows = app.tier.rows.leastRecentlyChecked(20);
  const firsts: number[] = [];
  for (const r of rows) {
    const t = performance.now();
    const body = await store.getRange(r.key, r.versionId, 1_000_000, 1_065_535);
    await new Promise<void>((res, rej) => {
      body.once('data', () => res());
      body.once('error', rej);
    });
    firsts.push(performance.now() - t);
    body.destroy();
  }
  firsts.sort((a, b) => a - b);
  const p50 = firsts[Math.floor(firsts.length / 2)] ?? Number.NaN;
  const pmax = firsts.at(-1) ?? Number.NaN;
  log(`ranged GET first byte over ${firsts.length} objects: median ${fmt(p50, 0)} ms, max ${fmt(pmax, 0)} ms`);
  log(`load average at end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  if (withBackup) {
    // Its own server, terminals and 1 GiB database, in a child so its figures are not this process's.
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'run.ts'), 'backup'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * MiB,
    });
    const lines = out.trimEnd().split('\n');
    const last = lines.pop() ?? '';
    for (const l of lines) log(`  ${l}`);
    log(last);
  }
  log(`tier: ${fmt(mbps)} MB/s, ${fmt(cpuPer10, 1)} % core per 10 MB/s, record delay ${fmt(recordDelay, 0)} ms, first byte ${fmt(p50, 0)} ms`);
} finally {
  await cleanup();
}
process.exit(0);
