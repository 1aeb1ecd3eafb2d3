// Shared test scaffolding: a real app on a scratch data folder (real SQLite file), log-ins, devices.
import { X509Certificate, createHash, scryptSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Test } from 'tap';
import { parseConfig, type Config } from '../config/index.ts';
import { buildApp, type App, type AppDeps } from '../server/app.ts';
import { deferredSchemas } from '../server/deferred-schemas.ts';
import type { Clock } from '../core/index.ts';

export const ROOT = resolve(import.meta.dirname, '..');

export function scratchDir(t: Test, prefix = 'examroom-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // A data folder at `dir` has its keys beside it (`dir-keys`, paths.keys' default): made when a pass
  // gets its certificate (the site signing key), so removed with it.
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-keys`, { recursive: true, force: true });
  });
  return dir;
}

/** Passwords of the users in TEST_CONFIG_YAML. */
export const PASSWORDS = {
  admin: 'admin-pass-123',
  invig: 'invig-pass-123',
  invig2: 'invig-pass-456',
  gd: 'inspect-pass-1',
  sz: 'inspect-pass-2',
} as const;

/**
 * A password as `examroom user hash` stores it (scrypt$N$r$p$salt$key, server/auth/passwords.ts), but at
 * N=2^10 instead of the server's 2^15: the test users' hashes are in the test config, so an app's start
 * hashes nothing and a log-in costs about 1 ms, not 100 (the suite starts a few hundred apps and logs in
 * more often). The server's own cost is checked where it hashes: tests/server/lockout.test.ts.
 */
export function cheapHash(password: string): string {
  const salt = createHash('sha256').update(`examroom-test:${password}`).digest().subarray(0, 16);
  const key = scryptSync(password.normalize('NFC'), salt, 32, { N: 1024, r: 8, p: 1 });
  return ['scrypt', 1024, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}
export const USER_HASHES = Object.fromEntries(Object.entries(PASSWORDS).map(([u, p]) => [u, cheapHash(p)])) as Record<keyof typeof PASSWORDS, string>;

export const TEST_CONFIG_YAML = `
site: { id: test-site, name: 测试考点, province: "440000", city: "440100" }
server: { host: 127.0.0.1, port: 0 }
rooms:
  - { id: R1, name: 一号考场, seats: { rows: 2, columns: 3 } }
  - { id: R2, name: 二号考场, seats: { rows: 1, columns: 2 } }
terminals:
  - { id: T1, room: R1, seat: "01" }
  - { id: T2, room: R1, seat: "02" }
kiosks:
  - { id: K1, name: 入口 }
users:
  - { username: admin, role: admin, passwordHash: "${USER_HASHES.admin}" }
  - { username: invig, role: invigilator, rooms: [R1], passwordHash: "${USER_HASHES.invig}" }
  - { username: invig2, role: invigilator, rooms: [R2], passwordHash: "${USER_HASHES.invig2}" }
  - { username: gd, role: inspector, jurisdiction: { level: province, code: "440000" }, passwordHash: "${USER_HASHES.gd}" }
  - { username: sz, role: inspector, jurisdiction: { level: city, code: "440300" }, passwordHash: "${USER_HASHES.sz}" }
security: { lockoutFailures: 3, lockoutMinutes: 10, loginPerMinute: 1000 }
# The lab's pages are not provisioned exam PCs (headless, tab capture): tests/terminal/pc-checks.test.ts turns the checks on.
examPcs: { loginChecks: { build: false, monitor: false, fullscreen: false } }
`;

/** The lab's config with `extraYaml` added; an extra examPcs: replaces the lab's (a YAML key appears once). */
function labYaml(extraYaml: string): string {
  return /^examPcs:/m.test(extraYaml) ? TEST_CONFIG_YAML.replace(/^examPcs: .*\n/m, '') : TEST_CONFIG_YAML;
}

export function testConfig(dataDir: string, extraYaml = ''): Config {
  return parseConfig(labYaml(extraYaml) + extraYaml, { dataDir });
}

/**
 * The name the browser tests reach their app by. Chromium maps it to 127.0.0.1, so the traffic stays on
 * loopback, but the origin is not localhost: only HTTPS with a trusted certificate makes it a secure context.
 */
export const TEST_HOST = 'examroom.test';

let keysOfThisFile: string | null = null;
/** One keys folder, so one site CA, per test file (each tap file runs in its own process); removed at exit. */
export function testKeysFolder(): string {
  if (!keysOfThisFile) {
    const dir = mkdtempSync(join(tmpdir(), 'examroom-test-keys-'));
    keysOfThisFile = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return keysOfThisFile;
}

/**
 * The test config served over HTTPS as a site install is: the appliance's own site CA (the real
 * certificate path, openssl and all) for TEST_HOST, its keys in this test file's keys folder.
 */
export function httpsTestConfig(dataDir: string, extraYaml = ''): Config {
  const server = `server: { host: 127.0.0.1, port: 0, tls: site-ca, names: [${TEST_HOST}] }\npaths: { keys: ${JSON.stringify(testKeysFolder())} }`;
  return parseConfig(labYaml(extraYaml).replace('server: { host: 127.0.0.1, port: 0 }', server) + extraYaml, { dataDir });
}

/** What a client in this process needs to trust an app it reaches over TLS, by the port it listens on. */
export interface ServedTls {
  /** The site CA (PEM), for Node clients. */
  ca: string;
  /** base64 SHA-256 of the served certificate's SubjectPublicKeyInfo, for Chromium's pin flag. */
  spki: string[];
}
const servedTls = new Map<number, ServedTls>();

/**
 * Listens on a loopback port. A TLS app is then reached at https://TEST_HOST:PORT (its CA and pins
 * remembered for the clients below), a plain one at http://127.0.0.1:PORT.
 */
export async function listenForTests(app: App): Promise<{ port: number; base: string }> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  if (!app.tls) return { port, base: `http://127.0.0.1:${port}` };
  // Chromium matches the pin against the certificates the server presents (here the server certificate
  // alone), so the pin is the served certificate's key; the CA's is listed too in case a chain is served.
  const pin = (pem: string) =>
    createHash('sha256')
      .update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
  const ca = app.tls.caPem();
  if (!ca) throw new Error('listenForTests: the test apps use the site CA, not a site certificate');
  servedTls.set(port, { ca, spki: [pin(app.tls.context().cert), pin(ca)] });
  return { port, base: `https://${TEST_HOST}:${port}` };
}

/** The TLS an app on this port serves in this process, or null when it is plain HTTP. */
export function servedTlsOf(port: number): ServedTls | null {
  return servedTls.get(port) ?? null;
}

/**
 * Where a Node WebSocket client connects for the app on this port: wss:// with the test CA and the
 * name checked (TLS server name TEST_HOST, address 127.0.0.1), or plain ws://127.0.0.1.
 */
export function wsEndpoint(port: number): { base: string; options: { ca?: string; servername?: string } } {
  const served = servedTls.get(port);
  return served ? { base: `wss://127.0.0.1:${port}`, options: { ca: served.ca, servername: TEST_HOST } } : { base: `ws://127.0.0.1:${port}`, options: {} };
}

/**
 * buildApp as `serve` runs it in one respect: each route's schemas (Ajv validator, fast-json-stringify
 * serializer) compile on the route's first request (server/deferred-schemas.ts), not all of them before
 * the app is ready — about 1 s of CPU per app, and the suite builds a few hundred apps. That every
 * schema compiles is checked once, in tests/server/auth-matrix.test.ts ("every route's schemas compile").
 */
export function buildTestApp(deps: AppDeps): Promise<App> {
  return buildApp({ schemaController: deferredSchemas().schemaController, ...deps });
}

export async function testApp(t: Test, opts: { clock?: Clock; extraYaml?: string; config?: Config } = {}): Promise<App> {
  const dir = scratchDir(t);
  const app = await buildTestApp({ config: opts.config ?? testConfig(dir, opts.extraYaml), ...(opts.clock ? { clock: opts.clock } : {}) });
  t.teardown(() => app.close());
  return app;
}

/** Logs in and returns the Cookie header value for later requests. */
export async function login(app: App, username: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  const c = res.cookies.find((x) => x.name === 'examroom_session');
  if (!c) throw new Error('no session cookie');
  return `examroom_session=${c.value}`;
}

/** Runs the whole pairing dance (request → admin approves code → collect) and returns the device token. */
export async function pairDevice(app: App, kind: 'kiosk' | 'terminal' | 'reader', deviceId: string, adminCookie: string): Promise<string> {
  const req = await app.inject({ method: 'POST', url: '/api/devices/pairings', payload: { kind, deviceId } });
  if (req.statusCode !== 201) throw new Error(`pairing request failed: ${req.body}`);
  const { pairingId, pollSecret, code } = req.json() as { pairingId: string; pollSecret: string; code: string };
  const ok = await app.inject({ method: 'POST', url: '/api/devices/pairings/approve', headers: { cookie: adminCookie }, payload: { code } });
  if (ok.statusCode !== 200) throw new Error(`approve failed: ${ok.body}`);
  const got = await app.inject({ method: 'POST', url: `/api/devices/pairings/${pairingId}/collect`, payload: { pollSecret } });
  const body = got.json() as { status: string; token?: string };
  if (body.status !== 'approved' || !body.token) throw new Error(`collect failed: ${got.body}`);
  return body.token;
}
