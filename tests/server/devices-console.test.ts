// What the admin console's devices page stands on: a room's pending requests approved in one audited
// call — only where the requested id is unambiguous, everything else left with its reason — and a live
// stream of the pending requests and the device list. One app (real SQLite, real sockets) for the file.
import t from 'tap';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { parseConfig } from '../../config/index.ts';
import { fixedClock } from '../../core/index.ts';
import { buildTestApp, login, pairDevice, PASSWORDS, scratchDir, TEST_CONFIG_YAML } from '../helpers.ts';
import { until } from '../wait.ts';
import type { App } from '../../server/app.ts';
import { protocol as terminalProtocol } from '../../terminal/index.ts';

// R1 has T1, T2 and T3 by explicit lines; R2 says terminals: perSeat (R2-01, R2-02).
const YAML = TEST_CONFIG_YAML.replace(
  '  - { id: T2, room: R1, seat: "02" }\n',
  '  - { id: T2, room: R1, seat: "02" }\n  - { id: T3, room: R1, seat: "03" }\n',
).replace('{ id: R2, name: 二号考场, seats: { rows: 1, columns: 2 } }', '{ id: R2, name: 二号考场, seats: { rows: 1, columns: 2 }, terminals: perSeat }');

let app: App;
let admin: string;
// The server's clock, still unless a test moves it: whether a request's page is gone is server time.
const clock = fixedClock(Date.parse('2026-11-23T07:30:00Z'));
t.before(async () => {
  const dir = scratchDir(t);
  app = await buildTestApp({ config: parseConfig(YAML, { dataDir: dir }), clock });
  admin = await login(app, 'admin', PASSWORDS.admin);
});
t.teardown(() => app.close());

interface Asked {
  pairingId: string;
  pollSecret: string;
  code: string;
}
async function ask(
  kind: 'terminal' | 'kiosk',
  deviceId?: string,
  userAgent = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0',
  remoteAddress = '127.0.0.1',
): Promise<Asked> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/devices/pairings',
    remoteAddress,
    headers: { 'user-agent': userAgent },
    payload: deviceId ? { kind, deviceId } : { kind },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json() as Asked;
}
const approveRoom = (roomId: unknown, headers: Record<string, string> = { cookie: admin }) =>
  app.inject({ method: 'POST', url: '/api/devices/pairings/approve-room', headers, payload: { roomId } });
const pendingCodes = async () =>
  ((await app.inject({ url: '/api/devices/pairings', headers: { cookie: admin } })).json() as { code: string }[]).map((p) => p.code).sort();
const clearPending = async () => {
  for (const p of (await app.inject({ url: '/api/devices/pairings', headers: { cookie: admin } })).json() as { id: string }[])
    await app.inject({ method: 'POST', url: `/api/devices/pairings/${p.id}/reject`, headers: { cookie: admin } });
};

t.test("a room's bulk approval takes each request whose id is the room's, once, and leaves the rest with the reason", async (t) => {
  await pairDevice(app, 'terminal', 'T3', admin);
  const t1 = await ask('terminal', 'T1');
  const t2a = await ask('terminal', 'T2');
  // A second PC (another address) claiming T2: the same address asking again would replace its request.
  const t2b = await ask('terminal', 'T2', 'Mozilla/5.0 (Linux; Android 14) Chrome/130.0.0.0 Mobile', '127.0.0.2');
  const t3 = await ask('terminal', 'T3');
  const none = await ask('terminal');
  const kiosk = await ask('kiosk', 'K1');
  const r2 = await ask('terminal', 'R2-01');

  const res = await approveRoom('R1');
  t.equal(res.statusCode, 200);
  const body = res.json() as {
    roomId: string;
    approved: { pairing: { code: string; ip: string; userAgent: string }; deviceId: string; seat: string }[];
    left: { pairing: { code: string }; reason: string; message: string }[];
  };
  t.same(
    body.approved.map((a) => `${a.pairing.code} ${a.deviceId} ${a.seat}`),
    [`${t1.code} T1 01`],
    'only T1: the one request for an unpaired R1 id',
  );
  t.match(body.approved[0]!.pairing, { ip: '127.0.0.1', userAgent: /Chrome\/131/ }, "each request's address and browser are in the answer");
  const why = Object.fromEntries(body.left.map((l) => [l.pairing.code, l.reason]));
  t.same(why, {
    [t2a.code]: 'duplicate',
    [t2b.code]: 'duplicate',
    [t3.code]: 'duplicate',
    [none.code]: 'no_device_id',
    [kiosk.code]: 'kiosk',
    [r2.code]: 'other_room',
  });
  t.match(body.left.find((l) => l.pairing.code === t2a.code)!.message, /2 pending requests claim T2/);
  t.match(body.left.find((l) => l.pairing.code === t3.code)!.message, /T3 is already paired/);

  const got = await app.inject({ method: 'POST', url: `/api/devices/pairings/${t1.pairingId}/collect`, payload: { pollSecret: t1.pollSecret } });
  t.match(got.json(), { status: 'approved', deviceId: 'T1' }, 'the approved PC collects its token as after a single approval');
  t.same(await pendingCodes(), [t2a.code, t2b.code, t3.code, none.code, kiosk.code, r2.code].sort(), 'everything left is still pending for a person');

  const entries = app.ctx.audit.list({ limit: 20 });
  const room = entries.find((e) => e.action === 'device.approve_room');
  t.match(room, { actor: 'user:admin', target: 'R1', detail: { approved: ['T1'] } }, 'the call is audited with what it approved');
  t.equal((room!.detail as { left: unknown[] }).left.length, 6, '…and what it left');
  t.match(
    entries.find((e) => e.action === 'device.approve' && e.target === 'T1'),
    { actor: 'user:admin', detail: { code: t1.code, room: 'R1' } },
    'each approved device has its own approval entry, as a single approval has',
  );

  const second = (await approveRoom('R2')).json() as { approved: { deviceId: string }[] };
  t.same(
    second.approved.map((a) => a.deviceId),
    ['R2-01'],
    "a perSeat room's PCs are approved by the ids the shorthand gives them",
  );
  await clearPending();
});

t.test('a bulk approval that finds nothing approves nothing and says why', async (t) => {
  const lone = await ask('terminal');
  const res = (await approveRoom('R1')).json() as { approved: unknown[]; left: { reason: string }[] };
  t.same(res.approved, []);
  t.same(
    res.left.map((l) => l.reason),
    ['no_device_id'],
  );
  t.same(await pendingCodes(), [lone.code]);
  await clearPending();
});

t.test('a bulk approval is refused for an unknown room, a bad body, and every role but admin — and changes nothing', async (t) => {
  const token = await pairDevice(app, 'kiosk', 'K1', admin);
  const a = await ask('terminal', 'T2');
  const before = app.ctx.audit.list({ limit: 1 })[0]!.seq;
  const unknown = await approveRoom('R9');
  t.equal(unknown.statusCode, 404);
  t.match(unknown.json(), { message: /no room R9 in the config \(rooms: R1, R2\)/ });
  t.equal((await approveRoom('')).statusCode, 400, 'an empty room id');
  t.equal(
    (await app.inject({ method: 'POST', url: '/api/devices/pairings/approve-room', headers: { cookie: admin }, payload: { roomId: 'R1', all: true } }))
      .statusCode,
    400,
  );
  t.equal((await approveRoom('R1', {})).statusCode, 401, 'anonymous');
  t.equal((await approveRoom('R1', { cookie: await login(app, 'invig', PASSWORDS.invig) })).statusCode, 403, 'the room’s own invigilator');
  t.equal((await approveRoom('R1', { cookie: await login(app, 'gd', PASSWORDS.gd) })).statusCode, 403, 'an inspector');
  t.equal((await approveRoom('R1', { authorization: `Bearer ${token}` })).statusCode, 403, 'a device');
  t.same(await pendingCodes(), [a.code], 'the request is still pending');
  t.notOk(
    app.ctx.audit.list({ limit: 50 }).some((e) => e.seq > before && e.action.startsWith('device.approve')),
    'no approval was recorded',
  );
  await clearPending();
});

/** A server-sent event stream read over a real socket; `next(kind, test)` waits for a matching event. */
function openStream(port: number, cookie: string) {
  const events: { event: string; data: any }[] = [];
  let res: IncomingMessage | null = null;
  const req = httpRequest({ host: '127.0.0.1', port, path: '/api/devices/events', headers: { cookie, accept: 'text/event-stream' } }, (r) => {
    res = r;
    let buf = '';
    r.setEncoding('utf8');
    r.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.*)$/m.exec(block);
        const data = /^data: (.*)$/m.exec(block);
        if (ev && data) events.push({ event: ev[1]!, data: JSON.parse(data[1]!) });
      }
    });
  });
  req.end();
  let seen = 0;
  return {
    status: () => res?.statusCode,
    /** The next event of this kind (after those already taken) that passes the test. */
    async next(kind: string, test: (data: any) => boolean = () => true): Promise<any> {
      return until(`a ${kind} event`, () => {
        for (; seen < events.length; seen++) {
          const e = events[seen]!;
          if (e.event === kind && test(e.data)) {
            seen++;
            return e.data;
          }
        }
        return null;
      });
    },
    close: () => req.destroy(),
  };
}

t.test('the live stream: pending requests and the device list, whole, on connect and after each change', async (t) => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const s = openStream(port, admin);
  t.teardown(s.close);
  const first = await s.next('pairings');
  t.same(first.pairings, [], 'on connect: no request is pending');
  t.equal(first.serverTime, clock.now(), "with the server's time, to count ages by");
  const devices = await s.next('devices');
  t.same(
    devices.devices.map((d: { id: string }) => d.id),
    ['K1', 'T1', 'T2', 'T3', 'R2-01', 'R2-02'],
    'on connect: every configured device',
  );

  const asked = await ask('terminal', 'T2');
  const arrived = await s.next('pairings', (d) => d.pairings.length === 1);
  t.match(arrived.pairings[0], { code: asked.code, claimedId: 'T2', ip: '127.0.0.1', userAgent: /Chrome/ }, 'a request appears as it is made');

  t.equal(
    (await app.inject({ method: 'POST', url: '/api/devices/pairings/approve', headers: { cookie: admin }, payload: { code: asked.code } })).statusCode,
    200,
  );
  await s.next('pairings', (d) => d.pairings.length === 0);
  t.pass('an approved request leaves the list');
  const got = (
    await app.inject({ method: 'POST', url: `/api/devices/pairings/${asked.pairingId}/collect`, payload: { pollSecret: asked.pollSecret } })
  ).json() as { token: string };
  await s.next('devices', (d) => d.devices.find((x: { id: string }) => x.id === 'T2')?.state === 'paired');
  t.pass('the collected device shows as paired');

  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/device`, { headers: { authorization: `Bearer ${got.token}` } });
  const on = await s.next('devices', (d) => d.devices.find((x: { id: string }) => x.id === 'T2')?.online === true);
  const t2 = on.devices.find((x: { id: string }) => x.id === 'T2');
  t.equal(t2.lastIp, '127.0.0.1', 'a connected device shows online, with its address');
  ws.close();
  const off = await s.next('devices', (d) => d.devices.find((x: { id: string }) => x.id === 'T2')?.online === false);
  t.ok(off.devices.find((x: { id: string }) => x.id === 'T2').lastSeenAt, '…and offline with when it was last seen once it goes');

  const other = await ask('kiosk');
  await s.next('pairings', (d) => d.pairings.some((p: { code: string }) => p.code === other.code));
  await app.inject({ method: 'POST', url: `/api/devices/pairings/${other.pairingId}/reject`, headers: { cookie: admin } });
  await s.next('pairings', (d) => d.pairings.length === 0);
  t.pass('a rejected request leaves the list');

  await app.inject({ method: 'POST', url: '/api/devices/T2/revoke', headers: { cookie: admin } });
  await s.next('devices', (d) => d.devices.find((x: { id: string }) => x.id === 'T2')?.state === 'revoked');
  t.pass('a revoked device shows as revoked');
});

t.test('the stream is for admins and event-stream clients only', async (t) => {
  t.equal((await app.inject({ url: '/api/devices/events', headers: { cookie: admin } })).statusCode, 406, 'a plain GET is told what this is');
  t.equal((await app.inject({ url: '/api/devices/events', headers: { accept: 'text/event-stream' } })).statusCode, 401);
  const invig = await login(app, 'invig', PASSWORDS.invig);
  t.equal((await app.inject({ url: '/api/devices/events', headers: { cookie: invig, accept: 'text/event-stream' } })).statusCode, 403);
});

const poll = (a: Asked) => app.inject({ method: 'POST', url: `/api/devices/pairings/${a.pairingId}/collect`, payload: { pollSecret: a.pollSecret } });

t.test('a request whose page stopped asking for its status is gone: not listed, not approvable, not a duplicate', async (t) => {
  await clearPending();
  // A PC reboot: R2-02's first page (from .11) and T2's (from .12) close; R2-02 comes back from another address.
  const stale = await ask('terminal', 'R2-02', undefined, '10.0.0.11');
  const staleT2 = await ask('terminal', 'T2', undefined, '10.0.0.12');
  clock.advance(4_000);
  const live = await ask('terminal', 'R2-02', undefined, '10.0.0.21');
  t.same(await pendingCodes(), [stale.code, staleT2.code, live.code].sort(), 'all three are listed while their pages could still be asking');
  for (let i = 0; i < 3; i++) {
    clock.advance(terminalProtocol.PAIRING_POLL_MS);
    t.equal((await poll(live)).json().status, 'pending');
  }
  t.same(await pendingCodes(), [live.code], 'the two requests whose pages stopped asking are no longer listed');

  const single = await app.inject({ method: 'POST', url: '/api/devices/pairings/approve', headers: { cookie: admin }, payload: { code: staleT2.code } });
  t.equal(single.statusCode, 409, 'approving a gone page is refused');
  t.match(single.json(), { message: new RegExp(`page that showed code ${staleT2.code} was closed.*approve the code the PC's screen shows now`) });

  const res = await approveRoom('R2');
  t.equal(res.statusCode, 200);
  const body = res.json() as { approved: { pairing: { code: string }; deviceId: string }[]; left: { pairing: { code: string } }[] };
  t.same(
    body.approved.map((a) => `${a.pairing.code} ${a.deviceId}`),
    [`${live.code} R2-02`],
    'the live request for R2-02 is approved: the gone one beside it does not make it a duplicate',
  );
  t.same(body.left, [], 'gone requests are neither approved nor left for a person');
  t.equal((await poll(live)).json().status, 'approved');
  t.equal((await poll(stale)).json().status, 'pending', "the gone page's request stays undecided (it expires by itself)");
  // A gone page that asks again is back in the list (a network hiccup is not a closed page).
  t.same(await pendingCodes(), [stale.code]);
  await clearPending();
});

t.test('a page asking again for the same id from the same address drops its older request', async (t) => {
  await clearPending();
  const first = await ask('terminal', 'T2', undefined, '10.0.0.31');
  const again = await ask('terminal', 'T2', undefined, '10.0.0.31');
  t.same(await pendingCodes(), [again.code], 'only the newest code of that PC is listed');
  t.equal((await poll(first)).json().status, 'rejected', 'the older request is decided, not left hanging');
  const [entry] = app.ctx.audit.list({ action: 'device.pairing.request', target: again.pairingId });
  t.match(entry, { detail: { superseded: [first.code] } }, 'the dropped code is in the audit');
  await clearPending();
});
