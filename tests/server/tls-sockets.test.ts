// The running appliance over real sockets: openssl s_client against HTTPS (TLS 1.2+ only, the chain
// verifies with the exported CA for the site's name), and the plain-HTTP trust page, which serves the CA,
// its fingerprint and the install steps, and nothing else.
import t from 'tap';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { buildTestApp, scratchDir, TEST_CONFIG_YAML } from '../helpers.ts';
import { parseConfig } from '../../config/index.ts';
import { createTrustPage } from '../../server/tls/index.ts';

/** fetch() may not set Host; a browser does, and the page builds its HTTPS link from it. */
function getWithHost(port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const LAN = {
  eth0: [{ address: '192.168.7.10', netmask: '255.255.255.0', family: 'IPv4' as const, mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.7.10/24' }],
};

t.test('HTTPS and the trust page on real sockets', async (t) => {
  const dir = scratchDir(t);
  const yaml = TEST_CONFIG_YAML.replace(
    'server: { host: 127.0.0.1, port: 0 }',
    'server: { host: 127.0.0.1, port: 0, tls: site-ca, names: [examroom.test, 127.0.0.1], httpPort: 0 }',
  );
  const config = parseConfig(yaml, { dataDir: join(dir, 'data') });
  const app = await buildTestApp({ config, networkInterfaces: LAN });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const page = createTrustPage({ tls: app.tls!, config, httpsPort: () => port });
  t.teardown(() => page.close());
  await page.listen({ host: '127.0.0.1', port: 0 });
  const httpPort = (page.server.address() as { port: number }).port;

  // The CA as an IT person gets it: from the plain-HTTP page.
  const caRes = await fetch(`http://127.0.0.1:${httpPort}/ca.crt`);
  t.equal(caRes.status, 200);
  t.equal(caRes.headers.get('content-type'), 'application/x-x509-ca-cert');
  const caPem = await caRes.text();
  t.equal(caPem, readFileSync(join(dir, 'data-keys', 'site-ca.crt'), 'utf8'), 'the site CA, PEM');
  const caFile = join(dir, 'exported-ca.crt');
  writeFileSync(caFile, caPem);
  const ca = new X509Certificate(caPem);

  // Asynchronous: the server runs in this process, so a synchronous child would block its handshake.
  const sClient = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'examroom.test', ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill(), 20_000);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
      child.stdin.end('Q\n');
    });

  t.test('the chain verifies with the exported CA for the site name and its address', async (t) => {
    const byName = await sClient(['-CAfile', caFile, '-verify_return_error', '-verify_hostname', 'examroom.test', '-brief']);
    t.equal(byName.status, 0, byName.stderr);
    t.match(byName.stderr, /Verification: OK/);
    const byIp = await sClient(['-CAfile', caFile, '-verify_return_error', '-verify_ip', '127.0.0.1', '-brief']);
    t.equal(byIp.status, 0, byIp.stderr);
    const wrongName = await sClient(['-CAfile', caFile, '-verify_return_error', '-verify_hostname', 'other.test', '-brief']);
    t.not(wrongName.status, 0, 'a name the certificate does not cover fails');
  });

  t.test('TLS 1.2 and 1.3 are spoken; TLS 1.0 and 1.1 are refused by the server', async (t) => {
    for (const v of ['-tls1_2', '-tls1_3']) {
      const r = await sClient([v, '-CAfile', caFile, '-verify_return_error', '-brief']);
      t.equal(r.status, 0, `${v}: ${r.stderr}`);
      t.match(r.stderr, new RegExp(`Protocol version: TLSv1\\.${v.at(-1)}`));
    }
    for (const v of ['-tls1', '-tls1_1']) {
      // SECLEVEL=0 lets this client offer the old protocol at all, so the refusal is the server's.
      const r = await sClient([v, '-cipher', 'DEFAULT@SECLEVEL=0']);
      t.not(r.status, 0, `${v} refused`);
      t.match(`${r.stdout}${r.stderr}`, /protocol version|no protocols available|unsupported protocol/i, `${v}: refused for its version`);
      t.notMatch(r.stdout, /New, TLSv1\.[01]/, 'no session at that version');
    }
  });

  t.test('the trust page: what the CA is, its fingerprint, the install steps, and the HTTPS link (no redirect)', async (t) => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/`, { redirect: 'manual' });
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /text\/html/);
    t.match(res.headers.get('content-security-policy'), /default-src 'none'/);
    const html = await res.text();
    t.match(html, ca.fingerprint256, 'the SHA-256 fingerprint');
    t.match(html, /<html lang="zh-CN">/);
    t.ok(html.indexOf('站点证书颁发机构') < html.indexOf('site CA'), 'Chinese first, English too');
    t.match(html, 'certutil -addstore -f Root examroom-site-ca.cer', 'Windows: the machine Root store');
    t.match(html, '/usr/local/share/ca-certificates', 'Debian: the system store');
    t.match(html, 'certutil -d "sql:$HOME/.pki/nssdb" -A -t "C,,"', "Debian: Chromium's NSS database");
    t.match(html, /a kiosk browser on the server itself also opens the HTTPS link and needs the CA/, 'says accurately what a kiosk on the server itself needs');
    t.match(html, `href="https://127.0.0.1:${port}/"`, 'the HTTPS link, on the name the PC used');
    const byName = await getWithHost(httpPort, `examroom.test:${httpPort}`);
    t.match(byName, `href="https://examroom.test:${port}/"`);
    const forged = await getWithHost(httpPort, 'evil.example');
    t.notMatch(forged, /evil\.example/, 'a Host the certificate does not cover is not echoed');
    t.match(forged, 'href="https://examroom.test:', 'the link falls back to the first name the certificate covers');
    const der = Buffer.from(await (await fetch(`http://127.0.0.1:${httpPort}/ca.cer`)).arrayBuffer());
    t.same(der, Buffer.from(ca.raw), 'the .cer is the CA in DER');
  });

  t.test('the plain-HTTP port serves nothing else: API, apps and log-in are 404 there', async (t) => {
    for (const [method, path] of [
      ['GET', '/api/site'],
      ['POST', '/api/auth/login'],
      ['GET', '/healthz'],
      ['GET', '/metrics'],
      ['GET', '/kiosk/'],
      ['GET', '/terminal/'],
      ['GET', '/api/tls'],
      ['GET', '/docs'],
    ] as const) {
      const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, {
        method,
        ...(method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}),
      });
      t.equal(res.status, 404, `${method} ${path}`);
      t.equal(res.headers.get('set-cookie'), null);
    }
    // A browser sent to an app page on this port (the wrong port typed) is not left at a bare 404.
    const lost = await fetch(`http://127.0.0.1:${httpPort}/kiosk/?device=K1`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    t.equal(lost.status, 404, 'still a 404: the app is not served here');
    t.equal(lost.headers.get('set-cookie'), null);
    t.match(lost.headers.get('content-security-policy'), /default-src 'none'/);
    const html = await lost.text();
    t.match(html, `href="https://127.0.0.1:${port}/kiosk/"`, 'the same page over HTTPS, on the name the PC used');
    t.match(html, ca.fingerprint256, 'and the trust page itself, to install the CA first');
    const api = await fetch(`http://127.0.0.1:${httpPort}/api/site`, { headers: { accept: 'text/html' } });
    t.match(await api.json(), { error: 'not_found' }, 'an API path gets no page, only the JSON 404');
  });

  t.test('the HTTPS app also offers the CA download for the admin console', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/ca.crt' });
    t.equal(res.statusCode, 200);
    t.equal(res.body, caPem);
  });
});
