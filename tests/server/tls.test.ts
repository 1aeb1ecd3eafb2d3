// The site CA and server certificate (server/tls/): what they cover, the CA's name constraints, renewal on
// the server's clock, re-issue on a name change, a site's own certificate checked at start-up, and the
// loud event when the CA had to be made again. Real openssl, real files, real sockets.
import t, { type Test } from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, symlinkSync, mkdirSync } from 'node:fs';
import { connect, type PeerCertificate } from 'node:tls';
import WebSocket from 'ws';
import type { NetworkInterfaceInfo } from 'node:os';
import { join } from 'node:path';
import { buildTestApp, scratchDir, TEST_CONFIG_YAML, login, PASSWORDS, pairDevice } from '../helpers.ts';
import { ConfigError, parseConfig } from '../../config/index.ts';
import type { App } from '../../server/app.ts';
import { fixedClock, type Clock } from '../../core/index.ts';

const DAY = 86_400_000;

type Ifaces = NodeJS.Dict<NetworkInterfaceInfo[]>;
function lan(address: string, cidr: string): Ifaces {
  return {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    eth0: [{ address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr }],
  };
}
const LAN = lan('192.168.7.10', '192.168.7.10/24');

function siteYaml(names: string[] | null): string {
  const n = names ? `, names: ${JSON.stringify(names)}` : '';
  return TEST_CONFIG_YAML.replace('server: { host: 127.0.0.1, port: 0 }', `server: { host: 127.0.0.1, port: 0, tls: site-ca${n} }`);
}

async function siteApp(t: Test, dir: string, opts: { names?: string[] | null; clock?: Clock; interfaces?: Ifaces; close?: boolean } = {}): Promise<App> {
  const config = parseConfig(siteYaml(opts.names === undefined ? ['examroom.lan'] : opts.names), { dataDir: join(dir, 'data') });
  const app = await buildTestApp({ config, networkInterfaces: opts.interfaces ?? LAN, ...(opts.clock ? { clock: opts.clock } : {}) });
  if (opts.close !== false) t.teardown(() => app.close());
  return app;
}

const keys = (dir: string) => join(dir, 'data-keys');
const cert = (dir: string, name: string) => new X509Certificate(readFileSync(join(keys(dir), name)));

function verify(caFile: string, certFile: string): { ok: boolean; out: string } {
  const r = spawnSync('openssl', ['verify', '-CAfile', caFile, certFile], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

/** A certificate for `san`, signed with the site CA's key: what a thief of that key could make. */
function signWithSiteCa(dir: string, san: string): string {
  const d = join(dir, `forged-${createHash('sha1').update(san).digest('hex').slice(0, 8)}`);
  mkdirSync(d);
  const ext = join(d, 'ext.cnf');
  execFileSync('sh', ['-c', `printf 'subjectAltName=${san}\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ${ext}`]);
  execFileSync(
    'openssl',
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(d, 'k.pem'),
      '-subj',
      '/CN=forged',
      '-out',
      join(d, 'r.csr'),
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      join(d, 'r.csr'),
      '-CA',
      join(keys(dir), 'site-ca.crt'),
      '-CAkey',
      join(keys(dir), 'site-ca.key'),
      '-CAcreateserial',
      '-days',
      '30',
      '-extfile',
      ext,
      '-out',
      join(d, 'c.pem'),
    ],
    { stdio: 'ignore' },
  );
  return join(d, 'c.pem');
}

async function peerCertificate(port: number): Promise<PeerCertificate> {
  return await new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'examroom.lan' }, () => {
      const c = s.getPeerCertificate();
      s.end();
      resolve(c);
    });
    s.on('error', reject);
  });
}

t.test('the server certificate covers server.names plus the LAN addresses, and the keys folder is 0700', async (t) => {
  const dir = scratchDir(t);
  await siteApp(t, dir);
  const x = cert(dir, 'server.crt');
  t.equal(x.subjectAltName, 'DNS:examroom.lan, IP Address:192.168.7.10', 'names from the config, the address from the LAN interface, not loopback');
  t.ok(x.checkIssued(cert(dir, 'site-ca.crt')), 'issued by the site CA');
  t.equal(x.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1', 'ECDSA P-256');
  const days = (Date.parse(x.validTo) - Date.now()) / DAY;
  t.ok(days > 390 && days <= 397, `lives at most 397 days (${days.toFixed(1)})`);
  t.equal(statSync(keys(dir)).mode & 0o777, 0o700, 'keys folder is 0700');
  t.equal(statSync(join(keys(dir), 'site-ca.key')).mode & 0o777, 0o600, 'the CA key is 0600');
  t.notOk(existsSync(join(dir, 'data', 'site-ca.key')), 'no key in the data folder');
});

t.test('addresses given in server.names replace the LAN addresses', async (t) => {
  const dir = scratchDir(t);
  await siteApp(t, dir, { names: ['examroom.lan', '10.20.30.40'] });
  t.equal(cert(dir, 'server.crt').subjectAltName, 'DNS:examroom.lan, IP Address:10.20.30.40');
});

t.test('the site CA vouches only for the site: a certificate for another name or network signed by its key is refused by openssl verify', async (t) => {
  const dir = scratchDir(t);
  await siteApp(t, dir);
  const ca = join(keys(dir), 'site-ca.crt');
  t.ok(verify(ca, join(keys(dir), 'server.crt')).ok, 'the server certificate verifies');
  const ownName = verify(ca, signWithSiteCa(dir, 'DNS:r101.examroom.lan'));
  t.ok(ownName.ok, `a name under the site's name is within the constraints (${ownName.out.trim()})`);
  const bank = verify(ca, signWithSiteCa(dir, 'DNS:www.icbc.com.cn'));
  t.notOk(bank.ok, "another site's name is refused");
  t.match(bank.out, /permitted subtree violation/);
  const otherNet = verify(ca, signWithSiteCa(dir, 'IP:10.9.9.9'));
  t.notOk(otherNet.ok, "an address outside the site's LAN is refused");
  t.match(otherNet.out, /permitted subtree violation/);
  t.ok(verify(ca, signWithSiteCa(dir, 'IP:192.168.7.99')).ok, "an address on the site's LAN is within the constraints");
});

t.test('a site with only addresses still constrains DNS names', async (t) => {
  const dir = scratchDir(t);
  await siteApp(t, dir, { names: null });
  t.equal(cert(dir, 'server.crt').subjectAltName, 'IP Address:192.168.7.10');
  const refused = verify(join(keys(dir), 'site-ca.crt'), signWithSiteCa(dir, 'DNS:example.com'));
  t.notOk(refused.ok, 'no DNS subtree in the CA would leave every name open; the CA lists only "invalid"');
});

t.test('the server certificate is renewed 30 days before it expires, on the server clock, and swapped into the running server', async (t) => {
  const dir = scratchDir(t);
  const clock = fixedClock(Date.now());
  const app = await siteApp(t, dir, { clock });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const first = cert(dir, 'server.crt');
  t.equal((await peerCertificate(port)).fingerprint256, first.fingerprint256);

  clock.advance(300 * DAY);
  await app.tlsRefresh();
  t.equal(cert(dir, 'server.crt').fingerprint256, first.fingerprint256, '97 days left: kept');

  clock.advance(68 * DAY); // 29 days left
  await app.tlsRefresh();
  const renewed = cert(dir, 'server.crt');
  t.not(renewed.fingerprint256, first.fingerprint256, 'renewed');
  t.ok(Math.abs(Date.parse(renewed.validTo) - (clock.now() + 397 * DAY)) < 2 * 3_600_000, 'valid 397 days from the server clock, not the OS clock');
  t.equal(renewed.subjectAltName, first.subjectAltName);
  t.equal((await peerCertificate(port)).fingerprint256, renewed.fingerprint256, 'the running server serves the new certificate without a restart');
  const audit = app.ctx.audit.list({ action: 'tls.certificate.issue' });
  t.equal(audit.length, 2, 'both issues audited');
  t.match(audit[0]!.detail.reason, /expires .* within 30 days/);
});

t.test('a changed address on the same LAN re-issues the certificate under the same CA', async (t) => {
  const dir = scratchDir(t);
  const a = await siteApp(t, dir, { close: false });
  const ca = cert(dir, 'site-ca.crt').fingerprint256;
  await a.close();
  const b = await siteApp(t, dir, { interfaces: lan('192.168.7.20', '192.168.7.20/24') });
  t.equal(cert(dir, 'server.crt').subjectAltName, 'DNS:examroom.lan, IP Address:192.168.7.20');
  t.equal(cert(dir, 'site-ca.crt').fingerprint256, ca, 'the PCs keep trusting the same CA');
  t.match(b.ctx.audit.list({ action: 'tls.certificate.issue' })[0]!.detail.reason, 'the names changed');
  const res = await b.inject({ method: 'GET', url: '/api/tls', headers: { cookie: await login(b, 'admin', PASSWORDS.admin) } });
  t.equal(res.json().caReplaced, null);
});

t.test("a name outside the CA's constraints makes a new CA, loudly", async (t) => {
  const dir = scratchDir(t);
  const a = await siteApp(t, dir, { close: false });
  const before = cert(dir, 'site-ca.crt').fingerprint256;
  await a.close();
  const b = await siteApp(t, dir, { names: ['examroom.lan', 'exam.school.edu.cn'] });
  t.not(cert(dir, 'site-ca.crt').fingerprint256, before, 'a new CA');
  t.ok(verify(join(keys(dir), 'site-ca.crt'), join(keys(dir), 'server.crt')).ok);
  const replaced = b.ctx.audit.list({ action: 'tls.ca.replace' });
  t.equal(replaced.length, 1);
  t.equal(replaced[0]!.detail.reason, 'scope');
});

t.test(
  'a CA lost from the keys folder while the data remembers it: new CA, audit entry, bus event, and /api/tls lists the devices not seen since',
  async (t) => {
    const dir = scratchDir(t);
    const a = await siteApp(t, dir, { close: false });
    const admin = await login(a, 'admin', PASSWORDS.admin);
    const t1 = await pairDevice(a, 'terminal', 'T1', admin);
    await pairDevice(a, 'terminal', 'T2', admin);
    const old = cert(dir, 'site-ca.crt').fingerprint256;
    await a.close();
    rmSync(keys(dir), { recursive: true });

    const clock = fixedClock(Date.now() + 60_000);
    const b = await siteApp(t, dir, { clock });
    const now = cert(dir, 'site-ca.crt').fingerprint256;
    t.not(now, old);
    const entry = b.ctx.audit.list({ action: 'tls.ca.replace' })[0];
    t.equal(entry?.detail.reason, 'lost');
    t.equal(entry?.detail.previous, old);
    const cookie = await login(b, 'admin', PASSWORDS.admin);
    // T1 connects after the new CA (its PC was given the new CA): it drops off the list.
    clock.advance(60_000);
    await b.listen({ host: '127.0.0.1', port: 0 });
    const ws = new WebSocket(`wss://127.0.0.1:${(b.server.address() as { port: number }).port}/ws/device`, {
      headers: { authorization: `Bearer ${t1}` },
      rejectUnauthorized: false,
    });
    const hello = await new Promise<{ type: string }>((resolve, reject) => {
      ws.once('message', (d) => resolve(JSON.parse(String(d)) as { type: string }));
      ws.once('error', reject);
    });
    t.equal(hello.type, 'hello', "T1 connected over HTTPS to the new CA's certificate");
    ws.close();
    const res1 = await b.inject({ method: 'GET', url: '/api/tls', headers: { cookie } });
    const r = res1.json().caReplaced;
    t.equal(r.reason, 'lost');
    t.equal(r.fingerprint, now);
    t.match(r.message, /Every exam PC, kiosk and phone must trust the new CA/);
    t.same(r.devicesNotSeenSince.map((d: { id: string }) => d.id).sort(), ['K1', 'T2'], 'the kiosk never paired and T2 has not connected since; T1 has');
    const denied = await b.inject({ method: 'GET', url: '/api/tls', headers: { cookie: await login(b, 'invig', PASSWORDS.invig) } });
    t.equal(denied.statusCode, 403, 'admins only');
  },
);

t.test('the bus hears a replaced CA', async (t) => {
  const dir = scratchDir(t);
  const a = await siteApp(t, dir, { close: false });
  await a.close();
  rmSync(join(keys(dir), 'site-ca.key'));
  const { createEventBus } = await import('../../core/index.ts');
  const bus = createEventBus();
  const heard: unknown[] = [];
  bus.on('tls.ca_replaced', (e) => heard.push(e));
  const config = parseConfig(siteYaml(['examroom.lan']), { dataDir: join(dir, 'data') });
  const b = await buildTestApp({ config, networkInterfaces: LAN, bus });
  t.teardown(() => b.close());
  t.equal(heard.length, 1);
  t.match(heard[0], { reason: 'lost', fingerprint: cert(dir, 'site-ca.crt').fingerprint256 });
});

t.test('a symlink in place of the keys folder is refused, not followed', async (t) => {
  const dir = scratchDir(t);
  mkdirSync(join(dir, 'elsewhere'));
  symlinkSync(join(dir, 'elsewhere'), keys(dir));
  const config = parseConfig(siteYaml(['examroom.lan']), { dataDir: join(dir, 'data') });
  await t.rejects(buildTestApp({ config, networkInterfaces: LAN }), /keys folder .*data-keys: is a symbolic link/);
  t.notOk(existsSync(join(dir, 'elsewhere', 'site-ca.key')));
});

t.test('certificate expiry is in /metrics and /healthz', async (t) => {
  const dir = scratchDir(t);
  const app = await siteApp(t, dir);
  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  const server = Number(/examroom_tls_certificate_expiry_seconds\{certificate="server"\} (\d+)/.exec(metrics.body)?.[1]);
  t.ok(server > 396 * 86_400 && server <= 397 * 86_400, `server certificate ~397 days (${server} s)`);
  t.match(metrics.body, /examroom_tls_certificate_expiry_seconds\{certificate="site-ca"\} \d+/);
  const health = (await app.inject({ method: 'GET', url: '/healthz' })).json();
  t.equal(health.tls.ok, true);
  t.same(
    health.tls.certificates.map((c: { name: string }) => c.name),
    ['site-ca', 'server'],
  );
});

// ---- a certificate the site named ------------------------------------------------------------------

function ownCert(dir: string, days: number, name = 'own'): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      String(days),
      '-subj',
      '/CN=exam.example',
      '-addext',
      'subjectAltName=DNS:exam.example',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
const ownYaml = (f: { cert: string; key: string }) =>
  TEST_CONFIG_YAML.replace(
    'server: { host: 127.0.0.1, port: 0 }',
    `server: { host: 127.0.0.1, port: 0, tls: { cert: ${JSON.stringify(f.cert)}, key: ${JSON.stringify(f.key)} } }`,
  );

t.test('a site certificate is served when named, and no site CA is made', async (t) => {
  const dir = scratchDir(t);
  const f = ownCert(dir, 30);
  const app = await buildTestApp({ config: parseConfig(ownYaml(f), { dataDir: join(dir, 'data') }) });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const peer = await peerCertificate((app.server.address() as { port: number }).port);
  t.equal(peer.fingerprint256, new X509Certificate(readFileSync(f.cert)).fingerprint256);
  // The keys folder holds the audit and signing keys now (issue 16); no site CA may be made in it.
  t.notOk(existsSync(join(keys(dir), 'site-ca.key')) || existsSync(join(keys(dir), 'site-ca.crt')), 'no site CA');
  t.equal((await app.inject({ method: 'GET', url: '/ca.crt' })).statusCode, 404);
  t.match((await app.inject({ method: 'GET', url: '/metrics' })).body, /examroom_tls_certificate_expiry_seconds\{certificate="site"\} \d+/);
});

t.test('a site key that does not match its certificate stops the start with the file and the problem', async (t) => {
  const dir = scratchDir(t);
  const a = ownCert(dir, 30, 'a');
  const b = ownCert(dir, 30, 'b');
  const err = await buildTestApp({ config: parseConfig(ownYaml({ cert: a.cert, key: b.key }), { dataDir: join(dir, 'data') }) }).then(
    () => null,
    (e: unknown) => e,
  );
  t.type(err, ConfigError);
  t.match((err as ConfigError).problems, [
    { path: 'server.tls.key', problem: `${b.key} is not the key of the certificate ${a.cert} (wrong key: they do not match)` },
  ]);
});

t.test('an expired site certificate stops the start with the file and the date', async (t) => {
  const dir = scratchDir(t);
  const f = ownCert(dir, 1);
  const err = await buildTestApp({ config: parseConfig(ownYaml(f), { dataDir: join(dir, 'data') }), clock: fixedClock(Date.now() + 2 * DAY) }).then(
    () => null,
    (e: unknown) => e,
  );
  t.type(err, ConfigError);
  t.match((err as ConfigError).problems, [
    { path: 'server.tls.cert', problem: new RegExp(`^${f.cert.replace(/[.]/g, '\\.')} expired on \\d{4}-\\d\\d-\\d\\dT.*server clock`) },
  ]);
});
