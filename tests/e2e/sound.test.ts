// End to end, in Debian's Chromium, the proctor console: a camera sending H.264 + G.711 plays video only
// until its tile is unmuted; unmuted, the tile plays the source's one AAC encode and the 440 Hz tone the
// camera sends is found in the decoded sound; muted again, the encode ends. A camera sending H.265 says,
// in words and once, that this browser cannot play it — no socket, no reconnect loop; enlarged, it plays
// the server's H.264 transcode, whose sound the tile plays when unmuted (no second stream), and which ends
// when the tile goes back to the grid. The /live/ page plays the transcode for that camera shown alone.
import t from 'tap';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startRtspSource } from '../../media/index.ts';
import type { App } from '../../server/app.ts';
import { buildTestApp, ROOT, PASSWORDS, scratchDir, httpsTestConfig, listenForTests } from '../helpers.ts';
import { openBrowser, requireChromiumAndApps } from './browser.ts';

const ARTIFACTS = join(ROOT, 'tests/artifacts/sound');
const WAIT = 30_000;

requireChromiumAndApps('proctor');

t.test('the unmuted tile plays the camera’s tone through one encode; an H.265 tile says why it shows nothing', async (t) => {
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
