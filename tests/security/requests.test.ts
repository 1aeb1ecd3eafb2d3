// Requests (issue 16, items 6 and 9): which proxy's X-Forwarded-For is believed, what /healthz tells
// whom, cross-site requests refused, cookies Secure under TLS. app.inject() with chosen peer addresses.
import t from 'tap';
import { parseConfig } from '../../config/index.ts';
import { openDatabase, dataPaths } from '../../storage/index.ts';
import { buildTestApp, httpsTestConfig, login, PASSWORDS, scratchDir, TEST_CONFIG_YAML } from '../helpers.ts';
import type { App } from '../../server/app.ts';
import { isOwnOrigin } from '../../server/origin.ts';

const PROXY = '10.0.0.1';
const PC = '10.1.0.21';

function site(server: string, extra = ''): string {
  return TEST_CONFIG_YAML.replace('server: { host: 127.0.0.1, port: 0 }', `server: { host: 127.0.0.1, port: 0, ${server} }`) + extra;
}

function configProblems(yaml: string, dataDir: string): unknown {
  try {
    parseConfig(yaml, { dataDir });
  } catch (e) {
    return (e as { problems?: unknown }).problems;
  }
  return null;
}

// One app behind a proxy for the whole file: PCs reach it through 10.0.0.1; 10.9.0.0/16 is monitoring.
let app: App;
t.before(async () => {
  app = await buildTestApp({ config: parseConfig(site(`trustProxy: ["${PROXY}"], metricsFrom: ["10.9.0.0/16"]`), { dataDir: scratchDir(t) }) });
});
t.teardown(() => app?.close());

const through = (forwardedFor: string, req: { url: string; method?: 'GET' | 'POST'; payload?: object; headers?: Record<string, string> }) =>
  app.inject({
    method: req.method ?? 'GET',
    url: req.url,
    remoteAddress: PROXY,
    headers: { 'x-forwarded-for': forwardedFor, ...req.headers },
    ...(req.payload ? { payload: req.payload } : {}),
  });

t.test('trustProxy: true is refused at start-up, saying to list the proxies instead', async (t) => {
  const dir = scratchDir(t);
  t.match(configProblems(site('trustProxy: true'), dir), [{ path: 'server.trustProxy', problem: /trusts every hop.*trustProxy: \[127\.0\.0\.1\]/, got: true }]);
  t.match(configProblems(site('trustProxy: ["10.0.0.0/33"]'), dir), [{ path: 'server.trustProxy[0]', problem: /not an IP address or a CIDR range/ }]);
  t.same(parseConfig(site('trustProxy: false'), { dataDir: dir }).server.trustProxy, [], 'false = no proxy');
  t.same(parseConfig(site('trustProxy: ["127.0.0.1", "fd00::/8"]'), { dataDir: dir }).server.trustProxy, ['127.0.0.1', 'fd00::/8']);
});

t.test('X-Forwarded-For: 127.0.0.1 from a PC does not open /metrics, through the proxy or around it', async (t) => {
  const around = await app.inject({ url: '/metrics', remoteAddress: PC, headers: { 'x-forwarded-for': '127.0.0.1' } });
  t.equal(around.statusCode, 403, 'a PC that is not the proxy: its header is ignored');
  // The proxy appends the address it saw; whatever the PC wrote before it is the PC's own word.
  const spoofed = await through(`127.0.0.1, ${PC}`, { url: '/metrics' });
  t.equal(spoofed.statusCode, 403);
  t.match(spoofed.json(), { message: new RegExp(`${PC.replaceAll('.', '\\.')} is none of them`) }, 'the PC is named by the address the proxy saw');
  t.equal((await through('10.9.3.3', { url: '/metrics' })).statusCode, 200, 'the monitoring server through the proxy is let in');
});

t.test('rotating X-Forwarded-For does not get round the log-in rate limit', async (t) => {
  const limited = await buildTestApp({
    config: parseConfig(site(`trustProxy: ["${PROXY}"]`).replace('loginPerMinute: 1000', 'loginPerMinute: 3'), { dataDir: scratchDir(t) }),
  });
  t.teardown(() => limited.close());
  const attempt = (forwardedFor: string) =>
    limited.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: PROXY,
      headers: { 'x-forwarded-for': forwardedFor },
      payload: { username: 'nobody', password: 'x' },
    });
  const codes: number[] = [];
  for (let i = 0; i < 5; i++) codes.push((await attempt(`192.0.2.${i + 1}, 10.1.0.99`)).statusCode);
  t.same(codes, [401, 401, 401, 429, 429], 'one PC behind the proxy is one address, whatever it writes');
  t.equal((await attempt('10.1.0.98')).statusCode, 401, 'another PC behind the same proxy has its own limit');
});

t.test('the audit log names the PC behind the proxy, not the proxy', async (t) => {
  const r = await through('10.1.0.50', { method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: PASSWORDS.admin } });
  t.equal(r.statusCode, 200);
  const entry = app.ctx.audit.list({ action: 'user.login', limit: 1 })[0];
  t.equal(entry?.ip, '10.1.0.50');
});

t.test('/healthz tells the room ok or not, and the details only to admins, this machine and metricsFrom', async (t) => {
  const pc = await app.inject({ url: '/healthz', remoteAddress: PC });
  t.equal(pc.statusCode, 200);
  t.same(pc.json(), { ok: true }, 'no paths, sizes, versions or camera ids');
  t.notMatch(pc.body, app.ctx.paths.root);
  for (const [who, req] of [
    ['this machine', { remoteAddress: '127.0.0.1' }],
    ['metricsFrom', { remoteAddress: '10.9.1.1' }],
    ['an admin anywhere', { remoteAddress: PC, headers: { cookie: await login(app, 'admin', PASSWORDS.admin) } }],
  ] as const) {
    const h = (await app.inject({ url: '/healthz', ...req })).json();
    t.match(h, { ok: true, status: 'ok', db: { ok: true }, disk: { path: app.ctx.paths.root } }, who);
  }
  const invig = await app.inject({ url: '/healthz', remoteAddress: PC, headers: { cookie: await login(app, 'invig', PASSWORDS.invig) } });
  t.same(invig.json(), { ok: true }, 'an invigilator is not an admin');
});

t.test('/api/auth/session tells a page who is signed in with 200 either way; /api/auth/me keeps its 401', async (t) => {
  const nobody = await app.inject({ url: '/api/auth/session' });
  t.equal(nobody.statusCode, 200, 'nobody: no error for the browser to log at a first load');
  t.same(nobody.json(), { me: null });
  t.equal((await app.inject({ url: '/api/auth/me' })).statusCode, 401, 'scripts still get 401 from /api/auth/me');
  const admin = await login(app, 'admin', PASSWORDS.admin);
  t.match((await app.inject({ url: '/api/auth/session', headers: { cookie: admin } })).json(), {
    me: { kind: 'user', user: { username: 'admin', role: 'admin' } },
  });
  const expired = await app.inject({ url: '/api/auth/session', headers: { cookie: 'examroom_session=not-a-session' } });
  t.same([expired.statusCode, expired.json()], [200, { me: null }], 'an ended session: nobody');
});

t.test('/healthz says not ok, with 503, to the room when the database fails', async (t) => {
  const dir = scratchDir(t);
  const db = openDatabase(dataPaths(dir).dbFile);
  const broken = await buildTestApp({ config: parseConfig(site(''), { dataDir: dir }), db });
  t.teardown(() => broken.close());
  t.equal((await broken.inject({ url: '/healthz', remoteAddress: PC })).statusCode, 200, 'ready while the database is open');
  db.close();
  const r = await broken.inject({ url: '/healthz', remoteAddress: PC });
  t.equal(r.statusCode, 503);
  t.same(r.json(), { ok: false });
});

// ---- cross-site requests ----------------------------------------------------------------------------

const OWN = { host: 'examroom.lan:8443', origin: 'http://examroom.lan:8443' };

t.test('a state-changing request from another site is refused, whatever its content type', async (t) => {
  const admin = await login(app, 'admin', PASSWORDS.admin);
  for (const origin of ['http://evil.example', 'null', 'http://examroom.lan:9999', 'https://examroom.lan:8443']) {
    const r = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: admin, host: OWN.host, origin } });
    t.equal(r.statusCode, 403, `Origin ${origin}`);
    t.match(r.json(), { error: 'cross_site', message: /cross-site request refused.*examroom\.lan:8443/ });
  }
  t.equal((await app.inject({ url: '/api/auth/me', headers: { cookie: admin } })).statusCode, 200, 'the session was not ended');
  const json = await app.inject({
    method: 'PATCH',
    url: '/api/users/invig',
    headers: { cookie: admin, host: OWN.host, origin: 'http://evil.example' },
    payload: { disabled: true },
  });
  t.equal(json.statusCode, 403, 'JSON too');
  t.equal(app.ctx.users.get('invig').disabled, false, 'and nothing changed');
  const read = await app.inject({ url: '/api/users', headers: { cookie: admin, host: OWN.host, origin: 'http://evil.example' } });
  t.equal(read.statusCode, 200, 'a GET changes nothing and is not refused');
});

t.test('one own-origin rule for requests and sockets: another of the appliance’s names is its own, a scheme its port does not speak is not', async (t) => {
  const named = await buildTestApp({
    config: parseConfig(site('names: [examroom.lan, 192.168.50.7]'), { dataDir: scratchDir(t) }),
  });
  t.teardown(() => named.close());
  const admin = await login(named, 'admin', PASSWORDS.admin);
  const place = { host: 'examroom.lan:8443', protocol: 'http' };
  const cases: [string, boolean][] = [
    ['http://examroom.lan:8443', true],
    // The two rules used to differ here: the guard took only the Host's own origin, the socket check any name.
    ['http://192.168.50.7:8443', true],
    // …and here the other way: the socket check took any scheme on an own port.
    ['https://examroom.lan:8443', false],
    ['http://evil.example:8443', false],
  ];
  for (const [origin, own] of cases) {
    t.equal(isOwnOrigin(origin, place, named.ctx.config.server), own, `the rule: ${origin} ${own ? 'is' : 'is not'} own`);
    const r = await named.inject({ method: 'POST', url: '/api/users/invig/unlock', headers: { cookie: admin, host: place.host, origin } });
    t.equal(r.statusCode, own ? 200 : 403, `a POST from ${origin}: ${own ? 'taken' : 'refused'}, as the rule says`);
  }
});

t.test('the content types any website can send are refused without the appliance as Origin', async (t) => {
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const failedBefore = app.ctx.audit.list({ action: 'user.login.failed', limit: 1000 }).length;
  for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const r = await app.inject({ method: 'POST', url: '/api/users/invig/unlock', headers: { cookie: admin, 'content-type': type }, payload: 'a=1' });
    t.equal(r.statusCode, 403, type);
    t.match(r.json(), { error: 'cross_site', message: /Content-Type .* no Origin header is refused.*application\/json/ });
  }
  const login1 = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    headers: { 'content-type': 'text/plain' },
    payload: '{"username":"admin","password":"x"}',
  });
  t.equal(login1.statusCode, 403, 'a log-in form posted from elsewhere');
  t.equal(app.ctx.audit.list({ action: 'user.login.failed', limit: 1000 }).length, failedBefore, 'refused before any password was checked');
  const own = await app.inject({
    method: 'POST',
    url: '/api/users/invig/unlock',
    headers: { cookie: admin, 'content-type': 'text/plain', ...OWN },
    payload: '',
  });
  t.equal(own.statusCode, 200, "the appliance's own page may");
  const script = await app.inject({ method: 'POST', url: '/api/users/invig/unlock', headers: { cookie: admin } });
  t.equal(script.statusCode, 200, 'no body, no Origin (a script, the CLI): allowed');
});

t.test('behind a trusted proxy the own Origin is the forwarded scheme and host', async (t) => {
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const fwd = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'exam.example.org', origin: 'https://exam.example.org' };
  const viaProxy = await through(PC, { method: 'POST', url: '/api/users/invig/unlock', headers: { cookie: admin, ...fwd } });
  t.equal(viaProxy.statusCode, 200);
  const direct = await app.inject({
    method: 'POST',
    url: '/api/users/invig/unlock',
    remoteAddress: PC,
    headers: { cookie: admin, host: 'examroom.lan', ...fwd },
  });
  t.equal(direct.statusCode, 403, 'a PC cannot name its own host with X-Forwarded-Host');
});

t.test('file uploads as application/octet-stream (or image/*) are not refused', async (t) => {
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  const image = await app.inject({
    method: 'POST',
    url: '/api/bank/images?name=dot.png',
    headers: { cookie: admin, 'content-type': 'image/png' },
    payload: PNG,
  });
  t.equal(image.statusCode, 201, 'a question image');
  for (const url of [
    '/api/bank/import?filename=q.csv',
    '/api/bank/imports?filename=q.csv',
    '/api/bank/packages',
    '/api/exam/sessions/NO-SUCH/roster?filename=r.zip',
    '/api/training/classes/NO-SUCH/members?filename=m.csv',
  ]) {
    const r = await app.inject({ method: 'POST', url, headers: { cookie: admin, 'content-type': 'application/octet-stream' }, payload: Buffer.from('x') });
    t.not(r.json().error, 'cross_site', `${url} (${r.statusCode})`);
  }
});

t.test('session cookies are Secure under TLS (and only there)', async (t) => {
  const tlsApp = await buildTestApp({ config: httpsTestConfig(scratchDir(t)) });
  t.teardown(() => tlsApp.close());
  const r = await tlsApp.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: PASSWORDS.admin } });
  t.equal(r.statusCode, 200);
  t.equal(r.cookies.find((c) => c.name === 'examroom_session')?.secure, true);
  const plain = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    remoteAddress: '10.1.0.60',
    payload: { username: 'admin', password: PASSWORDS.admin },
  });
  t.notOk(plain.cookies.find((c) => c.name === 'examroom_session')?.secure, 'plain HTTP (the demo on 127.0.0.1) cannot keep a Secure cookie');
});
