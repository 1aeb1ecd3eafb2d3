// Every route × every role: a route answers 401 to anonymous callers and 403 to roles it does not
// name, and never 401/403 to a role it does name. The route list comes from the app itself, so a new
// route is covered the moment it exists.
import t from 'tap';
import { testApp, login, pairDevice, PASSWORDS, scratchDir, testConfig } from '../helpers.ts';
import { ALL_ROLES, type Role } from '../../server/auth/principal.ts';
import { buildApp } from '../../server/app.ts';
import { deferredSchemas } from '../../server/deferred-schemas.ts';

// The other test apps compile a route's schemas on its first request (tests/helpers.ts buildTestApp), so
// a schema that does not compile would fail only the tests that call its route: here every one is compiled.
t.test("every route's schemas compile: all at once as buildApp does by default, and each deferred one as serve does", async (t) => {
  const eager = await buildApp({ config: testConfig(scratchDir(t)) });
  t.teardown(() => eager.close());
  await eager.ready();
  t.pass('Fastify compiled every validator and serializer before ready');
  const schemas = deferredSchemas();
  const deferred = await buildApp({ config: testConfig(scratchDir(t)), schemaController: schemas.schemaController });
  t.teardown(() => deferred.close());
  await deferred.ready();
  const failures = await schemas.compileAll();
  t.same(
    failures.map((f) => `${f.route}: ${f.error.message}`),
    [],
    'no deferred schema fails to compile',
  );
});

t.test('every route declares roles and enforces them for every role', async (t) => {
  const app = await testApp(t);
  await app.ready();
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const added = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: admin },
    payload: { username: 'head', role: 'headteacher', password: 'head-pass-1234' },
  });
  t.equal(added.statusCode, 201, 'a 班主任 (headteacher) is added');
  const callers: Record<Role | 'anonymous', Record<string, string>> = {
    anonymous: {},
    admin: { cookie: admin },
    headteacher: { cookie: await login(app, 'head', 'head-pass-1234') },
    invigilator: { cookie: await login(app, 'invig', PASSWORDS.invig) },
    inspector: { cookie: await login(app, 'gd', PASSWORDS.gd) },
    kiosk: { authorization: `Bearer ${await pairDevice(app, 'kiosk', 'K1', admin)}` },
    terminal: { authorization: `Bearer ${await pairDevice(app, 'terminal', 'T2', admin)}` },
    reader: { authorization: `Bearer ${await pairDevice(app, 'reader', 'K1.reader', admin)}` },
  };
  // Routes whose success would end the caller's own session or change shared state are still
  // called: their role check runs in onRequest, before any handler, so order does not matter.
  const skipHandlers = new Set(['POST /api/auth/logout']);
  t.ok(app.routeTable.length >= 15, `the app lists its routes (${app.routeTable.length})`);
  for (const r of app.routeTable) {
    t.ok(r.roles.length > 0, `${r.method} ${r.url} declares roles`);
    if (r.method === 'HEAD' || r.method === 'OPTIONS') continue;
    const url = r.url.replace(/:(\w+)/g, 'x').replace(/\*$/, 'index.html');
    for (const [who, headers] of Object.entries(callers)) {
      if (skipHandlers.has(`${r.method} ${r.url}`) && who !== 'anonymous' && r.roles.includes(who as Role)) continue;
      const res = await app.inject({ method: r.method as 'GET', url, headers, ...(r.method === 'GET' ? {} : { payload: {} }) });
      const allowed = r.roles.includes('public') || r.roles.includes(who as Role);
      if (allowed) {
        t.notOk([401, 403].includes(res.statusCode), `${who} may ${r.method} ${r.url} (got ${res.statusCode})`);
      } else {
        t.equal(res.statusCode, who === 'anonymous' ? 401 : 403, `${who} may not ${r.method} ${r.url}`);
      }
    }
  }
});

t.test('inspectors are read-only: no route that changes anything admits them', async (t) => {
  const app = await testApp(t);
  await app.ready();
  const writes = app.routeTable.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && r.roles.includes('inspector'));
  // Logging out ends one's own session, and stopping playback ends one's own (audited) view of a
  // source; neither changes anything anyone else sees.
  t.same(writes.map((r) => `${r.method} ${r.url}`).sort(), ['POST /api/auth/logout', 'POST /api/media/sources/:sourceId/playback/stop']);
});

t.test('a route without declared roles stops the server from starting', async (t) => {
  const app = await testApp(t);
  t.throws(() => app.get('/api/forgotten', async () => 'oops'), /does not declare who may call it/);
});

t.test('the role list covers every kind of caller', async (t) => {
  t.same([...ALL_ROLES].sort(), ['admin', 'headteacher', 'inspector', 'invigilator', 'kiosk', 'reader', 'terminal']);
});

t.test('an inspector outside the jurisdiction sees nothing of the site', async (t) => {
  const app = await testApp(t);
  const gd = await login(app, 'gd', PASSWORDS.gd);
  const sz = await login(app, 'sz', PASSWORDS.sz);
  t.equal((await app.inject({ url: '/api/site', headers: { cookie: gd } })).statusCode, 200);
  const res = await app.inject({ url: '/api/site', headers: { cookie: sz } });
  t.equal(res.statusCode, 403);
  t.match(res.json(), { error: 'outside_jurisdiction', message: /outside your jurisdiction/ });
});

t.test('an invigilator sees only the rooms they are bound to', async (t) => {
  const app = await testApp(t);
  const res = await app.inject({ url: '/api/site', headers: { cookie: await login(app, 'invig', PASSWORDS.invig) } });
  t.same(
    (res.json() as { rooms: { id: string }[] }).rooms.map((r) => r.id),
    ['R1'],
  );
});
