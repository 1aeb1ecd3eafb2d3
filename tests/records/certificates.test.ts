// Certificates through the real app (real SQLite, app.inject): issued for passes only (on the event, and
// caught up at start, once), printed as a PDF whose QR code — read back off the rendered page with jsqr —
// verifies at the public endpoint; an edited payload is refused; revoked and expired say so; the key is
// published and checks a payload offline with openssl; the export carries the ZWFW fields; the CLI and
// the archive part. Page pictures are kept in tests/artifacts/records/ to look at.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jsqrModule from 'jsqr';
import sharp from 'sharp';
import t from 'tap';
import { fixedClock, maskIdNumber } from '../../core/index.ts';
import { parseConfig, ConfigError } from '../../config/index.ts';
import { certificateCommands, verifyBaseUrl } from '../../records/certificates/index.ts';
import type { VerifyReply, CertificateView } from '../../records/protocol.ts';
import { ROOT, PASSWORDS, TEST_CONFIG_YAML, login, scratchDir, testConfig, buildTestApp } from '../helpers.ts';
import { HEADER, TEMPLATE, bankQuestions, csv, idn, person } from '../exam/plans-fixture.ts';
import { FACE_KEY_FILE, ensureKeysFolder, isSealed, readKeyFile, writeKeyFile } from '../../storage/index.ts';

const jsQR = ((jsqrModule as unknown as { default?: unknown }).default ?? jsqrModule) as unknown as typeof import('jsqr').default;
const ARTIFACTS = join(ROOT, 'tests/artifacts/records');
const BASE = 'https://exam.example.gov.cn/verify';
const at = (local: string) => Date.parse(`${local}+08:00`);

function tool(name: string, args: string[], input?: Buffer): string {
  const r = spawnSync(name, args, { encoding: 'utf8', ...(input ? { input } : {}) });
  if (r.error) throw new Error(`${name} is not installed (poppler-utils / openssl)`);
  if (r.status !== 0) throw new Error(`${name} ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function decodeQr(png: string): Promise<string | null> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height)?.data ?? null;
}

/** One app for the whole file: a session on 2026-03-10 with three candidates; 1 and 3 pass, 2 fails. */
async function setUp() {
  const dir = scratchDir(t, 'examroom-certs-');
  const photos = join(dir, 'photos');
  mkdirSync(photos);
  copyFileSync(join(ROOT, 'tests/fixtures/faces/Alejandro_Toledo_0021.jpg'), join(photos, '1.jpg'));
  const extra = `records: { verifyBaseUrl: "${BASE}/", issuingOffice: 广州市应急管理局, verifyPerMinute: 40 }\npaths: { keys: ${JSON.stringify(join(dir, 'keys'))} }\n`;
  const config = testConfig(join(dir, 'data'), extra);
  const clock = fixedClock(at('2026-03-01T08:00:00'));
  const app = await buildTestApp({ config, clock });
  t.teardown(() => app.close());
  const plans = app.exam.plans;
  app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
  const plan = plans.createPlan({ name: '2026年3月主要负责人考试', from: '2026-03-01', to: '2026-03-31' }, 'user:admin');
  const session = plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-10T09:00', templateId: TEMPLATE.id }, 'user:admin');
  const rows = [person(1, '张三', { photo: '1.jpg' }), person(2, '李四'), person(3, '王五')];
  await plans.importRoster(session.id, { bytes: csv(rows, HEADER), filename: 'roster.csv', photosDir: photos }, 'user:admin');
  plans.assignSeats(session.id, 'user:admin');
  plans.generateSessionPapers(session.id, 'user:admin');
  plans.advanceSession(session.id, 'checkin', 'user:admin');
  plans.advanceSession(session.id, 'in_progress', 'user:admin');
  const right = (id: string) => Object.fromEntries(plans.paperStore.forCandidate(session.id, id)!.items.map((it, i) => [i + 1, it.key]));
  clock.set(at('2026-03-10T10:00:00'));
  return { app, clock, plans, session, right, dir };
}

const s = await setUp();
const { app, clock, plans, session, right } = s;

t.test('a pass graded before the server listens is caught up at start; a pass on the event; never a fail; never twice', async (t) => {
  plans.gradeCandidate(session.id, idn(3), right(idn(3)));
  t.same(app.records.certificates.list({ sessionId: session.id }), [], 'nothing issues before the records service starts');
  await app.ready();
  t.match(app.records.certificates.list({ sessionId: session.id }), [{ number: 'TEST-SITE-2026-000001', idNumber: idn(3) }], 'caught up at start');
  clock.advance(60_000);
  plans.gradeCandidate(session.id, idn(1), right(idn(1)));
  plans.gradeCandidate(session.id, idn(2), {});
  const list = app.records.certificates.list({ sessionId: session.id });
  t.same(
    list.map((c) => [c.number, c.idNumber]),
    [
      ['TEST-SITE-2026-000001', idn(3)],
      ['TEST-SITE-2026-000002', idn(1)],
    ],
    'the pass on the event gets the next number; the fail gets none',
  );
  t.match(list[1], { name: '张三', category: 'principal', sessionDate: '2026-03-10', score: 100, validUntil: at('2027-03-10T10:01:00') });
  t.equal(list[1]!.validUntil, plans.resultOf(session.id, idn(1))!.validUntil, "valid until is the result's own validity");
  t.same(app.records.certificates.catchUp(), { issued: 0, failed: [] }, 'a second catch-up issues nothing');
  t.equal(app.records.certificates.issueFor(session.id, idn(1))!.number, 'TEST-SITE-2026-000002', 'issuing again returns the same certificate');
  t.equal(app.records.certificates.issueFor(session.id, idn(2)), null, 'a fail has no certificate');
  t.equal(app.ctx.audit.list({ action: 'records.certificate.issue' }).length, 2);
  admin = await login(app, 'admin', PASSWORDS.admin);
  invig = await login(app, 'invig', PASSWORDS.invig);
  invig2 = await login(app, 'invig2', PASSWORDS.invig2);
});

// Subtests run one after another, but the file's own code does not wait for them: log-ins happen in the first.
let admin = '';
let invig = '';
let invig2 = '';
const NUMBER = 'TEST-SITE-2026-000002';
let payload = '';

const verify = async (p: string) => {
  const res = await app.inject({ method: 'GET', url: `/api/records/verify/${p}` });
  return { code: res.statusCode, body: res.json() as VerifyReply };
};
const verifyPage = async (p: string) => {
  const res = await app.inject({ method: 'GET', url: `/verify/${p}` });
  return { code: res.statusCode, html: res.body, type: String(res.headers['content-type']) };
};

t.test('the PDF: A4, the fields, the photo, and a QR code read off the rendered page that verifies as valid', async (t) => {
  const res = await app.inject({ method: 'GET', url: `/api/records/certificates/${NUMBER}.pdf`, headers: { cookie: admin } });
  t.equal(res.statusCode, 200, res.statusCode === 200 ? 'PDF served' : res.body);
  t.equal(res.headers['content-type'], 'application/pdf');
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, 'certificate.pdf');
  writeFileSync(file, res.rawPayload);
  const info = tool('pdfinfo', [file]);
  t.match(info, /Pages:\s+1\n/, 'one page');
  t.match(info, /Page size:\s+595\.2\d? x 841\.8\d? pts \(A4\)/);
  const text = tool('pdftotext', ['-layout', file, '-']);
  t.match(text, /考试合格证明/);
  t.match(text, /张三/);
  t.match(text, new RegExp(maskIdNumber(idn(1)).replace(/\*/g, '\\*')), 'the masked ID number');
  t.notMatch(text, new RegExp(idn(1)), 'never the whole ID number');
  t.match(text, /主要负责人/);
  t.match(text, /2026-03-10/, 'the session date');
  t.match(text, /100\s*\/\s*100/, 'the score');
  t.match(text, new RegExp(NUMBER), 'the number');
  t.match(text, /有效期至\s+2027-03-10/, 'valid until');
  t.match(text, /报名照片/, 'the photo caption');
  tool('pdftoppm', ['-r', '150', '-png', '-singlefile', file, join(ARTIFACTS, 'certificate')]);
  const qr = await decodeQr(join(ARTIFACTS, 'certificate.png'));
  t.ok(qr?.startsWith(`${BASE}/`), `the QR code carries records.verifyBaseUrl (${qr?.slice(0, 40)}…)`);
  payload = qr!.slice(BASE.length + 1);
  t.equal(payload, app.records.certificates.get(NUMBER).payload, 'the code is the stored payload');
  t.ok(payload.length < 300, `payload ${payload.length} characters, QR text ${qr!.length}`);
  t.comment(`payload ${payload.length} chars; QR text ${qr!.length} chars`);

  const v = await verify(payload);
  t.equal(v.code, 200);
  t.match(v.body, {
    genuine: true,
    status: 'valid',
    message: '有效的考试合格证明',
    certificate: {
      number: NUMBER,
      name: '张三',
      maskedId: maskIdNumber(idn(1)),
      category: 'principal',
      categoryLabel: '主要负责人',
      sessionDate: '2026-03-10',
      validUntil: '2027-03-10',
      status: 'valid',
    },
  });
  t.notMatch(JSON.stringify(v.body), idn(1), 'the public answer never has the whole ID number');
  t.notOk('score' in (v.body.certificate ?? {}), 'nor the score: only what a checker compares');
  const page = await verifyPage(payload);
  t.equal(page.code, 200);
  t.match(page.type, /text\/html/);
  t.match(page.html, /有效的考试合格证明/);
  t.match(page.html, /Valid certificate/);
  t.match(page.html, /张三/);
  t.match(page.html, /name="viewport"/, 'laid out for a phone');
  t.notMatch(page.html, /<script/i, 'no script');
  writeFileSync(join(ARTIFACTS, 'verify-valid.html'), page.html);
});

t.test('an edited field or a made-up code is not a certificate of this site', async (t) => {
  const bytes = Buffer.from(payload, 'base64url');
  const body = bytes.subarray(0, -64).toString('utf8');
  t.match(body, /^EC1\|[0-9a-f]{8}\|TEST-SITE-2026-000002\|张三\|440106\*{8}\d{3}[\dX]\|Z\|\|20260310\|20270310$/, `the signed body reads: ${body}`);
  const edits = {
    'valid until': body.replace('|20270310', '|20290310'),
    name: body.replace('张三', '张四'),
    category: body.replace('|Z|', '|T|'),
  };
  for (const [what, edited] of Object.entries(edits)) {
    const forged = Buffer.concat([Buffer.from(edited, 'utf8'), bytes.subarray(-64)]).toString('base64url');
    const v = await verify(forged);
    t.equal(v.code, 400, `${what} edited: refused`);
    t.match(v.body, { genuine: false, status: 'not_genuine', message: '不是本考点签发的有效证明' });
    t.notOk(v.body.certificate, 'and nothing of the record is shown');
    const page = await verifyPage(forged);
    t.match(page.html, /不是本考点签发的有效证明/, `${what} edited: the page says so`);
    t.notMatch(page.html, /张三/);
  }
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 1]! ^= 1;
  t.match((await verify(flipped.toString('base64url'))).body, { genuine: false });
  t.match((await verify('not-a-certificate')).body, { genuine: false, status: 'not_genuine' });
  t.equal((await verifyPage('%3Cscript%3E')).code, 400, 'characters outside base64url are refused');
  t.notMatch((await verifyPage('%3Cscript%3E')).html, /<script>/, 'and never echoed as markup');
  writeFileSync(join(ARTIFACTS, 'verify-refused.html'), (await verifyPage(Buffer.from(edits.name).toString('base64url') + 'A'.repeat(86))).html);
});

t.test('the published key checks a payload offline, with openssl as docs/records.md shows', async (t) => {
  const pem = await app.inject({ method: 'GET', url: '/.well-known/examroom-signing-key.pem' });
  t.equal(pem.statusCode, 200);
  t.match(pem.body, /^-----BEGIN PUBLIC KEY-----/);
  const json = (await app.inject({ method: 'GET', url: '/.well-known/examroom-signing-key.json' })).json() as { keyId: string; alg: string };
  t.equal(json.alg, 'Ed25519');
  t.ok(
    Buffer.from(payload, 'base64url')
      .toString('utf8')
      .includes(`|${json.keyId.slice(0, 8)}|`),
    'the payload names the key by its id',
  );
  const dir = scratchDir(t, 'examroom-offline-');
  const bytes = Buffer.from(payload, 'base64url');
  writeFileSync(join(dir, 'key.pem'), pem.body);
  writeFileSync(join(dir, 'body.bin'), bytes.subarray(0, -64));
  writeFileSync(join(dir, 'sig.bin'), bytes.subarray(-64));
  const ok = tool('openssl', [
    'pkeyutl',
    '-verify',
    '-pubin',
    '-inkey',
    join(dir, 'key.pem'),
    '-rawin',
    '-in',
    join(dir, 'body.bin'),
    '-sigfile',
    join(dir, 'sig.bin'),
  ]);
  t.match(ok, /Signature Verified Successfully/);
  writeFileSync(join(dir, 'body.bin'), Buffer.from(bytes.subarray(0, -64).toString('utf8').replace('张三', '张四')));
  const bad = spawnSync(
    'openssl',
    ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'key.pem'), '-rawin', '-in', join(dir, 'body.bin'), '-sigfile', join(dir, 'sig.bin')],
    {
      encoding: 'utf8',
    },
  );
  t.not(bad.status, 0, 'an edited body fails offline too');
});

t.test('staff: the list and the PDF are for admins and the invigilators of the room', async (t) => {
  const a = await app.inject({ method: 'GET', url: `/api/records/certificates?sessionId=${session.id}`, headers: { cookie: admin } });
  const list = (a.json() as { certificates: CertificateView[] }).certificates;
  t.same(
    list.map((c) => [c.number, c.idNumber, c.status]),
    [
      ['TEST-SITE-2026-000001', idn(3), 'valid'],
      [NUMBER, idn(1), 'valid'],
    ],
  );
  t.equal(list[1]!.verifyUrl, `${BASE}/${payload}`);
  const byPerson = await app.inject({ method: 'GET', url: `/api/records/certificates?idNumber=${idn(1)}`, headers: { cookie: admin } });
  t.same(
    (byPerson.json() as { certificates: CertificateView[] }).certificates.map((c) => c.number),
    [NUMBER],
  );
  const i = await app.inject({ method: 'GET', url: `/api/records/certificates?sessionId=${session.id}`, headers: { cookie: invig } });
  t.same(
    (i.json() as { certificates: CertificateView[] }).certificates.map((c) => c.idNumber),
    [maskIdNumber(idn(3)), maskIdNumber(idn(1))],
    'masked for an invigilator',
  );
  const other = await app.inject({ method: 'GET', url: `/api/records/certificates?sessionId=${session.id}`, headers: { cookie: invig2 } });
  t.same((other.json() as { certificates: CertificateView[] }).certificates, [], "another room's invigilator sees none");
  t.equal((await app.inject({ method: 'GET', url: `/api/records/certificates/${NUMBER}.pdf`, headers: { cookie: invig } })).statusCode, 200);
  const refused = await app.inject({ method: 'GET', url: `/api/records/certificates/${NUMBER}.pdf`, headers: { cookie: invig2 } });
  t.equal(refused.statusCode, 403);
  t.match(refused.json(), { message: /room R1; you invigilate R2/ });
  t.equal((await app.inject({ method: 'GET', url: '/api/records/certificates/TEST-SITE-2026-999999.pdf', headers: { cookie: admin } })).statusCode, 404);
});

t.test('the export for the issuing office: ZWFW fields as JSON and .xlsx, audited', async (t) => {
  const res = await app.inject({ method: 'GET', url: `/api/records/certificates/export?sessionId=${session.id}&format=json`, headers: { cookie: admin } });
  t.equal(res.statusCode, 200, res.body.slice(0, 200));
  const rows = (res.json() as { rows: Record<string, unknown>[] }).rows;
  t.match(rows[1], {
    name: '张三',
    sex: '男', // idn(1): sequence 001, odd
    idNumber: idn(1),
    licenceNumber: `T${idn(1)}`,
    category: '主要负责人',
    operationItem: '',
    industry: '机械',
    firstIssued: '2026-03-10',
    validUntil: '2027-03-10',
    issuingOffice: '广州市应急管理局',
    certificateNumber: NUMBER,
  });
  const x = await app.inject({ method: 'GET', url: `/api/records/certificates/export?sessionId=${session.id}&format=xlsx`, headers: { cookie: admin } });
  t.equal(x.statusCode, 200);
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  t.same((ws.getRow(1).values as unknown[]).slice(1, 5), ['姓名', '性别', '身份证号码', '证书编号']);
  t.equal(ws.getRow(3).getCell(4).value, `T${idn(1)}`, 'the licence number, as text');
  t.equal(ws.getRow(3).getCell(3).value, idn(1), 'the ID number as text, not a rounded number');
  t.equal(app.ctx.audit.list({ action: 'records.certificate.export' }).length, 2);
  t.equal(
    (await app.inject({ method: 'GET', url: `/api/records/certificates/export?sessionId=nope&format=json`, headers: { cookie: admin } })).statusCode,
    404,
  );
  t.equal(
    (await app.inject({ method: 'GET', url: `/api/records/certificates/export?sessionId=${session.id}&format=csv`, headers: { cookie: admin } })).statusCode,
    400,
  );
  t.equal((await app.inject({ method: 'GET', url: `/api/records/certificates/export?sessionId=${session.id}`, headers: { cookie: invig } })).statusCode, 403);
});

t.test('revocation: admin only, a reason required, audited; the verify page then says revoked', async (t) => {
  const url = `/api/records/certificates/${NUMBER}/revoke`;
  const blank = await app.inject({ method: 'POST', url, headers: { cookie: admin }, payload: { reason: '   ' } });
  t.equal(blank.statusCode, 400);
  t.match(blank.json(), { message: /reason/ });
  t.equal((await app.inject({ method: 'POST', url, headers: { cookie: admin }, payload: {} })).statusCode, 400);
  t.equal((await app.inject({ method: 'POST', url, headers: { cookie: invig }, payload: { reason: 'x' } })).statusCode, 403);
  t.equal((await verify(payload)).body.status, 'valid', 'a refused revocation changes nothing');

  clock.set(at('2026-04-02T15:00:00'));
  admin = await login(app, 'admin', PASSWORDS.admin); // the clock moved past the session's 12 hours
  const ok = await app.inject({ method: 'POST', url, headers: { cookie: admin }, payload: { reason: '考生冒名顶替，经调查属实' } });
  t.equal(ok.statusCode, 200, ok.body);
  t.match(ok.json(), { status: 'revoked', revokedBy: 'user:admin', revokedReason: '考生冒名顶替，经调查属实' });
  t.match(app.ctx.audit.list({ action: 'records.certificate.revoke' }), [
    { actor: 'user:admin', target: NUMBER, detail: { reason: '考生冒名顶替，经调查属实' } },
  ]);
  t.equal((await app.inject({ method: 'POST', url, headers: { cookie: admin }, payload: { reason: 'again' } })).statusCode, 409, 'revoked once only');

  const v = await verify(payload);
  t.equal(v.code, 200);
  t.match(v.body, {
    genuine: true,
    status: 'revoked',
    message: '证明已被撤销',
    certificate: { revokedOn: '2026-04-02', revokedReason: '考生冒名顶替，经调查属实' },
  });
  const page = await verifyPage(payload);
  t.match(page.html, /证明已被撤销/);
  t.match(page.html, /2026-04-02/);
  t.match(page.html, /考生冒名顶替/);
  writeFileSync(join(ARTIFACTS, 'verify-revoked.html'), page.html);
  const pdf = await app.inject({ method: 'GET', url: `/api/records/certificates/${NUMBER}.pdf`, headers: { cookie: admin } });
  writeFileSync(join(ARTIFACTS, 'certificate-revoked.pdf'), pdf.rawPayload);
  t.match(tool('pdftotext', ['-layout', join(ARTIFACTS, 'certificate-revoked.pdf'), '-']), /状态\s+已撤销/, 'a re-printed revoked certificate says so');
  const exported = await app.inject({ method: 'GET', url: `/api/records/certificates/export?sessionId=${session.id}&format=json`, headers: { cookie: admin } });
  t.same(
    (exported.json() as { rows: { certificateNumber: string }[] }).rows.map((r) => r.certificateNumber),
    ['TEST-SITE-2026-000001'],
    'a revoked certificate is not exported for licensing',
  );
});

t.test('expired: the day after the valid-until date, by the server clock', async (t) => {
  const c = app.records.certificates.get('TEST-SITE-2026-000001');
  clock.set(at('2027-03-10T23:59:59'));
  t.equal((await verify(c.payload)).body.status, 'valid', 'valid through the whole of the last day printed (有效期至 2027-03-10)');
  t.ok(clock.now() > c.validUntil, 'even after the hour of grading, which the paper does not show');
  clock.set(at('2027-03-11T00:00:00'));
  const v = await verify(c.payload);
  t.match(v.body, { genuine: true, status: 'expired', message: '证明已过有效期', certificate: { validUntil: '2027-03-10' } });
  const page = await verifyPage(c.payload);
  t.match(page.html, /证明已过有效期/);
  writeFileSync(join(ARTIFACTS, 'verify-expired.html'), page.html);
});

t.test('the CLI: list, revoke (reason required), export to a file', async (t) => {
  const out: string[] = [];
  const err: string[] = [];
  const run = (name: string, args: string[], values: Record<string, string> = {}) =>
    certificateCommands
      .find((c) => c.name === name)!
      .run({
        config: app.ctx.config,
        db: app.ctx.db,
        exam: app.exam,
        records: app.records,
        actor: 'cli:tester',
        args,
        values,
        out: (l) => out.push(l),
        err: (l) => err.push(l),
      });
  t.equal(await run('certificate list', [], { session: session.id }), 0);
  t.match(out.join('\n'), /TEST-SITE-2026-000001.*王五.*expired/);
  t.match(out.join('\n'), /TEST-SITE-2026-000002.*张三.*revoked/);
  t.equal(await run('certificate revoke', ['TEST-SITE-2026-000001']), 1, 'no --reason: usage');
  t.match(err.join('\n'), /--reason TEXT/);
  t.equal(await run('certificate revoke', ['TEST-SITE-2026-000001'], { reason: '数据录入错误' }), 0);
  t.match(app.ctx.audit.list({ action: 'records.certificate.revoke' })[0], { actor: 'cli:tester', target: 'TEST-SITE-2026-000001' });
  const file = join(s.dir, 'export.json');
  t.equal(await run('certificate export', [session.id], { format: 'json', out: file }), 0);
  t.same((JSON.parse(readFileSync(file, 'utf8')) as { rows: unknown[] }).rows, [], 'both revoked now: nothing to export');
  t.equal(await run('certificate export', [session.id], { format: 'pdf' }), 1);
});

t.test('the archive part: every certificate PDF, the JSON list and the public key', async (t) => {
  const part = app.records.archiveParts.list().find((p) => p.id === 'certificates');
  t.ok(part, 'registered as archive part `certificates`');
  const members = [];
  for await (const m of part!.members({ sessionId: session.id, withMedia: false, now: clock.now() })) members.push(m);
  t.same(
    members.map((m) => m.path),
    [
      'certificates/certificates.json',
      'certificates/signing-key.pem',
      'certificates/signing-key.json',
      'certificates/TEST-SITE-2026-000001.pdf',
      'certificates/TEST-SITE-2026-000002.pdf',
    ],
  );
  const list = JSON.parse((members[0]!.source as Buffer).toString('utf8')) as { certificates: { number: string; status: string; payload: string }[] };
  t.match(list.certificates, [{ status: 'revoked' }, { status: 'revoked', payload }]);
  t.ok(members[3]!.encrypted && isSealed(members[3]!.source as Buffer), 'the PDF (it shows the photo) is sealed in the archive');
  t.ok(
    app.records.deps.faceVault
      .open(members[3]!.source as Buffer, 'cert')
      .subarray(0, 5)
      .equals(Buffer.from('%PDF-')),
  );
});

t.test('the public endpoints are rate-limited per address', async (t) => {
  let limited = 0;
  for (let i = 0; i < 45; i++) if ((await app.inject({ method: 'GET', url: `/api/records/verify/${payload}` })).statusCode === 429) limited++;
  t.ok(limited > 0, `${limited} of 45 quick requests answered 429`);
});

t.test('records config: the verify address defaults to the first server name under TLS; a bad one is refused', async (t) => {
  const withTls = (extra: string) =>
    parseConfig(
      TEST_CONFIG_YAML.replace('server: { host: 127.0.0.1, port: 0 }', `server: { host: 0.0.0.0, port: 8443, tls: site-ca, names: [examroom.lan] }`) + extra,
      {
        dataDir: '/tmp/x',
      },
    );
  t.equal(verifyBaseUrl(withTls('')), 'https://examroom.lan:8443/verify');
  t.equal(verifyBaseUrl(withTls('records: { verifyBaseUrl: "https://exam.gd.gov.cn/verify/" }\n')), 'https://exam.gd.gov.cn/verify');
  t.equal(verifyBaseUrl(testConfig('/tmp/x')), 'http://127.0.0.1:0/verify', 'plain HTTP: the listen address');
  t.equal(withTls('').records.certificatePrefix, 'TEST-SITE', 'the prefix defaults to site.id in capitals');
  t.throws(() => withTls('records: { verifyBaseUrl: "ftp://x/verify" }\n'), ConfigError);
  t.throws(() => withTls('records: { verifyBaseUrl: "https://x/verify?a=1" }\n'), ConfigError);
  t.throws(() => withTls('records: { certificatePrefix: "a b" }\n'), ConfigError);
});

t.test('certificates signed by a key that is no longer in the keys folder are found (and said at start)', async (t) => {
  t.same(s.app.records.certificates.foreignlySigned().count, 0, 'every certificate is signed by the keys folder key');
  // The same data with another keys folder, as after a move of paths.keys without `examroom keys import`.
  const other = testConfig(s.app.ctx.config.paths.data, `paths: { keys: ${JSON.stringify(join(s.dir, 'other-keys'))} }\n`);
  const lines: string[] = [];
  const { pino } = await import('pino');
  const logger = pino({ level: 'error' }, { write: (l: string) => void lines.push(l) });
  // The face key moves along (without it the start refuses: storage/face-vault.ts); the signing key does not.
  writeKeyFile(ensureKeysFolder(other.paths.keys), FACE_KEY_FILE, readKeyFile(s.app.ctx.config.paths.keys, FACE_KEY_FILE)!);
  const moved = await buildTestApp({ config: other, clock: s.clock, logger });
  await moved.ready();
  t.teardown(() => moved.close());
  const found = moved.records.certificates.foreignlySigned();
  t.ok(found.count >= 2, `the passes' certificates are signed by the old key (${found.count})`);
  t.not(found.keyIds[0], found.current);
  t.ok(
    lines.some((l) => l.includes('signed by a site key that is not in the keys folder')),
    'the start says so loudly',
  );
});
