// The routes an operator and a monitoring system rely on before any exam runs: health, metrics, the
// API description, and the error replies every client sees when it sends something wrong.
import t, { type Test } from 'tap';
import { parseConfig } from '../../config/index.ts';
import type { App } from '../../server/app.ts';
import { dataPaths, migrations, openDatabase } from '../../storage/index.ts';
import { buildTestApp, login, PASSWORDS, scratchDir, testApp } from '../helpers.ts';

// Each user in a config costs a deliberately slow password hash at start-up; these checks need at
// most one user, so they build a smaller site than helpers' TEST_CONFIG_YAML to stay fast.
const SMALL_SITE = `
site: { id: sys-site, name: 系统测试考点, province: "440000", city: "440100" }
server: { host: 127.0.0.1, port: 0 }
rooms:
  - { id: R1, name: 一号考场, seats: { rows: 1, columns: 2 } }
`;

async function smallApp(t: Test, extraYaml = ''): Promise<App> {
  const app = await buildTestApp({ config: parseConfig(SMALL_SITE + extraYaml, { dataDir: scratchDir(t) }) });
  t.teardown(() => app.close());
  return app;
}

// Read-only checks share one app with the usual test users; tests that count or break things build their own.
const shared = await testApp(t, { extraYaml: 'retention: { minFreeGiB: 1 }\n' });
await shared.ready();

interface HealthBody {
  status: string;
  db: { ok: boolean; error?: string; schemaVersion?: number };
  disk: { ok: boolean; path: string; freeBytes: number; totalBytes: number; minFreeBytes: number };
  ffmpeg: { ok: boolean; version: string | null };
}

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { description?: string; summary?: string }>>;
}

t.test('healthz reports the database, the disk and ffmpeg, with 200 when all are fine', async (t) => {
  // The shared app asks for 1 GiB free: low enough that a test machine has it, so every part passes.
  const app = shared;
  const res = await app.inject({ url: '/healthz' });
  t.equal(res.statusCode, 200);
  const h = res.json() as HealthBody;
  t.equal(h.status, 'ok');
  t.same(h.db, { ok: true, schemaVersion: migrations.at(-1)!.version });
  t.equal(h.disk.ok, true);
  t.equal(h.disk.path, app.ctx.paths.root);
  t.ok(h.disk.freeBytes > 0 && h.disk.freeBytes <= h.disk.totalBytes, `free bytes are counted (${h.disk.freeBytes} of ${h.disk.totalBytes})`);
  t.equal(h.disk.minFreeBytes, 1024 ** 3);
  t.equal(h.ffmpeg.ok, true, 'ffmpeg is installed on this machine');
  t.match(h.ffmpeg.version, /^\d+\.\d+/);
});

t.test('healthz is degraded, still 200, when free space is below the recording minimum', async (t) => {
  // Recording stops but the database still works: monitoring should warn, not page as an outage.
  const app = await smallApp(t, 'retention: { minFreeGiB: 1000000000 }\n');
  const res = await app.inject({ url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { status: 'degraded', db: { ok: true }, disk: { ok: false } });
});

t.test('healthz is failing with 503 when the database is unusable', async (t) => {
  const dir = scratchDir(t);
  const db = openDatabase(dataPaths(dir).dbFile);
  const app = await buildTestApp({ config: parseConfig(SMALL_SITE, { dataDir: dir }), db });
  t.teardown(() => app.close());
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'healthy while the database is open');
  db.close();
  const res = await app.inject({ url: '/healthz' });
  t.equal(res.statusCode, 503);
  const h = res.json() as HealthBody;
  t.equal(h.status, 'failing');
  t.equal(h.db.ok, false);
  t.match(h.db.error, /not open/);
});

t.test('metrics is Prometheus text counting requests by route and status', async (t) => {
  // Its own app: the counts below are exact, so no other test's requests may land in them.
  const app = await smallApp(t);
  await app.inject({ url: '/healthz' });
  await app.inject({ url: '/healthz' });
  await app.inject({ url: '/api/site' });
  await app.inject({ url: '/no/such/page' });
  const res = await app.inject({ url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  t.match(res.body, /^# TYPE examroom_http_requests_total counter$/m);
  t.match(res.body, /^examroom_http_requests_total\{method="GET",route="\/healthz",status="200"\} 2$/m);
  t.match(res.body, /^examroom_http_requests_total\{method="GET",route="\/api\/site",status="401"\} 1$/m);
  // Unknown URLs share one label so a scanner cannot grow the label set without bound.
  t.match(res.body, /^examroom_http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
  t.notMatch(res.body, /no\/such\/page/);
});

t.test('metrics counts audit entries by action, including a login', async (t) => {
  const app = await smallApp(t, `users:\n  - { username: admin, role: admin, password: ${PASSWORDS.admin} }\n`);
  const before = (await app.inject({ url: '/metrics' })).body;
  t.notMatch(before, /examroom_audit_entries_total\{action="user\.login"\}/);
  await login(app, 'admin', PASSWORDS.admin);
  const after = (await app.inject({ url: '/metrics' })).body;
  t.match(after, /^# TYPE examroom_audit_entries_total counter$/m);
  t.match(after, /^examroom_audit_entries_total\{action="user\.login"\} 1$/m);
});

t.test('docs/json is an OpenAPI 3 document listing every API route', async (t) => {
  const app = shared;
  const res = await app.inject({ url: '/docs/json' });
  t.equal(res.statusCode, 200);
  const doc = res.json() as OpenApiDoc;
  t.match(doc.openapi, /^3\./);
  t.ok(doc.paths['/api/auth/login']?.post, 'POST /api/auth/login is listed');
  t.ok(doc.paths['/api/devices/pairings']?.post, 'POST /api/devices/pairings is listed');
  t.ok(doc.paths['/api/devices/pairings']?.get, 'GET /api/devices/pairings is listed');
  // Taken from the app's own route table, so a route added later is held to the same rule.
  const api = app.routeTable.filter((r) => r.url.startsWith('/api/') && !r.websocket && r.method !== 'HEAD');
  t.ok(api.length >= 10, `the app has API routes (${api.length})`);
  for (const r of api) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    t.ok(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.url} is documented`);
  }
});

t.test("every documented route's description names the roles that may call it", async (t) => {
  const app = shared;
  const doc = (await app.inject({ url: '/docs/json' })).json() as OpenApiDoc;
  let checked = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const url = path.replace(/\{(\w+)\}/g, ':$1');
      const route = app.routeTable.find((r) => r.url === url && r.method === method.toUpperCase());
      if (!route) {
        t.fail(`${method.toUpperCase()} ${path} is documented but the app has no such route`);
        continue;
      }
      t.match(op.description, new RegExp(`(^|\\n)Roles: ${route.roles.join(', ')}$`), `${method.toUpperCase()} ${path} names ${route.roles.join(', ')}`);
      checked++;
    }
  }
  t.ok(checked >= 10, `checked ${checked} documented operations`);
});

t.test('docs serves the API browser as HTML', async (t) => {
  const app = shared;
  const res = await app.inject({ url: '/docs' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/html/);
  t.match(res.body, /<html/i);
});

t.test('a malformed JSON body gets 400 saying the body is not valid JSON', async (t) => {
  const app = shared;
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username": "admin", ' });
  t.equal(res.statusCode, 400);
  t.match(res.json(), { message: /not valid JSON/ });
});

t.test('an unknown field in a login body gets 400 naming the field', async (t) => {
  const app = shared;
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: PASSWORDS.admin, rememberMe: true } });
  t.equal(res.statusCode, 400);
  t.same(res.json(), { error: 'invalid', message: 'body.rememberMe: unknown field', problems: [{ path: 'body.rememberMe', problem: 'unknown field' }] });
  t.equal(res.cookies.length, 0, 'no session is started');
});

t.test('an unknown route gets 404 naming the method and path', async (t) => {
  const app = shared;
  const res = await app.inject({ method: 'DELETE', url: '/api/no-such-thing?confirm=1' });
  t.equal(res.statusCode, 404);
  // The query string is left out: it may carry secrets and says nothing about which route is missing.
  t.same(res.json(), { error: 'not_found', message: 'no route DELETE /api/no-such-thing' });
});

t.test('metrics are for this machine, admins and the addresses the site lists — not for every PC in the room', async (t) => {
  const site = SMALL_SITE.replace('server: { host: 127.0.0.1, port: 0 }', 'server: { host: 127.0.0.1, port: 0, metricsFrom: ["10.9.0.0/16", "fd00::7"] }');
  const app = await buildTestApp({
    config: parseConfig(`${site}users:\n  - { username: admin, role: admin, password: ${PASSWORDS.admin} }\n`, { dataDir: scratchDir(t) }),
  });
  t.teardown(() => app.close());
  const from = (remoteAddress: string, headers: Record<string, string> = {}) => app.inject({ url: '/metrics', remoteAddress, headers });
  t.equal((await from('127.0.0.1')).statusCode, 200, 'this machine');
  t.equal((await from('::1')).statusCode, 200, 'this machine over IPv6');
  t.equal((await from('10.9.4.2')).statusCode, 200, 'a listed range');
  t.equal((await from('::ffff:10.9.4.2')).statusCode, 200, 'a listed range seen through a dual-stack socket');
  t.equal((await from('fd00::7')).statusCode, 200, 'a listed IPv6 address');
  const exam = await from('10.1.0.21');
  t.equal(exam.statusCode, 403, 'an exam PC');
  t.match(exam.json(), { error: 'forbidden', message: /10\.1\.0\.21 is none of them .*server\.metricsFrom/ });
  t.equal((await from('10.1.0.21', { cookie: await login(app, 'admin', PASSWORDS.admin) })).statusCode, 200, 'an admin from anywhere');
});

t.test('a metricsFrom entry that is not an address is a config error naming it', async (t) => {
  const site = SMALL_SITE.replace('server: { host: 127.0.0.1, port: 0 }', 'server: { host: 127.0.0.1, port: 0, metricsFrom: ["10.0.0.0/24", "10.0.0.0/33"] }');
  const err = (() => {
    try {
      parseConfig(site, { dataDir: scratchDir(t) });
    } catch (e) {
      return e as { problems?: unknown };
    }
    return null;
  })();
  t.match(err?.problems, [{ path: 'server.metricsFrom[1]', problem: /not an IP address or a CIDR range/, got: '10.0.0.0/33' }]);
});
