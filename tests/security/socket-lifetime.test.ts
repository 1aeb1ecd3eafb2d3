// Sockets end with their session (issue 16, item 1): a person's /ws/proctor and /ws/live/* sockets and
// their event streams close at once when they log out, when their session expires, when an admin
// disables them, changes their role or rooms, or resets their password — and nobody else's do. A
// revoked device loses its event stream as well as its sockets. One real app on loopback, real `ws`
// clients and raw HTTP event-stream readers.
import t, { type Test } from 'tap';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { fixedClock } from '../../core/index.ts';
import { SESSION_CLOSE } from '../../server/protocol.ts';
import { dataPaths } from '../../storage/index.ts';
import { buildTestApp, login, pairDevice, PASSWORDS, scratchDir, testConfig } from '../helpers.ts';
import { until } from '../wait.ts';

const CAMERAS = 'cameras:\n  - { id: CAM-R1, name: 一号考场前方, room: R1, url: "rtsp://127.0.0.1:9/none" }\n';

const dir = scratchDir(t);
const clock = fixedClock(Date.now());
// The sweep (expiry, changes by another process) runs often here; the triggers below are told apart
// from it by their close reasons, so a test passes only when its trigger closed the socket itself.
const app = await buildTestApp({ config: testConfig(dir, CAMERAS), clock, channelSweepMs: 200 });
t.teardown(() => app.close());
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as { port: number }).port;
const admin = await login(app, 'admin', PASSWORDS.admin);

interface Held {
  what: string;
  socket: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a WebSocket as this cookie (or bearer token) and waits until it is open. */
function open(path: string, headers: Record<string, string>): Promise<Held> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
  t.teardown(() => socket.terminate());
  const closed = new Promise<{ code: number; reason: string }>((r) => socket.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ what: path, socket, closed }));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`${path}: upgrade refused with ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

/** A person's console and live view: the two sockets the review saw outlive a disabled account. */
async function desk(cookie: string): Promise<Held[]> {
  return [await open('/ws/proctor?room=R1', { cookie }), await open('/ws/live/CAM-R1', { cookie })];
}

/** Resolves when the socket closes; throws (naming it) if it is still open after a short wait. */
async function closedWith(h: Held, ms = 5000): Promise<{ code: number; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`${h.what} still open ${ms} ms after the trigger`)), ms);
  });
  try {
    return await Promise.race([h.closed, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A console socket still answers a ping: it is open and served, not half-closed. */
async function answers(h: Held): Promise<boolean> {
  if (h.socket.readyState !== WebSocket.OPEN) return false;
  const pong = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 3000);
    h.socket.on('message', (d) => {
      if ((JSON.parse(String(d)) as { type?: string }).type === 'pong') {
        clearTimeout(timer);
        resolve(true);
      }
    });
  });
  h.socket.send(JSON.stringify({ type: 'ping' }));
  return pong;
}

interface Stream {
  res: IncomingMessage;
  /** The first event has arrived (the stream is really open). */
  ready: Promise<void>;
  ended: Promise<void>;
}

/** Reads a server-sent event stream as EventSource would ask for it. */
function stream(path: string, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`${path}: ${res.statusCode}`));
      const ready = new Promise<void>((r) => res.once('data', () => r()));
      const ended = new Promise<void>((r) => res.once('close', () => r()));
      res.resume();
      resolve({ res, ready, ended });
    });
    req.on('error', reject);
    req.end();
    t.teardown(() => req.destroy());
  });
}

async function endsSoon(s: Stream, what: string, ms = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    s.ended,
    new Promise<never>((_r, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} still open ${ms} ms after the trigger`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

let n = 0;
/** A fresh invigilator of R1, so each trigger has its own victim. */
async function invigilator(): Promise<{ username: string; cookie: string }> {
  const username = `inv${++n}`;
  const password = `pass-${username}-123`;
  const res = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: admin },
    payload: { username, role: 'invigilator', rooms: ['R1'], password },
  });
  if (res.statusCode !== 201) throw new Error(`adding ${username}: ${res.body}`);
  return { username, cookie: await login(app, username, password) };
}

const patch = (username: string, payload: object) => app.inject({ method: 'PATCH', url: `/api/users/${username}`, headers: { cookie: admin }, payload });

// Someone else's desk, open throughout: every trigger below must leave it alone.
const bystander = await desk(await login(app, 'invig', PASSWORDS.invig));
const adminDesk = await desk(admin);
const othersStillServed = async (t: Test) => {
  for (const h of [...bystander, ...adminDesk]) t.equal(h.socket.readyState, WebSocket.OPEN, `another person's ${h.what} stays open`);
  t.ok(await answers(bystander[0]!), "another person's console is still served");
};

t.test('log-out closes the sockets of that session, not those of the same person elsewhere', async (t) => {
  const username = 'inv-lo';
  const password = 'pass-inv-lo-123';
  await app.inject({ method: 'POST', url: '/api/users', headers: { cookie: admin }, payload: { username, role: 'invigilator', rooms: ['R1'], password } });
  const here = await login(app, username, password);
  const there = await login(app, username, password);
  const mine = await desk(here);
  const otherPc = await desk(there);

  const out = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: here } });
  t.equal(out.statusCode, 204);
  for (const h of mine) t.same(await closedWith(h), { code: SESSION_CLOSE.SIGNED_OUT, reason: 'signed out' }, `${h.what} closed: signed out`);
  for (const h of otherPc) t.equal(h.socket.readyState, WebSocket.OPEN, `${h.what} of the same person's other session stays open`);
  t.ok(await answers(otherPc[0]!), 'the other session is still served');
  await othersStillServed(t);
});

t.test('disabling an account closes its sockets (rights changed)', async (t) => {
  const v = await invigilator();
  const mine = await desk(v.cookie);
  t.equal((await patch(v.username, { disabled: true })).statusCode, 200);
  for (const h of mine) t.same(await closedWith(h), { code: SESSION_CLOSE.RIGHTS_CHANGED, reason: 'account disabled' }, `${h.what} closed: disabled`);
  await othersStillServed(t);
});

t.test('a changed role closes the sockets opened with the old one', async (t) => {
  const v = await invigilator();
  const mine = await desk(v.cookie);
  t.equal((await patch(v.username, { role: 'admin' })).statusCode, 200);
  for (const h of mine)
    t.same(await closedWith(h), { code: SESSION_CLOSE.RIGHTS_CHANGED, reason: 'rights changed: sign in again' }, `${h.what} closed: role changed`);
  await othersStillServed(t);
});

t.test('changed rooms close the sockets opened with the old ones', async (t) => {
  const v = await invigilator();
  const mine = await desk(v.cookie);
  t.equal((await patch(v.username, { rooms: ['R2'] })).statusCode, 200);
  for (const h of mine)
    t.same(await closedWith(h), { code: SESSION_CLOSE.RIGHTS_CHANGED, reason: 'rights changed: sign in again' }, `${h.what} closed: rooms changed`);
  await othersStillServed(t);
});

t.test('a password reset closes the sockets', async (t) => {
  const v = await invigilator();
  const mine = await desk(v.cookie);
  const res = await app.inject({ method: 'POST', url: `/api/users/${v.username}/reset-password`, headers: { cookie: admin }, payload: {} });
  t.equal(res.statusCode, 200);
  for (const h of mine)
    t.same(await closedWith(h), { code: SESSION_CLOSE.SIGNED_OUT, reason: 'password changed: sign in again' }, `${h.what} closed: password reset`);
  await othersStillServed(t);
});

t.test('saving a user without changing their rights leaves their sockets open', async (t) => {
  const v = await invigilator();
  const mine = await desk(v.cookie);
  t.equal((await patch(v.username, { displayName: '王老师', role: 'invigilator', rooms: ['R1'] })).statusCode, 200);
  t.equal(app.ctx.users.get(v.username).displayName, '王老师');
  // Another user's change after it: its closing proves the unchanged save's turn has passed.
  const w = await invigilator();
  const theirs = await desk(w.cookie);
  await patch(w.username, { disabled: true });
  await closedWith(theirs[0]!);
  for (const h of mine) t.equal(h.socket.readyState, WebSocket.OPEN, `${h.what} stays open`);
  t.ok(await answers(mine[0]!), 'and is still served');
});

t.test("an admin's event stream ends at log-out, and its reconnect is refused", async (t) => {
  const cookie = await login(app, 'admin', PASSWORDS.admin);
  const s = await stream('/api/devices/events', { cookie });
  await s.ready;
  const kept = await stream('/api/devices/events', { cookie: admin });
  await kept.ready;
  await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
  await endsSoon(s, 'the devices event stream');
  await t.rejects(stream('/api/devices/events', { cookie }), /401/, 'EventSource reconnecting is refused: it stops');
  t.notOk(kept.res.destroyed, "the other admin session's stream stays open");
});

t.test("a revoked kiosk's event stream ends with its sockets", async (t) => {
  const token = await pairDevice(app, 'kiosk', 'K1', admin);
  const s = await stream('/api/kiosk/events', { authorization: `Bearer ${token}` });
  await s.ready;
  const ws = await open('/ws/device', { authorization: `Bearer ${token}` });
  await app.inject({ method: 'POST', url: '/api/devices/K1/revoke', headers: { cookie: admin } });
  t.same(await closedWith(ws), { code: SESSION_CLOSE.SIGNED_OUT, reason: 'device token revoked' }, 'the device socket closes (4401)');
  await endsSoon(s, "the kiosk's event stream");
});

t.test('sessions ended by another process (the CLI) close their sockets at the next look', async (t) => {
  const v = await invigilator();
  const mine = await desk(v.cookie);
  const other = new Database(dataPaths(dir).dbFile);
  t.teardown(() => other.close());
  other.prepare('DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = ?)').run(v.username);
  for (const h of mine) t.same(await closedWith(h), { code: SESSION_CLOSE.SIGNED_OUT, reason: 'session ended' }, `${h.what} closed`);
  await othersStillServed(t);
});

// Last: moving the clock on ends every session of this file.
t.test('an expired session closes its sockets', async (t) => {
  const v = await invigilator();
  const mine = await desk(v.cookie);
  clock.advance((app.ctx.config.security.sessionHours + 1) * 3600_000);
  for (const h of mine) t.same(await closedWith(h), { code: SESSION_CLOSE.SIGNED_OUT, reason: 'session expired' }, `${h.what} closed: expired`);
  await until('every socket of the file to be closed', () => [...bystander, ...adminDesk].every((h) => h.socket.readyState === WebSocket.CLOSED));
});
