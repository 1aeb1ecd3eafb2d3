// 一人一档, the person file, through the real app (real SQLite, app.inject): a candidate who failed, took
// the 补考 and failed again, with a roster photo, kiosk checks with their captures, an incident and a
// training class. JSON and PDF (read back with poppler; the pages kept in tests/artifacts/records/ and
// looked at), who may read it, the audit of each read, the CLI command, and the archive part `people`.
// Kiosk checks and training sittings are written as rows: the face engine would cost this file tens of
// seconds of model loading and is tested in tests/kiosk; everything the person file reads is real.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedClock } from '../../core/index.ts';
import type { App } from '../../server/app.ts';
import { personCommands } from '../../records/people/index.ts';
import { PASSWORDS, ROOT, login, scratchDir, testConfig, buildTestApp } from '../helpers.ts';
import { TEMPLATE, bankQuestions, csv, idn, person, rightAnswers } from '../exam/plans-fixture.ts';
import { isSealed } from '../../storage/index.ts';

const at = (local: string) => Date.parse(`${local}+08:00`);
const ART = join(ROOT, 'tests', 'artifacts', 'records');
const FACES = join(ROOT, 'tests', 'fixtures', 'faces');
const A = idn(1); // failed, retook, failed again; photo; kiosk checks; incident; training
const B = idn(2); // passed at the first sitting

let app: App;
let clock: ReturnType<typeof fixedClock>;
let dir: string;
let first: string;
let retake: string;
let cookies: Record<'admin' | 'invig' | 'gd', string>;

async function sit(day: string, rows: string[][], grade: Record<string, boolean>, photosDir: string | null, during?: (sessionId: string) => Promise<void>) {
  const plans = app.exam.plans;
  const plan = plans.listPlans()[0] ?? plans.createPlan({ name: '2026年主要负责人考试', from: '2026-03-01', to: '2026-12-31' }, 'user:admin');
  const s = plans.createSession({ planId: plan.id, room: 'R1', startsAt: `${day}T09:00`, templateId: TEMPLATE.id }, 'user:admin');
  await plans.importRoster(s.id, { bytes: csv(rows), filename: 'roster.csv', photosDir }, 'user:admin');
  plans.assignSeats(s.id, 'user:admin');
  plans.generateSessionPapers(s.id, 'user:admin');
  plans.advanceSession(s.id, 'checkin', 'user:admin');
  plans.advanceSession(s.id, 'in_progress', 'user:admin');
  clock.set(at(`${day}T09:30:00`));
  await during?.(s.id);
  clock.set(at(`${day}T10:00:00`));
  for (const [id, pass] of Object.entries(grade)) plans.gradeCandidate(s.id, id, pass ? rightAnswers({ plans } as never, s.id, id) : {});
  plans.advanceSession(s.id, 'ended', 'user:admin');
  plans.advanceSession(s.id, 'graded', 'user:admin');
  return s.id;
}

/** A kiosk check as the kiosk stores it, its capture a real face photo in captures/. */
function kioskCheck(sessionId: string | null, when: number, decision: 'admitted' | 'overridden', photo: string, extra: Record<string, unknown> = {}) {
  const rel = `kiosk/${sessionId ?? 'training'}-${when}.jpg`;
  mkdirSync(join(app.ctx.paths.captures, 'kiosk'), { recursive: true });
  copyFileSync(join(FACES, photo), join(app.ctx.paths.captures, rel));
  app.ctx.db
    .prepare(
      `INSERT INTO identity_attempts (id, kiosk_id, session_id, id_number, source, challenge, roster_photo, started_at, expires_at, decided_at, decision,
         distance, threshold, seat, capture, override_by, override_reason, class_id, action)
       VALUES (@id, 'K1', @sessionId, @idNumber, 'card', 'blink', NULL, @when, @when + 300000, @when + 20000, @decision, @distance, 0.5, @seat, @rel,
         @overrideBy, @overrideReason, @classId, @action)`,
    )
    .run({
      id: `att-${when}`,
      sessionId,
      idNumber: A,
      when,
      decision,
      distance: decision === 'admitted' ? 0.31 : 0.62,
      seat: sessionId ? '01' : null,
      rel,
      overrideBy: decision === 'overridden' ? 'user:invig' : null,
      overrideReason: decision === 'overridden' ? '光线太暗，人工核对身份证一致' : null,
      classId: null,
      action: null,
      ...extra,
    });
}

t.before(async () => {
  dir = scratchDir(t);
  clock = fixedClock(at('2026-02-01T09:00:00'));
  app = await buildTestApp({ config: testConfig(dir), clock });
  await app.ready();
  app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });

  // A training class in February, two days attended (one 4 h of the 8 scheduled, one full day).
  const training = app.training;
  const cls = training.classes.create(
    { name: '主要负责人初训班（2026-02）', institution: '广州市安全培训中心', startsOn: '2026-02-02', endsOn: '2026-02-05', dailyHours: 8 },
    'user:admin',
  );
  training.members.add(
    training.system,
    cls.id,
    [
      { idNumber: A, name: '张三' },
      { idNumber: idn(3), name: '王五' },
    ],
    'user:admin',
  );
  // Day sittings (a class with dailyHours has one whole-day lesson a day, credited by the old rule).
  const event = app.ctx.db.prepare(
    "INSERT INTO training_events (class_id, lesson_id, id_number, kind, at, attempt_id, via, actor) VALUES (?, ?, ?, ?, ?, 'x', 'face', 'device:K1')",
  );
  const sitting = (day: string, inAt: number, outAt: number) => {
    event.run(cls.id, `tl_${cls.id}_${day}`, A, 'sign_in', inAt);
    event.run(cls.id, `tl_${cls.id}_${day}`, A, 'sign_out', outAt);
  };
  sitting('2026-02-02', at('2026-02-02T08:30:00'), at('2026-02-02T12:30:00'));
  sitting('2026-02-03', at('2026-02-03T08:00:00'), at('2026-02-03T18:00:00'));
  kioskCheck(null, at('2026-02-02T08:30:00'), 'admitted', 'Alejandro_Toledo_0021.jpg', { classId: cls.id, action: 'check_in' });

  const photos = join(dir, 'photos');
  mkdirSync(photos);
  copyFileSync(join(FACES, 'Alejandro_Toledo_0023.jpg'), join(photos, 'zhang.jpg'));
  clock.set(at('2026-03-01T09:00:00'));
  first = await sit('2026-03-10', [person(1, '张三', { photo: 'zhang.jpg' }), person(2, '李四')], { [A]: false, [B]: true }, photos, async (sessionId) => {
    kioskCheck(sessionId, at('2026-03-10T08:40:00'), 'admitted', 'Alejandro_Toledo_0027.jpg');
    const res = await app.inject({
      method: 'POST',
      url: `/api/proctor/sessions/${sessionId}/incidents`,
      headers: { cookie: await login(app, 'invig', PASSWORDS.invig) },
      payload: { category: 'crib_notes', note: '桌面下发现写有答案的纸条，已收缴', candidate: A },
    });
    if (res.statusCode !== 201) throw new Error(`incident: ${res.statusCode} ${res.body}`);
  });
  clock.set(at('2026-03-12T09:00:00'));
  retake = await sit('2026-03-20', [person(1, '张三')], { [A]: false }, null, async (sessionId) => {
    kioskCheck(sessionId, at('2026-03-20T08:45:00'), 'overridden', 'Alejandro_Toledo_0021.jpg');
  });
  clock.set(at('2026-03-21T09:00:00'));
  // Logged in on the day the tests read (a log-in lasts security.sessionHours of the fixed clock).
  cookies = { admin: await login(app, 'admin', PASSWORDS.admin), invig: await login(app, 'invig', PASSWORDS.invig), gd: await login(app, 'gd', PASSWORDS.gd) };
});
t.teardown(() => app?.close());

const get = (url: string, who: keyof typeof cookies | null = 'admin') => app.inject({ method: 'GET', url, headers: who ? { cookie: cookies[who] } : {} });

t.test('the JSON file: every session with its result, the retake and the rule, training, checks, incidents', async (t) => {
  const res = await get(`/api/records/people/${A.slice(0, 6)} ${A.slice(6).toLowerCase()}`);
  t.equal(res.statusCode, 200, res.body);
  const f = res.json();
  t.match(f, {
    format: 'examroom-person-file/1',
    idNumber: A,
    name: '张三',
    photo: /^roster\/.+\.jpg$/,
    madeAt: '2026-03-21T01:00:00.000Z',
    sessionId: null,
    validPasses: [],
  });
  t.match(f.exams, [
    {
      sessionId: first,
      startsAt: '2026-03-10T01:00:00.000Z',
      attempt: 1,
      retake: 0,
      status: 'submitted',
      seat: /^0\d$/,
      rule: { path: 'rules.principal', configured: false, retakesAfterFail: 1, retrainAfterFails: 2, resultValidityMonths: 12 },
      ruleText: '不合格可补考 1 次 · 连续 2 次不合格须重新培训 · 合格成绩有效 12 个月',
      result: { score: 0, total: 100, passed: false, gradedAt: '2026-03-10T02:00:00.000Z', validUntil: null },
    },
    { sessionId: retake, attempt: 2, retake: 1, result: { passed: false } },
  ]);
  t.match(f.training, {
    source: 'training',
    note: /本机培训模块/,
    classes: [{ name: '主要负责人初训班（2026-02）', attendedHours: 12, daysAttended: 2, daysWithoutCheckOut: 0, memberName: '张三' }],
    totalAttendedHours: 12,
    required: [{ path: 'rules.principal', initial: 32, refresher: 12 }],
  });
  // Neither attempt passed, so there is no certificate; the certificates part is installed.
  t.match(f.certificates, { available: true, note: null, items: [] });
  t.equal(f.identityChecks.length, 3);
  t.match(f.identityChecks, [
    { sessionId: null, action: 'check_in', decision: 'admitted', capture: /^kiosk\// },
    { sessionId: first, decision: 'admitted', distance: 0.31, startedAt: '2026-03-10T00:40:00.000Z' },
    { sessionId: retake, decision: 'overridden', overrideBy: 'user:invig', overrideReason: /人工核对/ },
  ]);
  t.match(f.incidents, [{ sessionId: first, category: 'crib_notes', categoryText: { zh: '夹带' }, note: /纸条/, recordedBy: 'user:invig' }]);

  const b = (await get(`/api/records/people/${B}`)).json();
  t.match(b.validPasses, [{ sessionId: first, validUntil: '2027-03-10T02:00:00.000Z' }], 'a valid pass is listed');
  t.same(b.identityChecks, []);

  const trainee = (await get(`/api/records/people/${idn(3)}`)).json();
  t.match(trainee, { name: '王五', exams: [], training: { classes: [{ attendedHours: 0, daysAttended: 0 }], required: [] } }, 'in a class, never on a roster');
});

t.test('admins only, every read audited; a bad or unknown number says which', async (t) => {
  const before = app.ctx.audit.list({ action: 'records.person.read' }).length;
  t.equal((await get(`/api/records/people/${A}`, 'invig')).statusCode, 403, 'an invigilator: the file spans rooms they do not invigilate');
  t.equal((await get(`/api/records/people/${A}/file.pdf`, 'gd')).statusCode, 403, 'an inspector');
  t.equal((await get(`/api/records/people/${A}`, null)).statusCode, 401);
  const bad = await get(`/api/records/people/${A.slice(0, 17)}0`);
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { message: /check digit \(the last character\) should be/ });
  const unknown = await get(`/api/records/people/${idn(77)}`);
  t.equal(unknown.statusCode, 404);
  t.match(unknown.json(), { message: `no person file for ID number ${idn(77)}: never on a roster, in a training class or at a kiosk` });
  t.equal(app.ctx.audit.list({ action: 'records.person.read' }).length, before, 'refused and failed reads are not reads');
  await get(`/api/records/people/${A}`);
  const entry = app.ctx.audit.list({ action: 'records.person.read' }).at(0);
  t.match(entry, { actor: 'user:admin', target: A, detail: { format: 'json', exams: 2, identityChecks: 3 } });
});

t.test('the PDF: A4, Chinese text of every section, the photos; pages kept as PNG', async (t) => {
  const res = await get(`/api/records/people/${A}/file.pdf`);
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'application/pdf');
  t.match(app.ctx.audit.list({ action: 'records.person.read' }).at(0), { detail: { format: 'pdf' } });
  const out = join(dir, 'person.pdf');
  writeFileSync(out, res.rawPayload);
  const info = execFileSync('pdfinfo', [out], { encoding: 'utf8' });
  t.match(info, /Page size:\s+595\.2\d? x 841\.8\d? pts \(A4\)/);
  const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' });
  for (const s of [
    '一人一档',
    '张三',
    A,
    '考试记录',
    '2026-03-10',
    '2026-03-20',
    '0/100',
    '不合格',
    '第 1 次补考',
    '首次考试',
    '主要负责人（全国默认）',
    '本机培训模块',
    '主要负责人初训班',
    '合计计入学时：12',
    '初训 32',
    '无证书',
    '身份核验',
    '核验通过',
    '人工放行',
    '光线太暗',
    '违纪记录',
    '夹带',
    '纸条',
    '09:30',
    '培训签到',
  ])
    t.ok(text.replace(/\s+/g, '').includes(s.replace(/\s+/g, '')), `the PDF says ${s}`);
  t.notOk(/rules\./.test(text), 'no config key in the text: the rule is named in words');
  t.match(text, /规定学时：主要负责人 初训 32/, 'the required hours name the category in words');
  t.match(text, /考场 · 座位/, 'the seat column header on one line');
  t.match(text, /2026-03-10 /, 'the exam date on one line');
  const images = execFileSync('pdfimages', ['-list', out], { encoding: 'utf8' }).trim().split('\n').slice(2);
  t.ok(images.length >= 4, `the roster photo, the latest capture and the three captures are drawn (${images.length} images)`);
  // Only this file's pictures are replaced: other test files write beside them at the same time.
  mkdirSync(ART, { recursive: true });
  for (const f of readdirSync(ART)) if (f.startsWith('person-file-')) rmSync(join(ART, f), { force: true });
  execFileSync('pdftoppm', ['-png', '-r', '60', out, join(ART, 'person-file')]);
  const pages = readdirSync(ART).filter((f) => f.startsWith('person-file'));
  t.ok(pages.length >= 1, `pages rendered: ${pages.join(', ')}`);
  t.ok(readFileSync(join(ART, pages[0]!)).length > 10_000, 'the first page is not blank');
});

t.test("a passed result's certificate, issued by records/certificates, is in the person file", async (t) => {
  const result = app.exam.plans.personRecord(B).exams[0]!.result!;
  const issued = app.ctx.db.prepare('SELECT number FROM certificates WHERE result_id = ?').get(result.id) as { number: string } | undefined;
  t.ok(issued, 'the pass was given a certificate when it was graded');
  const f = (await get(`/api/records/people/${B}`)).json();
  t.match(f.certificates, { available: true, note: null, items: [{ number: issued?.number, sessionId: first, validUntil: '2027-03-10T02:00:00.000Z' }] });
  t.same((await get(`/api/records/people/${A}`)).json().certificates, { available: true, note: null, items: [] });
  const res = await get(`/api/records/people/${B}/file.pdf`);
  const out = join(dir, 'person-b.pdf');
  writeFileSync(out, res.rawPayload);
  const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' });
  t.match(text, /100\/100/, 'a full score on one line');
  t.ok(issued && text.includes(issued.number), `the certificate number ${issued?.number} on one line, unbroken`);
  mkdirSync(ART, { recursive: true });
  execFileSync('pdftoppm', ['-png', '-r', '60', out, join(ART, 'person-file-certificate')]);
});

t.test('examroom person show ID [--pdf FILE]', async (t) => {
  const lines: string[] = [];
  const errs: string[] = [];
  const pdf = join(dir, 'cli.pdf');
  const ctx = {
    config: app.ctx.config,
    db: app.ctx.db,
    exam: app.exam,
    records: app.records,
    actor: 'cli:tester',
    args: [A],
    values: { pdf },
    out: (l: string) => lines.push(l),
    err: (l: string) => errs.push(l),
  };
  const show = personCommands.find((c) => c.name === 'person show')!;
  t.equal(await show.run(ctx as never), 0);
  t.same(lines, [
    `张三 ${A}`,
    `  2026-03-10  ${first}  首次  0/100 不合格  [rules.principal]`,
    `  2026-03-20  ${retake}  第1次补考  0/100 不合格  [rules.principal]`,
    '  培训 1 班，计入 12 学时；身份核验 3 次；违纪 1 条',
  ]);
  t.same(errs, [`wrote ${pdf}`]);
  t.equal(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');
  t.match(app.ctx.audit.list({ action: 'records.person.read' }).at(0), { actor: 'cli:tester', detail: { format: 'pdf' } });
  t.equal(await show.run({ ...ctx, args: [] } as never), 1);
});

t.test("archive part people: each candidate's file cut to the session, JSON and PDF", async (t) => {
  const part = app.records.archiveParts.list().find((p) => p.id === 'people')!;
  t.ok(part, 'the part is listed');
  const members = [];
  for await (const m of part.members({ sessionId: first, withMedia: false, now: clock.now() })) members.push(m);
  t.same(members.map((m) => m.path).sort(), [`people/${A}.json`, `people/${A}.pdf`, `people/${B}.json`, `people/${B}.pdf`]);
  const a = JSON.parse((members.find((m) => m.path === `people/${A}.json`)!.source as Buffer).toString());
  t.match(a, { sessionId: first, exams: [{ sessionId: first, retake: 0 }] });
  t.equal(a.exams.length, 1, 'only this session');
  t.same(
    a.identityChecks.map((c: { sessionId: string }) => c.sessionId),
    [first],
    'only the checks of this session',
  );
  t.equal(a.incidents.length, 1);
  t.equal(a.training.classes.length, 1, 'training finished before the exam day is carried');
  const sealed = members.find((m) => m.path === `people/${A}.pdf`)!;
  t.ok(sealed.encrypted && isSealed(sealed.source as Buffer), 'the PDF (it shows photos) is sealed in the archive');
  const pdf = app.records.deps.faceVault.open(sealed.source as Buffer, 'people part');
  const file = join(dir, 'part.pdf');
  writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
  t.ok(text.includes('本场考试部分') && text.includes(first) && !text.includes('2026-03-20'), 'the PDF is the session part');
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, join(ART, 'person-part')]);
  const controller = new AbortController();
  controller.abort();
  const it = part.members({ sessionId: first, withMedia: false, now: clock.now(), signal: controller.signal });
  await t.rejects(
    (async () => {
      for await (const _ of it) void _;
    })(),
    { name: 'AbortError' },
    'a cancelled archive stops the part',
  );
});
