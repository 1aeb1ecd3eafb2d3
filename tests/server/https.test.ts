// HTTPS when the config names a certificate: browsers only allow camera access (kiosk, terminal
// webcams) on secure origins, so a real site runs TLS.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { request } from 'node:https';
import { join } from 'node:path';
import { buildTestApp, scratchDir, TEST_CONFIG_YAML } from '../helpers.ts';
import { parseConfig } from '../../config/index.ts';

t.test('the server speaks HTTPS with the configured certificate and marks cookies Secure', async (t) => {
  const dir = scratchDir(t);
  const key = join(dir, 'server.key');
  const cert = join(dir, 'server.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], {
    stdio: 'ignore',
  });
  const yaml = TEST_CONFIG_YAML.replace(
    'server: { host: 127.0.0.1, port: 0 }',
    `server: { host: 127.0.0.1, port: 0, tls: { cert: ${JSON.stringify(cert)}, key: ${JSON.stringify(key)} } }`,
  );
  const app = await buildTestApp({ config: parseConfig(yaml, { dataDir: join(dir, 'data') }) });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;

  const reply = await new Promise<{ status: number; cookie: string; peerCertCN: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/api/auth/login', method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie'] ?? ''), peerCertCN: String(peer.subject?.CN ?? '') }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ username: 'admin', password: 'admin-pass-123' }));
  });
  t.equal(reply.status, 200);
  t.equal(reply.peerCertCN, '127.0.0.1', 'the configured certificate is the one served');
  t.match(reply.cookie, /; Secure/, 'the session cookie never travels in clear text');
});
