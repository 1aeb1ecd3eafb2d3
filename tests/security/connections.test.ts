// Time limits and caps on connections (server.connections), over real sockets on loopback: a request
// trickled in a byte at a time, or headers that never end, are cut; one address cannot take every socket;
// WebSockets and event streams outlive every limit.
import t, { type Test } from 'tap';
import { connect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import WebSocket from 'ws';
import { parseConfig } from '../../config/index.ts';
import { buildTestApp, login, PASSWORDS, scratchDir, TEST_CONFIG_YAML } from '../helpers.ts';
import type { App } from '../../server/app.ts';

const LIMITS = 'connections: { max: 24, perAddress: 8, headersSeconds: 2, requestSeconds: 5, idleSeconds: 20, keepAliveSeconds: 3 }';

async function served(t: Test, host: string, limits = LIMITS): Promise<{ app: App; port: number }> {
  const yaml = TEST_CONFIG_YAML.replace('server: { host: 127.0.0.1, port: 0 }', `server: { host: ${host}, port: 0, ${limits} }`);
  const app = await buildTestApp({ config: parseConfig(yaml, { dataDir: scratchDir(t) }) });
  t.teardown(() => app.close());
  await app.listen({ host, port: 0 });
  return { app, port: (app.server.address() as { port: number }).port };
}

/** A raw client: what it received, and when the server closed it (null while open). */
function raw(port: number, host = '127.0.0.1', localAddress?: string) {
  const s: Socket = connect({ port, host, ...(localAddress ? { localAddress } : {}) });
  const state = { got: '', closedAt: null as number | null, socket: s, opened: Date.now() };
  s.on('data', (d) => {
    state.got += d.toString();
  });
  s.on('error', () => {});
  const closed = new Promise<number>((resolve) => s.on('close', () => resolve((state.closedAt = Date.now()) - state.opened)));
  return { ...state, state, closed };
}

const within = <T>(p: Promise<T>, ms: number): Promise<T | 'still open'> =>
  Promise.race([p, new Promise<'still open'>((r) => setTimeout(() => r('still open'), ms).unref())]);

// The long-lived sockets must outlast idleSeconds (20 s at the least) and so wait longest: on an app of
// their own they wait beside the other checks (two at a time) instead of before them, and their two
// sockets stay out of the count that the server.connections.max check fills.
t.jobs = 2;

t.test('WebSockets and event streams outlive every limit', async (t) => {
  const { app, port } = await served(t, '127.0.0.1');
  const cookie = await login(app, 'admin', PASSWORDS.admin);
  const origin = `http://127.0.0.1:${port}`;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/proctor?room=R1`, { headers: { cookie, origin } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let wsClosed = false;
  ws.on('close', () => {
    wsClosed = true;
  });
  const sse = raw(port);
  sse.socket.write(`GET /api/devices/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\nCookie: ${cookie}\r\n\r\n`);
  // Past requestSeconds (5), headersSeconds (2), keepAliveSeconds (3) and idleSeconds (20).
  await new Promise((r) => setTimeout(r, 22_000));
  t.equal(wsClosed, false, 'the WebSocket is open');
  const pong = new Promise<boolean>((resolve) => ws.once('pong', () => resolve(true)));
  ws.ping();
  t.equal(await within(pong, 3000), true, 'and answers a ping');
  t.equal(sse.state.closedAt, null, 'the event stream is open');
  t.match(sse.state.got, /^HTTP\/1\.1 200 [\s\S]*: ping/, 'and has pinged');
  ws.close();
  sse.socket.destroy();
});

t.test('limits on loopback', async (t) => {
  const { app, port } = await served(t, '127.0.0.1');

  t.test('a POST whose body comes a byte at a time is cut with 408 at requestSeconds', async (t) => {
    const c = raw(port);
    c.socket.write('POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
    let sent = 0;
    const drip = setInterval(() => {
      if (!c.socket.destroyed) c.socket.write('{');
      sent++;
    }, 500);
    const ms = await within(c.closed, 15_000);
    clearInterval(drip);
    c.socket.destroy();
    t.not(ms, 'still open', 'the server hung up (without a limit it waits for all 100 bytes)');
    t.ok(sent < 100, `it did so before the body was complete (${sent} of 100 bytes sent)`);
    t.match(c.state.got, /^HTTP\/1\.1 408 /, 'saying why: 408 Request Timeout');
  });

  t.test('a client that sends no request, or its headers a line at a time, is cut at headersSeconds', async (t) => {
    const silent = raw(port);
    const slow = raw(port);
    slow.socket.write('GET /api/site HTTP/1.1\r\n');
    const drip = setInterval(() => slow.socket.write('X-Padding: 1\r\n'), 500);
    const [a, b] = await Promise.all([within(silent.closed, 10_000), within(slow.closed, 10_000)]);
    clearInterval(drip);
    t.not(a, 'still open', 'a socket that says nothing is closed');
    t.not(b, 'still open', 'a request whose headers never end is closed');
    t.match(slow.state.got, /^HTTP\/1\.1 408 /);
  });

  t.test('no more than server.connections.max sockets at once, counted for /metrics', async (t) => {
    // Loopback is not counted per address (this machine: a local proxy, the monitoring agent), only in all.
    const held = Array.from({ length: 24 }, () => raw(port));
    for (const h of held) h.socket.write('GET /api/site HTTP/1.1\r\nHost: x\r\n');
    await new Promise((r) => setTimeout(r, 300));
    const over = raw(port);
    t.not(await within(over.closed, 3000), 'still open', 'the next socket is closed at once');
    t.equal(over.state.got, '', 'without a word: it is not read at all');
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));
    await new Promise((r) => setTimeout(r, 100));
    const metrics = await app.inject({ url: '/metrics' });
    t.match(metrics.body, /examroom_connections_refused_total\{why="total"\} [1-9]/);
  });
});

// The loopback is not counted per address, so this needs the host's own LAN address as a client.
const lan = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

t.test(
  'one address holds at most perAddress sockets; other addresses are not held up',
  { skip: lan ? false : 'this machine has no non-loopback IPv4 address to connect from' },
  async (t) => {
    if (!lan) return;
    const { app, port } = await served(
      t,
      '0.0.0.0',
      LIMITS.replace('headersSeconds: 2', 'headersSeconds: 30').replace('requestSeconds: 5', 'requestSeconds: 30'),
    );
    const held = Array.from({ length: 8 }, () => raw(port, lan, lan));
    await new Promise((r) => setTimeout(r, 300));
    t.ok(
      held.every((h) => h.state.closedAt === null),
      '8 sockets from one address are open',
    );
    const ninth = raw(port, lan, lan);
    t.not(await within(ninth.closed, 3000), 'still open', 'the ninth from the same address is closed at once');
    const res = await fetch(`http://127.0.0.1:${port}/api/site`);
    t.equal(res.status, 401, 'another address (here this machine) is answered');
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await new Promise((r) => setTimeout(r, 100));
    const again = raw(port, lan, lan);
    again.socket.write('GET /api/site HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await within(again.closed, 3000);
    t.match(again.state.got, /^HTTP\/1\.1 401 /, 'a socket closed makes room for the next');
    for (const h of held) h.socket.destroy();
    const metrics = await app.inject({ url: '/metrics' });
    t.match(metrics.body, /examroom_connections_refused_total\{why="per-address"\} 1/);
  },
);
