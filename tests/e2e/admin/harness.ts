// What every admin-console browser test starts from: the real server on a loopback port over HTTPS by
// name (scratch data, the test site's config and nothing else: no bank, no plan), Debian's Chromium at
// an office screen's size, signed in as the admin through the console's own log-in form. Each page's
// steps (tests/e2e/admin/*-steps.ts) take an AdminConsole and drive the page as a person would;
// screenshots go to tests/artifacts/admin/ (git-ignored), one per page state worth looking at.
// Every console opened in one test file shares one Chromium (a fresh profile each), so the pages' walks
// run in one file beside the exam day without a Chromium launch each.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { Page } from 'playwright-core';
import { fixedClock, type Clock } from '../../../core/index.ts';
import type { App } from '../../../server/app.ts';
import { buildTestApp, httpsTestConfig, listenForTests, login, PASSWORDS, ROOT, scratchDir } from '../../helpers.ts';
import { assertSecureName, CHROMIUM_FLAGS, chromiumArgsFor, fileChromium } from '../browser.ts';

export const ARTIFACTS = join(ROOT, 'tests/artifacts/admin');
/** Waits on visible state are bounded only so that a broken build fails instead of hanging. */
export const WAIT = 20_000;
/**
 * The server's clock stands still at the start of the office's work, but near the real time: the browser
 * judges the session cookie's expiry by its own clock. A whole minute, so times typed in forms are exact.
 */
export const dayStart = () => Math.floor(Date.now() / 60_000) * 60_000;
/** YYYY-MM-DDTHH:mm in the site's zone (Asia/Shanghai, no daylight saving: UTC+8), as a form's datetime-local shows it. */
export const siteLocal = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);

export interface AdminConsole {
  app: App;
  /** https://TEST_HOST:PORT */
  base: string;
  page: Page;
  pageErrors: string[];
  /** The server's clock (stands still unless the test moves it). */
  clock: ReturnType<typeof fixedClock>;
  /** The admin's session cookie, for setting up what a step does not drive through the page. */
  adminCookie: string;
  dir: string;
  /** Opens a page of the console: `open('plans', 'session=S1')`. */
  open(pageId: string, query?: string): Promise<void>;
  /** A full-page screenshot to tests/artifacts/admin/NAME.png, fonts loaded first. */
  shot(name: string): Promise<void>;
  /**
   * Another browser profile in the same Chromium (its own cookies: an exam PC, a kiosk) — what a test
   * needs beside the office without a second Chromium launch. Its page errors join `pageErrors`.
   */
  newPage(size?: { width: number; height: number }): Promise<Page>;
}

const FAKE_CAMERA = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

export async function openAdminConsole(
  t: Test,
  opts: {
    extraYaml?: string;
    clock?: Clock & { set(ms: number): void };
    width?: number;
    height?: number;
    lang?: 'zh' | 'en';
    /** More Chromium flags; the same for every console of a test file, which share one Chromium. */
    args?: string[];
  } = {},
): Promise<AdminConsole> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = scratchDir(t, 'examroom-e2e-admin-');
  const clock = (opts.clock as ReturnType<typeof fixedClock> | undefined) ?? fixedClock(dayStart());
  const app = await buildTestApp({ config: httpsTestConfig(join(dir, 'data'), opts.extraYaml ?? ''), clock });
  t.teardown(() => app.close());
  const { base } = await listenForTests(app);
  const adminCookie = await login(app, 'admin', PASSWORDS.admin);
  // One Chromium, a context per profile, closed with this console (before its app: teardowns run last first).
  // The fake camera answers an exam PC's seat-check getUserMedia (newPage) without a prompt.
  const browser = await fileChromium([...CHROMIUM_FLAGS, ...FAKE_CAMERA, ...chromiumArgsFor(base), ...(opts.args ?? [])]);
  const pageErrors: string[] = [];
  const newPage = async (size = { width: 1366, height: 768 }) => {
    const context = await browser.newContext({ viewport: size, locale: 'zh-CN', acceptDownloads: true });
    t.teardown(() => context.close());
    context.setDefaultTimeout(WAIT);
    const p = await context.newPage();
    p.on('pageerror', (e) => pageErrors.push(String(e)));
    return p;
  };
  const page = await newPage({ width: opts.width ?? 1366, height: opts.height ?? 768 });
  const langQuery = opts.lang === 'en' ? '?lang=en' : '';
  await page.goto(`${base}/admin/${langQuery}`);
  await assertSecureName(t, page, base);
  // The console's own log-in form, as the office's IT person signs in.
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', PASSWORDS.admin);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('nav.admin-nav');
  return {
    app,
    base,
    page,
    pageErrors,
    clock,
    adminCookie,
    dir,
    newPage,
    async open(pageId, query) {
      await page.goto(`${base}/admin/${langQuery}#/${pageId}${query ? `?${query}` : ''}`);
      await page.waitForSelector(`[data-testid=page-${pageId}]`);
    },
    async shot(name) {
      await page.evaluate('document.fonts.ready.then(() => undefined)');
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
    },
  };
}

/**
 * A link's file as the browser gets it (its cookie, its name resolution for the test host): playwright's
 * own request API cannot resolve the test host's name, so the page fetches it.
 */
export async function fetchInPage(c: AdminConsole, href: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const r = await c.page.evaluate(async (u) => {
    const res = await fetch(u, { credentials: 'same-origin' });
    const b = new Uint8Array(await res.arrayBuffer());
    let s = '';
    for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
    return { status: res.status, type: res.headers.get('content-type'), b64: btoa(s) };
  }, href);
  return { status: r.status, type: r.type, bytes: Buffer.from(r.b64, 'base64') };
}
