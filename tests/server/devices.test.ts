// Device pairing and revocation: a device pairs once with a one-time code an admin approves, holds a
// revocable token, and loses every connection the moment it is revoked.
import t from 'tap';
import WebSocket from 'ws';
import { testApp, login, pairDevice, PASSWORDS } from '../helpers.ts';

t.test('a device pairs with a code an admin approves and then holds a working token', async (t) => {
  const app = await testApp(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const req = await app.inject({ method: 'POST', url: '/api/devices/pairings', payload: { kind: 'terminal', deviceId: 'T1' } });
  t.equal(req.statusCode, 201);
  const { pairingId, pollSecret, code } = req.json() as { pairingId: string; pollSecret: string; code: string };
  t.match(code, /^[0-9]{6}$/);

  const early = await app.inject({ method: 'POST', url: `/api/devices/pairings/${pairingId}/collect`, payload: { pollSecret } });
  t.same(early.json(), { status: 'pending' }, 'nothing is handed out before approval');

  const pending = await app.inject({ url: '/api/devices/pairings', headers: { cookie: admin } });
  t.match(pending.json(), [{ id: pairingId, kind: 'terminal', code, claimedId: 'T1' }], 'the admin sees the code the device shows');

  const ok = await app.inject({ method: 'POST', url: '/api/devices/pairings/approve', headers: { cookie: admin }, payload: { code } });
  t.equal(ok.statusCode, 200);
  t.match(ok.json(), { device: { id: 'T1', room: 'R1', seat: '01' } });

  const got = await app.inject({ method: 'POST', url: `/api/devices/pairings/${pairingId}/collect`, payload: { pollSecret } });
  const body = got.json() as { status: string; token: string; deviceId: string };
  t.equal(body.status, 'approved');
  t.equal(body.deviceId, 'T1');
  const cookie = got.cookies.find((c) => c.name === 'examroom_device');
  t.ok(cookie?.httpOnly && cookie.sameSite === 'Strict', 'browsers get the token as an httpOnly SameSite=Strict cookie');

  const me = await app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${body.token}` } });
  t.same(me.json(), { kind: 'device', device: { id: 'T1', kind: 'terminal' } });
  const viaCookie = await app.inject({ url: '/api/auth/me', headers: { cookie: `examroom_device=${cookie!.value}` } });
  t.equal(viaCookie.statusCode, 200, 'the cookie authenticates the device too');
});

t.test('the token is handed out exactly once', async (t) => {
  const app = await testApp(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const req = (await app.inject({ method: 'POST', url: '/api/devices/pairings', payload: { kind: 'kiosk', deviceId: 'K1' } })).json() as {
    pairingId: string;
    pollSecret: string;
    code: string;
  };
  await app.inject({ method: 'POST', url: '/api/devices/pairings/approve', headers: { cookie: admin }, payload: { code: req.code } });
  t.equal(
    (await app.inject({ method: 'POST', url: `/api/devices/pairings/${req.pairingId}/collect`, payload: { pollSecret: req.pollSecret } })).statusCode,
    200,
  );
  const again = await app.inject({ method: 'POST', url: `/api/devices/pairings/${req.pairingId}/collect`, payload: { pollSecret: req.pollSecret } });
  t.equal(again.statusCode, 409);
  t.match(again.json(), { message: /already collected/ });
});

t.test('collecting with a wrong secret is refused and reveals nothing', async (t) => {
  const app = await testApp(t);
  const req = (await app.inject({ method: 'POST', url: '/api/devices/pairings', payload: { kind: 'kiosk' } })).json() as { pairingId: string };
  const res = await app.inject({ method: 'POST', url: `/api/devices/pairings/${req.pairingId}/collect`, payload: { pollSecret: 'guess' } });
  t.equal(res.statusCode, 403);
});

t.test('a device must become a configured kiosk or terminal', async (t) => {
  const app = await testApp(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const bad = await app.inject({ method: 'POST', url: '/api/devices/pairings', payload: { kind: 'terminal', deviceId: 'T99' } });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { problems: [{ path: 'deviceId', problem: /no terminal with this id.*T1, T2/ }] });

  const anon = (await app.inject({ method: 'POST', url: '/api/devices/pairings', payload: { kind: 'terminal' } })).json() as { code: string };
  const noId = await app.inject({ method: 'POST', url: '/api/devices/pairings/approve', headers: { cookie: admin }, payload: { code: anon.code } });
  t.equal(noId.statusCode, 400, 'a device that did not say which it is needs the admin to say');
  const asKiosk = await app.inject({
    method: 'POST',
    url: '/api/devices/pairings/approve',
    headers: { cookie: admin },
    payload: { code: anon.code, deviceId: 'K1' },
  });
  t.equal(asKiosk.statusCode, 400, 'a terminal cannot be approved as a kiosk');
  const ok = await app.inject({
    method: 'POST',
    url: '/api/devices/pairings/approve',
    headers: { cookie: admin },
    payload: { code: anon.code, deviceId: 'T2' },
  });
  t.equal(ok.statusCode, 200);
});

t.test('an unknown or expired code approves nothing', async (t) => {
  let now = Date.parse('2026-11-23T08:00:00Z');
  const app = await testApp(t, { clock: { now: () => now } });
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const req = (await app.inject({ method: 'POST', url: '/api/devices/pairings', payload: { kind: 'kiosk', deviceId: 'K1' } })).json() as {
    code: string;
    pairingId: string;
    pollSecret: string;
  };
  const wrong = req.code === '000000' ? '111111' : '000000';
  t.equal((await app.inject({ method: 'POST', url: '/api/devices/pairings/approve', headers: { cookie: admin }, payload: { code: wrong } })).statusCode, 404);
  now += 31 * 60_000; // past the default 30-minute pairing window
  const late = await app.inject({ method: 'POST', url: '/api/devices/pairings/approve', headers: { cookie: admin }, payload: { code: req.code } });
  t.equal(late.statusCode, 404);
  t.match(late.json(), { message: /expired/ });
  t.same((await app.inject({ method: 'POST', url: `/api/devices/pairings/${req.pairingId}/collect`, payload: { pollSecret: req.pollSecret } })).json(), {
    status: 'expired',
  });
});

t.test('a rejected request never yields a token', async (t) => {
  const app = await testApp(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const req = (await app.inject({ method: 'POST', url: '/api/devices/pairings', payload: { kind: 'kiosk', deviceId: 'K1' } })).json() as {
    pairingId: string;
    pollSecret: string;
    code: string;
  };
  t.equal((await app.inject({ method: 'POST', url: `/api/devices/pairings/${req.pairingId}/reject`, headers: { cookie: admin } })).statusCode, 204);
  t.same((await app.inject({ method: 'POST', url: `/api/devices/pairings/${req.pairingId}/collect`, payload: { pollSecret: req.pollSecret } })).json(), {
    status: 'rejected',
  });
  t.equal(
    (await app.inject({ method: 'POST', url: '/api/devices/pairings/approve', headers: { cookie: admin }, payload: { code: req.code } })).statusCode,
    404,
  );
});

t.test('a revoked token stops working at once, open sockets included', async (t) => {
  const app = await testApp(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const token = await pairDevice(app, 'terminal', 'T1', admin);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;

  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/device`, { headers: { authorization: `Bearer ${token}` } });
  const hello = await new Promise<{ type: string; deviceId: string }>((resolve, reject) => {
    ws.once('message', (d) => resolve(JSON.parse(String(d)) as { type: string; deviceId: string }));
    ws.once('error', reject);
  });
  t.match(hello, { type: 'hello', deviceId: 'T1' });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

  const res = await app.inject({ method: 'POST', url: '/api/devices/T1/revoke', headers: { cookie: admin } });
  t.equal(res.statusCode, 200);
  t.equal(res.json().state, 'revoked');
  t.equal(await closed, 4401, 'the open socket is closed with 4401 (revoked)');
  const after = await app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
  t.equal(after.statusCode, 401);
  t.match(after.json(), { message: /revoked; pair the device again/ });

  const retry = new WebSocket(`ws://127.0.0.1:${port}/ws/device`, { headers: { authorization: `Bearer ${token}` } });
  retry.on('error', () => {}); // destroying the refused request surfaces as an error; expected here
  const status = await new Promise<number>((resolve) =>
    retry.once('unexpected-response', (req, r) => {
      // With this listener ws leaves the response to us; an unconsumed one would hold the server open.
      req.destroy();
      resolve(r.statusCode ?? 0);
    }),
  );
  t.equal(status, 401, 'a revoked device cannot open a new socket');
});

t.test('pairing again replaces the old token', async (t) => {
  const app = await testApp(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const first = await pairDevice(app, 'terminal', 'T1', admin);
  const second = await pairDevice(app, 'terminal', 'T1', admin);
  t.equal((await app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${first}` } })).statusCode, 401);
  t.equal((await app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${second}` } })).statusCode, 200);
});

t.test('pairing, approval and revocation are audited', async (t) => {
  const app = await testApp(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  await pairDevice(app, 'kiosk', 'K1', admin);
  await app.inject({ method: 'POST', url: '/api/devices/K1/revoke', headers: { cookie: admin } });
  const actions = app.ctx.audit.list({ limit: 50 }).map((e) => `${e.action} ${e.actor}`);
  t.ok(actions.includes('device.pairing.request anonymous'));
  t.ok(actions.includes('device.approve user:admin'));
  t.ok(actions.includes('device.paired device:K1'));
  t.ok(actions.includes('device.revoke user:admin'));
});

t.test('the device socket answers malformed messages with a reason and stays up', async (t) => {
  const app = await testApp(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const token = await pairDevice(app, 'kiosk', 'K1', admin);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/device`, { headers: { authorization: `Bearer ${token}` } });
  const messages: { type: string; reason?: string }[] = [];
  const next = () => new Promise<{ type: string; reason?: string }>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)) as { type: string })));
  messages.push(await next());
  ws.send('{not json');
  messages.push(await next());
  ws.send(JSON.stringify({ type: 'launch-missiles' }));
  messages.push(await next());
  ws.send(JSON.stringify({ type: 'ping' }));
  messages.push(await next());
  t.match(messages, [{ type: 'hello' }, { type: 'error', reason: /JSON object/ }, { type: 'error', reason: /unknown message type/ }, { type: 'pong' }]);
  ws.close();
});
