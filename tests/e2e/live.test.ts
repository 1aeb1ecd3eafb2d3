// End to end: a real RTSP camera (rtsp-streaming-server fed by ffmpeg, the demo's simulated camera)
// pulled by ingest, relayed over /ws/live, played by the built /live/ page with mpegts.js in Debian's
// Chromium (headless). The test logs in through the page, checks that frames keep coming, and reads
// back the wall-clock time code the camera burns into its picture to report the glass-to-glass
// latency (printed, and kept in tests/artifacts/live/latency.json; not asserted: speed is a bench
// figure). Screenshot in tests/artifacts/live/.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../../server/app.ts';
import { startDemoSources, freeTcpPort } from '../../media/index.ts';
import { buildTestApp, ROOT, PASSWORDS, scratchDir, httpsTestConfig, listenForTests } from '../helpers.ts';
import { openBrowser, assertSecureName, requireChromiumAndApps } from './browser.ts';

const ARTIFACTS = join(ROOT, 'tests/artifacts/live');
const WAIT = 30_000;

requireChromiumAndApps('media');

interface TileStats {
  state: string;
  frames: number;
  buffered: number;
  latencies: number[];
  reconnects: number;
}

t.test('the live page plays a real RTSP camera in Chromium and its frames advance', async (t) => {
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
