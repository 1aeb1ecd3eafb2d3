// Log-in: wrong passwords lock the account after the configured number of failures; the log-in route
// is rate-limited per address; sessions are httpOnly SameSite=Strict cookies that expire.
import t from 'tap';
import { buildTestApp, testApp, login, PASSWORDS, scratchDir, TEST_CONFIG_YAML } from '../helpers.ts';
import { parseConfig } from '../../config/index.ts';

const attempt = (app: Awaited<ReturnType<typeof testApp>>, username: string, password: string) =>
  app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });

t.test('repeated failures lock the account, even against the right password', async (t) => {
  let now = Date.parse('2026-11-23T08:00:00Z');
  const app = await testApp(t, { clock: { now: () => now } });
  for (let i = 0; i < 3; i++) t.equal((await attempt(app, 'invig', 'wrong-password-1')).statusCode, 401);
  const locked = await attempt(app, 'invig', PASSWORDS.invig);
  t.equal(locked.statusCode, 423);
  t.match(locked.json(), { error: 'locked', message: /locked.*10 min/ });
  t.equal(locked.headers['retry-after'], '600');
  now += 10 * 60_000 + 1;
  t.equal((await attempt(app, 'invig', PASSWORDS.invig)).statusCode, 200, 'the lock lifts after the configured minutes');
});

t.test('a success resets the failure count', async (t) => {
  const app = await testApp(t);
  await attempt(app, 'invig', 'wrong-password-1');
  await attempt(app, 'invig', 'wrong-password-1');
  t.equal((await attempt(app, 'invig', PASSWORDS.invig)).statusCode, 200);
  await attempt(app, 'invig', 'wrong-password-1');
  await attempt(app, 'invig', 'wrong-password-1');
  t.equal((await attempt(app, 'invig', PASSWORDS.invig)).statusCode, 200);
});

t.test('an admin can lift a lock, and the lock and unlock are audited', async (t) => {
  const app = await testApp(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  for (let i = 0; i < 3; i++) await attempt(app, 'invig', 'wrong-password-1');
  t.equal((await attempt(app, 'invig', PASSWORDS.invig)).statusCode, 423);
  t.equal((await app.inject({ method: 'POST', url: '/api/users/invig/unlock', headers: { cookie: admin } })).statusCode, 200);
  t.equal((await attempt(app, 'invig', PASSWORDS.invig)).statusCode, 200);
  const actions = app.ctx.audit.list({ limit: 100 }).map((e) => e.action);
  t.ok(actions.includes('user.login.failed'));
  t.ok(actions.includes('user.locked'));
  t.ok(actions.includes('user.login.refused'));
  t.ok(actions.includes('user.unlock'));
});

t.test('unknown users and wrong passwords get the same answer', async (t) => {
  const app = await testApp(t);
  const a = await attempt(app, 'nobody', 'wrong-password-1');
  const b = await attempt(app, 'admin', 'wrong-password-1');
  t.equal(a.statusCode, 401);
  t.same(a.json(), b.json());
});

t.test('the log-in route is rate-limited per address', async (t) => {
  const dir = scratchDir(t);
  const app = await buildTestApp({ config: parseConfig(TEST_CONFIG_YAML.replace('loginPerMinute: 1000', 'loginPerMinute: 3'), { dataDir: dir }) });
  t.teardown(() => app.close());
  const codes: number[] = [];
  for (let i = 0; i < 5; i++) codes.push((await attempt(app, 'nobody', 'x')).statusCode);
  t.same(codes, [401, 401, 401, 429, 429]);
});

t.test('a session cookie is httpOnly, SameSite=Strict and expires; logging out ends it', async (t) => {
  let now = Date.parse('2026-11-23T08:00:00Z');
  const app = await testApp(t, { clock: { now: () => now } });
  const res = await attempt(app, 'admin', PASSWORDS.admin);
  const c = res.cookies.find((x) => x.name === 'examroom_session')!;
  t.ok(c.httpOnly);
  t.equal(c.sameSite, 'Strict');
  t.equal((c.expires as Date).getTime(), now + 12 * 3600_000, 'expires after the configured 12 hours');
  const cookie = `examroom_session=${c.value}`;
  t.equal((await app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode, 200);
  now += 12 * 3600_000;
  t.equal((await app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode, 401, 'the server enforces expiry, not only the browser');

  const fresh = await login(app, 'admin', PASSWORDS.admin);
  t.equal((await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: fresh } })).statusCode, 204);
  t.equal((await app.inject({ url: '/api/auth/me', headers: { cookie: fresh } })).statusCode, 401);
});

t.test('changing a password or disabling a user ends their sessions', async (t) => {
  const app = await testApp(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const invig = await login(app, 'invig', PASSWORDS.invig);
  const r = await app.inject({ method: 'PATCH', url: '/api/users/invig', headers: { cookie: admin }, payload: { password: 'new-password-42' } });
  t.equal(r.statusCode, 200);
  t.equal((await app.inject({ url: '/api/auth/me', headers: { cookie: invig } })).statusCode, 401);
  const again = await login(app, 'invig', 'new-password-42');
  await app.inject({ method: 'PATCH', url: '/api/users/invig', headers: { cookie: admin }, payload: { disabled: true } });
  t.equal((await app.inject({ url: '/api/auth/me', headers: { cookie: again } })).statusCode, 401);
  t.equal((await attempt(app, 'invig', 'new-password-42')).statusCode, 401, 'a disabled user cannot log in');
});

t.test('passwords are stored as scrypt hashes, never in plain text', async (t) => {
  // A password in the config itself (the test config gives ready hashes): hashed at the server's cost.
  const yaml = TEST_CONFIG_YAML.replace(/passwordHash: "[^"]*"/, `password: ${PASSWORDS.admin}`);
  t.match(yaml, `username: admin, role: admin, password: ${PASSWORDS.admin} }`, 'the admin has a plain password in this config');
  const app = await buildTestApp({ config: parseConfig(yaml, { dataDir: scratchDir(t) }) });
  t.teardown(() => app.close());
  const row = app.ctx.db.prepare("SELECT password_hash FROM users WHERE username = 'admin'").get() as { password_hash: string };
  t.match(row.password_hash, /^scrypt\$32768\$8\$1\$/);
  t.notMatch(row.password_hash, PASSWORDS.admin);
  t.equal((await attempt(app, 'admin', PASSWORDS.admin)).statusCode, 200, 'and logs in with it');
});

t.test('adding users checks their bindings and the password', async (t) => {
  const app = await testApp(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const bad = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: admin },
    payload: { username: 'x1', role: 'invigilator', password: 'short', rooms: ['R9'] },
  });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), {
    problems: [
      { path: 'rooms[0]', problem: /no such room/, got: 'R9' },
      { path: 'password', problem: /at least 10/ },
    ],
  });
  const insp = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: admin },
    payload: { username: 'x2', role: 'inspector', password: 'long-enough-1' },
  });
  t.match(insp.json(), { problems: [{ path: 'jurisdiction' }] });
  const ok = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: admin },
    payload: { username: 'x3', role: 'inspector', password: 'long-enough-1', jurisdiction: { level: 'city', code: '440100' } },
  });
  t.equal(ok.statusCode, 201);
  const dup = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: admin },
    payload: { username: 'X3', role: 'admin', password: 'long-enough-1' },
  });
  t.equal(dup.statusCode, 409, 'user names are unique regardless of case');
  t.ok(app.ctx.audit.list({ action: 'user.add' }).some((e) => e.target === 'x3'));
});
