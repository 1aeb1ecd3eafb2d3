// End to end: a camera with a sub-stream (the demo's simulated camera publishes 640×360 and a 320×180
// sub-stream from one ffmpeg) in the built /proctor/ console in Debian's Chromium. The grid tile plays
// the sub-stream, the enlarged tile the main stream, and a tile scrolled out of view lets go of its
// stream until it is seen again.
import t from 'tap';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDemoSources, freeTcpPort } from '../../media/index.ts';
import type { App } from '../../server/app.ts';
import { buildTestApp, ROOT, PASSWORDS, scratchDir, httpsTestConfig, listenForTests } from '../helpers.ts';
import { openBrowser, assertSecureName, requireChromiumAndApps } from './browser.ts';

const ARTIFACTS = join(ROOT, 'tests/artifacts/tiles');
/** Waits on visible state are bounded only so that a broken build fails instead of hanging. */
const WAIT = 20_000;

requireChromiumAndApps('proctor');

t.test('a grid tile plays the sub-stream, the enlarged tile the main stream, a tile out of view nothing', async (t) => {
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
