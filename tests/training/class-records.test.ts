// After a training class (training/report, training/ratings, training/archive): a one-day class of four
// lessons and two teachers, members with real face photos (tests/fixtures/faces) signing in and out
// through the kiosk API with their photos as the live capture — one all day, one leaving at noon, one
// never coming. Then the district report (content, PDF read back with poppler and rendered, .xlsx read
// back, the 班主任's sign-off that freezes it), the teacher ratings (kiosk and phone, once per trainee per
// teacher, nobody who did not attend, summaries without names) and the class file (一期一档: every part,
// verified, a changed byte named — by the checker and by `examroom archive verify`).
import t from 'tap';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { checkArchive, loadSiteSigner } from '../../documents/index.ts';
import { recordedSources } from '../../media/index.ts';
import { createMediaStore, type Db } from '../../storage/index.ts';
import { PASSWORDS, ROOT, cheapHash, login, scratchDir } from '../helpers.ts';
import { TEMPLATE, idn } from '../exam/plans-fixture.ts';
import { FACES, acceptNotice, kioskSite, turnFrames } from '../kiosk/fixture.ts';

const run = promisify(execFile);
const at = (s: string) => Date.parse(`${s}+08:00`);
const HEAD_PASS = 'head-pass-1234';
const ARTIFACTS = join(ROOT, 'tests', 'artifacts', 'training');

const M = {
  toledo: {
    id: idn(41),
    name: '托莱多',
    photo: 'Alejandro_Toledo_0023.jpg',
    frames: (c: string) => turnFrames('Alejandro_Toledo_0027.jpg', 'Alejandro_Toledo_0021.jpg', 1, c),
  },
  straw: {
    id: idn(42),
    name: '斯特劳',
    photo: 'Jack_Straw/Jack_Straw_0028.jpg',
    frames: (c: string) => turnFrames('Jack_Straw/Jack_Straw_0028.jpg', 'Jack_Straw/Jack_Straw_0003.jpg', 1, c),
  },
  figo: { id: idn(43), name: '菲戈', photo: 'Luis_Figo/Luis_Figo_0002.jpg' },
};
const LESSONS = [
  ['08:30', '10:30', '安全生产法律法规', 0],
  ['10:40', '12:40', '安全生产管理制度', 0],
  ['14:00', '16:00', '事故应急救援', 1],
  ['16:10', '18:10', '典型事故案例分析', 1],
] as const;

t.test('district report, teacher ratings and the class file of a one-day class', async (t) => {
  t.setTimeout(170_000);
  const k = await kioskSite(t, {
    consent: 'accept',
    configure: (c) => {
      c.users = [
        ...(c.users ?? []),
        { username: 'head1', role: 'headteacher', displayName: '王老师', passwordHash: cheapHash(HEAD_PASS) },
        { username: 'head2', role: 'headteacher', passwordHash: cheapHash(HEAD_PASS) },
      ];
    },
  });
  const call = async (who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    // A log-in per call: the test's clock jumps days, past a session's life.
    const cookie = who === 'admin' ? await login(k.app, 'admin', PASSWORDS.admin) : await login(k.app, who, HEAD_PASS);
    const r = await k.app.inject({ method, url, headers: { cookie, ...headers }, ...(payload !== undefined ? { payload: payload as string } : {}) });
    const type = String(r.headers['content-type']);
    return { status: r.statusCode, body: type.includes('json') ? r.json() : r.rawPayload, headers: r.headers };
  };
  const anon = async (url: string, payload: unknown) => {
    const r = await k.app.inject({ method: 'POST', url, payload: payload as object });
    return { status: r.statusCode, body: r.json() };
  };

  // ── The class: two teachers, four lessons of 2 学时, three members with photos ───────────────
  k.clock.set(at('2026-03-05T09:00'));
  const teachers: string[] = [];
  for (const name of ['李建国', '陈红']) {
    const r = await call('admin', 'POST', '/api/training/teachers', { name, title: '高级工程师', qualification: '安全工程' });
    t.equal(r.status, 201);
    teachers.push(r.body.id);
  }
  const cls = await call('admin', 'POST', '/api/training/classes', {
    name: '2026年第5期主要负责人培训班',
    institution: '广州市安全培训中心',
    category: 'principal',
    roomId: 'R1',
    startsOn: '2026-03-10',
    endsOn: '2026-03-10',
    requiredHours: 8,
    headteacher: 'head1',
  });
  t.equal(cls.status, 201, JSON.stringify(cls.body));
  const classId = cls.body.id as string;
  const lessons: string[] = [];
  for (const [start, end, topic, ti] of LESSONS) {
    const r = await call('admin', 'POST', `/api/training/classes/${classId}/lessons`, {
      day: '2026-03-10',
      start,
      end,
      topic,
      teacherId: teachers[ti],
      hours: 2,
    });
    t.equal(r.status, 201, JSON.stringify(r.body));
    lessons.push(r.body.id);
  }
  const photos = join(scratchDir(t), 'photos');
  mkdirSync(photos);
  for (const m of Object.values(M)) copyFileSync(join(FACES, m.photo), join(photos, m.photo.split('/').pop()!));
  const csv = ['身份证号,姓名,工作单位,照片', ...Object.values(M).map((m) => `${m.id},${m.name},广州机械厂,${m.photo.split('/').pop()}`)].join('\n');
  const mem = await call('admin', 'POST', `/api/training/classes/${classId}/members?filename=学员.csv&photos=${encodeURIComponent(photos)}`, csv, {
    'content-type': 'text/csv',
  });
  t.match(mem.body, { added: 3, photos: 3 });
  await k.app.kiosk.identity.idle();

  // ── The day at the kiosk ────────────────────────────────────────────────────────────────────
  const sign = async (who: typeof M.toledo, action: 'check_in' | 'check_out', when: string) => {
    k.clock.set(at(`2026-03-10T${when}`));
    const l = (
      await k.app.inject({
        method: 'POST',
        url: `/api/kiosk/training/${classId}/lookup`,
        headers: k.headers,
        payload: { source: 'typed', idNumber: who.id, action },
      })
    ).json();
    if (!l.ok) throw new Error(JSON.stringify(l));
    await acceptNotice(k.app, k.headers, l);
    const r = (await k.post(`/api/kiosk/attempts/${l.attemptId}/verify`, { frames: await who.frames(l.challenge) })).body;
    if (r.decision !== (action === 'check_in' ? 'checked_in' : 'checked_out')) throw new Error(JSON.stringify(r));
    return r as { attemptId: string; lastLessonOfTeacher: boolean };
  };
  const offer = (attemptId: string) => k.post('/api/kiosk/training/ratings/offer', { attemptId });

  await sign(M.toledo, 'check_in', '08:20');
  await sign(M.straw, 'check_in', '08:21');
  const tOut1 = await sign(M.toledo, 'check_out', '10:29');
  await sign(M.straw, 'check_out', '10:29');
  const early = await offer(tOut1.attemptId);
  t.same(early.body.teachers, [], "after the first lesson nothing is offered: 李建国's last lesson is the next one");

  await sign(M.toledo, 'check_in', '10:35');
  await sign(M.straw, 'check_in', '10:36');
  const tOut2 = await sign(M.toledo, 'check_out', '12:39');
  t.equal(tOut2.lastLessonOfTeacher, true);
  const o1 = await offer(tOut2.attemptId);
  t.equal(o1.status, 200, JSON.stringify(o1.body));
  t.same(
    o1.body.teachers.map((x: { teacherName: string }) => x.teacherName),
    ['李建国'],
  );
  t.match(o1.body.teachers[0].ratePath, /^\/rate\/#t=[A-Za-z0-9_-]{32}$/);
  const o1again = await offer(tOut2.attemptId);
  const [tokenKiosk, tokenPhone] = [o1.body.teachers[0].token as string, o1again.body.teachers[0].token as string];
  t.not(tokenKiosk, tokenPhone, 'each offer is a fresh token (the kiosk screen and a later QR)');
  const rated = await k.post('/api/kiosk/training/ratings', { token: tokenKiosk, score: 5, comment: '讲得清楚，案例实用' });
  t.match(rated, { status: 200, body: { ok: true, teacherName: '李建国' } });

  t.test('a second rating by the same trainee is refused', async (t) => {
    const again = await anon('/api/training/rate', { token: tokenPhone, score: 1 });
    t.equal(again.status, 409);
    t.equal(again.body.error, 'already_rated');
    const reuse = await k.post('/api/kiosk/training/ratings', { token: tokenKiosk, score: 1 });
    t.equal(reuse.status, 409, 'the spent token, again');
    const staff = await call('head1', 'POST', `/api/training/classes/${classId}/ratings/tokens`, { idNumber: M.toledo.id, teacherId: teachers[0] });
    t.equal(staff.body.error, 'already_rated', 'and no new code is made for it');
    t.same((await offer(tOut2.attemptId)).body.teachers, [], 'nor offered again');
  });

  const sOut2 = await sign(M.straw, 'check_out', '12:39');
  const o2 = await offer(sOut2.attemptId);
  const strawToken = o2.body.teachers[0].token as string;
  const ticket = await anon('/api/training/rate/ticket', { token: strawToken });
  t.match(ticket.body, {
    state: 'open',
    teacherName: '李建国',
    traineeName: '斯**',
    lessons: ['2026-03-10 08:30 安全生产法律法规', '2026-03-10 10:40 安全生产管理制度'],
  });
  t.match(await anon('/api/training/rate', { token: strawToken, score: 3, comment: '节奏偏快' }), { status: 200 });
  t.equal((await anon('/api/training/rate/ticket', { token: strawToken })).body.state, 'used');
  t.equal((await anon('/api/training/rate', { token: 'x'.repeat(32), score: 3 })).status, 404, 'a made-up code');

  t.test('a rating code for a trainee who did not attend is refused', async (t) => {
    const r = await call('head1', 'POST', `/api/training/classes/${classId}/ratings/tokens`, { idNumber: M.figo.id, teacherId: teachers[0] });
    t.equal(r.status, 409);
    t.equal(r.body.error, 'did_not_attend');
    t.equal(k.app.ctx.db.prepare('SELECT COUNT(*) FROM training_rating_tokens WHERE id_number = ?').pluck().get(M.figo.id), 0, 'no token was made');
    const other = await offer('a_not_a_sign_out');
    t.equal(other.body.error, 'not_signed_out', 'the kiosk offers only after a sign-out it made');
  });

  await sign(M.toledo, 'check_in', '13:50');
  await sign(M.toledo, 'check_out', '15:59');
  await sign(M.toledo, 'check_in', '16:05');
  const notYet = await call('head1', 'POST', `/api/training/classes/${classId}/report/sign-off`);
  t.match(notYet, { status: 409, body: { error: 'class_not_ended' } }, 'no sign-off before the last lesson ends');
  // 17:00, the last lesson (16:10–18:10) running: in progress — nobody has missed it, its 学时 are not held yet.
  k.clock.set(at('2026-03-10T17:00'));
  t.test('a lesson in progress is neither missed in the report nor counted as held', async (t) => {
    const hours = (await call('head1', 'GET', `/api/training/classes/${classId}/hours`)).body;
    t.equal(hours.heldHours, 6, 'held: the three ended lessons (6 学时), not the running one');
    t.same(
      hours.lessons.map((l: { held: boolean }) => l.held),
      [true, true, true, false],
    );
    t.same(
      hours.lessons.map((l: { inProgress: boolean }) => l.inProgress),
      [false, false, false, true],
      'the running one is in progress (进行中)',
    );
    t.equal(hours.inProgressHours, 2, 'its 学时 are in progress');
    const r = (await call('head1', 'GET', `/api/training/classes/${classId}/report`)).body;
    const straw = r.report.short.find((x: { name: string }) => x.name === M.straw.name);
    t.same(straw.lessonsMissed, ['2026-03-10 14:00 事故应急救援'], 'the ended afternoon lesson is missed; the running one is not');
    const absent = (await call('head1', 'GET', `/api/training/classes/${classId}/absences`)).body;
    t.notOk(JSON.stringify(absent).includes(lessons[3]!), 'the absence list has nothing of the running lesson');
  });
  const tOut4 = await sign(M.toledo, 'check_out', '18:09');
  const o4 = await offer(tOut4.attemptId);
  t.same(
    o4.body.teachers.map((x: { teacherName: string }) => x.teacherName),
    ['陈红'],
    'after the last lesson: the second teacher only (the first is rated)',
  );
  await k.post('/api/kiosk/training/ratings', { token: o4.body.teachers[0].token, score: 4 });

  // A recording of the room (terminal T1's screen) covering part of the first lesson: the class file's video index.
  const screen = recordedSources(k.app.ctx.config).find((s) => s.room === 'R1')!;
  const media = createMediaStore(k.app.ctx.db);
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  media.addSegment({
    sourceId: screen.id,
    start: at('2026-03-10T08:30'),
    end: at('2026-03-10T09:00'),
    bytes: 1000,
    path: `${screen.id}/a.ts`,
    sha256: sha('a'),
  });
  media.addSegment({
    sourceId: screen.id,
    start: at('2026-03-10T09:00'),
    end: at('2026-03-10T10:00'),
    bytes: 2000,
    path: `${screen.id}/b.ts`,
    sha256: sha('b'),
  });

  // The class's exam.
  const plans = k.app.exam.plans;
  const plan = plans.createPlan({ name: '培训班考试', from: '2026-03-12', to: '2026-03-31' }, 'user:admin');
  const session = plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-13T09:00', templateId: TEMPLATE.id }, 'user:admin');
  t.equal((await call('admin', 'PUT', `/api/training/sessions/${session.id}/class`, { classId })).status, 200);

  // ── The district report ─────────────────────────────────────────────────────────────────────
  k.clock.set(at('2026-03-10T20:00'));
  t.test('the report lists who fell short (with their hours) and who never came, as counted by hand', async (t) => {
    const r = await call('head1', 'GET', `/api/training/classes/${classId}/report`);
    t.equal(r.status, 200);
    t.match(r.body, { state: 'open', ended: true, report: { counts: { members: 3, completed: 1, short: 1, neverCame: 1, lessons: 4, scheduledHours: 8 } } });
    // Straw: lessons 1 and 2 (2 + 2), then gone: 4 of 8; Figo registered and never came; Toledo 8 of 8.
    t.same(
      r.body.report.short.map((s: Record<string, unknown>) => [s.name, s.idNumber, s.creditedHours, s.missingHours, s.lessonsMissed]),
      [['斯特劳', M.straw.id, 4, 4, ['2026-03-10 14:00 事故应急救援', '2026-03-10 16:10 典型事故案例分析']]],
    );
    t.same(
      r.body.report.neverCame.map((s: Record<string, unknown>) => [s.name, s.idNumber, s.employer]),
      [['菲戈', M.figo.id, '广州机械厂']],
    );
    t.equal((await call('head2', 'GET', `/api/training/classes/${classId}/report`)).status, 404, "another 班主任's class does not exist for them");
  });

  let signedSha = '';
  t.test('the 班主任 signs off; the report is frozen, later notes are appended, never edited', async (t) => {
    t.equal((await call('head1', 'POST', `/api/training/classes/${classId}/report/notes`, { text: '菲戈电话联系未接通' })).status, 200);
    t.equal((await call('head2', 'POST', `/api/training/classes/${classId}/report/sign-off`)).status, 404, 'not their class');
    t.equal((await call('admin', 'POST', `/api/training/classes/${classId}/report/sign-off`)).status, 403, 'an admin does not sign for the 班主任');
    const s = await call('head1', 'POST', `/api/training/classes/${classId}/report/sign-off`);
    t.equal(s.status, 200, JSON.stringify(s.body));
    t.match(s.body, { state: 'signed', signedBy: { username: 'head1', displayName: '王老师' }, notes: [{ text: '菲戈电话联系未接通', afterSignOff: false }] });
    const stored = k.app.classRecords.reports.frozenText(classId)!;
    t.equal(s.body.sha256, createHash('sha256').update(stored.text, 'utf8').digest('hex'), 'the hash is of the stored text');
    signedSha = s.body.sha256;
    const audited = k.app.ctx.db.prepare("SELECT actor, detail FROM audit_log WHERE action = 'training.report.sign_off'").get() as {
      actor: string;
      detail: string;
    };
    t.equal(audited.actor, 'user:head1');
    t.match(JSON.parse(audited.detail), { sha256: signedSha, short: 1, neverCame: 1 });
    t.equal((await call('head1', 'POST', `/api/training/classes/${classId}/report/sign-off`)).body.error, 'already_signed');

    // Figo turns out to have been there for the last lesson: the hours change, the signed report does not.
    const corr = await call('head1', 'POST', `/api/training/classes/${classId}/corrections`, {
      lessonId: lessons[3],
      idNumber: M.figo.id,
      kind: 'presence',
      inAt: '16:10',
      outAt: '18:10',
      reason: '签到机故障，班主任现场核实在场',
    });
    t.equal(corr.status, 201, JSON.stringify(corr.body));
    const note = await call('head1', 'POST', `/api/training/classes/${classId}/report/notes`, { text: '签署后更正：菲戈最后一讲在场' });
    const after = await call('head1', 'GET', `/api/training/classes/${classId}/report`);
    t.equal(note.status, 200);
    t.equal(after.body.sha256, signedSha);
    t.same(
      after.body.report.neverCame.map((x: { name: string }) => x.name),
      ['菲戈'],
      'as signed',
    );
    t.same(
      after.body.notes.map((n: { afterSignOff: boolean }) => n.afterSignOff),
      [false, true],
    );
    const db = k.app.ctx.db;
    t.throws(() => db.prepare("UPDATE training_reports SET snapshot = '{}'").run(), /frozen/);
    t.throws(() => db.prepare('DELETE FROM training_report_notes').run(), /never deleted/);
  });

  t.test('the report PDF: its text read back, CJK embedded and drawn (rendered with pdftoppm)', async (t) => {
    const r = await call('head1', 'GET', `/api/training/classes/${classId}/report.pdf`);
    t.equal(r.status, 200);
    t.equal(r.headers['content-type'], 'application/pdf');
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'district-report.pdf');
    writeFileSync(file, r.body as Buffer);
    const text = (await run('pdftotext', ['-layout', file, '-'])).stdout;
    for (const s of [
      '培训班未完成学时及报名未参训人员报告',
      '斯特劳',
      M.straw.id,
      '菲戈',
      M.figo.id,
      '王老师（head1）',
      signedSha,
      '签署后追加的备注',
      '缺：2026-03-10 14:00',
    ])
      t.ok(text.includes(s), `the PDF says ${s}`);
    t.notOk(text.includes('托莱多'), 'who completed the hours is not reported');
    t.match((await run('pdffonts', [file])).stdout, /NotoSansCJKsc/);
    await run('pdftoppm', ['-r', '72', '-png', '-f', '1', '-l', '1', file, join(ARTIFACTS, 'district-report')]);
    const png = join(ARTIFACTS, 'district-report-1.png');
    // The heading band: blank boxes or missing glyphs would leave it (nearly) white.
    const { data, info } = await sharp(png).extract({ left: 40, top: 40, width: 515, height: 120 }).greyscale().raw().toBuffer({ resolveWithObject: true });
    const dark = data.reduce((n, v) => n + (v < 128 ? 1 : 0), 0);
    t.ok(dark > 0.02 * info.width * info.height, `the heading is drawn (${dark} dark pixels)`);
    t.equal(k.app.ctx.db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'training.report.print'").pluck().get(), 1, 'the print is audited');
  });

  t.test('the report .xlsx read back', async (t) => {
    const r = await call('admin', 'GET', `/api/training/classes/${classId}/report.xlsx`);
    t.equal(r.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.body as unknown as ArrayBuffer);
    t.same(
      wb.worksheets.map((w) => w.name),
      ['说明', '未完成学时', '报名未参训'],
    );
    const short = wb.getWorksheet('未完成学时')!;
    t.same((short.getRow(2).values as unknown[]).slice(1), [
      1,
      '斯特劳',
      M.straw.id,
      '广州机械厂',
      4,
      8,
      4,
      '2026-03-10 14:00 事故应急救援；2026-03-10 16:10 典型事故案例分析',
      '',
      '',
    ]);
    t.equal(typeof short.getCell('C2').value, 'string', 'the ID number is text, not a rounded number');
    t.same((wb.getWorksheet('报名未参训')!.getRow(2).values as unknown[]).slice(1), [1, '菲戈', M.figo.id, '广州机械厂', 8]);
    t.equal(wb.getWorksheet('报名未参训')!.rowCount, 2);
  });

  t.test('ratings per teacher: figures and comments, no trainee named', async (t) => {
    const r = await call('head1', 'GET', `/api/training/classes/${classId}/ratings`);
    t.same(
      r.body.teachers.map((x: { name: string; summary: unknown; comments: string[] }) => [x.name, x.summary, x.comments]),
      [
        [
          '李建国',
          { ratings: 2, eligible: 2, average: 4, distribution: [0, 0, 1, 0, 1] },
          ['讲得清楚，案例实用', '节奏偏快'].sort((a, b) => a.localeCompare(b, 'zh-CN')),
        ],
        // Figo's corrected presence in the last lesson makes two who could rate 陈红.
        ['陈红', { ratings: 1, eligible: 2, average: 4, distribution: [0, 0, 0, 1, 0] }, []],
      ],
    );
    const text = JSON.stringify(r.body);
    for (const m of Object.values(M)) t.notOk(text.includes(m.name) || text.includes(m.id), `${m.name} is named nowhere`);
    const over = await call('admin', 'GET', `/api/training/teachers/${teachers[0]}/ratings?from=2026-01-01&to=2026-12-31`);
    t.match(over.body, { name: '李建国', overall: { ratings: 2, average: 4 }, classes: [{ classId, summary: { ratings: 2 } }] });
    t.equal((await call('head1', 'GET', `/api/training/teachers/${teachers[0]}/ratings`)).status, 403, 'a teacher’s record over time is for admins');
    const audit = k.app.ctx.db.prepare("SELECT detail FROM audit_log WHERE action = 'training.rating'").all() as { detail: string }[];
    t.equal(audit.length, 3);
    t.notOk(
      audit.some((a) => /score|idNumber/.test(a.detail)),
      'the audit log says a rating was made, not by whom or what',
    );
  });

  t.test('the class file verifies, and a changed byte is named', async (t) => {
    const start = await call('admin', 'POST', `/api/training/classes/${classId}/archive`, {});
    t.equal(start.status, 202, JSON.stringify(start.body));
    const end = await k.app.ctx.jobs.wait(start.body.id);
    t.equal(end.status, 'done', end.error ?? '');
    const [a] = (await call('head1', 'GET', `/api/training/archives?classId=${classId}`)).body;
    t.match(a, { classId, version: 1, withMedia: false });
    const file = join(k.app.ctx.paths.archives, a.file);
    const key = loadSiteSigner(k.app.ctx.config.paths.keys).publicKeyPem;
    const ok = await checkArchive(file, { publicKeys: [key] });
    t.ok(ok.ok, JSON.stringify(ok.problem));
    t.match(ok.meta, { kind: 'examroom-class-archive', class: { id: classId } });
    const manifest = JSON.parse(await unzipText(file, 'manifest.json')) as { members: { path: string; encrypted: boolean }[] };
    const paths = manifest.members.map((m) => m.path);
    for (const p of [
      'class/class.json',
      'class/timetable.json',
      'teachers/teachers.json',
      'roster/roster.json',
      `roster/photos/${M.straw.id}.jpg`,
      'sign-in/attempts.json',
      'sign-in/events.json',
      'sign-in/corrections.json',
      'hours/hours.json',
      'report/report.signed.json',
      'report/report.json',
      'report/report.pdf',
      'report/report.xlsx',
      'ratings/summary.json',
      'exam/sessions.json',
      'video-index/index.json',
    ])
      t.ok(paths.includes(p), `holds ${p}`);
    t.equal(paths.filter((p) => p.startsWith('sign-in/captures/')).length, 12, 'a live capture for each of the 12 face sign-ins and sign-outs');
    t.ok(
      manifest.members.filter((m) => m.path.startsWith('roster/photos/')).every((m) => m.encrypted),
      'the photos stay sealed as stored',
    );
    t.equal(
      createHash('sha256')
        .update(await unzipText(file, 'report/report.signed.json'))
        .digest('hex'),
      signedSha,
      'the report as signed, byte for byte',
    );
    const video = JSON.parse(await unzipText(file, `video-index/${lessons[0]}.json`));
    const src = video.sources.find((s: { id: string }) => s.id === screen.id);
    t.same(
      src.segments.map((s: { sha256: string }) => s.sha256),
      [sha('a'), sha('b')],
    );
    t.match(src.gaps, [{ start: '2026-03-10T02:00:00.000Z', end: '2026-03-10T02:30:00.000Z' }], 'the half hour without recording');
    t.match(JSON.parse(await unzipText(file, 'exam/sessions.json')), [{ id: session.id }]);

    // One byte of Straw's photo changed inside the zip (stored, not deflated: its bytes are there as is).
    const zip = readFileSync(file);
    const photo = readFileSync(join(k.app.ctx.paths.captures, storedPhoto(k.app.ctx.db, classId, M.straw.id)));
    const offset = zip.indexOf(photo.subarray(0, 64));
    t.ok(offset > 0, 'the photo is found in the zip');
    const bad = Buffer.from(zip);
    bad[offset + 40]! ^= 0xff;
    const badFile = join(scratchDir(t), 'changed.zip');
    writeFileSync(badFile, bad);
    const r = await checkArchive(badFile, { publicKeys: [key] });
    t.match(r.problem, { kind: 'changed', path: `roster/photos/${M.straw.id}.jpg` });
    // And as a checker away from the site runs it: the CLI, no database, the key carried in the file.
    const cli = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'server', 'cli.ts'), 'archive', 'verify', badFile], {
      cwd: ROOT,
      env: { ...process.env, EXAMROOM_CONFIG: join(scratchDir(t), 'none.yaml') },
    }).catch((e: { stdout: string; code: number }) => e);
    t.equal((cli as { code?: number }).code, 1);
    t.match(cli.stdout, new RegExp(`MISMATCH changed roster/photos/${M.straw.id}\\.jpg`));
  });
});

function storedPhoto(db: Db, classId: string, id: string): string {
  return db.prepare('SELECT photo FROM training_members WHERE class_id = ? AND id_number = ?').pluck().get(classId, id) as string;
}

async function unzipText(file: string, path: string): Promise<string> {
  const { default: yauzl } = await import('yauzl');
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      zip.on('entry', (e: { fileName: string }) => {
        if (e.fileName !== path) return zip.readEntry();
        zip.openReadStream(e as never, (err2, s) => {
          if (err2 || !s) return reject(err2);
          const chunks: Buffer[] = [];
          s.on('data', (c: Buffer) => chunks.push(c));
          s.on('end', () => {
            zip.close();
            resolve(Buffer.concat(chunks).toString('utf8'));
          });
        });
      });
      zip.on('end', () => reject(new Error(`${path} is not in ${file}`)));
      zip.readEntry();
    });
  });
}
