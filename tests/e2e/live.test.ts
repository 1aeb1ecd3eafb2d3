// End to end, live pictures in Debian's Chromium, three apps on one Chromium (a fresh profile each).
//
// The /live/ page: a real RTSP camera (rtsp-streaming-server fed by ffmpeg, the demo's simulated camera)
// pulled by ingest, relayed over /ws/live, played by the built /live/ page with mpegts.js in Debian's
// Chromium (headless). The test logs in through the page, checks that frames keep coming, and reads
// back the wall-clock time code the camera burns into its picture to report the glass-to-glass
// latency (printed, and kept in tests/artifacts/live/latency.json; not asserted: speed is a bench
// figure). Screenshot in tests/artifacts/live/.
//
// The proctor console's tiles: a camera with a sub-stream (the demo's simulated camera publishes 640×360 and a 320×180
// sub-stream from one ffmpeg) in the built /proctor/ console in Debian's Chromium. The grid tile plays
// the sub-stream, the enlarged tile the main stream, and a tile scrolled out of view lets go of its
// stream until it is seen again.
//
// The proctor console's sound: a camera sending H.264 + G.711 plays video only
// until its tile is unmuted; unmuted, the tile plays the source's one AAC encode and the 440 Hz tone the
// camera sends is found in the decoded sound; muted again, the encode ends. A camera sending H.265 says,
// in words and once, that this browser cannot play it — no socket, no reconnect loop; enlarged, it plays
// the server's H.264 transcode, whose sound the tile plays when unmuted (no second stream), and which ends
// when the tile goes back to the grid. The /live/ page plays the transcode for that camera shown alone.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../../server/app.ts';
import { startDemoSources, startRtspSource, freeTcpPort } from '../../media/index.ts';
import { buildTestApp, ROOT, PASSWORDS, scratchDir, httpsTestConfig, listenForTests } from '../helpers.ts';
import { openBrowser, assertSecureName, requireChromiumAndApps } from './browser.ts';

requireChromiumAndApps('media', 'proctor');

interface TileStats {
  state: string;
  frames: number;
  buffered: number;
  latencies: number[];
  reconnects: number;
}

t.test('the live page plays a real RTSP camera in Chromium and its frames advance', async (t) => {
  const ARTIFACTS = join(ROOT, 'tests/artifacts/live');
  const WAIT = 30_000;
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = scratchDir(t, 'examroom-e2e-live-');
  const rtspPort = await freeTcpPort();
  const camUrl = `rtsp://127.0.0.1:${rtspPort}/cam-e2e`;
  const cameras = await startDemoSources([{ id: 'CAM-E2E', name: '一号考场前方', url: camUrl, audio: true }], undefined, {
    rtpPortStart: 30000 + 2 * Math.floor(Math.random() * 5000),
    timecode: true,
  });
  t.teardown(() => cameras.stop());
  t.equal(cameras.cameras.length, 1, 'the simulated camera publishes');

  const app: App = await buildTestApp({
    config: httpsTestConfig(
      join(dir, 'data'),
      `cameras:\n  - { id: CAM-E2E, name: 一号考场前方, room: R1, url: "${camUrl}" }\n  - { id: CAM-OFF, name: 一号考场后方, room: R1, url: "rtsp://127.0.0.1:9/none" }\n`,
    ),
  });
  t.teardown(() => app.close());
  const { base } = await listenForTests(app);

  const { context, page, pageErrors } = await openBrowser(t, { base, width: 1280, height: 800, wait: WAIT });

  await page.goto(`${base}/live/?source=CAM-E2E&measure=1`);
  await assertSecureName(t, page, base);
  // Not logged in: the page asks for a log-in first.
  await page.fill('input[name=username]', 'invig');
  await page.fill('input[name=password]', PASSWORDS.invig);
  await page.click('button[type=submit]');
  await page.waitForSelector('figure.tile[data-source="CAM-E2E"]');
  t.match(await page.locator('header .who').textContent(), /^invig \(监考员\)/, 'the top bar words the role, not the raw "invigilator"');
  const stats = () => page.evaluate(() => (globalThis as unknown as { __live?: Record<string, TileStats> }).__live?.['CAM-E2E'] ?? null);
  // String expressions: the test is compiled without DOM types; the page has them.
  const currentTime = async () => Number(await page.evaluate("document.querySelector('video').currentTime"));
  const muted = async () => Boolean(await page.evaluate("document.querySelector('video').muted"));

  await page.waitForFunction(() => ((globalThis as unknown as { __live?: Record<string, TileStats> }).__live?.['CAM-E2E']?.frames ?? 0) >= 15, null, {
    timeout: WAIT,
  });
  const first = (await stats())!;
  const t1 = await currentTime();
  await page.waitForFunction(
    (n) => ((globalThis as unknown as { __live?: Record<string, TileStats> }).__live?.['CAM-E2E']?.frames ?? 0) >= n,
    first.frames + 45,
    { timeout: WAIT },
  );
  const t2 = await currentTime();
  const later = (await stats())!;
  t.ok(later.frames >= first.frames + 45, `frames keep being presented (${first.frames} → ${later.frames})`);
  t.ok(t2 > t1 + 1, `the video's clock advances (${t1.toFixed(2)} s → ${t2.toFixed(2)} s)`);
  t.equal(later.state, 'playing', 'the tile says it is live');
  t.equal(await page.locator('figure.tile .state').getAttribute('class'), 'state playing', 'and shows it');
  t.equal(await muted(), true, 'sound is off until asked for');

  // Glass-to-glass latency from the burned-in time code (one machine, one clock).
  const samples = later.latencies.slice(-60).sort((a, b) => a - b);
  t.ok(samples.length >= 20, `the page read the camera's time code from ${samples.length} frames`);
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!;
  const figures = {
    samples: samples.length,
    medianMs: pct(50),
    p95Ms: pct(95),
    maxMs: samples[samples.length - 1],
    bufferedSeconds: later.buffered,
    reconnects: later.reconnects,
  };
  t.comment(
    `live latency (camera clock → picture in Chromium): median ${figures.medianMs} ms, p95 ${figures.p95Ms} ms over ${figures.samples} frames; ${figures.bufferedSeconds.toFixed(2)} s buffered in the player`,
  );
  writeFileSync(join(ARTIFACTS, 'latency.json'), `${JSON.stringify(figures, null, 2)}\n`);

  await page.locator('button.sound').click();
  t.equal(await muted(), false, 'the sound button turns the sound on');
  await page.evaluate('document.fonts.ready.then(() => undefined)');
  await page.screenshot({ path: join(ARTIFACTS, 'live-tile.png'), animations: 'disabled', caret: 'hide' });

  // One unmuted tile per page (docs/media.md): unmuting a second tile mutes the first.
  await page.goto(`${base}/live/`);
  const tileMuted = async (id: string) => Boolean(await page.evaluate(`document.querySelector('figure.tile[data-source="${id}"] video').muted`));
  await page.locator('figure.tile[data-source="CAM-E2E"] button.sound').click();
  t.equal(await tileMuted('CAM-E2E'), false, 'the first tile has the sound');
  await page.locator('figure.tile[data-source="CAM-OFF"] button.sound').click();
  t.equal(await tileMuted('CAM-OFF'), false, 'unmuting a second tile gives it the sound');
  t.equal(await tileMuted('CAM-E2E'), true, 'and mutes the first');
  t.equal(await page.locator('figure.tile[data-source="CAM-E2E"] button.sound').textContent(), '打开声音', 'whose button offers the sound again');

  // An inspector of another city, with a typo first: both refusals in the page's language, not the
  // server's English ("… is outside your jurisdiction" once read 无权观看：site … is outside …).
  await context.clearCookies();
  await page.goto(`${base}/live/`);
  await page.fill('input[name=username]', 'sz');
  await page.fill('input[name=password]', 'wrong-password');
  await page.click('button[type=submit]');
  await page.getByText('登录失败：用户名或密码错误').waitFor();
  await page.fill('input[name=password]', PASSWORDS.sz);
  await page.click('button[type=submit]');
  const refusal = page.locator('p.error').getByText('无权观看：本考点不在您的辖区内');
  await refusal.waitFor();
  t.notMatch(await page.locator('p.error').textContent(), /[A-Za-z]/, 'the refusal has no English in it');
  await page.screenshot({ path: join(ARTIFACTS, 'live-refused.png'), animations: 'disabled', caret: 'hide' });
  t.same(pageErrors, [], 'no script errors on the page');
});

t.test('a grid tile plays the sub-stream, the enlarged tile the main stream, a tile out of view nothing', async (t) => {
  const ARTIFACTS = join(ROOT, 'tests/artifacts/tiles');
  /** Waits on visible state are bounded only so that a broken build fails instead of hanging. */
  const WAIT = 20_000;
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = scratchDir(t, 'examroom-e2e-tiles-');
  const rtspPort = await freeTcpPort();
  const camUrl = `rtsp://127.0.0.1:${rtspPort}/cam-tiles`;
  const subUrl = `rtsp://127.0.0.1:${rtspPort}/cam-tiles-sub`;
  const cameras = await startDemoSources([{ id: 'CAM-T', name: '一号考场前方', url: camUrl, subUrl, audio: false }], undefined, {
    rtpPortStart: 30000 + 2 * Math.floor(Math.random() * 5000),
  });
  t.teardown(() => cameras.stop());
  const app: App = await buildTestApp({
    config: httpsTestConfig(
      join(dir, 'data'),
      `cameras:\n  - { id: CAM-T, name: 一号考场前方, room: R1, url: "${camUrl}", subUrl: "${subUrl}", audio: false }\n`,
    ),
  });
  t.teardown(() => app.close());
  const { base } = await listenForTests(app);
  for (let i = 0; i < 300 && !(app.media.source('CAM-T').state === 'up' && app.media.source('CAM-T').sub?.state === 'up'); i++)
    await new Promise((r) => setTimeout(r, 100));
  t.equal(app.media.source('CAM-T').sub?.state, 'up', 'the appliance pulls the sub-stream too');

  const { page, pageErrors } = await openBrowser(t, { base, width: 1280, height: 800, wait: WAIT });
  // The room view carries each source's sub-stream path: no second list is fetched for it.
  const sourceLists: string[] = [];
  page.on('request', (r) => void (r.url().includes('/api/live/sources') && sourceLists.push(r.url())));

  await page.goto(`${base}/proctor/?room=R1`);
  await assertSecureName(t, page, base);
  await page.fill('input[name=username]', 'invig');
  await page.fill('input[name=password]', PASSWORDS.invig);
  await page.click('button[type=submit]');
  const tile = page.locator('figure.tile[data-source="CAM-T"]');
  await tile.scrollIntoViewIfNeeded();
  // Playing the given stream: the player is on its socket, frames are being presented, and the decoded
  // picture has that stream's size. (No DOM types here: the tests are compiled for Node.)
  const playing = (stream: 'sub' | 'main', width: number) =>
    page.waitForFunction(
      ([stream, width]) => {
        type El = { dataset: Record<string, string>; querySelector(s: string): { videoWidth: number } | null };
        const g = globalThis as unknown as { document: { querySelector(s: string): El | null }; __live?: Record<string, { url: string }> };
        const f = g.document.querySelector('figure.tile[data-source="CAM-T"]');
        const s = g.__live?.['CAM-T'];
        const url = stream === 'sub' ? '/ws/live/CAM-T?stream=sub' : '/ws/live/CAM-T';
        return !!(
          f &&
          s &&
          f.dataset.state === 'playing' &&
          f.dataset.stream === stream &&
          s.url.endsWith(url) &&
          f.querySelector('video')?.videoWidth === width
        );
      },
      [stream, width] as const,
      { timeout: WAIT, polling: 100 },
    );
  const tileState = () => tile.getAttribute('data-state');

  await playing('sub', 320);
  t.pass('the grid tile plays the 320×180 sub-stream');
  await page.screenshot({ path: join(ARTIFACTS, 'grid-sub-stream.png'), animations: 'disabled', caret: 'hide' });
  await tile.click();
  await playing('main', 640);
  t.pass('enlarged, it plays the 640×360 main stream');
  await page.screenshot({ path: join(ARTIFACTS, 'enlarged-main-stream.png'), animations: 'disabled', caret: 'hide' });
  await tile.click();
  await playing('sub', 320);
  t.pass('restored, it goes back to the sub-stream');

  // A window too short to show the grid, scrolled to the top: the tile is out of view.
  await page.setViewportSize({ width: 1280, height: 200 });
  await page.evaluate('window.scrollTo(0, 0)');
  t.equal(
    await page.evaluate(`document.querySelector('figure.tile[data-source="CAM-T"]').getBoundingClientRect().top > window.innerHeight`),
    true,
    'the tile is below the window',
  );
  for (let i = 0; i < 100 && (await tileState()) !== 'paused'; i++) await new Promise((r) => setTimeout(r, 100));
  t.equal(await tileState(), 'paused', 'out of view, the tile pauses');
  t.equal(await tile.locator('.state').textContent(), '已暂停（不在可视区域）', 'and says why it shows nothing');
  for (let i = 0; i < 50 && app.live.relay.viewers('CAM-T') > 0; i++) await new Promise((r) => setTimeout(r, 100));
  t.equal(app.live.relay.viewers('CAM-T'), 0, 'out of view, the tile holds no stream (nothing to decode)');
  await tile.scrollIntoViewIfNeeded();
  await playing('sub', 320);
  t.pass('scrolled back into view, it plays again');
  t.same(sourceLists, [], 'the tiles learn their streams from the room view alone');
  t.same(pageErrors, [], 'no script errors on the page');
});

t.test('the unmuted tile plays the camera’s tone through one encode; an H.265 tile says why it shows nothing', async (t) => {
  const ARTIFACTS = join(ROOT, 'tests/artifacts/sound');
  const WAIT = 30_000;
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = scratchDir(t, 'examroom-e2e-sound-');
  const cam = await startRtspSource({ path: 'cam-s' });
  t.teardown(() => cam.stop());
  const hevc = await startRtspSource({ path: 'cam-h', codec: 'hevc' });
  t.teardown(() => hevc.stop());
  const app: App = await buildTestApp({
    config: httpsTestConfig(
      join(dir, 'data'),
      `cameras:\n  - { id: CAM-S, name: 一号考场前方, room: R1, url: "${cam.url}" }\n  - { id: CAM-H, name: 一号考场后方, room: R1, url: "${hevc.url}" }\n`,
    ),
  });
  t.teardown(() => app.close());
  const { base } = await listenForTests(app);
  for (let i = 0; i < 300 && !(app.media.source('CAM-S').codecs && app.media.source('CAM-H').codecs); i++) await new Promise((r) => setTimeout(r, 100));
  t.match(app.media.source('CAM-H').codecs, { video: 'hevc', audio: 'pcm_mulaw' }, 'the appliance knows the back camera sends H.265');
  t.same(app.media.health().h265WithoutSub, ['CAM-H'], 'and lists it as H.265 without a sub-stream');

  const { page, pageErrors } = await openBrowser(t, { base, width: 1280, height: 800, wait: WAIT });
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(`${base}/proctor/?room=R1`);
  await page.fill('input[name=username]', 'invig');
  await page.fill('input[name=password]', PASSWORDS.invig);
  await page.click('button[type=submit]');

  // The decoded sound of a tile, through Web Audio: the strongest frequency (the camera's tone is 440 Hz).
  const tone = async (source: string) =>
    (await page.evaluate(`(async () => {
    const v = document.querySelector('figure.tile[data-source="${source}"] video');
    const deadline = Date.now() + 20000;
    while ((v.webkitAudioDecodedByteCount ?? 0) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const ctx = new AudioContext();
    const src = ctx.createMediaElementSource(v);
    const an = ctx.createAnalyser();
    an.fftSize = 8192;
    src.connect(an);
    an.connect(ctx.destination);
    await ctx.resume();
    const bins = new Float32Array(an.frequencyBinCount);
    let best = { hz: 0, db: -Infinity };
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setTimeout(r, 100));
      an.getFloatFrequencyData(bins);
      for (let b = 1; b < bins.length; b++) if (bins[b] > best.db) best = { hz: (b * ctx.sampleRate) / an.fftSize, db: bins[b] };
    }
    return { decoded: v.webkitAudioDecodedByteCount ?? 0, ...best };
  })()`)) as { decoded: number; hz: number; db: number };

  /** The H.265 camera's tile plays the server's H.264 transcode: frames decode in the page. */
  const transcodePlays = () =>
    page.waitForFunction(
      () => {
        const s = (globalThis as unknown as { __live?: Record<string, { url: string; frames: number }> }).__live?.['CAM-H'];
        return !!s && s.url.endsWith('?stream=h264') && s.frames > 5;
      },
      undefined,
      { timeout: WAIT, polling: 100 },
    );

  const hevcTile = page.locator('figure.tile[data-source="CAM-H"]');
  await hevcTile.scrollIntoViewIfNeeded();
  await hevcTile.locator('[data-testid=tile-codec]').waitFor();
  t.match(await hevcTile.locator('[data-testid=tile-codec]').textContent(), /无法播放 H\.265.*subUrl/, 'the H.265 tile says what is wrong and what to do');

  const tile = page.locator('figure.tile[data-source="CAM-S"]');
  await tile.scrollIntoViewIfNeeded();
  await page.waitForFunction(
    () => {
      const g = globalThis as unknown as { document: { querySelector(s: string): { dataset: Record<string, string> } | null } };
      return g.document.querySelector('figure.tile[data-source="CAM-S"]')?.dataset.state === 'playing';
    },
    undefined,
    { timeout: WAIT, polling: 100 },
  );
  t.same(app.live.relay.sound.running(), [], 'tiles play video only: no sound encode runs');

  await tile.locator('button.sound').click();
  await page.waitForFunction(
    () => ((globalThis as unknown as { __live?: Record<string, { url: string }> }).__live?.['CAM-S']?.url ?? '').endsWith('?stream=sound'),
    undefined,
    {
      timeout: WAIT,
      polling: 100,
    },
  );
  // The page has switched its socket; the server starts the encode when that socket arrives.
  for (const until = Date.now() + WAIT; app.live.relay.sound.running().length === 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
  t.same(app.live.relay.sound.running(), ['CAM-S'], 'unmuting starts one encode for the source');
  // The decoded sound, through Web Audio: the strongest frequency is the camera's 440 Hz tone.
  const peak = await tone('CAM-S');
  t.ok(peak.decoded > 0, `the tile decodes sound (${peak.decoded} bytes)`);
  t.ok(Math.abs(peak.hz - 440) < 15 && peak.db > -80, `the camera's 440 Hz tone is in it (peak ${peak.hz.toFixed(0)} Hz at ${peak.db.toFixed(0)} dB)`);
  await page.screenshot({ path: join(ARTIFACTS, 'unmuted-and-h265.png'), animations: 'disabled', caret: 'hide' });

  await tile.locator('button.sound').click();
  for (let i = 0; i < 100 && app.live.relay.sound.running().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  t.same(app.live.relay.sound.running(), [], 'muting ends the encode');
  t.notOk(
    sockets.some((u) => u.includes('/ws/live/CAM-H')),
    'the H.265 tile never opened a socket (no reconnect loop)',
  );

  // Enlarged, the H.265 tile plays the server's H.264 transcode: frames decode in the page.
  await hevcTile.click();
  await transcodePlays();
  t.same(app.live.relay.hevc.running(), ['CAM-H'], 'the enlarged H.265 tile plays one transcode');
  t.equal(await hevcTile.getAttribute('data-state'), 'playing', 'and its picture plays');
  await page.screenshot({ path: join(ARTIFACTS, 'h265-enlarged.png'), animations: 'disabled', caret: 'hide' });
  // Unmuted, the enlarged H.265 tile plays the transcode's own sound: the same socket, no sound encode.
  await hevcTile.locator('button.sound').click();
  const hevcPeak = await tone('CAM-H');
  t.ok(
    hevcPeak.decoded > 0 && Math.abs(hevcPeak.hz - 440) < 15 && hevcPeak.db > -80,
    `the enlarged H.265 tile plays the camera's 440 Hz tone when unmuted (peak ${hevcPeak.hz.toFixed(0)} Hz at ${hevcPeak.db.toFixed(0)} dB, ${hevcPeak.decoded} bytes)`,
  );
  t.same(
    [app.live.relay.hevc.running(), app.live.relay.sound.running(), sockets.filter((u) => u.includes('/ws/live/CAM-H') && !u.endsWith('?stream=h264'))],
    [['CAM-H'], [], []],
    'from the one transcode: no sound encode, no socket on another stream',
  );
  await hevcTile.click();
  for (let i = 0; i < 100 && app.live.relay.hevc.running().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  t.same(app.live.relay.hevc.running(), [], 'restoring it to the grid ends the transcode');
  t.equal(await hevcTile.locator('button.sound').count(), 0, 'and back in the grid it has no sound button (it cannot play there)');

  // The /live/ page: in a grid of several the H.265 tile says so and points to itself alone; shown alone,
  // it asks for the transcode and plays it, as the console's enlarged tile does.
  await page.goto(`${base}/live/`);
  const liveHevc = page.locator('figure.tile[data-source="CAM-H"]');
  await liveHevc.locator('[data-testid=tile-codec]').waitFor();
  t.match(await liveHevc.locator('[data-testid=tile-codec]').textContent(), /单独打开/, 'the /live/ grid says to open it alone');
  t.same(app.live.relay.hevc.running(), [], 'a grid of several transcodes nothing');
  await liveHevc.locator('a').click();
  await transcodePlays();
  t.same(app.live.relay.hevc.running(), ['CAM-H'], 'shown alone on /live/, it plays the one transcode');
  t.equal(await page.locator('figure.tile[data-source="CAM-H"]').getAttribute('data-state'), 'playing', 'and its picture plays there');
  await page.screenshot({ path: join(ARTIFACTS, 'live-page-h265-alone.png'), animations: 'disabled', caret: 'hide' });
  t.same(pageErrors, [], 'no script errors on the page');
});
