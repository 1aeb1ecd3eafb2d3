// End to end, in one Chromium on a real server: every desk app opened before anyone signed in shows its
// log-in form and writes no error into the browser's console (the web kit asks /api/auth/session, which
// answers 200 for nobody, where a 401 from /api/auth/me was logged as an error by every app at every
// first load). Then the admin console, signed in, meets its session's expiry at its next ordinary
// request: it shows the log-in form with the reason, not an error per request. Screenshots in
// tests/artifacts/first-load/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { fixedClock } from '../../core/index.ts';
import { buildTestApp, httpsTestConfig, listenForTests, PASSWORDS, ROOT, scratchDir } from '../helpers.ts';
import { openBrowser, requireChromiumAndApps } from './browser.ts';

const WAIT = 20_000;
const STREAM_KEY = 'Sk-e2e-7Qm4xZ';
const ARTIFACTS = join(ROOT, 'tests/artifacts/first-load');

requireChromiumAndApps('admin', 'proctor', 'inspector', 'records');

t.test('a desk app opened before log-in shows its form and logs no error; an expired session brings the form back', async (t) => {
  const clock = fixedClock(Date.now());
  // One camera pushed to a platform whose URL carries a stream key: the System page must not show it.
  const extra = `cameras:
  - { id: CAM1, name: 前门, room: R1, url: "rtsp://127.0.0.1:9/none" }
upstream:
  - { id: P1, name: 省监管平台, level: province, protocol: rtmp, url: "rtmp://127.0.0.1:9/live/${STREAM_KEY}/{source}" }
`;
  const app = await buildTestApp({ config: httpsTestConfig(scratchDir(t, 'examroom-e2e-first-load-'), extra), clock });
  t.teardown(() => app.close());
  const { base } = await listenForTests(app);
  const browser = await openBrowser(t, { base, width: 1280, height: 800, wait: WAIT });
  const { page } = browser;
  mkdirSync(ARTIFACTS, { recursive: true });
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
  });

  for (const path of ['/admin/', '/proctor/', '/inspector/', '/records/']) {
    consoleErrors.length = 0;
    await page.goto(`${base}${path}`);
    await page.waitForSelector('input[type=password]');
    // The form is up: every request of the first load has been answered.
    await page.waitForLoadState('networkidle');
    t.same(consoleErrors, [], `${path}: the log-in form, and nothing in the console`);
    await page.screenshot({ path: join(ARTIFACTS, `before-login-${path.replaceAll('/', '')}.png`) });
  }

  await page.goto(`${base}/admin/`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[type=password]', PASSWORDS.admin);
  await page.press('input[type=password]', 'Enter');
  await page.waitForSelector('[data-testid=nav-system]');
  t.pass('signed in: the console');

  await page.click('[data-testid=nav-system]');
  await page.click('[data-testid=system-tab-upstream]');
  await page.waitForSelector('[data-testid=system-upstream] table');
  const upstream = (await page.textContent('[data-testid=system-upstream]')) ?? '';
  t.match(upstream, 'rtmp://127.0.0.1:9/live/***/CAM1', 'the System page names the push by host, app and camera');
  t.notMatch(upstream, STREAM_KEY, '…and not by its stream key');
  await page.screenshot({ path: join(ARTIFACTS, 'admin-system-upstream.png') });

  // Twelve hours later (security.sessionHours) the session has expired under the open page.
  clock.advance(13 * 3600_000);
  consoleErrors.length = 0;
  await page.click('[data-testid=nav-system]');
  await page.waitForSelector('input[type=password]');
  t.match(await page.textContent('body'), /登录已结束|signed out/, 'the form says why');
  await page.screenshot({ path: join(ARTIFACTS, 'admin-session-expired.png') });
  t.ok(
    consoleErrors.every((e) => /401/.test(e)),
    `the only console lines are the refused requests themselves: ${JSON.stringify(consoleErrors)}`,
  );
  t.same(browser.pageErrors, [], 'no uncaught error in the pages');
});
