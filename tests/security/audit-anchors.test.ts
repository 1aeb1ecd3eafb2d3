// The audit log against someone who can write the database (issue 16 item 3): removing an entry and
// re-hashing the rest must show — without the audit key as an HMAC mismatch, with it as an anchor that no
// longer matches — and the bank package replay protection must not roll back with a rewritten log.
// Real apps on scratch data folders, real SQLite files, real keys; the attacker edits the files directly.
import t, { type Test } from 'tap';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEventBus, fixedClock } from '../../core/index.ts';
import {
  AUDIT_KEY_FILE,
  GENESIS_HASH,
  auditKeyOf,
  collectKeys,
  createAuditLog,
  dataPaths,
  entryHash,
  entryMac,
  openDatabase,
  type AuditKey,
  type Db,
} from '../../storage/index.ts';
import { createExamService } from '../../exam/index.ts';
import { PackageRefused, generateSigningKey, signPackage, type UnsignedPackage } from '../../exam/bank/packages.ts';
import { createOutbox } from '../../records/reporting/outbox.ts';
import type { AuditVerdictView } from '../../server/protocol.ts';
import { PASSWORDS, TEST_CONFIG_YAML, buildTestApp, login, scratchDir, testConfig } from '../helpers.ts';
import { cli } from '../processes.ts';
import { question } from '../exam/bank-fixture.ts';

const PUBLISHER = generateSigningKey('national-2026');
const BANK_YAML = `bank:\n  publicKeys:\n    - { id: ${PUBLISHER.keyId}, key: "${PUBLISHER.publicKeyBase64}" }\n`;

async function site(t: Test, dir = scratchDir(t)) {
  const app = await buildTestApp({ config: testConfig(dir, BANK_YAML) });
  t.teardown(() => app.close());
  await app.ready();
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const verify = async () => {
    const res = await app.inject({ method: 'POST', url: '/api/audit/verify', headers: { cookie: admin } });
    t.equal(res.statusCode, 200, res.body);
    return res.json() as AuditVerdictView;
  };
  return { app, dir, db: app.ctx.db, admin, verify, keysDir: app.ctx.config.paths.keys };
}

const keyOf = (keysDir: string): AuditKey => auditKeyOf(Buffer.from(readFileSync(join(keysDir, AUDIT_KEY_FILE), 'utf8').trim(), 'hex'));

function fill(app: { ctx: { audit: { append(e: { actor: string; action: string; detail?: object }): unknown } } }, n: number) {
  for (let i = 0; i < n; i++) app.ctx.audit.append({ actor: 'user:admin', action: 'test.step', detail: { i } });
}

interface Row {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: string;
  ip: string | null;
  prev_hash: string;
  hash: string;
}

/**
 * What someone with the database file and a SQLite shell does to make an entry vanish: drop the
 * append-only triggers, delete the entry, renumber everything after it and recompute each hash so
 * every link holds again — with SHA-256 (no key), or with the audit key's HMAC when they have it.
 */
function removeAndRehash(db: Db, seq: number, key: AuditKey | null): void {
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[];
  const keyedFrom = (db.prepare('SELECT MIN(keyed_from) AS k FROM audit_chain').get() as { k: number | null }).k ?? Infinity;
  db.transaction(() => {
    db.prepare('DELETE FROM audit_log WHERE seq >= ?').run(seq);
    let prev = rows.find((r) => r.seq === seq - 1)?.hash ?? GENESIS_HASH;
    let n = seq;
    for (const r of rows.filter((x) => x.seq > seq)) {
      const input = { seq: n, at: r.at, actor: r.actor, action: r.action, target: r.target, detail: r.detail, ip: r.ip, prevHash: prev };
      const hash = key && n >= keyedFrom ? entryMac(key, input) : entryHash(input);
      db.prepare('INSERT INTO audit_log (seq, at, actor, action, target, detail, ip, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        n,
        r.at,
        r.actor,
        r.action,
        r.target,
        r.detail,
        r.ip,
        prev,
        hash,
      );
      prev = hash;
      n++;
    }
    db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_log'").run(n - 1);
  })();
}

t.test('the audit key is made 0600 in the keys folder on first start and travels in the key bundle', async (t) => {
  const { keysDir, verify } = await site(t);
  const st = statSync(join(keysDir, AUDIT_KEY_FILE));
  t.equal(st.mode & 0o777, 0o600, 'readable by the service alone');
  t.ok(
    collectKeys(keysDir).some((f) => f.kind === 'audit' && f.name === AUDIT_KEY_FILE),
    'examroom keys export carries it',
  );
  const v = await verify();
  t.match(v, { ok: true, complete: true, keyed: { from: 1, contentChecked: true }, anchors: { present: true } });
  t.ok(v.anchors.count >= 1, 'the start wrote an anchor');
});

t.test('entries written before the key verify as plain SHA-256 up to the switch-over, keyed after', async (t) => {
  const dir = scratchDir(t);
  const db = openDatabase(dataPaths(dir).dbFile);
  const old = createAuditLog(db, fixedClock(1_700_000_000_000));
  for (let i = 0; i < 3; i++) old.append({ actor: 'system', action: 'old.entry', detail: { i } });
  db.close();
  const { app, verify, keysDir } = await site(t, dir);
  const v = await verify();
  t.match(v, { ok: true, complete: true, keyed: { from: 4, contentChecked: true } });
  const rows = app.ctx.db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[];
  const input = (r: Row) => ({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, target: r.target, detail: r.detail, ip: r.ip, prevHash: r.prev_hash });
  t.equal(rows[2]!.hash, entryHash(input(rows[2]!)), 'entry 3: SHA-256');
  t.equal(rows[3]!.hash, entryMac(keyOf(keysDir), input(rows[3]!)), 'entry 4: HMAC with the audit key');
  t.not(rows[3]!.hash, entryHash(input(rows[3]!)));
});

t.test('removing an entry and re-hashing the rest without the key is an HMAC mismatch', async (t) => {
  const { app, db, verify } = await site(t);
  fill(app, 10);
  removeAndRehash(db, 5, null);
  const v = await verify();
  t.equal(v.ok, false, 'the rewrite is found');
  t.equal(v.seq, 5);
  t.equal(v.problem, 'entry 5 was altered (its content no longer matches its HMAC)');
});

t.test('verification without the key says it cannot check the keyed part', async (t) => {
  const { app, db } = await site(t);
  fill(app, 3);
  const v = createAuditLog(db, app.ctx.clock).verify();
  t.equal(v.ok, true, 'order and links hold');
  t.match(v.keyed, {
    from: 1,
    contentChecked: false,
    note: /keyed with audit key [0-9a-f]{16}, which this process does not have .*their content could not be/,
  });
  t.throws(
    () => createAuditLog(db, app.ctx.clock).append({ actor: 'cli:x', action: 'x' }),
    /keyed since entry 1, and this process has no audit key/,
    'nor may it append',
  );
});

t.test('removing an entry and re-hashing with the key is caught by the anchors, naming the entry', async (t) => {
  const { app, db, verify, keysDir } = await site(t);
  fill(app, 10);
  const anchor = app.ctx.anchors.write('interval');
  const before = await verify();
  t.match(before, { ok: true, complete: true }, 'intact before');
  removeAndRehash(db, 4, keyOf(keysDir));
  const v = await verify();
  t.equal(v.seq, undefined, 'the chain itself holds: the rewrite used the key');
  t.equal(v.ok, false, 'the anchors disagree');
  const f = v.findings.find((x) => x.anchor === anchor.n);
  t.ok(f, `anchor ${anchor.n} is named`);
  t.ok(f && ['anchor_hash_differs', 'anchor_entry_missing', 'anchor_count_differs'].includes(f.kind), `kind ${f?.kind}`);
  t.equal(f?.tamper, true);
  t.match(f?.problem, new RegExp(`entry ${anchor.seq}`));
});

t.test('the anchor last sent upstream still catches the rewrite when the local anchor file is removed', async (t) => {
  const { app, db, verify, keysDir } = await site(t);
  fill(app, 6);
  // A results package as the reporting outbox stores and marks it sent (records/reporting/outbox.ts).
  const anchor = app.ctx.anchors.current('package')!;
  const outbox = createOutbox(db);
  const body = Buffer.from(JSON.stringify({ format: 'examroom-results/1', auditAnchor: anchor }));
  outbox.add('S1', { id: 'test-site:S1:1', version: 1, body, signature: 'x', keyId: anchor.keyId, contentSha256: 'c', auditAnchor: anchor }, Date.now());
  const n = outbox.beginAttempt('test-site:S1:1', Date.now());
  outbox.succeeded('test-site:S1:1', n, 200, { receiptId: 'R-1', receivedAt: new Date().toISOString() } as never, Date.now());

  removeAndRehash(db, 3, keyOf(keysDir));
  rmSync(app.ctx.anchors.file);
  const v = await verify();
  t.equal(v.ok, false);
  t.match(v.lastSent, { n: anchor.n, seq: anchor.seq, packageId: 'test-site:S1:1' });
  t.ok(
    v.findings.some((f) => f.kind === 'anchor_file_missing' && f.tamper),
    'the missing anchor file is reported',
  );
  t.ok(
    v.findings.some((f) => f.kind === 'sent_not_in_file' && f.anchor === anchor.n),
    'the sent anchor is not in the (new) file',
  );
  t.ok(
    v.findings.some((f) => f.sent && f.seq === anchor.seq && /anchor_(hash_differs|entry_missing|count_differs)/.test(f.kind)),
    'the sent anchor no longer matches the log',
  );
});

t.test('an anchor file line that was edited or removed is reported', async (t) => {
  const { app, verify } = await site(t);
  for (let i = 0; i < 3; i++) {
    fill(app, 1);
    app.ctx.anchors.write('interval');
  }
  const file = app.ctx.anchors.file;
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  writeFileSync(file, `${[lines[0], lines[2]!.replace(/"count":\d+/, '"count":1'), ...lines.slice(3)].join('\n')}\n`);
  const v = await verify();
  t.equal(v.ok, false);
  t.ok(v.findings.some((f) => f.kind === 'anchor_damaged' && f.line === 2));
});

// ---------------------------------------------------------------------------------------------------
// The bank package high-water mark

function pkg(version: string, sequence: number): Buffer {
  const b: UnsignedPackage = {
    format: 'examroom-bank/1',
    version,
    sequence,
    publishedAt: '2026-11-01T08:00:00+08:00',
    publisher: 'national',
    questions: [question(1), question(2 + sequence)],
    templates: [],
  };
  return Buffer.from(JSON.stringify(signPackage(b, PUBLISHER.privateKeyPem, PUBLISHER.keyId)));
}

const by = { actor: 'user:admin', source: 'upload' as const };

/** An exam service in another process's shoes: the same files, a fresh start (nothing cached). */
function freshExam(app: Awaited<ReturnType<typeof site>>['app']) {
  return createExamService({
    db: app.ctx.db,
    clock: app.ctx.clock,
    bus: createEventBus(),
    config: app.ctx.config,
    audit: app.ctx.audit,
    paths: app.ctx.paths,
    anchoredMarks: () => app.ctx.anchors.latest()?.marks ?? {},
  });
}

t.test('a replayed older package is still refused after the audit rows are rewritten', async (t) => {
  const { app, db, keysDir, verify } = await site(t);
  // The publisher made 2026.1 (sequence 1) and 2026.2 (sequence 2); this site installed only 2026.2.
  app.exam.packages.accept(pkg('2026.2', 2), by);
  await new Promise((r) => setImmediate(r)); // the anchor the server writes after an acceptance
  const old = pkg('2026.1', 1);
  t.throws(() => app.exam.packages.accept(old, by), PackageRefused, 'refused while the log is intact');
  // Someone with the database and the key removes the acceptance entry and re-hashes the log.
  const entry = db.prepare("SELECT seq FROM audit_log WHERE action = 'bank.package.accepted'").get() as { seq: number };
  removeAndRehash(db, entry.seq, keyOf(keysDir));
  t.equal(app.exam.packages.lastAccepted('national')?.sequence, 2, 'the mark row stands');
  t.throws(() => freshExam(app).packages.accept(old, by), { reason: 'not_newer', message: /sequence 1\) is older than 2026\.2 \(2\)/ });
  t.same(
    app.exam.bank.versions().map((v) => v.id),
    ['2026.2'],
    'nothing installed',
  );
  t.equal((await verify()).ok, false, 'and the rewrite itself is reported');
});

t.test('a removed mark row is made good by the audit anchor, and verify names it', async (t) => {
  const { app, db, keysDir, verify } = await site(t);
  app.exam.packages.accept(pkg('2026.2', 2), by);
  await new Promise((r) => setImmediate(r)); // the anchor written after an acceptance
  t.equal(app.ctx.anchors.latest()?.marks['bank:national'], 2, 'the anchor carries the mark');
  const entry = db.prepare("SELECT seq FROM audit_log WHERE action = 'bank.package.accepted'").get() as { seq: number };
  removeAndRehash(db, entry.seq, keyOf(keysDir));
  db.prepare('DELETE FROM bank_package_marks').run();
  t.throws(() => freshExam(app).packages.accept(pkg('2026.1', 1), by), {
    reason: 'not_newer',
    message: /is older than the newest package recorded in the audit anchors \(2\)/,
  });
  const v = await verify();
  t.ok(v.findings.some((f) => f.kind === 'mark_lowered' && f.name === 'bank:national' && f.expected === 2));
});

t.test('a lowered mark row no longer matches its seal and stops every install from that publisher', async (t) => {
  const { app, db } = await site(t);
  app.exam.packages.accept(pkg('2026.2', 2), by);
  db.prepare("UPDATE bank_package_marks SET sequence = 0 WHERE publisher = 'national'").run();
  t.throws(() => app.exam.packages.accept(pkg('2026.1', 1), by), { reason: 'mark_altered', message: /was altered in the database/ });
  t.throws(() => app.exam.packages.accept(pkg('2026.3', 3), by), { reason: 'mark_altered', message: /nothing is installed from national/ });
});

t.test('examroom audit verify checks with the key and against the anchors: exit 0 intact, 1 with the rewrite named', async (t) => {
  const { app, dir, keysDir } = await site(t);
  fill(app, 8);
  await app.close(); // the anchor at stop covers everything
  const cfg = join(scratchDir(t), 'config.yaml');
  writeFileSync(cfg, TEST_CONFIG_YAML + BANK_YAML);
  const args = ['audit', 'verify', '--config', cfg, '--data', dir];
  const intact = await cli(args);
  t.equal(intact.code, 0, intact.stderr);
  t.match(intact.stdout, /^audit log intact: \d+ entries, chain verified\n {2}keyed with the audit key from entry 1\n {2}anchors: \d+ in /);

  const reopened = openDatabase(dataPaths(dir).dbFile);
  removeAndRehash(reopened, 3, keyOf(keysDir));
  reopened.close();
  const r = await cli(args);
  t.equal(r.code, 1, r.stderr);
  t.match(r.stdout, /^audit log TAMPERED \(its chain links up, but the anchors disagree\)/);
  t.match(r.stdout, /\nTAMPERING: .*entry \d+/);
});
