// Playback over HTTP: a source's recordings in a time range with its gaps, a segment with range
// requests, an HLS VOD playlist, an MP4 excerpt — for the roles that may see them, inspectors audited.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRtspSource } from '../../media/index.ts';
import { login, PASSWORDS, scratchDir, testApp } from '../helpers.ts';
import { until } from '../wait.ts';

t.test('playback routes', async (t) => {
  const cam = await startRtspSource();
  t.teardown(() => cam.stop());
  const began = Date.now();
  const app = await testApp(t, {
    extraYaml: `cameras:\n  - { id: cam1, name: 前门, room: R1, url: "${cam.url}" }\nmedia: { segmentSeconds: 2, stallSeconds: 4, maxBackoffSeconds: 1, reserveMiB: 0, record: always }\nretention: { minFreeGiB: 1 }\n`,
  });
  await app.ready();
  await until('three segments', () => app.media.store.segments('cam1', 0, Date.now() + 1000).length >= 3, 30_000);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const invig = await login(app, 'invig', PASSWORDS.invig);
  const invig2 = await login(app, 'invig2', PASSWORDS.invig2);
  const gd = await login(app, 'gd', PASSWORDS.gd);
  const sz = await login(app, 'sz', PASSWORDS.sz);
  const now = Date.now();
  const range = `from=${began - 60_000}&to=${now}`;

  t.test('recordings with gaps', async (t) => {
    const res = await app.inject({ url: `/api/media/sources/cam1/recordings?${range}`, headers: { cookie: invig } });
    t.equal(res.statusCode, 200, res.body);
    const body = res.json() as {
      segments: { id: number; start: number; end: number; bytes: number; url: string }[];
      gaps: { start: number; end: number; reason: string }[];
    };
    t.ok(body.segments.length >= 3, 'lists the segments');
    t.ok(
      body.segments.every((s, i) => i === 0 || s.start >= body.segments[i - 1]!.start),
      'oldest first',
    );
    t.ok(
      body.gaps.some((g) => g.start === began - 60_000 && g.end <= body.segments[0]!.start + 1),
      `the time before recording began is a gap: ${JSON.stringify(body.gaps)}`,
    );
    const body2 = body as typeof body & { recordingSince: number | null };
    t.ok(body2.recordingSince !== null, 'the source is recording now');
    t.ok(
      body.gaps.every((g) => g.end <= body2.recordingSince!),
      'the segment being written is not a gap',
    );
    const bad = await app.inject({ url: `/api/media/sources/cam1/recordings?from=${now}&to=${now - 1000}`, headers: { cookie: admin } });
    t.equal(bad.statusCode, 400, 'to before from is refused');
    t.match(bad.body, /after from/);
    const unknown = await app.inject({ url: `/api/media/sources/nope/recordings?${range}`, headers: { cookie: admin } });
    t.equal(unknown.statusCode, 404);
    const unknownToInvig = await app.inject({ method: 'POST', url: '/api/media/sources/nope/playback/stop', headers: { cookie: invig } });
    t.equal(unknownToInvig.statusCode, 404, 'an invigilator asking for a source that is not configured hears so, not "forbidden"');
    t.match(unknownToInvig.json(), { message: /source nope is not configured/ });
  });

  t.test('who may see', async (t) => {
    t.equal(
      (await app.inject({ url: `/api/media/sources/cam1/recordings?${range}`, headers: { cookie: invig2 } })).statusCode,
      403,
      'an invigilator of another room may not',
    );
    t.equal(
      (await app.inject({ url: `/api/media/sources/cam1/recordings?${range}`, headers: { cookie: sz } })).statusCode,
      403,
      'an inspector outside the jurisdiction may not',
    );
    t.equal((await app.inject({ url: `/api/media/sources/cam1/recordings?${range}` })).statusCode, 401, 'nobody logged in may not');
    const list = await app.inject({ url: '/api/media/sources', headers: { cookie: invig2 } });
    t.same(list.json(), [], 'the source list of an invigilator shows only their rooms');
  });

  t.test("a terminal's screen stays replayable by its room's invigilators after the terminal has gone", async (t) => {
    const q = (source: string, cookie: string) =>
      app.inject({ url: `/api/media/sources/${source}/recordings?from=${began - 60_000}&to=${Date.now()}`, headers: { cookie } });
    const never = await q('SCREEN-T2', invig);
    t.equal(never.statusCode, 200, 'a configured terminal that never sent its screen: an empty list, not 404');
    t.match(never.json(), { segments: [], gaps: [{ reason: 'no recording' }], recordingSince: null });
    t.equal((await q('SCREEN-T2', invig2)).statusCode, 403, 'but only for its room');
    const outside = await q('SCREEN-T2', sz);
    t.equal(outside.statusCode, 403);
    t.equal(outside.json().error, 'outside_jurisdiction', 'a refusal the pages word in the person’s language');
    // T1's screen, as /ws/screen would feed it, records a few seconds; then the terminal closes.
    app.media.addSource({ id: 'SCREEN-T1', name: 'T1 屏幕（R1 座位 01）', room: 'R1', kind: 'screen', input: { url: cam.url }, audio: false });
    await until('two screen segments', () => app.media.store.segments('SCREEN-T1', 0, Date.now() + 1000).length >= 2, 30_000);
    await app.media.removeSource('SCREEN-T1');
    t.notOk(
      app.media.sources().some((x) => x.id === 'SCREEN-T1'),
      'no longer a live source',
    );
    const gone = await q('SCREEN-T1', invig);
    t.equal(gone.statusCode, 200, gone.body);
    t.ok(gone.json().segments.length >= 2, 'its recordings are listed for the room’s invigilator');
    t.equal((await q('SCREEN-T1', invig2)).statusCode, 403, 'and refused to another room’s, not "not found"');
  });

  t.test('a recorded segment holds the G.711 as the camera sent it, byte for byte', async (t) => {
    const seg = app.media.store.segments('cam1', 0, now)[1]!;
    const file = join(app.media.disk().path, seg.path);
    const info = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n');
    t.same(info, ['h264', 'pcm_mulaw'], 'Matroska with H.264 and G.711 µ-law, both copied');
    const recorded = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a', '-c', 'copy', '-f', 'mulaw', '-'], { maxBuffer: 1 << 24 }).stdout;
    // The camera (media/demo-sources.ts) sends lavfi's 440 Hz sine at 8 kHz in µ-law from its start:
    // the same generator here gives every byte it has sent since. A decode and re-encode (AAC or
    // anything else) would not give back these exact bytes.
    const seconds = Math.ceil((Date.now() - began) / 1000) + 30;
    const sent = spawnSync(
      'ffmpeg',
      ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000', '-t', String(seconds), '-c:a', 'pcm_mulaw', '-f', 'mulaw', '-'],
      { maxBuffer: 1 << 26 },
    ).stdout;
    t.ok(recorded.length >= 8000, `a second or more of sound (${recorded.length} bytes)`);
    const at = sent.indexOf(recorded);
    t.ok(at >= 0, `every G.711 byte as sent: the ${recorded.length} bytes recorded are the camera's, from its byte ${at}`);
  });

  t.test('a segment with range requests (remuxed for the browser: MPEG-TS, AAC)', async (t) => {
    const seg = app.media.store.segments('cam1', 0, now)[1]!;
    const whole = await app.inject({ url: `/api/media/segments/${seg.id}.ts`, headers: { cookie: admin } });
    t.equal(whole.statusCode, 200);
    t.equal(whole.headers['content-type'], 'video/mp2t');
    const size = whole.rawPayload.length;
    t.equal(Number(whole.headers['content-length']), size);
    const dir = scratchDir(t);
    writeFileSync(join(dir, 'seg.ts'), whole.rawPayload);
    const codecs = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', join(dir, 'seg.ts')], { encoding: 'utf8' });
    t.same([...new Set(codecs.stdout.trim().split('\n'))].filter(Boolean), ['h264', 'aac'], 'video copied, the G.711 as AAC for the player');
    const part = await app.inject({ url: `/api/media/segments/${seg.id}.ts`, headers: { cookie: admin, range: 'bytes=188-1127' } });
    t.equal(part.statusCode, 206);
    t.equal(part.headers['content-range'], `bytes 188-1127/${size}`);
    t.same(part.rawPayload, whole.rawPayload.subarray(188, 1128), 'the bytes asked for');
    const tail = await app.inject({ url: `/api/media/segments/${seg.id}.ts`, headers: { cookie: admin, range: 'bytes=-188' } });
    t.same(tail.rawPayload, whole.rawPayload.subarray(size - 188));
    const beyond = await app.inject({ url: `/api/media/segments/${seg.id}.ts`, headers: { cookie: admin, range: `bytes=${size}-` } });
    t.equal(beyond.statusCode, 416);
  });

  t.test('an MPEG-TS/AAC segment of an earlier version still plays, as it is', async (t) => {
    // What a site upgraded mid-retention has on disk: MPEG-TS segments with AAC sound.
    const rel = 'cam1/20200101/1577836800000-00000.ts';
    const file = join(app.media.disk().path, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    spawnSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=10',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=16000',
      '-t',
      '2',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-c:a',
      'aac',
      '-f',
      'mpegts',
      '-y',
      file,
    ]);
    const bytes = spawnSync('stat', ['-c', '%s', file], { encoding: 'utf8' }).stdout.trim();
    const row = app.media.store.addSegment({ sourceId: 'cam1', start: 1577836800000, end: 1577836802000, bytes: Number(bytes), path: rel });
    const res = await app.inject({ url: `/api/media/segments/${row.id}.ts`, headers: { cookie: admin } });
    t.equal(res.statusCode, 200);
    t.equal(res.rawPayload.length, Number(bytes), 'served as it is on disk');
    const list = await app.inject({ url: `/api/media/sources/cam1/recordings?from=1577836700000&to=1577836900000`, headers: { cookie: admin } });
    t.equal((list.json() as { segments: unknown[] }).segments.length, 1, 'listed with the others');
  });

  t.test('HLS VOD playlist, and an inspector view is audited', async (t) => {
    const res = await app.inject({ url: `/api/media/sources/cam1/playlist.m3u8?${range}`, headers: { cookie: gd } });
    t.equal(res.statusCode, 200, 'playlist served');
    t.match(res.headers['content-type'], /mpegurl/);
    const text = res.body;
    t.match(text, /^#EXTM3U\n/);
    t.match(text, /#EXT-X-PLAYLIST-TYPE:VOD/);
    t.match(text, /#EXTINF:\d+\.\d{3},\n\/api\/media\/segments\/\d+\.ts\n/);
    t.match(text, /#EXT-X-ENDLIST\n$/);
    const audit = app.ctx.audit.list({ action: 'media.view.start' });
    t.ok(
      audit.some((e) => e.actor === 'user:gd' && e.target === 'cam1'),
      'the inspector’s view is in the audit log',
    );
    // ffmpeg plays the playlist as a player would (over the real HTTP server with the inspector's cookie).
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const dir = scratchDir(t);
    const out = join(dir, 'hls.ts');
    // Asynchronously: the server answering ffmpeg runs in this very process.
    const r = await run('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-headers',
      `Cookie: ${gd}\r\n`,
      '-i',
      `${address}/api/media/sources/cam1/playlist.m3u8?${range}`,
      '-c',
      'copy',
      '-y',
      out,
    ]);
    t.equal(r.code, 0, `ffmpeg reads the HLS playlist: ${r.stderr}`);
    const d = probeDuration(out);
    t.ok(d > 4, `it plays through the segments (${d} s)`);
  });

  t.test('an excerpt downloads as one MP4 of the range asked for', async (t) => {
    const segs = app.media.store.segments('cam1', began, now);
    const from = segs[0]!.start + 500;
    const to = segs[2]!.end - 500;
    const res = await app.inject({ url: `/api/media/sources/cam1/excerpt?from=${from}&to=${to}`, headers: { cookie: invig } });
    t.equal(res.statusCode, 200, 'downloads');
    t.equal(res.headers['content-type'], 'video/mp4');
    t.match(res.headers['content-disposition'], /attachment; filename="cam1_.*\.mp4"/);
    const dir = scratchDir(t);
    const file = join(dir, 'x.mp4');
    writeFileSync(file, res.rawPayload);
    const d = probeDuration(file);
    const want = (to - from) / 1000;
    t.ok(Math.abs(d - want) < 1.5, `about the range asked for: ${d} s vs ${want} s (cut at key frames, 1 s GOP)`);
    const streams = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n');
    t.same(streams.sort(), ['aac', 'h264'], 'video copied as H.264, G.711 audio as AAC');
    t.ok(
      app.ctx.audit.list({ action: 'media.excerpt' }).some((e) => e.actor === 'user:invig'),
      'the download is audited',
    );
  });
});

function run(cmd: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => c.kill('SIGKILL'), 30_000);
    c.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

function probeDuration(file: string): number {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return Number.parseFloat(r.stdout.trim());
}
