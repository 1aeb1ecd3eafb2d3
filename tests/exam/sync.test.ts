// Pulling packages from the central bank: a real HTTP server on loopback plays the central bank (ETag,
// If-None-Match, 304), the site pulls with its real service, its HTTP route and its real CLI process.
import t, { type Test } from 'tap';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { createAuditLog, dataPaths, openDatabase } from '../../storage/index.ts';
import { createEventBus, systemClock } from '../../core/index.ts';
import { createExamService, type Template } from '../../exam/index.ts';
import { PackageRefused, generateSigningKey, signPackage, type SigningKeyPair, type UnsignedPackage } from '../../exam/bank/packages.ts';
import { SyncFailed, createBankSync } from '../../exam/bank/sync.ts';
import { PASSWORDS, TEST_CONFIG_YAML, login, scratchDir, testApp, testConfig } from '../helpers.ts';
import { cli } from '../processes.ts';
import { question } from './bank-fixture.ts';

const KEY = generateSigningKey('national-2026');
const OTHER = generateSigningKey('someone-else');

const TEMPLATE: Template = {
  id: 'gm-principal-general',
  name: '工贸行业主要负责人',
  industry: 'general',
  category: 'principal',
  operationClass: null,
  durationMinutes: 120,
  total: 100,
  passMark: 80,
  sections: [{ type: 'single', count: 100, score: 1 }],
};

function body(version: string, sequence: number, questions = [1, 2, 3]): UnsignedPackage {
  return {
    format: 'examroom-bank/1',
    version,
    sequence,
    publishedAt: '2026-11-01T08:00:00+08:00',
    publisher: 'national',
    questions: questions.map((n) => question(n)),
    templates: [TEMPLATE],
  };
}

const signed = (b: UnsignedPackage, key: SigningKeyPair = KEY) => Buffer.from(JSON.stringify(signPackage(b, key.privateKeyPem, key.keyId)));

const PATH = '/national/latest.json';

/** The central bank: serves whatever was published last, with an ETag, and honours If-None-Match. */
async function centralBank(t: Test) {
  let file: Buffer | null = null;
  let etag: string | null = null;
  let sendEtag = true;
  let failWith: number | null = null;
  const requests: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    requests.push(req.headers);
    if (failWith) return void res.writeHead(failWith).end();
    if (req.url !== PATH || !file) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no such package');
    if (sendEtag && etag && req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
    res.writeHead(200, { 'content-type': 'application/json', ...(sendEtag && etag ? { etag } : {}) }).end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`,
    requests,
    publish(bytes: Buffer, opts: { etag?: boolean } = {}) {
      file = bytes;
      etag = `"${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}"`;
      sendEtag = opts.etag ?? true;
    },
    fail(status: number | null) {
      failWith = status;
    },
  };
}

/** A URL where nothing listens: a port that was just free. */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}${PATH}`;
}

const bankYaml = (url: string, keys: SigningKeyPair[] = [KEY]) =>
  `bank:\n  centralUrl: "${url}"\n  publicKeys:\n${keys.map((k) => `    - { id: ${k.keyId}, key: "${k.publicKeyBase64}" }`).join('\n')}\n`;

function site(t: Test, url: string, keys: SigningKeyPair[] = [KEY]) {
  const dir = scratchDir(t);
  const db = openDatabase(dataPaths(dir).dbFile);
  const audit = createAuditLog(db, systemClock);
  const exam = createExamService({ db, clock: systemClock, bus: createEventBus(), config: testConfig(dir, bankYaml(url, keys)), audit, paths: dataPaths(dir) });
  t.teardown(async () => {
    await exam.bankSync.stop();
    db.close();
  });
  return { exam, audit, versions: () => exam.bank.versions().map((v) => v.id) };
}

t.test('sync installs the newest package, then a conditional GET answered 304 says up to date', async (t) => {
  const central = await centralBank(t);
  central.publish(signed(body('2026.11.1', 41)));
  const s = site(t, central.url);

  const first = await s.exam.bankSync.syncNow({ actor: 'user:admin' });
  t.match(first, { status: 'installed', publisher: 'national', sequence: 41, version: { id: '2026.11.1', questionCount: 3, templateCount: 1 } });
  t.equal(central.requests[0]!['if-none-match'], undefined, 'the first pull is unconditional');
  t.match(s.audit.list({ action: 'bank.package.accepted' }), [{ actor: 'user:admin', detail: { source: 'sync', version: '2026.11.1' } }]);
  const etag = s.exam.bankSync.state()?.etag;
  t.match(s.exam.bankSync.state(), { url: central.url, etag: /^"[0-9a-f]{16}"$/, lastVersion: '2026.11.1', lastError: null, checkedAt: Number });

  const second = await s.exam.bankSync.syncNow();
  t.same(second, { status: 'up_to_date', version: '2026.11.1' });
  t.equal(central.requests[1]!['if-none-match'], etag, 'the second pull sends the ETag it was given');
  t.same(s.versions(), ['2026.11.1']);
  t.equal(s.audit.list({ action: 'bank.package.accepted' }).length, 1);

  central.publish(signed(body('2026.12.1', 42, [2, 3, 4, 5])));
  const third = await s.exam.bankSync.syncNow();
  t.match(third, { status: 'installed', version: { id: '2026.12.1', questionCount: 4 } });
  t.same(s.versions(), ['2026.12.1', '2026.11.1'], 'the older version is kept beside the new one');
  t.same(
    s.exam.bank
      .pool('2026.11.1')
      .map((q) => q.externalId)
      .sort(),
    ['N-1', 'N-2', 'N-3'],
  );
});

t.test('a central bank without ETags serving an installed package is also up to date', async (t) => {
  const central = await centralBank(t);
  central.publish(signed(body('2026.11.1', 41)), { etag: false });
  const s = site(t, central.url);
  t.equal((await s.exam.bankSync.syncNow()).status, 'installed');
  t.same(await s.exam.bankSync.syncNow(), { status: 'up_to_date', version: '2026.11.1' });
  t.same(s.versions(), ['2026.11.1']);
});

t.test('sync against a dead URL fails with a clear message and installs nothing', async (t) => {
  const url = await deadUrl();
  const s = site(t, url);
  const err = (await s.exam.bankSync.syncNow().catch((e: unknown) => e)) as SyncFailed;
  t.ok(err instanceof SyncFailed, 'a SyncFailed');
  t.match(err.message, new RegExp(`^cannot reach the central bank at ${url.replace(/[.]/g, '\\.')}: connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+$`));
  t.same(s.versions(), []);
  t.same(s.audit.list({ action: 'bank.package.accepted' }), []);
  t.match(s.exam.bankSync.state(), { etag: null, lastVersion: null, lastError: err.message }, 'the failure is recorded for the admin page, and nothing else');
});

t.test('a central bank that does not answer in time, or answers an error, fails the sync by name', async (t) => {
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => (silent.closeAllConnections(), new Promise<void>((resolve) => silent.close(() => resolve()))));
  const s = site(t, `http://127.0.0.1:${(silent.address() as AddressInfo).port}/x`);
  const sync = createBankSync({
    db: s.exam.deps.db,
    clock: systemClock,
    config: s.exam.deps.config,
    bank: s.exam.bank,
    packages: s.exam.packages,
    timeoutMs: 300,
  });
  const slow = (await sync.syncNow().catch((e: unknown) => e)) as SyncFailed;
  t.match(slow.message, /^cannot reach the central bank at http:\/\/127\.0\.0\.1:\d+\/x: no complete answer within 300 ms$/);

  const central = await centralBank(t);
  central.fail(503);
  const s2 = site(t, central.url);
  const down = (await s2.exam.bankSync.syncNow().catch((e: unknown) => e)) as SyncFailed;
  t.ok(down instanceof SyncFailed);
  t.equal(down.message, `the central bank at ${central.url} answered 503 Service Unavailable`);
});

t.test('a refused package is not remembered as seen: the next pull downloads it again', async (t) => {
  const central = await centralBank(t);
  central.publish(signed(body('2026.11.1', 41), OTHER));
  const s = site(t, central.url);
  const err = (await s.exam.bankSync.syncNow().catch((e: unknown) => e)) as PackageRefused;
  t.ok(err instanceof PackageRefused);
  t.equal(err.message, 'package 2026.11.1 is signed by key someone-else, which this site does not trust (trusted: national-2026)');
  t.match(s.exam.bankSync.state(), { etag: null, lastError: `package from ${central.url} refused: ${err.message}` });
  await s.exam.bankSync.syncNow().catch(() => {});
  t.equal(central.requests[1]!['if-none-match'], undefined, 'no If-None-Match after a refusal, so a fixed config gets the package');
  t.same(s.versions(), []);
});

t.test('the periodic sync installs on its own and stops cleanly', async (t) => {
  const central = await centralBank(t);
  central.publish(signed(body('2026.11.1', 41)));
  const s = site(t, central.url);
  const logged: string[] = [];
  const log = { info: (_o: object, msg: string) => logged.push(msg), warn: (_o: object, msg: string) => logged.push(msg) };
  let examInProgress = true;
  t.ok(s.exam.bankSync.start({ log, firstDelayMs: 0, intervalMs: 20, when: () => !examInProgress }));
  await new Promise((r) => setTimeout(r, 70));
  t.equal(central.requests.length, 0, 'a vetoed tick does not pull');
  examInProgress = false;
  while (central.requests.length < 3) await new Promise((r) => setTimeout(r, 10));
  await s.exam.bankSync.stop();
  const seen = central.requests.length;
  await new Promise((r) => setTimeout(r, 60));
  t.equal(central.requests.length, seen, 'no pulls after stop()');
  t.same(s.versions(), ['2026.11.1']);
  t.equal(s.audit.list({ action: 'bank.package.accepted' })[0]?.actor, 'system');
  t.same(logged, ['bank package installed']);
  t.notOk(site(t, central.url).exam.bankSync.start({ log }), 'without syncIntervalMinutes the server does not start a timer');
});

t.test('POST /api/bank/sync pulls now for an admin; an unreachable central bank is a 502', async (t) => {
  const central = await centralBank(t);
  central.publish(signed(body('2026.11.1', 41)));
  const app = await testApp(t, { extraYaml: bankYaml(central.url) });
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const invig = await login(app, 'invig', PASSWORDS.invig);
  t.equal((await app.inject({ method: 'POST', url: '/api/bank/sync', headers: { cookie: invig } })).statusCode, 403);
  const res = await app.inject({ method: 'POST', url: '/api/bank/sync', headers: { cookie: admin } });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { status: 'installed', version: '2026.11.1', installed: { questions: 3, templates: 1, publisher: 'national' } });
  t.match(app.ctx.audit.list({ action: 'bank.package.accepted' })[0], { actor: 'user:admin', detail: { source: 'sync' } });
  t.same((await app.inject({ method: 'POST', url: '/api/bank/sync', headers: { cookie: admin } })).json(), { status: 'up_to_date', version: '2026.11.1' });
  const state = await app.inject({ url: '/api/bank/sync', headers: { cookie: admin } });
  t.match(state.json(), { configured: true, url: central.url, trustedKeys: ['national-2026'], lastVersion: '2026.11.1', lastError: null, etag: /^"/ });

  const dead = await testApp(t, { extraYaml: bankYaml(await deadUrl()) });
  const deadAdmin = await login(dead, 'admin', PASSWORDS.admin);
  const failed = await dead.inject({ method: 'POST', url: '/api/bank/sync', headers: { cookie: deadAdmin } });
  t.equal(failed.statusCode, 502);
  t.match(failed.json(), { error: 'sync_failed', message: /^cannot reach the central bank at .+: connect ECONNREFUSED/ });
});

t.test('the CLI as the central bank and the site run it: keygen, sign, accept, sync', async (t) => {
  const dir = scratchDir(t);
  const central = await centralBank(t);
  // The central bank's machine: any config will do, its commands touch no site data.
  const bankSide = ['--config', 'config/demo.yaml', '--data', join(dir, 'central-data')];
  const keygen = await cli(['bank', 'keygen', '--key-id', 'national-2026', '--out', join(dir, 'keys'), ...bankSide]);
  t.equal(keygen.code, 0, keygen.stderr);
  const line = /^ {2}(- \{ id: national-2026, key: "[A-Za-z0-9+/]{43}=" \})$/m.exec(keygen.stdout)?.[1];
  if (!line) return t.fail(`no config line printed:\n${keygen.stdout}`);
  const privateKey = join(dir, 'keys', 'national-2026.private.pem');

  writeFileSync(join(dir, 'v1.json'), JSON.stringify(body('2026.11.1', 41), null, 2));
  const sign = await cli(['bank', 'sign', join(dir, 'v1.json'), '--key', privateKey, ...bankSide]);
  t.equal(sign.code, 0, sign.stderr);
  t.match(
    sign.stdout,
    /^signed 2026\.11\.1 \(sequence 41, publisher national\): 3 questions, 1 template, key national-2026\nwrote \S+v1\.signed\.json\nsha256 [0-9a-f]{64}\n$/,
  );

  // The site: trusts the printed key, pulls from the central bank.
  const config = join(dir, 'site.yaml');
  writeFileSync(config, `${TEST_CONFIG_YAML}bank:\n  centralUrl: "${central.url}"\n  publicKeys:\n    ${line}\n`);
  const siteArgs = ['--config', config, '--data', join(dir, 'site-data')];
  const deadConfig = join(dir, 'dead.yaml');
  writeFileSync(deadConfig, `${TEST_CONFIG_YAML}bank:\n  centralUrl: "${await deadUrl()}"\n  publicKeys:\n    ${line}\n`);
  const [accept, dead] = await Promise.all([
    cli(['bank', 'accept', join(dir, 'v1.signed.json'), ...siteArgs]),
    cli(['bank', 'sync', '--config', deadConfig, '--data', join(dir, 'dead-data')]),
  ]);
  t.equal(accept.code, 0, accept.stderr);
  t.match(accept.stdout, /^installed version 2026\.11\.1 \(3 questions, 1 template\); publisher national, sequence 41, signed by national-2026\n$/);
  t.equal(dead.code, 1);
  t.match(dead.stderr, /^examroom: cannot reach the central bank at http:\/\/127\.0\.0\.1:\d+\/national\/latest\.json: connect ECONNREFUSED \S+\n$/);
  t.equal(dead.stdout, '');

  // The central bank publishes 2026.12.1, signed with the same key file.
  central.publish(signed(body('2026.12.1', 42, [2, 3, 4, 5]), { ...KEY, keyId: 'national-2026', privateKeyPem: readFileSync(privateKey, 'utf8') }));
  const sync = await cli(['bank', 'sync', ...siteArgs]);
  t.equal(sync.code, 0, sync.stderr);
  t.match(sync.stdout, /^installed version 2026\.12\.1 \(4 questions, 1 template\); publisher national, sequence 42, signed by national-2026\n$/);
  const again = await cli(['bank', 'sync', ...siteArgs]);
  t.equal(again.code, 0, again.stderr);
  t.equal(again.stdout, 'up to date (version 2026.12.1)\n');
  t.ok(central.requests.at(-1)!['if-none-match'], 'the second process sent the ETag the first one stored');

  const db = openDatabase(dataPaths(join(dir, 'site-data')).dbFile, { readonly: true });
  t.teardown(() => db.close());
  t.same(
    db.prepare("SELECT actor, json_extract(detail, '$.source') AS source, target FROM audit_log WHERE action = 'bank.package.accepted' ORDER BY seq").all(),
    [
      { actor: `cli:${userInfo().username}`, source: 'file', target: '2026.11.1' },
      { actor: `cli:${userInfo().username}`, source: 'sync', target: '2026.12.1' },
    ],
  );
});
