// The browser apps as the server serves them: a built app from its dist folder (the page never
// cached, its hashed bundles cached for good, nothing outside dist reachable), a placeholder for an
// app not built yet.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { ROOT, testApp } from '../helpers.ts';
import { WEB_APPS, builtAppDir } from '../../server/routes/web.ts';

const built = spawnSync(process.execPath, [join(ROOT, 'server/build-web.mjs'), '--if-stale', 'terminal'], {
  cwd: ROOT,
  encoding: 'utf8',
  env: { ...process.env, CI: 'true' },
});
if (built.status !== 0) throw new Error(`building the terminal app failed:\n${built.stdout}\n${built.stderr}`);

/** A raw GET: inject() and fetch() both normalise the path, and path tricks are the point here. */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('the built terminal app is served at /terminal/ with its policy, the page never cached', async (t) => {
  const app = await testApp(t);
  for (const url of ['/terminal/', '/terminal/?device=T101-01', '/terminal/index.html']) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 200, url);
    t.match(res.headers['content-type'], /^text\/html/);
    t.equal(res.headers['cache-control'], 'no-cache');
    t.match(res.headers['content-security-policy'], /default-src 'self'/);
    t.match(res.body, /<div id="app"><\/div>/);
  }
  const page = (await app.inject({ url: '/terminal/' })).body;
  const assets = [...page.matchAll(/(?:src|href)="(\/terminal\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  t.ok(assets.length >= 1, 'the page loads its bundle from /terminal/assets/');
  for (const a of assets) {
    const res = await app.inject({ url: a });
    t.equal(res.statusCode, 200, a);
    t.match(res.headers['cache-control'], /max-age=31536000.*immutable/, 'hashed bundles are cached for good');
  }
  t.notMatch(page, /https?:\/\//, 'the page names no other host (no CDN, no external fonts)');
});

t.test('/favicon.ico answers 204 without a log-in, not a 404 on every page', async (t) => {
  const app = await testApp(t);
  const res = await app.inject({ url: '/favicon.ico' });
  t.equal(res.statusCode, 204);
  t.equal(res.body, '');
});

t.test('/terminal redirects to /terminal/ keeping the query', async (t) => {
  const app = await testApp(t);
  const res = await app.inject({ url: '/terminal?device=T1' });
  t.equal(res.statusCode, 301);
  t.equal(res.headers.location, '/terminal/?device=T1');
});

t.test('nothing outside the dist folder is reachable, and a missing file is 404', async (t) => {
  const app = await testApp(t);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  t.equal((await rawGet(port, '/terminal/assets/nope.js')).status, 404);
  for (const path of [
    '/terminal/../package.json',
    '/terminal/..%2f..%2fpackage.json',
    '/terminal/%2e%2e/%2e%2e/package.json',
    '/terminal/..%5c..%5cpackage.json',
    '/terminal/.vite/manifest.json',
  ]) {
    const res = await rawGet(port, path);
    t.not(res.status, 200, path);
    t.notMatch(res.body, /"name":\s*"examroom"/, `${path} does not leak package.json`);
  }
});

t.test('an app not built yet gets a page that says so', async (t) => {
  const app = await testApp(t);
  const unbuilt = WEB_APPS.filter((a) => !builtAppDir(a.dir));
  for (const a of unbuilt) {
    const res = await app.inject({ url: a.path });
    t.equal(res.statusCode, 200, a.path);
    t.match(res.body, /not built in this installation/);
    t.match(res.body, /npm run build/);
  }
  t.ok(builtAppDir('terminal/web'), 'the terminal app is built');
});
