// The status routes on a real app: the full status for admins only, the one-line summary for staff, and
// a registration with sipp as the platform showing in both and in /metrics.
import t from 'tap';
import { login, PASSWORDS, testApp } from '../../helpers.ts';
import { DEVICE_ID, PASSWORD, SERVER_ID, startSipp } from './rig.ts';

t.test('GET /api/gb28181 is for admins; the summary is for staff; both show the platform registered', async (t) => {
  const sipp = await startSipp(t, 'platform-register.xml');
  const app = await testApp(t, {
    extraYaml: `gb28181:
  deviceId: "${DEVICE_ID}"
  domain: "3402000000"
  host: 127.0.0.1
  port: 0
  platforms:
    - { id: prov, name: 省平台, serverId: "${SERVER_ID}", domain: "3402000000", host: 127.0.0.1, port: ${sipp.port}, password: ${PASSWORD} }
`,
  });
  await app.ready();
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const invig = await login(app, 'invig', PASSWORDS.invig);
  const get = (url: string, cookie: string) => app.inject({ method: 'GET', url, headers: { cookie } });
  for (let i = 0; i < 200 && (await get('/api/gb28181', admin)).json().platforms[0].state !== 'registered'; i++) await new Promise((r) => setTimeout(r, 25));
  const full = (await get('/api/gb28181', admin)).json();
  t.match(full, { configured: true, deviceId: DEVICE_ID, platforms: [{ id: 'prov', state: 'registered', online: true }] }, 'admin: the full status');
  t.notMatch(JSON.stringify(full), new RegExp(PASSWORD), 'no password in it');
  t.equal((await get('/api/gb28181', invig)).statusCode, 403, 'an invigilator may not read the full status');
  t.same(
    (await get('/api/gb28181/summary', invig)).json(),
    { configured: true, platforms: [{ name: '省平台', online: true, plays: 0, clockAlarm: false }] },
    'the summary for staff',
  );
  const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: { cookie: admin } });
  t.match(metrics.body, /examroom_gb28181_registered\{platform="prov"\} 1/, '/metrics says registered');
  await sipp.stop();
});

t.test("GET /api/gb28181 gives the server's time and each platform's keepalive rule, so the console can say how stale a keepalive is", async (t) => {
  const sipp = await startSipp(t, 'platform-register.xml');
  const app = await testApp(t, {
    extraYaml: `gb28181:
  deviceId: "${DEVICE_ID}"
  domain: "3402000000"
  host: 127.0.0.1
  port: 0
  platforms:
    - { id: city, name: 市平台, serverId: "${SERVER_ID}", domain: "3402000000", host: 127.0.0.1, port: ${sipp.port}, password: ${PASSWORD}, keepaliveSeconds: 30, keepaliveMisses: 5 }
`,
  });
  await app.ready();
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const before = Date.now();
  const full = (await app.inject({ method: 'GET', url: '/api/gb28181', headers: { cookie: admin } })).json();
  t.ok(full.serverTime >= before && full.serverTime <= Date.now(), 'serverTime is the server clock now');
  t.match(full.platforms, [{ id: 'city', keepaliveSeconds: 30, keepaliveMissesAllowed: 5 }], 'the configured keepalive interval and misses allowed');
  await app.close();
  const none = await testApp(t);
  await none.ready();
  const noneAdmin = await login(none, 'admin', PASSWORDS.admin);
  const empty = (await none.inject({ method: 'GET', url: '/api/gb28181', headers: { cookie: noneAdmin } })).json();
  t.match(empty, { configured: false, serverTime: Number, platforms: [] }, 'not configured: the server time too');
  await sipp.stop();
});

t.test('GET /api/gb28181 says a refused registration is refused, with the SIP detail and the next try at least 60 s on', async (t) => {
  const sipp = await startSipp(t, 'platform-register.xml');
  const app = await testApp(t, {
    extraYaml: `gb28181:
  deviceId: "${DEVICE_ID}"
  domain: "3402000000"
  host: 127.0.0.1
  port: 0
  platforms:
    - { id: city, name: 市平台, serverId: "${SERVER_ID}", domain: "3402000000", host: 127.0.0.1, port: ${sipp.port}, password: not-the-one }
`,
  });
  await app.ready();
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const get = async () => (await app.inject({ method: 'GET', url: '/api/gb28181', headers: { cookie: admin } })).json();
  for (let i = 0; i < 200 && (await get()).platforms[0].state !== 'failed'; i++) await new Promise((r) => setTimeout(r, 25));
  const full = await get();
  const p = full.platforms[0];
  t.match(p, { state: 'failed', online: false, lastErrorKind: 'refused', lastError: /^refused \(403 Forbidden\)/, failures: 1 });
  t.ok(p.nextAttemptAt >= full.serverTime + 55_000, `next try ${Math.round((p.nextAttemptAt - full.serverTime) / 1000)} s on`);
  await sipp.stop();
});
