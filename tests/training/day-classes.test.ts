// The day-sitting classes of the old attendance API (POST /api/training/classes with dailyHours), kept
// working by training/: each day is one whole-day lesson, check-in and check-out verified by face, hours
// credited up to the scheduled day, the order rules, and absences for the district-office report.
import t from 'tap';
import ExcelJS from 'exceljs';
import { csv } from '../exam/plans-fixture.ts';
import { FACES, P, kioskSite, toledoFrames, abizaidFrames } from '../kiosk/fixture.ts';

const at = (s: string) => Date.parse(`${s}+08:00`);

t.test('a class, its members, check-in/out by face, hours and absences', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  let admin = await k.as('admin');
  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    const r = await k.app.inject({ method, url, headers: { cookie: admin, ...headers }, ...(payload !== undefined ? { payload: payload as string } : {}) });
    return { status: r.statusCode, body: String(r.headers['content-type']).includes('json') ? r.json() : r.body, headers: r.headers };
  };
  const bad = await api('POST', '/api/training/classes', {
    name: '叉车司机培训',
    institution: '广州市安全培训中心',
    startsOn: '2026-03-11',
    endsOn: '2026-03-09',
    dailyHours: 6,
  });
  t.equal(bad.status, 400);
  t.match(bad.body.message, /endsOn: is before startsOn/);
  const created = await api('POST', '/api/training/classes', {
    name: '叉车司机培训',
    institution: '广州市安全培训中心',
    startsOn: '2026-03-09',
    endsOn: '2026-03-11',
    dailyHours: 6,
  });
  t.equal(created.status, 201);
  const classId = created.body.id as string;

  const header = ['身份证号', '姓名', '照片'];
  const wrong = await api(
    'POST',
    `/api/training/classes/${classId}/members?filename=members.csv&photos=${encodeURIComponent(FACES)}`,
    csv(
      [
        [P.toledo, '托莱多', 'nope.jpg'],
        ['123', '错号', ''],
      ],
      header,
    ).toString(),
    { 'content-type': 'text/csv' },
  );
  t.equal(wrong.status, 400);
  t.same(
    wrong.body.problems.map((p: { path: string }) => p.path),
    ['row 2, column 照片'],
  );
  const wrongId = await api(
    'POST',
    `/api/training/classes/${classId}/members?filename=members.csv`,
    csv(
      [
        [P.toledo, '托莱多', ''],
        ['123', '错号', ''],
      ],
      header,
    ).toString(),
    { 'content-type': 'text/csv' },
  );
  t.equal(wrongId.status, 400);
  t.same(
    wrongId.body.problems.map((p: { path: string }) => p.path),
    ['row 3, column 身份证号'],
  );
  t.same((await api('GET', `/api/training/classes/${classId}/members`)).body, [], 'a refused file stores nobody');
  const members = csv(
    [
      [P.toledo, '托莱多', 'Alejandro_Toledo_0023.jpg'],
      [P.abizaid, '阿比扎伊德', 'John_Abizaid_0003.jpg'],
      [P.nophoto, '缺课者', ''],
    ],
    header,
  );
  const imported = await api('POST', `/api/training/classes/${classId}/members?filename=members.csv&photos=${encodeURIComponent(FACES)}`, members.toString(), {
    'content-type': 'text/csv',
  });
  t.equal(imported.status, 200, JSON.stringify(imported.body));
  t.same(imported.body, { classId, added: 3, photos: 2, total: 3 });

  const lookup = (idNumber: string, action: 'check_in' | 'check_out') => k.post(`/api/kiosk/training/${classId}/lookup`, { source: 'typed', idNumber, action });
  const verify = async (attemptId: string, frames: string[]) => (await k.post(`/api/kiosk/attempts/${attemptId}/verify`, { frames })).body;

  k.clock.set(at('2026-03-10T08:00'));
  t.same(
    (await k.get('/api/kiosk/training')).body.map((c: { id: string }) => c.id),
    [classId],
  );
  t.equal((await lookup(P.toledo, 'check_out')).body.reason, 'not_checked_in', 'check-out without check-in');
  t.equal((await lookup(P.nobody, 'check_in')).body.reason, 'not_a_member');
  const inT = await lookup(P.toledo, 'check_in');
  t.equal(inT.body.ok, true);
  const inV = await verify(inT.body.attemptId, await toledoFrames(inT.body.challenge));
  t.equal(inV.decision, 'checked_in', inV.detail);
  t.equal((await lookup(P.toledo, 'check_in')).body.reason, 'already_checked_in', 'double check-in');

  // Someone else's face does not check a member in; their own does.
  const inA = await lookup(P.abizaid, 'check_in');
  const wrongFace = await verify(inA.body.attemptId, await toledoFrames(inA.body.challenge));
  t.equal(wrongFace.reason, 'mismatch');
  const inA2 = await lookup(P.abizaid, 'check_in');
  t.equal((await verify(inA2.body.attemptId, await abizaidFrames(inA2.body.challenge))).decision, 'checked_in');

  k.clock.set(at('2026-03-10T12:00'));
  const outT = await lookup(P.toledo, 'check_out');
  const outV = await verify(outT.body.attemptId, await toledoFrames(outT.body.challenge));
  t.equal(outV.decision, 'checked_out');
  t.equal(outV.hours, 4);
  t.equal(outV.totalHours, 4);
  t.equal((await lookup(P.toledo, 'check_out')).body.reason, 'already_checked_out');
  t.equal((await lookup(P.toledo, 'check_in')).body.reason, 'already_checked_out', 'one sitting per day');

  // A long day is credited up to the scheduled hours.
  k.clock.set(at('2026-03-11T08:00'));
  const d2 = await lookup(P.toledo, 'check_in');
  t.equal((await verify(d2.body.attemptId, await toledoFrames(d2.body.challenge))).decision, 'checked_in');
  k.clock.set(at('2026-03-11T17:00'));
  const d2o = await lookup(P.toledo, 'check_out');
  const d2v = await verify(d2o.body.attemptId, await toledoFrames(d2o.body.challenge));
  t.equal(d2v.hours, 6, '9 hours present, 6 scheduled');
  t.equal(d2v.totalHours, 10);

  k.clock.set(at('2026-03-12T09:00'));
  t.equal((await lookup(P.toledo, 'check_in')).body.reason, 'class_not_today');
  admin = await k.as('admin'); // the log-in of two days ago has expired
  const hours = (await api('GET', `/api/training/classes/${classId}/hours`)).body;
  t.equal(hours.heldHours, 18, 'three days of 6 hours held');
  t.equal(hours.totalCreditedHours, 10);
  t.same(
    hours.members
      .map((m: { name: string; creditedHours: number; missedLessons: number; lessons: { state: string }[] }) => [
        m.name,
        m.creditedHours,
        m.missedLessons,
        m.lessons.filter((l) => l.state === 'no_sign_out').length,
      ])
      .sort(),
    [
      ['托莱多', 10, 1, 0],
      ['缺课者', 0, 3, 0],
      ['阿比扎伊德', 0, 3, 1],
    ].sort(),
  );
  const abs = (await api('GET', `/api/training/classes/${classId}/absences`)).body;
  t.same(
    abs.absences.map((a: { day: string; name: string; kind: string }) => `${a.day} ${a.name} ${a.kind}`).sort(),
    [
      '2026-03-09 托莱多 missing',
      '2026-03-09 阿比扎伊德 missing',
      '2026-03-09 缺课者 missing',
      '2026-03-10 阿比扎伊德 no_sign_out',
      '2026-03-10 缺课者 missing',
      '2026-03-11 阿比扎伊德 missing',
      '2026-03-11 缺课者 missing',
    ].sort(),
  );
  const file = await api('GET', `/api/training/classes/${classId}/absences.csv`);
  t.equal(file.status, 200);
  t.match(String(file.headers['content-type']), /text\/csv/);
  t.match(String(file.headers['content-disposition']), /attachment/);
  const text = String(file.body);
  t.ok(text.startsWith('\uFEFF培训班,培训机构,日期,时间,课程,姓名,身份证号,情况,计入学时,本课学时'), 'UTF-8 with a BOM for Excel');
  t.equal(text.trim().split('\r\n').length, 8, 'a header and seven rows');
  t.match(text, /2026-03-10,00:00-24:00,全天培训,阿比扎伊德,440106\*+\d{4},未签退,0,6/);
  t.notMatch(text, P.abizaid, 'ID numbers are masked in the report');

  const audit = k.app.ctx.db.prepare("SELECT action, count(*) AS n FROM audit_log WHERE action LIKE 'training.%' GROUP BY action ORDER BY action").all();
  t.same(audit, [
    { action: 'training.check_in', n: 3 },
    { action: 'training.check_out', n: 2 },
    { action: 'training.class.create', n: 1 },
    { action: 'training.lookup.refused', n: 6 },
    { action: 'training.members.import', n: 1 },
    { action: 'training.verify.refused', n: 1 },
  ]);
});

t.test('members come from an .xlsx as Excel saves it, rows numbered as Excel shows them', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const admin = await k.as('admin');
  const created = await k.app.inject({
    method: 'POST',
    url: '/api/training/classes',
    headers: { cookie: admin },
    payload: { name: '电工作业培训', institution: '广州市安全培训中心', startsOn: '2026-03-09', endsOn: '2026-03-11', dailyHours: 6 },
  });
  const classId = created.json().id as string;
  const book = async (rows: string[][]) => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('学员');
    ws.addRow(['身份证号', '姓名']);
    for (const r of rows) ws.addRow(r);
    return Buffer.from(await wb.xlsx.writeBuffer());
  };
  const post = async (bytes: Buffer) =>
    k.app.inject({
      method: 'POST',
      url: `/api/training/classes/${classId}/members?filename=members.xlsx`,
      headers: { cookie: admin, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: bytes,
    });
  const bad = await post(
    await book([
      [P.toledo, '托莱多'],
      [P.abizaid, ''],
    ]),
  );
  t.equal(bad.statusCode, 400);
  t.same(
    bad.json().problems.map((p: { path: string }) => p.path),
    ['row 3, column 姓名'],
    'the row as Excel numbers it',
  );
  const ok = await post(
    await book([
      [P.toledo, '托莱多'],
      [P.abizaid, '阿比扎伊德'],
    ]),
  );
  t.equal(ok.statusCode, 200, ok.body);
  t.match(ok.json(), { classId, added: 2, photos: 0 });
});
