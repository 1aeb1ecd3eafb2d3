// Issue 16 item 9: device tokens expire when unused and are rotated while their device is connected,
// without ever unpairing a PC that is in use. Real sockets on loopback (the terminal's exam socket, the
// kiosk's event stream) against a real app on a scratch data folder, with the server's clock driven.
import t from 'tap';
import WebSocket from 'ws';
import { fixedClock } from '../../core/index.ts';
import { Term } from '../terminal/fixture.ts';
import { PASSWORDS, listenForTests, login, pairDevice, testApp, wsEndpoint } from '../helpers.ts';

const DAY = 86_400_000;

t.test('device tokens', async (t) => {
  const clock = fixedClock(Date.parse('2026-03-01T08:00:00+08:00'));
  const app = await testApp(t, { clock });
  const { port, base } = await listenForTests(app);
  const admin = () => login(app, 'admin', PASSWORDS.admin);
  const me = (token: string) => app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
  const rotate = (token: string) => app.inject({ method: 'POST', url: '/api/devices/token', headers: { authorization: `Bearer ${token}` }, payload: {} });
  const stateOf = async (id: string) =>
    ((await app.inject({ method: 'GET', url: '/api/devices', headers: { cookie: await admin() } })).json() as { id: string; state: string }[]).find(
      (d) => d.id === id,
    )?.state;
  const audits = (action: string) => (app.ctx.db.prepare('SELECT COUNT(*) AS n FROM audit_log WHERE action = ?').get(action) as { n: number }).n;
  /** The HTTP status a WebSocket upgrade to /ws/terminal is refused with (0 when it opens). */
  const upgradeStatus = (token: string) =>
    new Promise<{ status: number; body: string }>((resolve) => {
      const to = wsEndpoint(port);
      const ws = new WebSocket(`${to.base}/ws/terminal`, { headers: { authorization: `Bearer ${token}` }, ...to.options });
      ws.once('open', () => {
        ws.terminate();
        resolve({ status: 0, body: '' });
      });
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.once('error', () => {});
    });

  await t.test('a token unused for more than 30 days is refused with words for the IT person, audited once, and shown as expired', async (t) => {
    const token = await pairDevice(app, 'terminal', 'T2', await admin());
    clock.advance(29 * DAY);
    t.equal((await me(token)).statusCode, 200, 'used on day 29: fine, and the 30 days start again');
    clock.advance(30 * DAY + 60_000);
    const refused = await me(token);
    t.equal(refused.statusCode, 401);
    t.match(
      refused.json(),
      {
        message:
          'the device token of exam PC T2 has expired: it was not used for more than 30 days (last used 2026-03-30); an IT person must pair this PC again (admin console, Devices)',
      },
      'says what happened and what to do',
    );
    const ws = await upgradeStatus(token);
    t.equal(ws.status, 401, 'the exam socket is refused too');
    t.match(ws.body, /has expired.*pair this PC again/);
    t.equal(audits('device.token_expired'), 1, 'audited once, however often the PC asks');
    t.equal(await stateOf('T2'), 'expired', 'the devices list says expired');
    const fresh = await pairDevice(app, 'terminal', 'T2', await admin());
    t.equal((await me(fresh)).statusCode, 200, 'pairing again is the way back');
    t.equal(await stateOf('T2'), 'paired');
  });

  await t.test('a connected terminal never expires (an exam under way); once it leaves, the unused time counts from then', async (t) => {
    const token = await pairDevice(app, 'terminal', 'T1', await admin());
    const term = await Term.open(t, port, token);
    clock.advance(45 * DAY);
    app.ctx.devices.tickTokens(); // the server's ticker, while it is connected
    t.equal((await me(token)).statusCode, 200, 'connected for 45 days: its page may still call the server');
    term.ws.close();
    await term.closed;
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(10 * 60_000);
    const again = await Term.open(t, port, token);
    t.equal(again.hello.terminalId, 'T1', 'a reload after 45 days connected reconnects at once');
    // Not the rotation under test here: answer the server's request so the next tests start clean.
    const r = await rotate(token);
    t.equal(r.statusCode, 200, r.statusCode === 200 ? 'a new token' : r.body);
    const newer = r.json().token as string;
    t.equal((await me(newer)).statusCode, 200);
    again.ws.close();
    await again.closed;
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(31 * DAY);
    t.equal((await me(newer)).statusCode, 401, '31 days after it left: expired');
    t.equal(await stateOf('T1'), 'expired');
  });

  await t.test(
    'a connected terminal is told over its socket when its token is due; the old token stays valid until the new one is used, then for 10 minutes',
    async (t) => {
      const old = await pairDevice(app, 'terminal', 'T1', await admin());
      const term = await Term.open(t, port, old);
      t.equal((await rotate(old)).statusCode, 409, 'not due yet: the server decides when');
      clock.advance(8 * DAY);
      app.ctx.devices.tickTokens();
      t.same(await term.take('token_rotate'), { type: 'token_rotate' }, 'the exam socket says so');
      const r = await rotate(old);
      t.equal(r.statusCode, 200, r.statusCode === 200 ? 'a new token' : r.body);
      const { token: fresh, deviceId, issuedAt } = r.json() as { token: string; deviceId: string; issuedAt: number };
      t.equal(deviceId, 'T1');
      t.equal(issuedAt, clock.now());
      t.not(fresh, old);
      t.equal(r.cookies.find((c) => c.name === 'examroom_device')?.value, fresh, 'the answer sets the httpOnly cookie');
      t.ok(r.cookies.find((c) => c.name === 'examroom_device')?.httpOnly);
      t.match((await rotate(old)).json(), { message: /a rotation of this device token is under way/ }, 'one rotation at a time');
      clock.advance(3 * DAY);
      t.equal((await me(old)).statusCode, 200, 'the old token works until the new one is used (a lost answer unpairs nothing)');
      t.equal((await me(fresh)).statusCode, 200, 'the new one is used');
      clock.advance(9 * 60_000);
      t.equal((await me(old)).statusCode, 200, 'the old one lives on for the grace period (a reload during the rotation)');
      clock.advance(2 * 60_000);
      t.equal((await me(old)).statusCode, 401, 'and not after it');
      t.equal((await upgradeStatus(old)).status, 401);
      t.equal((await me(fresh)).statusCode, 200);
      t.same(await term.ask({ type: 'ping' }, 'pong'), { type: 'pong', serverTime: clock.now() }, 'the socket opened with the old token goes on');
      const fresh2 = await Term.open(t, port, fresh);
      t.equal(fresh2.hello.terminalId, 'T1', 'a reconnect with the new token works');
      t.equal(audits('device.token_rotated'), 2, 'each rotation audited');
    },
  );

  await t.test('a rotation whose answer was lost: asked again with the old token, a newer one replaces the unused one; the old stays valid', async (t) => {
    const old = await pairDevice(app, 'terminal', 'T2', await admin());
    const term = await Term.open(t, port, old);
    clock.advance(8 * DAY);
    await term.close();
    await new Promise((r) => setTimeout(r, 50));
    const again = await Term.open(t, port, old);
    t.same(await again.take('token_rotate'), { type: 'token_rotate' }, 'told right after hello when it connects with a due token');
    const lost = (await rotate(old)).json().token as string;
    clock.advance(2 * 60_000);
    const r = await rotate(old);
    t.equal(r.statusCode, 200, r.statusCode === 200 ? 'a new token' : r.body);
    const kept = r.json().token as string;
    t.equal((await me(lost)).statusCode, 401, 'the token that never arrived is dead');
    t.equal((await me(old)).statusCode, 200, 'the one the PC holds still works');
    t.equal((await me(kept)).statusCode, 200);
  });

  await t.test('a kiosk is told on its event stream; a device not connected gets no new token', async (t) => {
    const token = await pairDevice(app, 'kiosk', 'K1', await admin());
    clock.advance(8 * DAY);
    t.match((await rotate(token)).json(), { message: /only while its device is connected/ }, 'no rotation for a PC that is not connected');
    const ac = new AbortController();
    t.teardown(() => ac.abort());
    const res = await fetch(`${base}/api/kiosk/events`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: ac.signal,
    });
    t.equal(res.status, 200);
    const reader = res.body!.getReader();
    let text = '';
    const until = Date.now() + 5000;
    while (!text.includes('event: token_rotate') && Date.now() < until) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    t.match(text, /event: token_rotate/, 'the stream says so when the kiosk connects');
    const r = await rotate(token);
    t.equal(r.statusCode, 200, r.statusCode === 200 ? 'a new token' : r.body);
    t.equal((await me(r.json().token as string)).statusCode, 200);
    ac.abort();
  });
});
