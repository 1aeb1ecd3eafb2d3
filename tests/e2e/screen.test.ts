// End to end: a paired terminal page in Debian's Chromium (headless) sends its own screen over
// /ws/screen — getDisplayMedia → 2 fps canvas → MediaRecorder H.264 → the real server — and the
// screen becomes the source SCREEN-T1: up, recorded in segments ffprobe reads, relayed live, back
// by itself after its ingest dies, gone when the device is revoked.
//
// What is captured here: the exam tab itself (`?screen=tab`, `--auto-accept-this-tab-capture`),
// real pixels of the real page. Headless Chromium 156 has no desktop: with
// `--auto-select-desktop-capture-source=Entire screen` getDisplayMedia for a monitor never answers
// (or the browser goes down), so the desktop path of production (kiosk, headful) is not what this
// runs; everything after getDisplayMedia is the same code (docs/media.md, "Terminal screens").
// A frame of the recording is compared with a screenshot of the page (SSIM), so the test fails
// if anything but the page's picture were recorded.
import t, { type Test } from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../../server/app.ts';
import { buildTestApp, ROOT, login, PASSWORDS, scratchDir, httpsTestConfig, listenForTests, wsEndpoint } from '../helpers.ts';
import { openViewer, probeBytes } from '../media/live-fixture.ts';
import { openBrowser, assertSecureName, requireChromiumAndApps } from './browser.ts';
import { until } from '../wait.ts';

const ARTIFACTS = join(ROOT, 'tests/artifacts/screen');
const WAIT = 30_000;

requireChromiumAndApps('terminal');

interface ScreenStatus {
  state: string;
  mimeType: string | null;
  captured: { width: number; height: number; label: string; displaySurface: string | null } | null;
  connects: number;
  chunks: number;
  bytesSent: number;
  lastError: string | null;
}

/** Runs a tool without blocking the event loop (the server under test lives in this process). */
function run(cmd: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

interface Probe {
  streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; nb_read_frames?: string }>;
}
async function ffprobe(file: string): Promise<Probe> {
  const r = await run('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-show_entries',
    'stream=codec_type,codec_name,width,height,nb_read_frames',
    '-of',
    'json',
    file,
  ]);
  if (r.status !== 0) throw new Error(`ffprobe ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Probe;
}

/** SSIM (0..1) of two pictures, the second scaled to the first's size. */
async function ssim(a: string, b: string): Promise<number> {
  const r = await run('ffmpeg', ['-nostdin', '-hide_banner', '-i', a, '-i', b, '-lavfi', '[1][0]scale2ref[b][a];[a][b]ssim', '-f', 'null', '-']);
  const m = /All:([0-9.]+)/.exec(r.stderr);
  if (!m) throw new Error(`ffmpeg ssim: ${r.stderr.slice(-500)}`);
  return Number(m[1]);
}

/** The ingest ffmpeg of a source: segments are written relative to the media folder, its working directory. */
function ingestPid(mediaDir: string, sourceId: string): number | null {
  const r = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  for (const line of r.stdout.split('\n')) {
    if (!line.includes('ffmpeg') || !line.includes(`${sourceId}/`)) continue;
    const pid = Number(line.trim().split(/\s+/)[0]);
    try {
      if (readlinkSync(`/proc/${pid}/cwd`) === realpathSync(mediaDir)) return pid;
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

t.test('a paired terminal sends its screen: recorded, relayed, recovered after an ingest crash, stopped on revoke', async (t) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = scratchDir(t, 'examroom-e2e-screen-');
  // Short segments so that finished ones are indexed while the test runs (cut on the recorder's key frames, every 4 s).
  const app: App = await buildTestApp({ config: httpsTestConfig(join(dir, 'data'), 'media: { segmentSeconds: 2, record: always }\n') });
  t.teardown(() => app.close());
  const { port, base } = await listenForTests(app);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const segments: { sourceId: string; segmentId: number; start: number; end: number }[] = [];
  app.ctx.bus.on('recording.segment', (p) => void segments.push(p as (typeof segments)[number]));
  const downs: string[] = [];
  app.ctx.bus.on('camera.down', (p) => void downs.push(`${(p as { sourceId: string }).sourceId}: ${(p as { reason: string }).reason}`));
  t.teardown(() => void (downs.length && t.comment(`ingest went down:\n${downs.join('\n')}`)));

  // Tab capture is accepted without a picker: the page shares itself.
  const { page, pageErrors } = await openBrowser(t, { base, width: 1280, height: 720, wait: WAIT, args: ['--auto-accept-this-tab-capture'] });
  const screenLog: string[] = [];
  page.on('console', (m) => {
    if (m.text().startsWith('[screen]')) screenLog.push(m.text());
    if (m.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(m.text())) pageErrors.push(m.text());
  });
  t.teardown(() => void t.comment(`page's screen log:\n${screenLog.join('\n')}`));
  const status = () => page.evaluate('window.__screen ?? null') as Promise<ScreenStatus | null>;
  const source = () => app.media.sources().find((s) => s.id === 'SCREEN-T1');

  let broken: string | null = null;
  const step = async (name: string, fn: (t: Test) => Promise<void>) => {
    if (broken) return void (await t.test(name, { skip: `"${broken}" failed first` }, async () => {}));
    await t.test(name, fn);
    if (!t.passing()) broken = name;
  };

  await step('before pairing nothing is captured; after it the page sends its screen and it is a recorded source', async (t) => {
    await page.goto(`${base}/terminal/?device=T1&screen=tab`);
    await assertSecureName(t, page, base);
    const codeEl = page.getByTestId('pairing-code');
    await codeEl.waitFor();
    t.equal(await status(), null, 'an unpaired page does not capture anything');
    const code = ((await codeEl.textContent()) ?? '').replace(/\D/g, '');
    const ok = await app.inject({ method: 'POST', url: '/api/devices/pairings/approve', headers: { cookie: admin }, payload: { code } });
    t.equal(ok.statusCode, 200, 'the admin approves the code');
    await page.getByLabel('准考证号或身份证号').waitFor();
    const s = await until('the page to send its screen', async () => {
      const s = await status();
      return s?.state === 'sending' && s;
    });
    t.match(
      s,
      { mimeType: /^video\/(x-matroska|webm);codecs=(avc1|h264)$/, captured: { displaySurface: 'browser', width: 1280, height: 720 } },
      'the tab is captured and recorded as H.264',
    );
    await until('SCREEN-T1 to be up and recording', () => source()?.state === 'up' && source()?.recording);
    t.match(source(), { kind: 'screen', room: 'R1', state: 'up', recording: true }, 'the screen is a recorded source of T1’s room');
  });

  await step('a finished segment is H.264 at the capture’s size and shows the page', async (t) => {
    const seg = await until('a finished segment of SCREEN-T1', () => segments.find((s) => s.sourceId === 'SCREEN-T1'));
    const res = await app.inject({ method: 'GET', url: `/api/media/segments/${seg.segmentId}.ts`, headers: { cookie: admin } });
    t.equal(res.statusCode, 200, 'the segment plays back over HTTP');
    const file = join(dir, 'segment.ts');
    writeFileSync(file, res.rawPayload);
    const probe = await ffprobe(file);
    const video = probe.streams.find((s) => s.codec_type === 'video');
    t.match(video, { codec_name: 'h264', width: 1280, height: 720 }, 'stream-copied H.264, as the recorder made it');
    t.ok(
      Number(video?.nb_read_frames) >= 4,
      `${video?.nb_read_frames} frames decode in a ${((seg.end - seg.start) / 1000).toFixed(1)} s segment (10 fps for the first 4 s, then 2 fps)`,
    );
    t.notOk(
      probe.streams.some((s) => s.codec_type === 'audio'),
      'no audio track: a screen has no sound',
    );
    // The page has not changed since: its screenshot must look like the recording's last frame.
    const frame = join(ARTIFACTS, 'recorded-frame.png');
    copyFileSync(file, join(ARTIFACTS, 'segment.ts'));
    const last = await run('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', '-i', file, '-fps_mode', 'passthrough', '-update', '1', frame]);
    t.equal(last.status, 0, `a frame is extracted ${last.stderr}`);
    const shotFile = join(ARTIFACTS, 'page.png');
    await page.screenshot({ path: shotFile, timeout: 10_000 });
    const same = await ssim(shotFile, frame);
    t.ok(same > 0.8, `the recorded frame is the page (SSIM ${same.toFixed(3)} with a screenshot)`);
    const black = join(dir, 'black.png');
    await run('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720', '-frames:v', '1', black]);
    const other = await ssim(black, frame);
    t.ok(other < same - 0.3, `and not any picture (SSIM ${other.toFixed(3)} with a test pattern)`);
  });

  await step('the room’s invigilator watches the screen live', async (t) => {
    const invig = await login(app, 'invig', PASSWORDS.invig);
    const viewer = await openViewer(`${wsEndpoint(port).base}/ws/live/SCREEN-T1`, { cookie: invig });
    await until('live bytes', () => viewer.bytes() > 20_000);
    viewer.socket.close();
    const probe = probeBytes(dir, 'live.ts', Buffer.concat(viewer.messages));
    t.notOk(probe.error, `the relayed screen is valid MPEG-TS${probe.error ? `: ${probe.error}` : ''}`);
    t.match(
      probe.streams.find((s) => s.codec_type === 'video'),
      { codec_name: 'h264', width: 1280 },
      'relayed as it was sent',
    );
  });

  await step('when the screen’s ingest dies the page starts a new recording by itself', async (t) => {
    const before = (await status())!;
    const pid = await until('the screen’s ingest ffmpeg', () => ingestPid(app.ctx.paths.media, 'SCREEN-T1'));
    process.kill(pid, 'SIGKILL');
    const s = await until('the page to reconnect and send again', async () => {
      const s = await status();
      return s && s.connects > before.connects && s.state === 'sending' && s.chunks > before.chunks + 2 && s;
    });
    t.equal(s.connects, before.connects + 1, 'one new connection (with a new recorder)');
    t.match(s.lastError, /4009|closed/, `the page noted why: ${s.lastError}`);
    await until('SCREEN-T1 to be up again', () => source()?.state === 'up' && source()?.recording);
    const killedAt = Date.now();
    await until('a segment recorded after the crash', () => segments.some((x) => x.sourceId === 'SCREEN-T1' && x.end > killedAt));
    t.pass('recording resumed');
  });

  await step('a revoked terminal stops sending and its screen source goes away', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/devices/T1/revoke', headers: { cookie: admin } });
    t.equal(res.statusCode, 200, 'the admin revokes T1');
    await page.getByTestId('pairing-code').waitFor();
    await until('the sender to stop', async () => (await status())?.state === 'stopped');
    await until('SCREEN-T1 to be removed', () => !source());
    t.pass('no screen source without a paired terminal');
  });

  t.same(pageErrors, [], 'no errors on the page');
});
