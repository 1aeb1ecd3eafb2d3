// Log-in locks per typed name × client address (issue 16, item 9): a PC that types wrong passwords locks
// that name for itself only, never the admin at their own desk; unknown names lock and answer exactly as
// known ones do, so the replies tell nobody which accounts exist.
import t from 'tap';
import { PASSWORDS, login, testApp } from '../helpers.ts';
import type { App } from '../../server/app.ts';

const ATTACKER = '10.1.0.66';
const ADMIN_DESK = '10.1.0.2';

let now = Date.parse('2026-11-23T08:00:00Z');
let app: App;
t.before(async () => {
  // The test config locks after 3 failures for 10 minutes.
  app = await testApp(t, { clock: { now: () => now } });
});

const attempt = (username: string, password: string, remoteAddress: string) =>
  app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { username, password } });

t.test('wrong passwords from one PC lock the name there, not at the admin desk', async (t) => {
  for (let i = 0; i < 3; i++) t.equal((await attempt('admin', 'wrong-password-1', ATTACKER)).statusCode, 401);
  const locked = await attempt('admin', PASSWORDS.admin, ATTACKER);
  t.equal(locked.statusCode, 423, 'the attacking PC is locked out, even with the right password');
  t.equal((await attempt('admin', PASSWORDS.admin, ADMIN_DESK)).statusCode, 200, 'the admin at their own desk is not');
  t.equal((await attempt('ADMIN', PASSWORDS.admin, ATTACKER)).statusCode, 423, 'the name is the same in any case');
  const entry = app.ctx.audit.list({ action: 'user.locked', limit: 1 })[0];
  t.match(entry, { target: 'admin', ip: ATTACKER, detail: { address: ATTACKER, known: true } }, 'the lock is audited with the address');
  now += 10 * 60_000 + 1;
  t.equal((await attempt('admin', PASSWORDS.admin, ATTACKER)).statusCode, 200, 'the lock lifts after lockoutMinutes');
});

t.test('an unknown name and a wrong password get the same replies, locked or not', async (t) => {
  const replies = async (username: string, from: string) => {
    const out: { status: number; body: string; retryAfter: unknown }[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await attempt(username, 'wrong-password-1', from);
      out.push({ status: r.statusCode, body: r.body, retryAfter: r.headers['retry-after'] });
    }
    return out;
  };
  const known = await replies('invig', '10.1.0.31');
  const unknown = await replies('no-such-user', '10.1.0.32');
  t.same(
    known.map((r) => r.status),
    [401, 401, 401, 423],
  );
  t.same(unknown, known, 'status, words and Retry-After alike');
});

t.test('an unknown name costs the same password work as a wrong password', async (t) => {
  // scrypt of a dummy hash for a name that does not exist: ~100 ms either way instead of ~1 ms for an
  // unknown name. Interleaved, medians of 4, and a wide margin: this tells scrypt from no scrypt.
  const time = async (username: string, from: string) => {
    const t0 = process.hrtime.bigint();
    await attempt(username, 'wrong-password-2', from);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    a.push(await time('invig2', `10.1.1.${i}`));
    b.push(await time(`ghost-${i}`, `10.1.2.${i}`));
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  t.ok(median(b) > median(a) * 0.3, `unknown ${median(b).toFixed(1)} ms vs wrong password ${median(a).toFixed(1)} ms`);
});

t.test("an admin's unlock lifts the name's locks from every address, and the console shows the lock", async (t) => {
  for (const from of ['10.1.0.41', '10.1.0.42']) for (let i = 0; i < 3; i++) await attempt('gd', 'wrong-password-1', from);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const listed = (await app.inject({ url: '/api/users', headers: { cookie: admin } })).json() as { username: string; lockedUntil: number | null }[];
  t.equal(listed.find((u) => u.username === 'gd')?.lockedUntil, now + 10 * 60_000, 'the users list shows until when');
  t.equal((await attempt('gd', PASSWORDS.gd, '10.1.0.41')).statusCode, 423);
  t.equal((await app.inject({ method: 'POST', url: '/api/users/gd/unlock', headers: { cookie: admin } })).statusCode, 200);
  t.equal((await attempt('gd', PASSWORDS.gd, '10.1.0.41')).statusCode, 200);
  t.equal((await attempt('gd', PASSWORDS.gd, '10.1.0.42')).statusCode, 200);
  t.equal(app.ctx.users.get('gd').lockedUntil, null);
});

t.test('names typed wrong are forgotten after a day, so random names cannot grow the table', async (t) => {
  for (let i = 0; i < 5; i++) await attempt(`random-${i}`, 'x', '10.1.3.1');
  const count = () => (app.ctx.db.prepare("SELECT COUNT(*) AS n FROM login_locks WHERE username LIKE 'random-%'").get() as { n: number }).n;
  t.equal(count(), 5);
  now += 24 * 3600_000 + 1;
  await attempt('someone-else', 'x', '10.1.3.2');
  t.equal(count(), 0);
});
