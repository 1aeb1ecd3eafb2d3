// Cross-site WebSocket hijacking (issue 16, item 9): a page that is not the appliance's must not open
// a socket with the cookies of a person signed in here. Upgrades whose Origin is not the appliance's
// own (the Host the request came on, or a configured name, on the appliance's ports) are refused with
// 403 before the upgrade; the appliance's own pages and clients that are no browser (no Origin) connect.
import t from 'tap';
import WebSocket from 'ws';
import { parseConfig } from '../../config/index.ts';
import { isOwnOrigin } from '../../server/origin.ts';
import { buildTestApp, login, pairDevice, PASSWORDS, scratchDir, TEST_CONFIG_YAML } from '../helpers.ts';

t.test('isOwnOrigin: the appliance by any of its names, on its ports, and nothing else', async (t) => {
  const server = { names: ['examroom.lan', '192.168.1.10', 'fe80::1'], port: 443, httpPort: 80 };
  const at = (host: string, protocol = 'https') => ({ host, protocol });
  t.ok(isOwnOrigin('https://examroom.lan', at('examroom.lan'), server), 'the page this request came from');
  t.ok(isOwnOrigin('https://192.168.1.10', at('examroom.lan'), server), 'another of its names');
  t.ok(isOwnOrigin('https://EXAMROOM.lan:443', at('examroom.lan'), server), 'names are not case-sensitive; a default port written out');
  t.ok(isOwnOrigin('http://examroom.lan', at('examroom.lan'), server), 'its plain-HTTP port (the CA page)');
  t.ok(isOwnOrigin('https://[fe80::1]', at('[fe80::1]'), server), 'an IPv6 name');
  t.ok(
    isOwnOrigin('http://127.0.0.1:8080', at('127.0.0.1:8080', 'http'), { names: [], port: 0, httpPort: null }),
    'the Host it came on, whatever its port (port 0 in the config)',
  );
  t.ok(isOwnOrigin('http://localhost:5173', at('localhost:5173', 'http'), server), "the Vite dev server's proxy keeps the page's Host");
  t.notOk(isOwnOrigin('https://evil.example', at('examroom.lan'), server), 'another site');
  t.notOk(isOwnOrigin('http://examroom.lan:8081', at('examroom.lan'), server), 'another port of the same host (SameSite treats it as the same site)');
  t.notOk(isOwnOrigin('https://examroom.lan.evil.example', at('examroom.lan'), server), 'a name that only starts like it');
  t.notOk(isOwnOrigin('https://examroom.lan:8080', at('examroom.lan:8080', 'http'), server), 'a scheme the port does not speak (one port, one scheme)');
  t.notOk(isOwnOrigin('https://examroom.lan:80', at('examroom.lan'), server), 'https on the plain-HTTP CA port');
  t.notOk(isOwnOrigin('null', at('examroom.lan'), server), 'a sandboxed frame or a file');
  t.notOk(isOwnOrigin('ftp://examroom.lan', at('examroom.lan'), server), 'not a web page');
  t.notOk(isOwnOrigin('not a url', at('examroom.lan'), server), 'unreadable');
});

t.test('a WebSocket asked for by a page elsewhere is refused before the upgrade; the appliance and non-browsers connect', async (t) => {
  const dir = scratchDir(t);
  const yaml = TEST_CONFIG_YAML.replace('server: { host: 127.0.0.1, port: 0 }', 'server: { host: 127.0.0.1, port: 0, names: [examroom.test] }');
  const config = parseConfig(`${yaml}cameras:\n  - { id: CAM-R1, name: 前门, room: R1, url: "rtsp://127.0.0.1:9/none" }\n`, { dataDir: dir });
  const app = await buildTestApp({ config });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const terminal = await pairDevice(app, 'terminal', 'T1', admin);

  /** The upgrade's answer: 101 when it opened (then closed again), else the refusal's status and body. */
  const upgrade = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
      ws.once('open', () => {
        ws.close();
        resolve({ status: 101, body: '' });
      });
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.once('error', reject);
    });
  const status = async (path: string, headers: Record<string, string>) => (await upgrade(path, headers)).status;

  for (const path of ['/ws/proctor?room=R1', '/ws/live/CAM-R1']) {
    const refused = await upgrade(path, { cookie: admin, origin: 'http://evil.example' });
    t.equal(refused.status, 403, `${path}: a page of another site, with the admin's cookie: 403`);
    t.match(JSON.parse(refused.body), { error: 'cross_origin', message: /http:\/\/evil\.example.*not this appliance/ }, 'the refusal says why');
    t.equal(await status(path, { cookie: admin, origin: `http://127.0.0.1:${port + 1}` }), 403, `${path}: another port of this host: 403`);
    t.equal(await status(path, { cookie: admin, origin: 'null' }), 403, `${path}: an opaque origin: 403`);
    t.equal(await status(path, { cookie: admin, origin: `http://127.0.0.1:${port}` }), 101, `${path}: the appliance's own page connects`);
    t.equal(await status(path, { cookie: admin, origin: `http://examroom.test:${port}` }), 101, `${path}: a page at a configured name connects`);
    t.equal(await status(path, { cookie: admin }), 101, `${path}: a client that is no browser (no Origin) connects`);
  }
  t.equal(await status('/ws/proctor?room=R1', { origin: 'http://evil.example' }), 403, 'refused before the log-in is even looked at');
  const bearer = { authorization: `Bearer ${terminal}` };
  t.equal(await status('/ws/device', { ...bearer, origin: 'http://evil.example' }), 403, "a device's socket from a page elsewhere: 403");
  t.equal(await status('/ws/device', { ...bearer, origin: `http://127.0.0.1:${port}` }), 101, "the terminal's own page connects");
  t.equal(await status('/ws/device', bearer), 101, 'a device tool with its token and no Origin connects');
});

t.test('an upgrade the router itself refuses (bad encoding, a name too long) is answered and closed, not held open', async (t) => {
  const dir = scratchDir(t);
  const app = await buildTestApp({ config: parseConfig(TEST_CONFIG_YAML, { dataDir: dir }) });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const { connect } = await import('node:net');
  /** Sends a raw upgrade; resolves with the status line once the server has closed the connection. */
  const raw = (path: string) =>
    new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      let got = '';
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`${path.slice(0, 40)}: answered "${got.split('\r\n')[0]}" but still open after 5 s`));
      }, 5000);
      s.on('data', (d: Buffer) => (got += d.toString('latin1')));
      s.on('close', () => {
        clearTimeout(timer);
        resolve(got.split('\r\n')[0] ?? '');
      });
      s.on('error', () => {});
      s.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    }).catch((reject) => {
      throw reject;
    });
  t.match(await raw('/ws/live/%ED%A0%80'), /^HTTP\/1\.1 4\d\d/, 'a badly encoded path');
  t.match(await raw(`/ws/live/${'x'.repeat(2000)}`), /^HTTP\/1\.1 4\d\d/, 'a name past the router’s length limit');
  t.match(await raw('/ws/no-such-socket'), /^HTTP\/1\.1 404/, 'no such endpoint');
});
