// Reporting to the provincial exam platform: each graded session's signed results package goes through a
// durable outbox to a real receiver on loopback, with retries while the receiver is down, a receipt
// once it answers, one accepted package per session however often it is sent, and nothing lost when
// the server is killed mid-send. The platform's token appears in no log and no API reply.
import t from 'tap';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { createEventBus, systemClock } from '../../core/index.ts';
import { loadConfig, parseConfig } from '../../config/index.ts';
import { loadSiteSigner, parsePublicKey, verifySignature } from '../../documents/index.ts';
import { createExamService } from '../../exam/index.ts';
import { createAuditLog, dataPaths, ensureDataFolders, openDatabase } from '../../storage/index.ts';
import { startReceiver, type Receiver } from '../../records/reporting/receiver.ts';
import { createReporting, type ResultsPackage } from '../../records/reporting/index.ts';
import type { ReportsReply } from '../../records/protocol.ts';
import { PASSWORDS, TEST_CONFIG_YAML, login, scratchDir, testConfig } from '../helpers.ts';
import { startServer } from '../processes.ts';
import { until } from '../wait.ts';
import { gradedSession, kioskAttempt } from './reporting-fixture.ts';

const TOKEN = 'tok-SECRET-7f3a9c2e51d04b88';
/** Short waits, so retries happen within a test's seconds (the cap is 1.2 s). */
const FAST = 'timeoutSeconds: 5, maxBackoffMinutes: 0.02';

function tokenFile(dir: string): string {
  const f = join(dir, 'platform.token');
  writeFileSync(f, `${TOKEN}\n`, { mode: 0o600 });
  return f;
}

/** POSTs raw bytes to the receiver as a site would (or as an attacker would). */
function post(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

t.test('the reporting config: https, or http to this machine only; no credentials in the URL; the token file must exist', async (t) => {
  const dir = scratchDir(t);
  const problems = (yaml: string) => {
    try {
      parseConfig(TEST_CONFIG_YAML + yaml, { dataDir: join(dir, 'data') });
      return '';
    } catch (err) {
      return (err as Error & { problems?: { path: string; problem: string }[] }).problems!.map((p) => `${p.path}: ${p.problem}`).join('\n');
    }
  };
  t.match(problems('reporting: { url: "http://platform.example.gov.cn/in" }\n'), /reporting\.url: must be https:\/\//);
  t.equal(problems('reporting: { url: "http://127.0.0.1:9/in" }\n'), '', 'plain http to loopback is allowed');
  t.equal(problems('reporting: { url: "https://platform.example.gov.cn/in" }\n'), '');
  const withUser = problems('reporting: { url: "https://site:hunter2@platform.example.gov.cn/in" }\n');
  t.match(withUser, /carries a user name or password/);
  t.notMatch(withUser, /hunter2/, 'the password in the URL is not repeated in the error');
  t.match(problems(`reporting: { url: "https://p.example/in", tokenFile: ${JSON.stringify(join(dir, 'none'))} }\n`), /reporting\.tokenFile: file not found/);
  t.match(problems('reporting: { url: "https://p.example/in", retries: 3 }\n'), /reporting\.retries: unknown setting/);
  const c = testConfig(join(dir, 'data'));
  t.same(c.reporting.url, null);
  t.same(c.reporting.send, { identityChecks: true, photos: false }, 'identity checks are sent, photos are not, unless the config says so');
});

t.test('not configured: nothing is packaged, nothing runs, and the status says so', async (t) => {
  const dir = scratchDir(t);
  const config = testConfig(join(dir, 'data'), `paths: { keys: ${JSON.stringify(join(dir, 'keys'))} }\n`);
  const paths = dataPaths(config.paths.data);
  ensureDataFolders(paths);
  const db = openDatabase(paths.dbFile);
  t.teardown(() => db.close());
  const bus = createEventBus();
  const audit = createAuditLog(db, systemClock);
  const exam = createExamService({ db, clock: systemClock, bus, config, audit, paths });
  const reporting = createReporting({ db, clock: systemClock, bus, config, audit, paths, exam });
  await reporting.start();
  t.teardown(() => reporting.stop());
  const { sessionId } = await gradedSession(exam, { first: 1, people: 2 });
  t.same(reporting.list(), {
    status: { configured: false, target: null, pending: 0, failedAttempts: 0, oldestPendingAt: null, lastSentAt: null, lastError: null },
    packages: [],
  });
  t.throws(() => reporting.packageSession(sessionId), { name: 'Conflict', message: /reporting is not configured/ });
});

t.test('photos go only with reporting.send.photos and a named legal basis; identity checks can be left out', async (t) => {
  const dir = scratchDir(t);
  const make = (send: string, sub: string) => {
    const config = testConfig(
      join(dir, sub),
      `paths: { keys: ${JSON.stringify(join(dir, 'keys'))} }\nreporting: { url: "http://127.0.0.1:9/none", send: ${send} }\n`,
    );
    const paths = dataPaths(config.paths.data);
    ensureDataFolders(paths);
    const db = openDatabase(paths.dbFile);
    t.teardown(() => db.close());
    const bus = createEventBus();
    const audit = createAuditLog(db, systemClock);
    const exam = createExamService({ db, clock: systemClock, bus, config, audit, paths });
    // Not started: packages are made on request and nothing is sent. The legal basis is records/privacy's (tests/records/privacy.test.ts).
    const basis: { text: string | null } = { text: null };
    return { db, paths, exam, basis, reporting: createReporting({ db, clock: systemClock, bus, config, audit, paths, exam, faceImagesTo: () => basis.text }) };
  };
  const body = (db: ReturnType<typeof make>['db'], id: string) =>
    JSON.parse((db.prepare('SELECT body FROM report_packages WHERE id = ?').get(id) as { body: Buffer }).body.toString('utf8')) as ResultsPackage;

  const withPhotos = make('{ photos: true }', 'a');
  const a = await gradedSession(withPhotos.exam, { first: 71, people: 1 });
  mkdirSync(join(withPhotos.paths.captures, 'caps'), { recursive: true });
  writeFileSync(join(withPhotos.paths.captures, 'caps/x.jpg'), Buffer.from('ffd8ffe0 jpeg bytes'));
  kioskAttempt(withPhotos.db, { sessionId: a.sessionId, idNumber: a.ids[0]!, at: Date.now(), distance: 0.2 });
  const none = body(withPhotos.db, withPhotos.reporting.packageSession(a.sessionId).id);
  t.notOk('photo' in none.identityChecks![0]!, 'send.photos without a legal basis sends no image');
  t.notOk('faceImages' in none);
  withPhotos.basis.text = '《XX省安全生产考试管理办法》第十二条';
  const pa = body(withPhotos.db, withPhotos.reporting.packageSession(a.sessionId).id);
  t.equal(pa.version, 2, 'a basis changes what is reported: a new version');
  t.equal(pa.identityChecks![0]!.photo, Buffer.from('ffd8ffe0 jpeg bytes').toString('base64'), 'the live capture, base64');
  t.same(pa.faceImages, { basis: '《XX省安全生产考试管理办法》第十二条' }, 'the package says on what basis');

  const without = make('{ identityChecks: false }', 'b');
  const b = await gradedSession(without.exam, { first: 81, people: 1 });
  kioskAttempt(without.db, { sessionId: b.sessionId, idNumber: b.ids[0]!, at: Date.now(), distance: 0.2 });
  const pb = body(without.db, without.reporting.packageSession(b.sessionId).id);
  t.equal(pb.identityChecks, null);
  t.equal(pb.results.length, 1);
});

t.test('delivery: a receiver down for a while, then one accepted package per version with its receipt; the receiver refuses a changed package', async (t) => {
  // One app for the whole story (an app costs seconds to build): the platform is down first.
  const dir = scratchDir(t);
  const keyless = await startReceiver({ publicKeys: [], token: TOKEN }).catch(() => null);
  t.equal(keyless, null, 'a receiver needs a key to check packages with');
  const keys = join(dir, 'keys');
  const signer = loadSiteSigner(keys);
  // A port that was just free: nothing listens there until the receiver starts below.
  const probe = await startReceiver({ publicKeys: [signer.publicKeyRaw] });
  const port = probe.port;
  await probe.close();
  const url = `http://127.0.0.1:${port}/packages`;
  const lines: string[] = [];
  const { default: pino } = await import('pino');
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  const { buildTestApp } = await import('../helpers.ts');
  const app = await buildTestApp({
    config: testConfig(
      join(dir, 'data'),
      `paths: { keys: ${JSON.stringify(keys)} }\nreporting: { url: "${url}", tokenFile: ${JSON.stringify(tokenFile(dir))}, ${FAST} }\n`,
    ),
    logger,
  });
  t.teardown(() => app.close());
  await app.ready();
  const { sessionId } = await gradedSession(app.exam, { first: 31, people: 2 });
  const id = `test-site:${sessionId}:1`;
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const reports = async () => (await app.inject({ method: 'GET', url: '/api/records/reports', headers: { cookie: admin } })).json<ReportsReply>();
  await until('three failed attempts', async () => ((await reports()).packages[0]?.attempts ?? 0) >= 3, 20_000);
  const r = await reports();
  const p = r.packages[0]!;
  t.equal(p.state, 'pending');
  t.match(p.lastError, /ECONNREFUSED/);
  t.ok(p.nextAttemptAt, 'the next try is scheduled');
  const failed = p.recentAttempts.filter((a) => a.finishedAt);
  t.ok(
    failed.every((a) => a.statusCode === null && /ECONNREFUSED/.test(a.error ?? '') && a.nextAttemptAt),
    'each attempt: when, what failed, next try',
  );
  t.ok(
    failed.every((a) => Date.parse(a.nextAttemptAt!) - Date.parse(a.finishedAt!) <= 1200),
    'the wait is capped by maxBackoffMinutes',
  );
  t.equal(r.status.pending, 1);
  t.ok(r.status.failedAttempts >= 3);
  const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: { cookie: admin } })).body;
  t.match(metrics, /examroom_reporting_pending_packages 1/);
  t.match(metrics, /examroom_reporting_failed_attempts ([3-9]|\d{2,})\n/);
  t.match(metrics, /examroom_reporting_oldest_pending_seconds \d/);
  const invig = await login(app, 'invig', PASSWORDS.invig);
  t.equal((await app.inject({ method: 'POST', url: `/api/records/reports/${encodeURIComponent(id)}/retry`, headers: { cookie: invig } })).statusCode, 403);
  t.equal((await app.inject({ method: 'POST', url: '/api/records/reports/nope/retry', headers: { cookie: admin } })).statusCode, 404);

  const rx = await startReceiver({ publicKeys: [signer.publicKeyPem], token: TOKEN, port, dir: join(dir, 'received') });
  t.teardown(() => rx.close());
  const retry = await app.inject({ method: 'POST', url: `/api/records/reports/${encodeURIComponent(id)}/retry`, headers: { cookie: admin } });
  t.equal(retry.statusCode, 202);
  t.ok(
    app.ctx.audit.list({ action: 'records.report.retry' }).some((e) => e.actor === 'user:admin' && e.detail.packageId === id),
    'the retry is audited',
  );
  await until('delivered', async () => (await reports()).packages[0]?.state === 'sent', 20_000);
  t.same([...rx.packages.keys()], [id], 'exactly one package accepted');
  t.equal(rx.deliveries.filter((d) => d.status === 200).length, 1);
  const after = (await app.inject({ method: 'GET', url: '/metrics', headers: { cookie: admin } })).body;
  t.match(after, /examroom_reporting_pending_packages 0/);
  t.match(after, /examroom_reporting_oldest_pending_seconds 0/);

  // The platform is up now. A session graded while it is up: packaged, signed, delivered with a receipt.
  {
    const { sessionId, ids } = await gradedSession(app.exam, { first: 11, people: 3 });
    kioskAttempt(app.ctx.db, { sessionId, idNumber: ids[0]!, at: Date.now() - 60_000, distance: 0.31 });
    kioskAttempt(app.ctx.db, { sessionId, idNumber: ids[1]!, at: Date.now() - 50_000, distance: 0.58, overrideBy: 'user:invig' });
    // The package was made at the graded event, before the kiosk rows above: this regrade-like call makes version 2.
    const v2 = app.records.reporting.packageSession(sessionId);
    t.equal(v2.created, true, 'new identity checks make a new version');
    t.equal(app.records.reporting.packageSession(sessionId).created, false, 'nothing changed: no new version');

    await until('both versions delivered', () => rx.packages.size === 3 && app.records.reporting.status().pending === 0, 20_000);
    const id1 = `test-site:${sessionId}:1`;
    const id2 = `test-site:${sessionId}:2`;
    t.same([...rx.packages.keys()].filter((k) => k.includes(sessionId)).sort(), [id1, id2]);

    const stored = rx.packages.get(id2)!;
    t.ok(verifySignature(parsePublicKey(signer.publicKeyPem).key, stored.body, Buffer.from(stored.signature, 'base64')), 'signed with the site key');
    const pkg = JSON.parse(stored.body.toString('utf8')) as ResultsPackage;
    t.equal(pkg.format, 'examroom-results/1');
    t.equal(pkg.version, 2);
    t.equal(pkg.site.id, 'test-site');
    t.equal(pkg.session.id, sessionId);
    t.equal(pkg.session.status, 'graded');
    t.same(
      pkg.results.map((r) => [r.idNumber, r.passed, r.score, r.attempt]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [
        [ids[0], true, 100, 1],
        [ids[1], false, 0, 1],
        [ids[2], false, 0, 1],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      'each candidate by ID number, with score, pass and attempt',
    );
    t.equal(pkg.identityChecks!.length, 2);
    t.match(pkg.identityChecks![1], { idNumber: ids[1], decision: 'overridden', distance: 0.58, override: { by: 'user:invig', reason: '证件照片过旧' } });
    t.notOk('photo' in pkg.identityChecks![0]!, 'no photos unless reporting.send.photos');
    const anchor = app.ctx.audit.list({ limit: 1000 }).find((e) => e.seq === pkg.auditAnchor.seq);
    t.equal(anchor?.hash, pkg.auditAnchor.hash, 'the audit anchor is an entry of the site log');
    t.equal(pkg.signer.keyId, signer.keyId);

    const res = await app.inject({ method: 'GET', url: '/api/records/reports', headers: { cookie: admin } });
    const reply = res.json<ReportsReply>();
    const view = reply.packages.find((p) => p.id === id2)!;
    t.equal(view.state, 'sent');
    t.same(view.receipt, stored.receipt, "the receiver's receipt is stored at the site");
    t.equal(view.recentAttempts[0]!.statusCode, 200);
    t.equal(reply.status.target, url);
    t.notMatch(res.body, TOKEN, 'the token is not in the API reply');
    t.equal((await app.inject({ method: 'GET', url: '/api/records/reports', headers: { cookie: invig } })).statusCode, 403, 'admins only');
    const retrySent = await app.inject({ method: 'POST', url: `/api/records/reports/${encodeURIComponent(id2)}/retry`, headers: { cookie: admin } });
    t.equal(retrySent.statusCode, 409, 'a delivered package is not sent again');

    // Idempotent: the same package again gets the first receipt and is not stored twice.
    const headers = { authorization: `Bearer ${TOKEN}`, 'x-examroom-package-id': id2, 'x-examroom-signature': stored.signature };
    const again = await post(rx.url, stored.body, headers);
    t.equal(again.status, 200);
    t.same(again.json, stored.receipt);
    t.equal(rx.packages.size, 3);
    // One byte changed (a score): refused, nothing stored.
    const tampered = Buffer.from(stored.body.toString('utf8').replace('"score": 0', '"score": 9'));
    t.not(tampered.toString(), stored.body.toString());
    const refused = await post(rx.url, tampered, { ...headers, 'x-examroom-package-id': `test-site:${sessionId}:3` });
    t.equal(refused.status, 403);
    t.match(refused.json.message, /does not verify against the site key/);
    t.equal((await post(rx.url, stored.body, { ...headers, authorization: 'Bearer nope' })).status, 401, 'a wrong token is refused');
    t.equal(rx.packages.size, 3);

    // A receiver restarted on its folder still knows what it accepted.
    const rx2 = await startReceiver({ publicKeys: [signer.publicKeyRaw], token: TOKEN, dir: join(dir, 'received') });
    t.teardown(() => rx2.close());
    t.equal(rx2.packages.size, 3);
    t.same((await post(rx2.url, stored.body, headers)).json, stored.receipt);
  }
  const all = lines.join('');
  t.match(all, /not delivered; will retry/, 'the failures are logged');
  t.notMatch(all, TOKEN, 'the token is never logged');
});

t.test('kill -9 mid-send: the stored package is resent at the next start and accepted once', async (t) => {
  const dir = scratchDir(t);
  const keys = join(dir, 'keys');
  const signer = loadSiteSigner(keys);
  let hold: (() => void) | null = null;
  let storedAtReceiver!: () => void;
  const reachedReceiver = new Promise<void>((r) => (storedAtReceiver = r));
  // The first delivery is stored and its receipt held back: the site is killed before it hears it.
  const rx: Receiver = await startReceiver({
    publicKeys: [signer.publicKeyPem],
    token: TOKEN,
    beforeReply: (id) => {
      if (rx.packages.size !== 1 || hold !== null || rx.deliveries.length > 0) return Promise.resolve();
      storedAtReceiver();
      return new Promise<void>((r) => (hold = r)).then(() => void id);
    },
  });
  t.teardown(() => {
    hold?.();
    return rx.close();
  });
  const configFile = join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    `${TEST_CONFIG_YAML}\npaths: { data: ${JSON.stringify(join(dir, 'data'))}, keys: ${JSON.stringify(keys)} }\nreporting: { url: "${rx.url}", tokenFile: ${JSON.stringify(tokenFile(dir))}, ${FAST} }\n`,
  );
  // The graded session is made before the server starts: the server packages it as it catches up.
  const config = loadConfig(configFile);
  const paths = dataPaths(config.paths.data);
  ensureDataFolders(paths);
  const seedDb = openDatabase(paths.dbFile);
  const exam = createExamService({ db: seedDb, clock: systemClock, bus: createEventBus(), config, audit: createAuditLog(seedDb, systemClock), paths });
  const { sessionId } = await gradedSession(exam, { first: 51, people: 4 });
  seedDb.close();
  const id = `test-site:${sessionId}:1`;

  const first = await startServer(t, ['--config', configFile]);
  await reachedReceiver;
  first.child.kill('SIGKILL');
  await first.exited;
  hold!();
  const db = openDatabase(paths.dbFile, { migrate: false });
  t.teardown(() => db.close());
  const row = () =>
    db.prepare('SELECT state, attempts, receipt FROM report_packages WHERE id = ?').get(id) as { state: string; attempts: number; receipt: string | null };
  t.equal(row().state, 'pending', 'the receipt never reached the site');
  t.equal(
    (db.prepare('SELECT COUNT(*) AS n FROM report_attempts WHERE package_id = ? AND finished_at IS NULL').get(id) as { n: number }).n,
    1,
    'the attempt it died in is on record',
  );

  const second = await startServer(t, ['--config', configFile]);
  await until('the package is acknowledged', () => row().state === 'sent', 30_000);
  t.equal(rx.packages.size, 1, 'exactly one package at the receiver');
  t.same(JSON.parse(row().receipt!), rx.packages.get(id)!.receipt, "the resend got the first delivery's receipt");
  const attempts = db.prepare('SELECT n, error, status_code AS code FROM report_attempts WHERE package_id = ? ORDER BY n').all(id) as {
    n: number;
    error: string | null;
    code: number | null;
  }[];
  t.match(attempts[0]!.error, /interrupted/, 'the killed attempt is recorded as interrupted');
  t.equal(attempts.at(-1)!.code, 200);
  second.child.kill('SIGTERM');
  await second.exited;
  const output = first.lines.join('\n') + first.stderr() + second.lines.join('\n') + second.stderr();
  t.notMatch(output, TOKEN, "the token is in neither run's output");
  t.notMatch(readFileSync(configFile, 'utf8'), TOKEN);
});
