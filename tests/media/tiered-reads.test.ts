// Reading tiered recordings, against a real Ceph RADOS Gateway on loopback (one cluster for the file).
// A session's room (tests/terminal/fixture.ts) with an object store configured; terminal T1's screen
// recorded by the real ffmpeg (H.264 + G.711 in Matroska, 2-s segments) inside the session's window,
// then tiered by hand as the tier worker does it — uploaded through the store client, a tier_objects row
// written, the local copy deleted. Every reader must then read them from the store: the segment as the
// browser player fetches it, an excerpt, GB/T 28181 Playback (the recorded.ts reader, which feeds one
// ffmpeg concat), and the session archive with media, whose manifest must hash to the indexed SHA-256.
// The read cache's bound holds; a store that is down gives a clear 503, not a hang.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import t from 'tap';
import yauzl from 'yauzl';
import { RecordedReader } from '../../media/gb28181/recorded.ts';
import type { GbMediaDeps } from '../../media/gb28181/media-session.ts';
import { createMediaReader, createMediaStore, createTierRows, type SegmentRow } from '../../storage/index.ts';
import { createObjectStore } from '../../storage/object-store/index.ts';
import { mediaStoreReads } from '../../server/media-reads.ts';
import { scratchDir } from '../helpers.ts';
import { startRadosgw } from '../helpers/radosgw.ts';
import { room, START, type Room } from '../terminal/fixture.ts';

const gw = await startRadosgw(t);
const dir = scratchDir(t);
const BUCKET = 'evidence';
const secretFile = join(dir, 'store.secret');
writeFileSync(secretFile, gw.secret, { mode: 0o600 });
const admin0 = createObjectStore({
  endpoint: gw.endpoint,
  bucket: BUCKET,
  region: gw.region,
  addressing: 'path',
  accessKeyId: gw.accessKeyId,
  secret: gw.secret,
  prefix: 'site-a',
  objectLock: 'none',
});
t.teardown(() => admin0.destroy());
await admin0.s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }));

const storeYaml = `objectStore: { endpoint: ${JSON.stringify(gw.endpoint)}, bucket: ${BUCKET}, region: ${gw.region}, accessKeyId: ${JSON.stringify(gw.accessKeyId)}, secretFile: ${JSON.stringify(secretFile)}, prefix: site-a, readCacheMiB: 64 }\n`;
const r: Room = await room(t, { start: true, extraYaml: storeYaml });
const { app } = r;
const db = app.ctx.db;
const media = createMediaStore(db);
const rows = createTierRows(db);
const store = app.objectStore!.store;
const kept = join(dir, 'kept');
mkdirSync(kept);

/** Real ffmpeg segments (H.264 ~4 Mbit/s + G.711 A-law, 2-s Matroska) for a source from `at`, indexed as the recorder does. */
function record(sourceId: string, at: number, seconds: number): SegmentRow[] {
  const tmp = join(dir, `rec-${sourceId}`);
  mkdirSync(tmp, { recursive: true });
  const run = spawnSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=25:duration=${seconds}`],
      ...['-f', 'lavfi', '-i', `sine=f=440:sample_rate=8000:duration=${seconds}`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '4M', '-g', '25', '-c:a', 'pcm_alaw', '-ac', '1'],
      ...['-f', 'segment', '-segment_time', '2', '-segment_format', 'matroska', '-reset_timestamps', '1', join(tmp, `${at}-%03d.mkv`)],
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`ffmpeg could not record the test segments: ${run.stderr}`);
  const out: SegmentRow[] = [];
  mkdirSync(join(app.ctx.paths.media, sourceId), { recursive: true });
  for (const [i, name] of readdirSync(tmp).sort().entries()) {
    const rel = `${sourceId}/${name}`;
    copyFileSync(join(tmp, name), join(app.ctx.paths.media, rel));
    copyFileSync(join(tmp, name), join(kept, name));
    const bytes = readFileSync(join(tmp, name));
    out.push(
      media.addSegment({
        sourceId,
        start: at + i * 2000,
        end: at + (i + 1) * 2000,
        bytes: bytes.length,
        path: rel,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      }),
    );
  }
  return out;
}

/** What the tier worker does once a segment is old enough: upload, verify, row, then delete the local copy. */
async function tier(segs: SegmentRow[]): Promise<void> {
  for (const s of segs) {
    const file = join(app.ctx.paths.media, s.path);
    const put = await store.putFile(file, `site-a/R1/${s.path}`, { metadata: { source: s.sourceId, start: s.start, end: s.end, sha256: s.sha256! } });
    rows.record({
      area: 'media',
      path: s.path,
      kind: 'segment',
      source: s.sourceId,
      start: s.start,
      end: s.end,
      bytes: put.bytes,
      sha256: put.sha256,
      key: put.key,
      versionId: put.versionId,
      retainUntil: null,
      verifiedBy: put.verifiedBy === 'store-checksum' ? 'checksum' : 'readback',
      verifiedAt: r.clock.now(),
    });
    unlinkSync(file);
    rows.markLocalDeleted('media', s.path, r.clock.now());
  }
}

const probe = (file: string, what: string) =>
  spawnSync('ffprobe', ['-v', 'error', '-show_entries', what, '-of', 'csv=p=0', file], { encoding: 'utf8' }).stdout.trim();

/** Frames the GB/T 28181 recorded reader sends for the span, at 16× (the pacing is what Playback does). */
async function gbFrames(sourceId: string, from: number, to: number): Promise<{ video: number; audio: number; ok: boolean; detail: string }> {
  const reader = await RecordedReader.prepare(
    { playback: app.media.playback } as unknown as GbMediaDeps,
    sourceId,
    '34020000001320000001',
    { start: from, end: to },
    'ffmpeg',
  );
  let video = 0;
  let audio = 0;
  return new Promise((resolve) => {
    reader.bind(
      (f) => (f.kind === 'video' ? video++ : audio++),
      (detail, ok) => resolve({ video, audio, ok, detail }),
    );
    reader.start(16);
  });
}

const ON = START + 60_000;
const segs = record('SCREEN-T1', ON, 8);
// Outside the session's window, so nothing (not the archive) reads it before the store goes down.
const LATER = START + 3 * 3600_000;
const spare = record('SCREEN-T2', LATER, 2);
const local = await gbFrames('SCREEN-T1', ON, ON + 8000);
await tier([...segs, ...spare]);
const admin = await r.as('admin');

t.test('the tiered segments are the store’s only copy', async (t) => {
  t.equal(segs.length, 4, 'four 2-s segments recorded');
  for (const s of segs) {
    t.throws(() => statSync(join(app.ctx.paths.media, s.path)), { code: 'ENOENT' }, `${s.path} is gone from the media folder`);
    t.match(rows.locate(s.path), { localGone: true, sha256: s.sha256 });
  }
});

t.test('the console’s player gets a tiered segment as MPEG-TS with AAC, and byte ranges of it', async (t) => {
  const s = segs[1]!;
  const res = await app.inject({ method: 'GET', url: `/api/media/segments/${s.id}.ts`, headers: { cookie: admin } });
  t.equal(res.statusCode, 200, res.statusCode === 200 ? 'served' : res.body.slice(0, 300));
  t.equal(res.headers['content-type'], 'video/mp2t');
  const file = join(dir, 'played.ts');
  writeFileSync(file, res.rawPayload);
  t.same([...new Set(probe(file, 'stream=codec_name').split(/\s+/))].sort(), ['aac', 'h264'], 'H.264 copied, G.711 as AAC for the browser');
  const seconds = Number(probe(file, 'format=duration'));
  t.ok(seconds > 1.5 && seconds < 2.5, `two seconds of footage (${seconds} s)`);
  const part = await app.inject({ method: 'GET', url: `/api/media/segments/${s.id}.ts`, headers: { cookie: admin, range: 'bytes=188-375' } });
  t.equal(part.statusCode, 206);
  t.same(part.rawPayload, res.rawPayload.subarray(188, 376), 'the range is those bytes');
});

t.test('an excerpt across tiered segments is cut from the store', async (t) => {
  const res = await app.inject({ method: 'GET', url: `/api/media/sources/SCREEN-T1/excerpt?from=${ON + 1000}&to=${ON + 7000}`, headers: { cookie: admin } });
  t.equal(res.statusCode, 200, res.statusCode === 200 ? 'served' : res.body.slice(0, 300));
  const file = join(dir, 'excerpt.mp4');
  writeFileSync(file, res.rawPayload);
  const seconds = Number(probe(file, 'format=duration'));
  t.ok(seconds > 5 && seconds < 8, `about the six seconds asked for (${seconds} s, cut at key frames)`);
  t.equal(app.media.files.openLeases(), 0, 'the loopback token ended with the cut');
});

t.test('GB/T 28181 Playback of a tiered span sends the same frames as from the local files', async (t) => {
  t.ok(local.ok && local.video > 150, `local: ${local.video} video frames (${local.detail})`);
  const tiered = await gbFrames('SCREEN-T1', ON, ON + 8000);
  t.equal(tiered.ok, true, tiered.detail);
  t.equal(tiered.video, local.video, 'every video frame');
  t.equal(tiered.audio, local.audio, 'every audio frame');
  t.equal(app.media.files.openLeases(), 0, 'the loopback token ended with the playback');
});

t.test('the loopback URLs answer only on 127.0.0.1 and only under a live token', async (t) => {
  const lease = await app.media.playback.segmentInputs([segs[0]!]);
  const url = new URL(lease.inputs[0]!);
  t.equal(url.hostname, '127.0.0.1');
  t.equal((await fetch(url, { headers: { range: 'bytes=0-3' } })).status, 206);
  const guessed = new URL(url);
  guessed.pathname = guessed.pathname.replace(/^\/[^/]+/, `/${'A'.repeat(32)}`);
  t.equal((await fetch(guessed)).status, 404, 'another token gets nothing');
  lease.release();
  t.equal((await fetch(url)).status, 404, 'nor does the token once its use ended');
});

t.test('a session archive with media reads the tiered segments, and its manifest hashes to the indexed SHA-256', async (t) => {
  r.clock.set(START + 90 * 60_000);
  app.exam.plans.advanceSession(r.sessionId, 'ended', 'user:admin');
  app.exam.plans.advanceSession(r.sessionId, 'graded', 'user:admin');
  const cookie = await r.as('admin');
  const start = await app.inject({ method: 'POST', url: `/api/records/sessions/${r.sessionId}/archive`, headers: { cookie }, payload: { withMedia: true } });
  t.equal(start.statusCode, 202, 'the archive job started');
  let job: { status: string; error?: unknown; result?: { archive: { file: string } } } = { status: 'running' };
  for (let i = 0; i < 600 && !['done', 'failed', 'cancelled', 'interrupted'].includes(job.status); i++) {
    await new Promise((ok) => setTimeout(ok, 50));
    job = (await app.inject({ method: 'GET', url: `/api/jobs/${start.json().id}`, headers: { cookie } })).json();
  }
  t.equal(job.status, 'done', job.status === 'done' ? 'the job ended done' : JSON.stringify(job.error));
  const file = join(app.ctx.paths.archives, job.result!.archive.file);
  t.equal((await app.records.archives.verify(file)).ok, true, 'the archive verifies');
  const manifest = JSON.parse((await readMember(file, 'manifest.json')).toString()) as { members: { path: string; sha256: string }[] };
  const index = JSON.parse((await readMember(file, 'video-index/SCREEN-T1.json')).toString()) as {
    segments: { path: string; sha256: string; archived: string | null }[];
  };
  t.equal(index.segments.length, segs.length);
  for (const s of index.segments) {
    t.ok(s.archived, `${s.path} is in the archive though only the store has it`);
    t.equal(manifest.members.find((m) => m.path === s.archived)?.sha256, s.sha256, `${s.archived}: the manifest hashes to the indexed SHA-256`);
  }
  const member = await readMember(file, index.segments[2]!.archived!);
  t.same(member, readFileSync(join(kept, index.segments[2]!.path.split('/')[1]!)), 'byte for byte the recorded file');
});

t.test('the read cache stays within its bound: oldest objects go first, a fresh read is served from it', async (t) => {
  let gets = 0;
  const reads = mediaStoreReads(db, store, 1);
  const cacheDir = join(dir, 'bounded-cache');
  const reader = createMediaReader({
    mediaDir: app.ctx.paths.media,
    cacheDir,
    ...reads,
    getRange: (...a) => {
      gets++;
      return reads.getRange!(...a);
    },
    cacheBytes: 1024 * 1024,
    blockBytes: 128 * 1024,
  });
  t.teardown(() => reader.close());
  const sha = async (rel: string) => {
    const h = createHash('sha256');
    for await (const c of reader.read(rel)) h.update(c as Buffer);
    return h.digest('hex');
  };
  for (const s of segs) {
    t.equal(await sha(s.path), s.sha256, `${s.path} reads back whole and right`);
    const st = reader.cacheStats();
    const onDisk = readdirSync(cacheDir).reduce((n, f) => n + statSync(join(cacheDir, f)).blocks * 512, 0);
    t.ok(st.bytes <= st.maxBytes && onDisk <= st.maxBytes + 64 * 1024, `cache ${st.bytes} bytes counted, ${onDisk} on disk, bound ${st.maxBytes}`);
  }
  t.ok(reader.cacheStats().evicted > 0, 'older objects were dropped to stay within the bound');
  const before = gets;
  const last = segs.at(-1)!;
  await sha(last.path).then((h) => t.equal(h, last.sha256));
  t.ok(gets - before < Math.ceil(last.bytes / (128 * 1024)), `the segment just read comes mostly from the cache (${gets - before} GETs)`);
  t.same(readdirSync(join(app.ctx.paths.media, 'SCREEN-T1')), [], 'no cached copy lands in the media folder (it never counts as the local file)');
  t.equal(rows.locate(last.path)?.localGone, true);
});

t.test('a store that is down during playback gives a clear message, not a hang', async (t) => {
  await gw.stopGateway();
  t.teardown(() => gw.restart());
  const s = spare[0]!;
  const began = Date.now();
  const res = await app.inject({ method: 'GET', url: `/api/media/segments/${s.id}.ts`, headers: { cookie: admin } });
  t.equal(res.statusCode, 503, res.body);
  t.match(res.json(), {
    error: 'store_unavailable',
    message: new RegExp(`could not read ${s.path} from the object store at ${gw.endpoint.replace(/[.]/g, '\\.')}`),
  });
  t.ok(Date.now() - began < 20_000, `answered in ${Date.now() - began} ms`);
  const gb = await gbFrames('SCREEN-T2', LATER, LATER + 2000);
  t.equal(gb.ok, false, 'GB/T 28181 Playback ends with the reason');
  t.match(gb.detail, /could not read the recordings of SCREEN-T2: could not read SCREEN-T2\/.* from the object store/);
});

async function readMember(file: string, path: string): Promise<Buffer> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(file, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z))));
  return new Promise((res, rej) => {
    zip.on('entry', (e: yauzl.Entry) => {
      if (e.fileName !== path) return zip.readEntry();
      zip.openReadStream(e, (err, s) => {
        if (err) return rej(err);
        const parts: Buffer[] = [];
        s.on('data', (c: Buffer) => parts.push(c)).on('end', () => {
          zip.close();
          res(Buffer.concat(parts));
        });
      });
    });
    zip.on('end', () => rej(new Error(`${path} is not in ${file}`)));
    zip.readEntry();
  });
}
