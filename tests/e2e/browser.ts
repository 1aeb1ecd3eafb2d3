// What every end-to-end test against the built web apps needs: Debian's Chromium (one launch per test
// file), the apps built, and a fresh browser profile per test whose page errors are collected for the
// final check. The
// browser reaches the app by a name over HTTPS (the app's site CA pinned), never as localhost, so a page
// that needs a secure context cannot pass only because loopback is one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { chromium, type Browser as Chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT, TEST_HOST, servedTlsOf } from '../helpers.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a headless, quiet Chromium that plays media without a user gesture. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * Chromium's flags for reaching the app at `base`: TEST_HOST resolves to 127.0.0.1 (traffic stays on
 * loopback, the origin is the name), and an HTTPS app's certificate is trusted by its SPKI pin (no NSS
 * database, so no extra package). Chromium honours the pin only with a user-data-dir, which the
 * launch below has (playwright's launch makes a temporary one).
 */
export function chromiumArgsFor(base: string): string[] {
  const url = new URL(base);
  if (url.hostname !== TEST_HOST)
    throw new Error(`browser tests reach the app by ${TEST_HOST}, not ${url.hostname}: serve it with listenForTests (tests/helpers.ts)`);
  const args = [`--host-resolver-rules=MAP ${TEST_HOST} 127.0.0.1`];
  if (url.protocol === 'https:') {
    const served = servedTlsOf(Number(url.port));
    if (!served) throw new Error(`no TLS app of this test file listens on port ${url.port}`);
    args.push(`--ignore-certificate-errors-spki-list=${served.spki.join(',')}`);
  }
  return args;
}

/** Once per test: the page at `base` is a secure context and its origin is the name, so the flags above worked. */
export async function assertSecureName(t: Test, page: Page, base: string): Promise<void> {
  const got = await page.evaluate('({ secure: window.isSecureContext, origin: location.origin })');
  t.same(got, { secure: true, origin: base }, `the page is a secure context at ${base} (HTTPS by name, not loopback)`);
}

/**
 * Fails the test file at once (instead of timing out test by test) when Chromium is missing or an app
 * does not build; `--if-stale` makes the build a no-op when the app is current.
 */
export function requireChromiumAndApps(...apps: string[]): void {
  if (!existsSync(CHROMIUM)) {
    t.fail(`${CHROMIUM} is missing: the end-to-end tests need Debian's chromium package (server/setup.mjs installs it)`);
    process.exit(1);
  }
  const built = spawnSync(process.execPath, [join(ROOT, 'server/build-web.mjs'), '--if-stale', ...apps], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  if (built.status !== 0) {
    t.fail(`building the ${apps.join(' and ')} app(s) failed:\n${built.stdout}\n${built.stderr}`);
    process.exit(1);
  }
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors thrown in the page, in order. */
  pageErrors: string[];
}

let shared: { browser: Chromium; args: string } | null = null;

/**
 * The test file's one Chromium, launched by the first caller and closed when the file ends. Every app of
 * a test file serves the certificate from the file's one keys folder (tests/helpers.ts testKeysFolder), so
 * the pins of the first launch hold for every later app; flags that differ would be silently lost, hence
 * the refusal.
 */
export async function fileChromium(args: string[]): Promise<Chromium> {
  const key = args.join('\n');
  if (shared) {
    if (shared.args !== key)
      throw new Error(`this test file's Chromium runs with other flags (${shared.args.replace(/\n/g, ' ')}); give every browser of the file the same args`);
    return shared.browser;
  }
  // Playwright's launch gives it a temporary user-data-dir, which Chromium needs to honour the
  // certificate pin of chromiumArgsFor.
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
  shared = { browser, args: key };
  t.teardown(() => browser.close());
  return browser;
}

/**
 * A fresh profile (closed when the test ends) in the file's one Chromium (see fileChromium), with one page
 * for the app at `base` (see chromiumArgsFor); every wait on it is bounded by `wait` ms.
 */
export async function openBrowser(t: Test, opts: { base: string; width: number; height: number; wait: number; args?: string[] }): Promise<Browser> {
  const browser = await fileChromium([...CHROMIUM_FLAGS, ...chromiumArgsFor(opts.base), ...(opts.args ?? [])]);
  const context = await browser.newContext({ viewport: { width: opts.width, height: opts.height }, locale: 'zh-CN' });
  t.teardown(() => context.close());
  context.setDefaultTimeout(opts.wait);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return { context, page, pageErrors };
}

/**
 * Subtests that build on each other: after the first failure the rest are skipped (they would only time
 * out one by one), and onFailure runs once, e.g. to keep a screenshot of the page as it was.
 */
export function chainedSteps(onFailure: (name: string) => Promise<void>) {
  let broken: string | null = null;
  return async (t: Test, name: string, fn: (t: Test) => Promise<void>): Promise<void> => {
    if (broken) return void (await t.test(name, { skip: `"${broken}" failed first` }, async () => {}));
    await t.test(name, fn);
    if (!t.passing()) {
      broken = name;
      await onFailure(name).catch(() => {});
    }
  };
}
