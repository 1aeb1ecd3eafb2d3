// Signed bank packages: a site installs exactly what a trusted key signed, refuses everything else
// with a reason an operator can act on, never goes back to an older package, and keeps every version.
// Real Ed25519 keys, a real SQLite file per test.
import t, { type Test } from 'tap';
import { gzipSync } from 'node:zlib';
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { createAuditLog, dataPaths, openDatabase } from '../../storage/index.ts';
import { createEventBus, Conflict, ValidationError, fixedClock, formatProblem } from '../../core/index.ts';
import { ConfigError, parseConfig } from '../../config/index.ts';
import { createExamService, type QuestionInput, type Template } from '../../exam/index.ts';
import {
  PackageAlreadyInstalled,
  PackageRefused,
  canonicalJson,
  generateSigningKey,
  signPackage,
  type SigningKeyPair,
  type UnsignedPackage,
} from '../../exam/bank/packages.ts';
import { PASSWORDS, TEST_CONFIG_YAML, login, scratchDir, testApp, testConfig } from '../helpers.ts';
import { question } from './bank-fixture.ts';

const NATIONAL = generateSigningKey('national-2026');
const PROVINCE = generateSigningKey('gd-2026');

const judge = (n: number): QuestionInput =>
  question(n, { type: 'judge', stem: `第${n}题：动火作业前应清除周围可燃物。`, options: ['正确', '错误'], answer: [0] });

const TEMPLATE: Template = {
  id: 'gm-principal-general',
  name: '工贸行业主要负责人',
  industry: 'general',
  category: 'principal',
  operationClass: null,
  durationMinutes: 120,
  total: 100,
  passMark: 80,
  sections: [
    { type: 'judge', count: 40, score: 1 },
    { type: 'single', count: 60, score: 1 },
  ],
};

function body(version: string, sequence: number, over: Partial<UnsignedPackage> = {}): UnsignedPackage {
  return {
    format: 'examroom-bank/1',
    version,
    sequence,
    publishedAt: '2026-11-01T08:00:00+08:00',
    publisher: 'national',
    questions: [question(1), question(2), judge(3)],
    templates: [TEMPLATE],
    ...over,
  };
}

const signed = (b: UnsignedPackage, key: SigningKeyPair = NATIONAL) => Buffer.from(JSON.stringify(signPackage(b, key.privateKeyPem, key.keyId), null, 2));

/** signPackage refuses bad content, so a broken package that is properly signed is made by hand. */
function signedUnchecked(b: object, key: SigningKeyPair = NATIONAL): string {
  const value = sign(null, Buffer.from(canonicalJson(b)), createPrivateKey(key.privateKeyPem)).toString('base64');
  return JSON.stringify({ ...b, signature: { keyId: key.keyId, alg: 'ed25519', value } });
}

function bankYaml(keys: SigningKeyPair[]): string {
  return `bank:\n  publicKeys:\n${keys.map((k) => `    - { id: ${k.keyId}, key: "${k.publicKeyBase64}" }`).join('\n')}\n`;
}

/** A site that trusts the given keys: the exam service on a scratch database. */
function site(t: Test, keys: SigningKeyPair[] = [NATIONAL]) {
  const dir = scratchDir(t);
  const clock = fixedClock(Date.parse('2026-11-02T09:00:00Z'));
  const db = openDatabase(dataPaths(dir).dbFile);
  t.teardown(() => db.close());
  const audit = createAuditLog(db, clock);
  const exam = createExamService({ db, clock, bus: createEventBus(), config: testConfig(dir, bankYaml(keys)), audit, paths: dataPaths(dir) });
  const by = { actor: 'user:admin', source: 'upload' as const };
  return { exam, audit, clock, by, versions: () => exam.bank.versions().map((v) => v.id), accepted: () => audit.list({ action: 'bank.package.accepted' }) };
}

t.test('canonical JSON sorts keys and drops whitespace, so a re-indented package keeps its signature', async (t) => {
  t.equal(canonicalJson({ b: [1, { d: 'x', c: null }], a: '正确' }), '{"a":"正确","b":[1,{"c":null,"d":"x"}]}');
  t.equal(canonicalJson({ z: 0.5, y: 1e21, x: -0 }), '{"x":0,"y":1e+21,"z":0.5}');
  const s = site(t);
  const pkg = signPackage(body('2026.11.1', 41), NATIONAL.privateKeyPem, NATIONAL.keyId);
  // Keys reversed and no indentation: different bytes, same content.
  const reordered = JSON.stringify(Object.fromEntries(Object.entries(pkg).reverse()));
  t.equal(s.exam.packages.accept(reordered, s.by).version.id, '2026.11.1');
});

t.test('a valid package installs as a version with its questions and templates, audited once', async (t) => {
  const s = site(t);
  const r = s.exam.packages.accept(signed(body('2026.11.1', 41)), s.by);
  t.match(r, { publisher: 'national', sequence: 41, keyId: 'national-2026', sha256: /^[0-9a-f]{64}$/ });
  t.match(r.version, {
    id: '2026.11.1',
    kind: 'package',
    parent: null,
    label: 'national',
    signedBy: 'national-2026',
    publishedAt: Date.parse('2026-11-01T00:00:00Z'),
    questionCount: 3,
    templateCount: 1,
  });
  t.equal(r.version.sha256, r.sha256);
  const pool = s.exam.bank.pool('2026.11.1');
  t.same(pool.map((q) => q.externalId).sort(), ['N-1', 'N-2', 'N-3']);
  t.same(s.exam.bank.templates('2026.11.1'), [{ ...TEMPLATE, multipleChoiceScoring: 'all_or_nothing' }], 'stored as validateTemplate completes it');
  t.equal(s.exam.bank.latest()?.id, '2026.11.1', 'new papers draw from it');
  const entries = s.accepted();
  t.equal(entries.length, 1);
  t.match(entries[0], {
    actor: 'user:admin',
    action: 'bank.package.accepted',
    target: '2026.11.1',
    detail: { publisher: 'national', sequence: 41, keyId: 'national-2026', questions: 3, templates: 1, source: 'upload' },
  });
  t.ok(s.audit.verify().ok, 'the audit chain still verifies');
});

t.test('the server installs a large package in steps: the event loop runs while it is staged, the bank shows it only whole', async (t) => {
  const s = site(t);
  s.exam.packages.accept(signed(body('2026.11.1', 41)), s.by);
  const many = Array.from({ length: 1500 }, (_, i) => question(100 + i));
  const staging = s.exam.packages.acceptInSteps(signed(body('2026.12.1', 42, { questions: many })), s.by);
  // The staging yields after each chunk: this timer runs before the install ends, and sees the old bank.
  const midway = await new Promise<{ latest: string | undefined; versions: number }>((resolve) =>
    setImmediate(() => resolve({ latest: s.exam.bank.latest()?.id, versions: s.versions().length })),
  );
  const r = await staging;
  t.same(midway, { latest: '2026.11.1', versions: 1 }, 'midway: the bank as it was');
  t.match(r.version, { id: '2026.12.1', questionCount: 1500, templateCount: 1 });
  t.equal(s.exam.bank.pool('2026.12.1').length, 1500, 'then every question of it');
  t.match(s.accepted()[0], { target: '2026.12.1', detail: { questions: 1500 } }, 'audited with what was installed');
  await t.rejects(s.exam.packages.acceptInSteps(signed(body('2026.12.1', 42, { questions: many })), s.by), PackageAlreadyInstalled, 'the checks still hold');
});

t.test('a gzip-compressed package installs like the plain file', async (t) => {
  const s = site(t);
  t.equal(s.exam.packages.accept(gzipSync(signed(body('2026.11.1', 41))), s.by).version.questionCount, 3);
});

t.test('a package signed by a key this site does not trust is refused, naming both', async (t) => {
  const s = site(t, [NATIONAL]);
  const err = t.throws(() => s.exam.packages.accept(signed(body('2026.11.1', 41), PROVINCE), s.by)) as PackageRefused;
  t.ok(err instanceof PackageRefused);
  t.equal(err.reason, 'untrusted_key');
  t.equal(err.message, 'package 2026.11.1 is signed by key gd-2026, which this site does not trust (trusted: national-2026)');
  t.same(s.versions(), [], 'nothing installed');
  t.same(s.accepted(), []);
});

t.test('a key id this site trusts does not help a signature made with another key', async (t) => {
  const s = site(t);
  const impostor = { ...PROVINCE, keyId: NATIONAL.keyId };
  const err = t.throws(() => s.exam.packages.accept(signed(body('2026.11.1', 41), impostor), s.by)) as PackageRefused;
  t.equal(err.reason, 'bad_signature');
  t.same(s.versions(), []);
});

t.test('one altered character in a question stem breaks the signature and nothing is installed', async (t) => {
  const s = site(t);
  const text = signed(body('2026.11.1', 41)).toString('utf8');
  const stem = question(2).stem;
  const at = text.indexOf(stem) + stem.indexOf('首先');
  // 首先 → 其先: still valid JSON, still a plausible question, one character different.
  const altered = `${text.slice(0, at)}其${text.slice(at + 1)}`;
  t.not(altered, text);
  t.doesNotThrow(() => JSON.parse(altered), 'the altered file is still valid JSON');
  const err = t.throws(() => s.exam.packages.accept(altered, s.by)) as PackageRefused;
  t.ok(err instanceof PackageRefused);
  t.equal(err.reason, 'bad_signature');
  t.match(err.message, /^package 2026\.11\.1: the signature by key national-2026 does not match the content/);
  t.same(s.versions(), []);
  t.same(s.accepted(), []);
});

t.test('a replayed or older package is refused once a newer one from the publisher is installed', async (t) => {
  const s = site(t);
  s.exam.packages.accept(signed(body('2026.11.1', 41)), s.by);
  const older = t.throws(() => s.exam.packages.accept(signed(body('2026.10.3', 40)), s.by)) as PackageRefused;
  t.equal(older.reason, 'not_newer');
  t.equal(older.message, 'package 2026.10.3 (sequence 40) is older than 2026.11.1 (41), already installed from national');
  const sameSeq = t.throws(() => s.exam.packages.accept(signed(body('2026.11.1b', 41)), s.by)) as PackageRefused;
  t.equal(sameSeq.message, 'package 2026.11.1b (sequence 41) is not newer than 2026.11.1 (41), already installed from national');
  // Sequences are per publisher: a province's package numbered lower is its own series.
  const both = site(t, [NATIONAL, PROVINCE]);
  both.exam.packages.accept(signed(body('2026.11.1', 41)), both.by);
  t.equal(both.exam.packages.accept(signed(body('gd-2026.3', 3, { publisher: 'GD-province' }), PROVINCE), both.by).version.id, 'gd-2026.3');
  t.same(s.versions(), ['2026.11.1']);
});

t.test('the same version twice is a conflict and changes nothing', async (t) => {
  const s = site(t);
  const file = signed(body('2026.11.1', 41));
  s.exam.packages.accept(file, s.by);
  const again = t.throws(() => s.exam.packages.accept(file, s.by)) as PackageAlreadyInstalled;
  t.ok(again instanceof PackageAlreadyInstalled && again instanceof Conflict);
  t.match(again.message, /^version 2026\.11\.1 is already installed/);
  // Same version name, different content, even with a higher sequence: a publisher mistake to report.
  const changed = t.throws(() => s.exam.packages.accept(signed(body('2026.11.1', 42, { questions: [question(9)] })), s.by)) as Conflict;
  t.ok(changed instanceof Conflict && !(changed instanceof PackageAlreadyInstalled));
  t.match(changed.message, /^version 2026\.11\.1 is already installed with different content .+ must be published as a new version$/);
  t.same(s.versions(), ['2026.11.1']);
  t.equal(s.accepted().length, 1);
});

t.test('every version is kept: the old one still serves its own questions after a newer one lands', async (t) => {
  const s = site(t);
  s.exam.packages.accept(signed(body('2026.11.1', 41)), s.by);
  s.clock.advance(60_000);
  s.exam.packages.accept(signed(body('2026.12.1', 42, { questions: [question(2), judge(3), question(4), question(5)] })), s.by);
  t.same(s.versions(), ['2026.12.1', '2026.11.1']);
  t.equal(s.exam.bank.latest()?.id, '2026.12.1');
  t.same(
    s.exam.bank
      .pool('2026.11.1')
      .map((q) => q.externalId)
      .sort(),
    ['N-1', 'N-2', 'N-3'],
    'a session pinned to the old version draws what it always drew',
  );
  t.same(
    s.exam.bank
      .pool('2026.12.1')
      .map((q) => q.externalId)
      .sort(),
    ['N-2', 'N-3', 'N-4', 'N-5'],
    'a full snapshot: question 1 is not carried over',
  );
  t.ok(s.exam.bank.question(s.exam.bank.pool('2026.11.1').find((q) => q.externalId === 'N-1')!.id), 'the dropped question itself is still stored');
});

t.test('a file that is not a signed package is refused with what is wrong with it', async (t) => {
  const s = site(t);
  const refusal = (bytes: string | Buffer) => {
    const err = t.throws(() => s.exam.packages.accept(bytes, s.by)) as ValidationError;
    t.ok(err instanceof ValidationError, 'a ValidationError');
    return err.problems.map(formatProblem);
  };
  t.match(refusal('{"format": "examroom-bank/1", '), [/^\(package\): not valid JSON: /]);
  t.match(refusal(Buffer.from([0xff, 0xfe, 0x00, 0x41])), [/^\(package\): not UTF-8 text/]);
  t.same(refusal('[1, 2]'), ['(package): must be a JSON object with format, version, sequence, … and signature (got a list of 2)']);
  t.same(refusal(JSON.stringify({ ...body('2026.11.1', 41), format: 'examroom-bank/2' })), [
    'format: must be "examroom-bank/1": this is not a bank package this software reads (got "examroom-bank/2")',
  ]);
  t.same(refusal(JSON.stringify(body('2026.11.1', 41))), ['signature: missing: the package is not signed (sign it with `examroom bank sign`)']);
  t.same(refusal(JSON.stringify({ ...body('2026.11.1', 41), signature: { keyId: 'national-2026', alg: 'rsa', value: 'abc' } })), [
    'signature.alg: must be "ed25519" (got "rsa")',
    'signature.value: must be the base64 of a 64-byte Ed25519 signature (got "abc")',
  ]);
  t.same(s.versions(), []);
});

t.test('a signed package with invalid content is refused with every problem, by path', async (t) => {
  const s = site(t);
  const bad = body('2026.11.1', 41, {
    questions: [
      question(1, { answer: [4] }),
      question(2, { type: 'multiple', answer: [1] }),
      question(3, { type: 'judge', options: ['对', '错'], answer: [0] }),
      question(4, { industry: 'shipping' as never }),
      question(1, { answer: [4] }),
    ],
    templates: [{ ...TEMPLATE, total: 90 }],
  });
  const err = t.throws(() => s.exam.packages.accept(signedUnchecked(bad), s.by)) as ValidationError;
  t.ok(err instanceof ValidationError);
  t.match(err.message, /^package refused: signed by national-2026, but its content has 1 problem$/);
  t.same(err.problems.map(formatProblem), [
    'questions[3].industry: must be one of "metallurgy", "nonferrous", "building_materials", "machinery", "light_industry", "textile", "tobacco", "commerce", "hazardous_chemicals", "general" (got "shipping")',
  ]);
  // With the schema satisfied, the exam rules speak: each question and the template, by path.
  const bad2 = { ...bad, questions: bad.questions.filter((_q, i) => i !== 3) };
  const err2 = t.throws(() => s.exam.packages.accept(signedUnchecked(bad2), s.by)) as ValidationError;
  const lines = err2.problems.map(formatProblem);
  t.match(lines, [
    /^questions\[0\]\.answer: answer 4 names option E, but only A–D exist \(question N-1\)/,
    /^questions\[1\]\.answer: a multiple question has at least two right options \(question N-2\)/,
    /^questions\[2\]\.options: a judge question has exactly the options \["正确","错误"\] \(question N-3\)/,
    /^questions\[3\]\.answer: answer 4 names option E/,
    /^questions\[3\]: is the same question as questions\[0\] \(question N-1\)$/,
    /^templates\[0\]\.total: the sections add up to .* = 100, not the total 90/,
  ]);
  t.equal(lines.length, 6);
  t.same(s.versions(), []);
});

t.test('the publisher side refuses to sign a package a site would refuse', async (t) => {
  const err = t.throws(() =>
    signPackage(body('2026.11.1', 41, { questions: [question(1, { answer: [7] })] }), NATIONAL.privateKeyPem, NATIONAL.keyId),
  ) as ValidationError;
  t.ok(err instanceof ValidationError);
  t.match(err.message, /^the package has 1 problem; nothing was signed$/);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const wrongKind = t.throws(() => signPackage(body('2026.11.1', 41), rsa, 'k')) as ValidationError;
  t.match(wrongKind.problems, [{ path: 'key', problem: /is an RSA key; packages are signed with Ed25519/ }]);
});

t.test('the config accepts keys as PEM or raw base64 and refuses ones it could not verify with', async (t) => {
  const both = parseConfig(
    `${TEST_CONFIG_YAML}bank:\n  publicKeys:\n    - id: pem\n      key: |\n${NATIONAL.publicKeyPem.trimEnd().replace(/^/gm, '        ')}\n    - { id: raw, key: "${PROVINCE.publicKeyBase64}" }\n`,
    { dataDir: scratchDir(t) },
  );
  t.same(
    both.bank.publicKeys.map((k) => k.id),
    ['pem', 'raw'],
  );
  t.same(both.bank, { centralUrl: null, syncIntervalMinutes: null, publicKeys: both.bank.publicKeys });
  const problems = (yaml: string) => {
    try {
      parseConfig(TEST_CONFIG_YAML + yaml, { dataDir: scratchDir(t) });
    } catch (err) {
      if (err instanceof ConfigError) return err.problems.map(formatProblem);
      throw err;
    }
    return [];
  };
  const rsaPub = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  t.match(
    problems(`bank:
  centralUrl: "http://[bad"
  publicKeys:
    - { id: a, key: "not-a-key" }
    - { id: a, key: ${JSON.stringify(NATIONAL.privateKeyPem)} }
    - { id: c, key: ${JSON.stringify(rsaPub)} }
`),
    [
      /^bank\.publicKeys\[0\]\.key: must be PEM text or the base64 of the 32 raw key bytes \(44 characters\)/,
      /^bank\.publicKeys\[1\]\.id: duplicate of bank\.publicKeys\[0\]\.id/,
      /^bank\.publicKeys\[1\]\.key: is a PRIVATE key; put the public key here and keep the private key at the central bank/,
      /^bank\.publicKeys\[2\]\.key: is an RSA key, but packages are signed with Ed25519/,
      /^bank\.centralUrl: is not a valid URL/,
    ],
  );
  t.same(problems('bank: { centralUrl: "https://bank.example/latest.json" }\n'), [
    'bank.publicKeys: missing: centralUrl is set, so at least one key is needed to trust what it serves',
  ]);
  t.same(problems(`bank: { syncIntervalMinutes: 30, publicKeys: [{ id: a, key: "${NATIONAL.publicKeyBase64}" }] }\n`), [
    'bank.syncIntervalMinutes: set, but bank.centralUrl is not: there is nothing to sync from (got 30)',
  ]);
  t.match(problems('bank: { centralUrl: "ftp://x/y" }\n'), [/^bank\.centralUrl: must be an http:\/\/ or https:\/\/ URL/]);
});

t.test('POST /api/bank/packages installs an uploaded package for an admin only, with errors as HTTP', async (t) => {
  const app = await testApp(t, { extraYaml: bankYaml([NATIONAL]) });
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const invig = await login(app, 'invig', PASSWORDS.invig);
  const file = signed(body('2026.11.1', 41));
  const post = (payload: Buffer | string, cookie: string, type = 'application/json') =>
    app.inject({ method: 'POST', url: '/api/bank/packages', headers: { cookie, 'content-type': type }, payload });

  t.equal((await post(file, invig)).statusCode, 403, 'an invigilator may not install a bank');
  const ok = await post(file, admin);
  t.equal(ok.statusCode, 201, ok.body);
  t.match(ok.json(), { version: '2026.11.1', publisher: 'national', sequence: 41, keyId: 'national-2026', questions: 3, templates: 1 });
  t.match(app.ctx.audit.list({ action: 'bank.package.accepted' })[0], { actor: 'user:admin', ip: '127.0.0.1' });

  const again = await post(gzipSync(file), admin, 'application/gzip');
  t.equal(again.statusCode, 409);
  t.match(again.json(), { error: 'conflict', message: /already installed/ });
  const older = await post(signed(body('2026.10.3', 40)), admin, 'application/octet-stream');
  t.equal(older.statusCode, 400);
  t.match(older.json(), { error: 'package_refused', message: /is older than 2026\.11\.1 \(41\)/ });
  const junk = await post('{"hello": 1}', admin);
  t.equal(junk.statusCode, 400);
  t.match(junk.json(), { error: 'invalid', problems: [{ path: 'format', problem: /must be "examroom-bank\/1"/ }] });

  const state = await app.inject({ url: '/api/bank/sync', headers: { cookie: admin } });
  t.equal(state.statusCode, 200);
  t.same(state.json(), {
    configured: false,
    url: null,
    intervalMinutes: null,
    trustedKeys: ['national-2026'],
    etag: null,
    lastModified: null,
    checkedAt: null,
    lastVersion: null,
    lastError: null,
  });
  const sync = await app.inject({ method: 'POST', url: '/api/bank/sync', headers: { cookie: admin } });
  t.equal(sync.statusCode, 400);
  t.match(sync.json(), { error: 'invalid', problems: [{ path: 'bank.centralUrl', problem: /^not set in the config/ }] });
});
