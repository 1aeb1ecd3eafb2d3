// End to end: the pages served over plain HTTP on a name (http://examroom.test:PORT, as
// http://192.168.1.10:8080 is at a site) are not a secure context, so the browser gives them no camera
// and no screen capture. The kiosk, the terminal and the proctor console must then say so, in words —
// the camera / screen capture is unavailable because the page is not served over HTTPS from a trusted
// certificate — never a silent "no camera". Every other browser test runs over HTTPS by name.
import t, { type Test } from 'tap';
import { buildTestApp, TEST_HOST, scratchDir, testConfig } from '../helpers.ts';
import { openBrowser, requireChromiumAndApps, type Browser } from './browser.ts';

/** Waits on visible state are bounded only so that a missing message fails instead of hanging. */
const WAIT = 15_000;

requireChromiumAndApps('kiosk', 'terminal', 'proctor');

t.test('over plain HTTP on a name the kiosk, the terminal and the console say why the camera is unavailable', async (t) => {
  const app = await buildTestApp({ config: testConfig(scratchDir(t, 'examroom-e2e-insecure-')) });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.equal(app.tls, null, 'the app serves plain HTTP');
  // The name, not 127.0.0.1: loopback would be a secure context even over plain HTTP.
  const base = `http://${TEST_HOST}:${(app.server.address() as { port: number }).port}`;
  // Fake camera and auto-accepted capture: were the page a secure context, nothing else would stop them.
  const browser = await openBrowser(t, {
    base,
    width: 1280,
    height: 800,
    wait: WAIT,
    args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--auto-accept-this-tab-capture'],
  });

  for (const [name, path] of [
    ['kiosk', '/kiosk/?device=K1'],
    ['terminal', '/terminal/?device=T1'],
    ['proctor console', '/proctor/'],
  ] as const) {
    await t.test(`the ${name} says the camera / screen capture needs HTTPS`, (t) => saysWhy(t, browser, `${base}${path}`, base));
  }
  t.same(browser.pageErrors, [], 'no script errors on the pages');
});

async function saysWhy(t: Test, { page }: Browser, url: string, base: string): Promise<void> {
  await page.goto(url);
  const got = await page.evaluate('({ secure: window.isSecureContext, origin: location.origin, media: typeof navigator.mediaDevices })');
  t.same(got, { secure: false, origin: base, media: 'undefined' }, 'plain HTTP by name: not a secure context, no media devices');
  const message = page.getByTestId('insecure-context');
  await message.waitFor({ state: 'visible' });
  const text = ((await message.textContent()) ?? '').replace(/\s+/g, ' ');
  t.match(text, /HTTPS/, `the page says, in words, that HTTPS is needed: "${text}"`);
}
