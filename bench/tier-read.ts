// Reading tiered media: first-byte latency against a real Ceph RGW on loopback (one cluster, started here),
// compared in one run with the local file: a ranged GET straight from the store, the media reader (cold:
// from the store; warm: from its read cache), the loopback URL ffmpeg reads, and ffmpeg's first output
// byte when remuxing a tiered segment for the player (what a person waits for) against the same local file.
// Last line: `tier-read: first byte S ms store, R ms reader cold, W ms cached, L ms loopback; ffmpeg first output T ms tiered vs U ms local`.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { get } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { Test } from 'tap';
import { createMediaReader } from '../storage/index.ts';
import { createObjectStore } from '../storage/object-store/index.ts';
import { startRadosgw } from '../tests/helpers/radosgw.ts';

const ROUNDS = Number(process.argv[2] ?? 10);
const cleanups: Array<() => unknown> = [];
const fakeT = { teardown: (fn: () => unknown) => cleanups.push(fn), fail: (m: string) => console.error(m) } as unknown as Test;
const dir = mkdtempSync(join(tmpdir(), 'examroom-bench-tier-read-'));
try {
  const gw = await startRadosgw(fakeT);
  const store = createObjectStore({
    endpoint: gw.endpoint,
    bucket: 'bench',
    region: gw.region,
    addressing: 'path',
    accessKeyId: gw.accessKeyId,
    secret: gw.secret,
    prefix: 'bench',
    objectLock: 'none',
  });
  await store.s3.send(new CreateBucketCommand({ Bucket: 'bench', ObjectLockEnabledForBucket: true }));
  // 10-s segments like a camera's at ~4 Mbit/s: H.264 + G.711 in Matroska, as ingest writes them.
  const media = join(dir, 'media');
  mkdirSync(join(media, 'CAM'), { recursive: true });
  const run = spawnSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=25:duration=${10 * ROUNDS}`],
      ...['-f', 'lavfi', '-i', `sine=f=440:sample_rate=8000:duration=${10 * ROUNDS}`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '4M', '-g', '25', '-c:a', 'pcm_alaw', '-ac', '1'],
      ...['-f', 'segment', '-segment_time', '10', '-segment_format', 'matroska', '-reset_timestamps', '1', join(media, 'CAM', 's-%03d.mkv')],
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  const locs = new Map<string, { key: string; versionId: string | null; bytes: number; sha256: string; localGone: boolean }>();
  for (let i = 0; i < ROUNDS; i++) {
    const rel = `CAM/s-${String(i).padStart(3, '0')}.mkv`;
    const file = join(media, rel);
    const put = await store.putFile(file, `bench/${rel}`, {
      metadata: { source: 'CAM', start: 0, end: 1, sha256: createHash('sha256').update(readFileSync(file)).digest('hex') },
    });
    locs.set(rel, { key: put.key, versionId: put.versionId, bytes: put.bytes, sha256: put.sha256, localGone: true });
  }
  const reader = createMediaReader({
    mediaDir: join(dir, 'empty'),
    cacheDir: join(dir, 'cache'),
    locate: (p) => locs.get(p) ?? null,
    getRange: (k, v, s, e) => store.getRange(k, v ?? null, s, e),
  });
  // ffmpeg's runs read through a reader of their own, so they warm nothing the first-byte figures read cold.
  const forFfmpeg = createMediaReader({
    mediaDir: join(dir, 'empty'),
    cacheDir: join(dir, 'cache-ffmpeg'),
    locate: (p) => locs.get(p) ?? null,
    getRange: (k, v, s, e) => store.getRange(k, v ?? null, s, e),
  });
  const local = createMediaReader({ mediaDir: media, cacheDir: join(dir, 'cache-local') });
  const firstByte = async (open: () => Promise<Readable> | Readable) => {
    const t0 = performance.now();
    const s = await open();
    let ms = 0;
    // Read to the end (64 KiB): a block read whole is what the read cache keeps for the warm figure.
    for await (const _ of s) if (!ms) ms = performance.now() - t0;
    return ms;
  };
  const ffmpegFirst = async (input: string, args: string[]) => {
    const t0 = performance.now();
    const p = spawn('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      ...args,
      '-i',
      input,
      '-map',
      '0',
      '-c:v',
      'copy',
      '-c:a',
      'aac',
      '-f',
      'mpegts',
      'pipe:1',
    ]);
    await new Promise<void>((ok) => p.stdout.once('data', () => ok()));
    const ms = performance.now() - t0;
    p.kill('SIGKILL');
    return ms;
  };
  const fig = { store: [] as number[], cold: [] as number[], warm: [] as number[], loop: [] as number[], ffT: [] as number[], ffL: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    const rel = `CAM/s-${String(i).padStart(3, '0')}.mkv`;
    const loc = locs.get(rel)!;
    fig.store.push(await firstByte(() => store.getRange(loc.key, loc.versionId, 0, 65535)));
    fig.cold.push(await firstByte(() => reader.read(rel, 1024 * 1024, 1024 * 1024 + 65535)));
    fig.warm.push(await firstByte(() => reader.read(rel, 1024 * 1024, 1024 * 1024 + 65535)));
    const lease = await reader.ffmpegInputs([rel]);
    fig.loop.push(await firstByte(() => new Promise<Readable>((ok) => get(lease.inputs[0]!, { headers: { range: 'bytes=0-65535' } }, ok))));
    lease.release();
    const other = rel;
    const l2 = await forFfmpeg.ffmpegInputs([other]);
    fig.ffT.push(await ffmpegFirst(l2.inputs[0]!, l2.args));
    l2.release();
    const l3 = await local.ffmpegInputs([other]);
    fig.ffL.push(await ffmpegFirst(l3.inputs[0]!, l3.args));
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const f = (a: number[]) => med(a).toFixed(1);
  console.log(`machine load (1 min): ${loadavg()[0]!.toFixed(1)} on ${spawnSync('nproc').stdout.toString().trim()} cores; ${ROUNDS} rounds, medians`);
  console.log(`ranged GET first byte, straight from the store: ${f(fig.store)} ms`);
  console.log(`media reader first byte, cold (store) ${f(fig.cold)} ms, warm (read cache) ${f(fig.warm)} ms`);
  console.log(`loopback URL first byte (what ffmpeg reads): ${f(fig.loop)} ms`);
  console.log(`ffmpeg remux for the player, first output byte: tiered ${f(fig.ffT)} ms, local ${f(fig.ffL)} ms`);
  await reader.close();
  await forFfmpeg.close();
  await local.close();
  store.destroy();
  console.log(
    `tier-read: first byte ${f(fig.store)} ms store, ${f(fig.cold)} ms reader cold, ${f(fig.warm)} ms cached, ${f(fig.loop)} ms loopback; ffmpeg first output ${f(fig.ffT)} ms tiered vs ${f(fig.ffL)} ms local`,
  );
} finally {
  for (const fn of cleanups.reverse()) await fn();
  rmSync(dir, { recursive: true, force: true });
}
