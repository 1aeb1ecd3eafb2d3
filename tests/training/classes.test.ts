// A two-day class of 8 lessons as the regulations run it, with the real face engine and real photos
// (tests/fixtures/faces): the timetable imported from an .xlsx, members with photos, sign-ins and
// sign-outs through the kiosk API with the members' photos as the live capture — on time, late, leaving
// early, never coming, and a decliner confirmed by the class's 班主任 — then the credited hours against
// a count by hand, the live view, a correction, the exam roster's hours check and who sees what.
import t, { type Test } from 'tap';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { cheapHash, login, scratchDir } from '../helpers.ts';
import { TEMPLATE, idn } from '../exam/plans-fixture.ts';
import { FACES, acceptNotice, kioskSite, turnFrames, type KioskSite } from '../kiosk/fixture.ts';

const at = (s: string) => Date.parse(`${s}+08:00`);
const HEAD_PASS = 'head-pass-1234';

// Four members with photos: two checked by face, one who never comes, one who declines the face check.
const M = {
  toledo: {
    id: idn(21),
    name: '托莱多',
    photo: 'Alejandro_Toledo_0023.jpg',
    frames: (c: string) => turnFrames('Alejandro_Toledo_0027.jpg', 'Alejandro_Toledo_0021.jpg', 1, c),
  },
  straw: {
    id: idn(22),
    name: '斯特劳',
    photo: 'Jack_Straw_0028.jpg',
    frames: (c: string) => turnFrames('Jack_Straw/Jack_Straw_0028.jpg', 'Jack_Straw/Jack_Straw_0003.jpg', 1, c),
  },
  figo: { id: idn(23), name: '菲戈', photo: 'Luis_Figo_0002.jpg' },
  abizaid: { id: idn(24), name: '阿比扎伊德', photo: 'John_Abizaid_0003.jpg' },
};

// Two days, four lessons of 2 学时 (120 min) a day: 16 学时, the class's required hours by the rules.
const SLOTS = [
  ['08:30', '10:30'],
  ['10:40', '12:40'],
  ['14:00', '16:00'],
  ['16:10', '18:10'],
];
const DAYS = ['2026-03-10', '2026-03-11'];

async function xlsx(header: string[], rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('课程表');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function site(t: Test) {
  const k = await kioskSite(t, {
    consent: 'ask',
    configure: (c) => {
      c.users = [
        ...(c.users ?? []),
        { username: 'head1', role: 'headteacher', displayName: '王老师', passwordHash: cheapHash(HEAD_PASS) },
        { username: 'head2', role: 'headteacher', passwordHash: cheapHash(HEAD_PASS) },
      ];
    },
  });
  const call = async (
    who: string,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const cookie = who === 'admin' ? await k.as('admin') : who === 'invig' ? await k.as('invig') : await login(k.app, who, HEAD_PASS);
    const r = await k.app.inject({ method, url, headers: { cookie, ...headers }, ...(payload !== undefined ? { payload: payload as string } : {}) });
    return { status: r.statusCode, body: String(r.headers['content-type']).includes('json') ? r.json() : r.body };
  };
  return { k, call };
}

type Site = Awaited<ReturnType<typeof site>>;

async function makeClass(s: Site, name: string, headteacher = 'head1', room = 'R1') {
  const c = await s.call('admin', 'POST', '/api/training/classes', {
    name,
    institution: '广州市安全培训中心',
    category: 'principal',
    operationItem: 'machinery',
    roomId: room,
    startsOn: DAYS[0],
    endsOn: DAYS[1],
    headteacher,
  });
  if (c.status !== 201) throw new Error(JSON.stringify(c.body));
  return c.body as { id: string; requiredHours: number; requiredHoursSource: string };
}

t.test('a two-day class of 8 lessons: sign-ins by face at the kiosk, credited hours as counted by hand, the exam check', async (t) => {
  const s = await site(t);
  const { k, call } = s;
  k.clock.set(at('2026-03-05T09:00'));
  const teachers: string[] = [];
  for (const [name, rse] of [
    ['李建国', true],
    ['陈红', false],
  ] as const) {
    const r = await call('head1', 'POST', '/api/training/teachers', { name, title: '高级工程师', qualification: '安全工程', registeredSafetyEngineer: rse });
    t.equal(r.status, 201);
    teachers.push(r.body.id);
  }
  const c = await makeClass(s, '2026年第3期主要负责人培训班');
  t.equal(c.requiredHours, 16, '16 学时 by default for principals');
  t.equal(c.requiredHoursSource, 'rules.principal.training.classHours');

  // The timetable from an .xlsx: 8 lessons, alternating teachers, 2 学时 each.
  const rows = DAYS.flatMap((d, di) => SLOTS.map(([a, b], i) => [d, a!, b!, `第${di * 4 + i + 1}讲 安全生产法律法规`, i % 2 ? '陈红' : '李建国', 2]));
  const file = await xlsx(['日期', '开始', '结束', '课程', '教师', '学时'], rows);
  const imp = await call('head1', 'POST', `/api/training/classes/${c.id}/timetable?filename=课程表.xlsx`, file, {
    'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  });
  t.equal(imp.status, 200, JSON.stringify(imp.body));
  t.equal(imp.body.lessons.length, 8);
  t.equal(imp.body.totalHours, 16);
  const lessons = imp.body.lessons as { id: string; start: string; day: string; teacherId: string }[];
  t.same(
    lessons.map((l) => `${l.day} ${l.start}`),
    DAYS.flatMap((d) => SLOTS.map(([a]) => `${d} ${a}`)),
  );

  // Members with photos, as a roster is imported (the photos from a folder on the server).
  const photos = join(scratchDir(t), 'photos');
  mkdirSync(photos);
  for (const m of Object.values(M))
    copyFileSync(
      join(FACES, m.photo.startsWith('Jack') ? `Jack_Straw/${m.photo}` : m.photo.startsWith('Luis') ? `Luis_Figo/${m.photo}` : m.photo),
      join(photos, m.photo),
    );
  const membersCsv = ['身份证号,姓名,工作单位,照片', ...Object.values(M).map((m) => `${m.id},${m.name},广州机械厂,${m.photo}`)].join('\n');
  const mem = await call('admin', 'POST', `/api/training/classes/${c.id}/members?filename=学员.csv&photos=${encodeURIComponent(photos)}`, membersCsv, {
    'content-type': 'text/csv',
  });
  t.same(mem.body, { classId: c.id, added: 4, photos: 4, total: 4 });
  await k.app.kiosk.identity.idle();

  // At the kiosk: look up, consent (accept, or decline), then the face or the 班主任.
  const look = async (who: { id: string }, action: 'check_in' | 'check_out') =>
    (
      await k.app.inject({
        method: 'POST',
        url: `/api/kiosk/training/${c.id}/lookup`,
        headers: k.headers,
        payload: { source: 'typed', idNumber: who.id, action },
      })
    ).json();
  const byFace = async (who: (typeof M)['toledo'], action: 'check_in' | 'check_out') => {
    const l = await look(who, action);
    if (!l.ok) throw new Error(JSON.stringify(l));
    await acceptNotice(k.app, k.headers, l);
    return (await k.post(`/api/kiosk/attempts/${l.attemptId}/verify`, { frames: await who.frames(l.challenge) })).body;
  };
  const byHeadteacher = async (action: 'check_in' | 'check_out', username = 'head1') => {
    const l = await look(M.abizaid, action);
    if (!l.ok) throw new Error(JSON.stringify(l));
    if (l.consent.needed) {
      const n = l.consent.notice.zh;
      const d = await k.app.inject({
        method: 'POST',
        url: `/api/kiosk/attempts/${l.attemptId}/consent`,
        headers: k.headers,
        payload: { decision: 'declined', noticeVersion: n.version, noticeSha256: n.sha256, lang: 'zh' },
      });
      if (d.statusCode !== 200) throw new Error(d.body);
    }
    const r = await k.app.inject({
      method: 'POST',
      url: `/api/kiosk/attempts/${l.attemptId}/override`,
      headers: k.headers,
      payload: { username, password: HEAD_PASS, reason: '本人拒绝人脸识别，班主任核对身份证' },
    });
    return { status: r.statusCode, body: r.json() };
  };

  // Before sign-in opens (30 min before the first lesson): nothing to sign in to.
  k.clock.set(at('2026-03-10T07:50'));
  const early = await look(M.toledo, 'check_in');
  t.match(early, { ok: false, reason: 'no_lesson_open', nextLesson: { id: lessons[0]!.id } });
  t.match(early.detail, /opens at 08:00/);

  // Another 班主任 may not confirm this class's decliner; an invigilator neither.
  k.clock.set(at('2026-03-10T08:20'));
  const wrongHead = await byHeadteacher('check_in', 'head2');
  t.equal(wrongHead.status, 403, 'head2 is not this class’s 班主任');
  t.match(wrongHead.body.message, /not the 班主任 of class/);

  // Every lesson: Abizaid (declined the face check) is confirmed in and out by the 班主任, on time. By face:
  // Toledo is 30 minutes late to the first lesson and stays for the second; Straw attends the first and
  // leaves the third an hour early. Figo never comes.
  for (const [day, dayIdx] of DAYS.map((d, i) => [d, i] as const)) {
    for (const [slot, [start, end]] of SLOTS.entries()) {
      const n = dayIdx * 4 + slot;
      const lesson = lessons[n]!;
      const when = (hhmm: string, min: number) => at(`${day}T${hhmm}`) + min * 60_000;
      k.clock.set(when(start!, -10));
      const aIn = await byHeadteacher('check_in');
      t.equal(aIn.status, 200, JSON.stringify(aIn.body));
      t.match(aIn.body, { decision: 'checked_in', lessonId: lesson.id, lateMinutes: null, by: 'head1' });
      if (n === 0 || n === 2) t.match(await byFace(M.straw, 'check_in'), { decision: 'checked_in', lessonId: lesson.id }, `Straw in, lesson ${n + 1}`);
      if (n === 1) t.match(await byFace(M.toledo, 'check_in'), { decision: 'checked_in', lateMinutes: null });
      if (n === 0) {
        k.clock.set(when(start!, 30));
        const late = await byFace(M.toledo, 'check_in');
        t.match(late, { decision: 'checked_in', lateMinutes: 30 }, `Toledo 30 minutes late: ${late.detail ?? ''}`);
        // The live view now: Abizaid and Straw in, Toledo late, Figo missing.
        const live = await call('head1', 'GET', `/api/training/classes/${c.id}/attendance`);
        t.equal(live.body.lesson.id, lesson.id);
        t.same(live.body.counts, { in: 2, late: 1, missing: 1 });
        t.equal(live.body.members.find((m: { name: string }) => m.name === '菲戈').presence.state, 'missing');
        const again = await call('head1', 'GET', `/api/training/classes/${c.id}/attendance?since=${live.body.version}`);
        t.equal(again.status, 304, 'nothing changed since');
      }
      if (n === 2) {
        k.clock.set(when(start!, 60));
        t.match(await byFace(M.straw, 'check_out'), { decision: 'checked_out', hours: 1, earlyMinutes: 60 }, 'an hour of two: 1 学时');
      }
      k.clock.set(when(end!, 1));
      const aOut = await byHeadteacher('check_out');
      t.match(aOut.body, { decision: 'checked_out', hours: 2, teacherId: lesson.teacherId, lastLessonOfTeacher: n >= 6 }, `Abizaid out, lesson ${n + 1}`);
      if (n === 0) t.match(await byFace(M.toledo, 'check_out'), { decision: 'checked_out', hours: 1.5 }, '90 of 120 minutes: 1.5 学时');
      if (n === 1) t.match(await byFace(M.toledo, 'check_out'), { decision: 'checked_out', hours: 2 });
      if (n === 0) t.match(await byFace(M.straw, 'check_out'), { decision: 'checked_out', hours: 2 });
    }
  }
  t.equal((await look(M.abizaid, 'check_in')).reason, 'no_lesson_open', 'after the last lesson nothing is open');

  // The count by hand: Abizaid 8 × 2 = 16; Toledo 1.5 (90 of 120 min) + 2 = 3.5; Straw 2 + 1 = 3; Figo 0.
  k.clock.set(at('2026-03-11T20:00'));
  const hours = await call('head1', 'GET', `/api/training/classes/${c.id}/hours`);
  const by = Object.fromEntries(
    hours.body.members.map((m: { name: string; creditedHours: number; complete: boolean; neverCame: boolean }) => [
      m.name,
      [m.creditedHours, m.complete, m.neverCame],
    ]),
  );
  t.same(by, { 托莱多: [3.5, false, false], 斯特劳: [3, false, false], 菲戈: [0, false, true], 阿比扎伊德: [16, true, false] });
  t.equal(hours.body.totalCreditedHours, 22.5);
  const straw = hours.body.members.find((m: { name: string }) => m.name === '斯特劳');
  t.same(
    straw.lessons.map((l: { state: string; credited: number }) => `${l.state} ${l.credited}`),
    ['present 2', 'missing 0', 'left_early 1', 'missing 0', 'missing 0', 'missing 0', 'missing 0', 'missing 0'],
  );

  // The 班主任 excuses Straw's second lesson (请假): no hours, but not missing; audited; nothing edited.
  const short = await call('head1', 'POST', `/api/training/classes/${c.id}/corrections`, {
    lessonId: lessons[1]!.id,
    idNumber: M.straw.id,
    kind: 'justified_absence',
    reason: 'ok',
  });
  t.equal(short.status, 400, 'a reason of fewer than 4 characters is refused');
  const ex = await call('head1', 'POST', `/api/training/classes/${c.id}/corrections`, {
    lessonId: lessons[1]!.id,
    idNumber: M.straw.id,
    kind: 'justified_absence',
    reason: '单位急事请假，已提交请假条',
  });
  t.equal(ex.status, 201, JSON.stringify(ex.body));
  const abs = await call('head1', 'GET', `/api/training/classes/${c.id}/absences`);
  t.same(
    abs.body.absences.filter((a: { name: string }) => a.name === '斯特劳').map((a: { kind: string }) => a.kind),
    ['excused', 'left_early', 'missing', 'missing', 'missing', 'missing', 'missing'],
  );
  t.same(
    abs.body.absences.filter((a: { name: string }) => a.name === '托莱多').map((a: { kind: string }) => a.kind),
    ['late', 'missing', 'missing', 'missing', 'missing', 'missing', 'missing'],
  );
  const db = k.app.ctx.db;
  t.throws(() => db.prepare('UPDATE training_events SET at = at + 1').run(), /append-only/, 'sign-ins are never edited');
  t.equal(db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'training.correction.justified_absence'").pluck().get(), 1);
  t.equal(
    db.prepare("SELECT COUNT(*) FROM training_events WHERE via = 'staff'").pluck().get(),
    16,
    'Abizaid: 8 sign-ins and 8 sign-outs confirmed by the 班主任',
  );

  // Annual hours across classes, per ID number.
  const annual = await call('admin', 'GET', `/api/training/people/${M.toledo.id}/hours?year=2026`);
  t.match(annual.body, { year: 2026, hours: 3.5, classes: [{ classId: c.id, creditedHours: 3.5 }] });

  // The exam of the class: a roster names exactly the candidate short of hours (warn by default),
  // with their hours and where they came from; one trained elsewhere brings 培训机构 and 培训学时.
  const plans = k.app.exam.plans;
  const plan = plans.createPlan({ name: '培训班考试', from: '2026-03-12', to: '2026-03-31' }, 'user:admin');
  const session = plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-13T09:00', templateId: TEMPLATE.id }, 'user:admin');
  const link = await call('admin', 'PUT', `/api/training/sessions/${session.id}/class`, { classId: c.id });
  t.same(link.body, { sessionId: session.id, classId: c.id });
  const roster = [
    '身份证号,姓名,人员类别,作业类别,行业,培训机构,培训学时',
    `${M.toledo.id},${M.toledo.name},主要负责人,,机械,广州市安全培训中心,`,
    `${M.abizaid.id},${M.abizaid.name},主要负责人,,机械,广州市安全培训中心,`,
    `${idn(30)},外训学员,主要负责人,,机械,佛山市安全培训学校,16`,
  ].join('\n');
  const r = await call('admin', 'POST', `/api/exam/sessions/${session.id}/roster?filename=roster.csv`, roster, { 'content-type': 'application/octet-stream' });
  t.equal(r.status, 201, JSON.stringify(r.body));
  t.equal(r.body.trainingHours.checked, 3);
  t.match(r.body.trainingHours.short, [
    {
      idNumber: M.toledo.id,
      row: 2,
      hours: 3.5,
      requiredHours: 16,
      source: 'class',
      from: '2026年第3期主要负责人培训班 (广州市安全培训中心)',
      action: 'warn',
    },
  ]);
  t.equal(r.body.trainingHours.short.length, 1, 'exactly the short-hours candidate');
  const elig = await call('admin', 'GET', `/api/training/sessions/${session.id}/eligibility`);
  t.same(
    elig.body.short.map((x: { name: string }) => x.name),
    ['托莱多'],
  );

  // The 班主任 sees their own class only; another 班主任 hears "no such class".
  t.same(
    (await call('head1', 'GET', '/api/training/classes')).body.map((x: { id: string }) => x.id),
    [c.id],
  );
  t.same((await call('head2', 'GET', '/api/training/classes')).body, []);
  for (const url of [
    `/api/training/classes/${c.id}`,
    `/api/training/classes/${c.id}/attendance`,
    `/api/training/classes/${c.id}/hours`,
    `/api/training/classes/${c.id}/members`,
  ])
    t.equal((await call('head2', 'GET', url)).status, 404, `head2: ${url}`);
  t.equal(
    (
      await call('head2', 'POST', `/api/training/classes/${c.id}/corrections`, {
        lessonId: lessons[0]!.id,
        idNumber: M.figo.id,
        kind: 'justified_absence',
        reason: '替别人请假试试',
      })
    ).status,
    404,
  );
  t.equal((await call('head2', 'PATCH', `/api/training/classes/${c.id}`, { name: 'x' })).status, 403, 'only an admin changes a class itself');

  // Each lesson is a recording window of the class room.
  const w = k.app.training.windows.windows(at('2026-03-10T00:00'), at('2026-03-12T00:00'));
  t.equal(w.length, 8);
  t.match(w[0], { room: 'R1', start: at('2026-03-10T07:50'), what: /training lesson/ }, 'the first sign-in (08:20) minus 30 minutes');
});

t.test('a timetable file with bad rows names each row, and nothing is imported', async (t) => {
  const s = await site(t);
  const { k, call } = s;
  k.clock.set(at('2026-03-05T09:00'));
  for (const name of ['李建国', '陈红']) await call('admin', 'POST', '/api/training/teachers', { name });
  const other = await makeClass(s, '第2期', 'head2');
  const csvOf = (rows: string[]) => ['日期,开始,结束,课程,教师,学时,教室', ...rows].join('\n');
  const ok = await call(
    'admin',
    'POST',
    `/api/training/classes/${other.id}/timetable?filename=t.csv`,
    csvOf(DAYS.flatMap((d) => SLOTS.map(([a, b]) => `${d},${a},${b},课,陈红,2,R1`))),
    {
      'content-type': 'text/csv',
    },
  );
  t.equal(ok.status, 200, JSON.stringify(ok.body));
  const c = await makeClass(s, '第3期', 'head1', 'R2');
  const bad = await call(
    'head1',
    'POST',
    `/api/training/classes/${c.id}/timetable?filename=t.csv`,
    csvOf([
      '2026-03-09,08:30,10:30,开班前一天,李建国,2,', // row 2: before the class's dates
      '2026-03-10,08:30,10:30,法规,陈红,2,', // row 3: 陈红 teaches class 第2期 then
      '2026-03-10,10:40,12:40,管理,李建国,2,R1', // row 4: R1 is 第2期's room then
      '2026-03-10,14:00,13:00,事故案例,李建国,2,', // row 5: ends before it starts
      '2026-03-10,14:00,16:00,应急,王某,2,', // row 6: not a teacher of the site
      '2026-03-11,08:30,10:30,复习,李建国,2,',
    ]),
    { 'content-type': 'text/csv' },
  );
  t.equal(bad.status, 400);
  const paths = bad.body.problems.map((p: { path: string; problem: string }) => `${p.path}: ${p.problem}`);
  t.match(paths[0], /^row 2, column 日期: is outside the class's dates 2026-03-10 to 2026-03-11/);
  t.match(paths[1], /^row 3, column 教师: 陈红 is booked twice at once: class 第2期/);
  t.match(paths[2], /^row 4, column 教室: room R1 is booked twice at once: class 第2期/);
  t.match(paths[3], /^row 5, column 结束: is not after the start 14:00/);
  t.match(paths[4], /^row 6, column 教师: is not on the site's teacher list/);
  t.equal(paths.length, 5, 'one problem per bad row');
  t.equal((await call('head1', 'GET', `/api/training/classes/${c.id}/lessons`)).body.length, 0, 'nothing imported');
  // Good rows that do not add up to the required hours are refused too, naming the hours.
  const few = await call('head1', 'POST', `/api/training/classes/${c.id}/timetable?filename=t.csv`, csvOf(['2026-03-11,08:30,10:30,复习,李建国,2,']), {
    'content-type': 'text/csv',
  });
  t.equal(few.status, 400);
  t.match(few.body.problems, [{ path: 'column 学时', problem: /add up to 2 学时; class 第3期 requires 16/ }]);
});
