// Roster import: all rows or none, every bad row named by row and column, people kept once by ID
// number (一人一档), tickets and photos handled, and a session never given more people than seats.
import t from 'tap';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { Conflict, ValidationError, formatProblem } from '../../core/index.ts';
import { dammValid } from '../../exam/plans/tickets.ts';
import { csv, idn, person, planAndSession, site, wrongCheck } from './plans-fixture.ts';

async function refused(p: Promise<unknown>): Promise<ValidationError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('the import was accepted');
}

const count = (s: ReturnType<typeof site>, table: string) => (s.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

t.test('an import with several bad rows is refused whole, each problem named by row and column', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  const rows = [
    person(1, '张三'), // row 2: fine
    [wrongCheck(idn(2)), '李四', '主要负责人', '', '机械'], // row 3
    person(3, '王五', { category: '安全生产管理人员' }), // row 4
    person(4, '赵六', { industry: '冶金' }), // row 5
    person(1, '张三'), // row 6: same person as row 2
    ['440106850312001', '钱七', '主要负责人'], // row 7: first-generation number
    [idn(7), '', '主要负责人'], // row 8: no name
    person(8, '孙八', { category: '管理员' }), // row 9
  ];
  const err = await refused(s.plans.importRoster(session.id, { bytes: csv(rows), filename: 'roster.csv' }, s.actor));
  const right = idn(2).at(-1);
  t.same(err.problems.map(formatProblem), [
    `row 3, column 身份证号: check digit should be ${right} (got "…${wrongCheck(idn(2)).at(-1)}")`,
    'row 4, column 人员类别: must be 主要负责人: this session\'s template test-principal-machinery is for 主要负责人 (got "安全生产管理人员")',
    'row 5, column 行业: must be 机械: this session\'s template test-principal-machinery is for that industry (got "冶金")',
    'row 6, column 身份证号: the same person is also on row 2',
    'row 7, column 身份证号: is a 15-digit number from a first-generation card (withdrawn since 2013); give the 18-digit number on the current card (got "…2001")',
    'row 8, column 姓名: missing',
    'row 9, column 人员类别: must be one of 主要负责人, 安全生产管理人员, 特种作业人员 (got "管理员")',
    'roster.csv: lists 8 candidates; with the 0 already on the roster that is 8, more than the 6 seats of room R1',
  ]);
  t.match(err.message, /^roster roster\.csv: 8 problems; nothing was imported/);
  t.equal(count(s, 'roster_entries'), 0, 'nobody was added');
  t.equal(count(s, 'candidates'), 0, 'no person file was created');
  t.same(s.audit.list({ action: 'exam.roster.import' }), []);
  t.same(s.events, []);
});

t.test('a file without the required columns is refused before any row is read', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  const err = await refused(s.plans.importRoster(session.id, { bytes: csv([['x', 'y']], ['序号', '姓名']), filename: 'r.csv' }, s.actor));
  t.same(err.problems.map(formatProblem), [
    'column 身份证号: missing from the header row (found: 序号, 姓名)',
    'column 人员类别: missing from the header row (found: 序号, 姓名)',
  ]);
  t.match((await refused(s.plans.importRoster(session.id, { bytes: Buffer.from('x'), filename: 'r.xls' }, s.actor))).problems, [
    { problem: /old \.xls workbook/ },
  ]);
});

t.test('a good import adds everyone, generates missing tickets and keeps given ones', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  const r = await s.plans.importRoster(
    session.id,
    { bytes: csv([person(1, '张三'), person(2, '李四', { ticket: 'A-77' }), person(3, '王五')]), filename: 'roster.csv' },
    s.actor,
  );
  t.match(r, { added: 3, total: 3 });
  const tickets = Object.fromEntries(r.entries.map((e) => [e.name, e.ticketNo]));
  t.equal(tickets.李四, 'A-77', 'a ticket from the file is kept');
  for (const name of ['张三', '王五']) {
    t.match(tickets[name], /^\d{3}-\d{4}-\d{4}$/, `${name} is issued a random ticket, printed 3-4-4`);
    t.ok(dammValid(tickets[name]!.replace(/-/g, '')), 'whose last digit is its Damm check digit');
    t.notOk(tickets[name]!.includes(session.id.slice(-6).toUpperCase()), 'nothing of the session id in it');
  }
  t.not(tickets.张三, tickets.王五);
  t.match(
    r.entries.find((e) => e.name === '张三'),
    { idNumber: idn(1), category: 'principal', industry: 'machinery', institution: '广州市安全培训中心', attempt: 1, status: 'registered', seat: null },
  );
  t.match(s.audit.list({ action: 'exam.roster.import' }), [{ target: session.id, detail: { file: 'roster.csv', added: 3 } }]);
  t.match(s.events, [{ name: 'roster.imported', payload: { sessionId: session.id, added: 3, total: 3 } }]);

  const more = await s.plans.importRoster(session.id, { bytes: csv([person(4, '赵六')]), filename: 'more.csv' }, s.actor);
  t.match(more, { added: 1, total: 4 });
  const later = more.entries.find((e) => e.name === '赵六')!.ticketNo;
  t.match(later, /^\d{3}-\d{4}-\d{4}$/, 'a later import issues random tickets too');
  t.notOk(Object.values(tickets).includes(later), 'none already taken');
  const dup = await refused(
    s.plans.importRoster(session.id, { bytes: csv([person(1, '张三'), person(6, '某', { ticket: 'a77' })]), filename: 'again.csv' }, s.actor),
  );
  t.same(dup.problems.map(formatProblem), [
    'row 2, column 身份证号: this person is already on the roster of this session',
    'row 3, column 准考证号: is already used by another candidate of this session (got "a77")',
  ]);
});

t.test('more candidates than the room has seats is refused', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s, { room: 'R2' }); // 1 × 2 seats
  await s.plans.importRoster(session.id, { bytes: csv([person(1)]), filename: 'a.csv' }, s.actor);
  const err = await refused(s.plans.importRoster(session.id, { bytes: csv([person(2), person(3)]), filename: 'b.csv' }, s.actor));
  t.same(err.problems.map(formatProblem), ['b.csv: lists 2 candidates; with the 1 already on the roster that is 3, more than the 2 seats of room R2']);
  t.equal(s.plans.roster(session.id).length, 1);
});

t.test('one person file per ID number: a later roster updates the name, never duplicates the person', async (t) => {
  const s = site(t);
  const plan = s.plans.createPlan({ name: '三月', from: '2026-03-01', to: '2026-03-31' }, s.actor);
  const a = s.plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-10T09:00', templateId: 'test-principal-machinery' }, s.actor);
  const b = s.plans.createSession({ planId: plan.id, room: 'R2', startsAt: '2026-03-11T09:00', templateId: 'gm-principal-general' }, s.actor);
  await s.plans.importRoster(a.id, { bytes: csv([person(1, '张三')]), filename: 'a.csv' }, s.actor);
  // A principal of another industry is another exam, so the same person may sit it too.
  await s.plans.importRoster(b.id, { bytes: csv([person(1, '张三丰', { industry: '冶金' })]), filename: 'b.csv' }, s.actor);
  t.same(s.db.prepare('SELECT id_number, name FROM candidates').all(), [{ id_number: idn(1), name: '张三丰' }]);
  t.match(s.audit.list({ action: 'exam.roster.import' }).at(0), { detail: { renamed: [{ idNumber: idn(1), from: '张三', to: '张三丰' }] } });
  t.equal(s.plans.personRecord(idn(1)).exams.length, 2);
});

t.test('the same exam twice before the first is graded is refused', async (t) => {
  const s = site(t);
  const plan = s.plans.createPlan({ name: '三月', from: '2026-03-01', to: '2026-03-31' }, s.actor);
  const a = s.plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-10T09:00', templateId: 'test-principal-machinery' }, s.actor);
  const b = s.plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-11T09:00', templateId: 'test-principal-machinery' }, s.actor);
  await s.plans.importRoster(a.id, { bytes: csv([person(1)]), filename: 'a.csv' }, s.actor);
  const err = await refused(s.plans.importRoster(b.id, { bytes: csv([person(1)]), filename: 'b.csv' }, s.actor));
  t.same(err.problems.map(formatProblem), [`row 2, column 身份证号: already on the roster of session ${a.id} (2026-03-10) for the same exam`]);
});

t.test('special operations: the operation class must match and candidates must be 18 on the exam day', async (t) => {
  const s = site(t);
  const plan = s.plans.createPlan({ name: '电工', from: '2026-03-01', to: '2026-03-31' }, s.actor);
  const session = s.plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-10T09:00', templateId: 'so-electrician-low-voltage' }, s.actor);
  const rows = [
    [idn(1), '甲', '特种作业人员', '低压电工作业', '机械'],
    [idn(2), '乙', '特种作业人员', '高压电工作业', '机械'],
    [idn(3), '丙', '特种作业人员', '', ''],
    [idn(4, '20080311'), '丁', '特种作业人员', '低压电工作业', ''],
    [idn(5, '20080310'), '戊', '特种作业人员', '低压电工作业', ''],
  ];
  const err = await refused(s.plans.importRoster(session.id, { bytes: csv(rows), filename: 'so.csv' }, s.actor));
  t.same(err.problems.map(formatProblem), [
    'row 3, column 作业类别: must be 低压电工作业: this session\'s template so-electrician-low-voltage is for that operation class (got "高压电工作业")',
    'row 4, column 作业类别: missing (this session is for 低压电工作业)',
    'row 5, column 身份证号: born 2008-03-11: special operators must be at least 18 on the exam day 2026-03-10',
  ]);
  const ok = await s.plans.importRoster(session.id, { bytes: csv([rows[0]!, rows[4]!]), filename: 'so.csv' }, s.actor);
  t.match(ok.entries, [
    { name: '甲', category: 'special_operation', operationClass: '低压电工作业', industry: 'machinery' },
    { name: '戊', operationClass: '低压电工作业', industry: 'general' },
  ]);
});

t.test('.xlsx: rows as Excel numbers them; an ID number stored as a number is caught', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名单');
  ws.addRow(['身份证号*', '姓名', '人员类别', '行业']);
  ws.addRow([idn(1), '张三', '主要负责人', '机械']);
  ws.addRow([]);
  ws.addRow([Number(idn(2)), '李四', '主要负责人', '机械']);
  ws.addRow([{ richText: [{ text: idn(3).slice(0, 9) }, { text: idn(3).slice(9) }] }, '王五', '主要负责人', '机械']);
  const bytes = Buffer.from(await wb.xlsx.writeBuffer());
  const err = await refused(s.plans.importRoster(session.id, { bytes, filename: 'r.xlsx' }, s.actor));
  t.same(
    err.problems.map((p) => p.path),
    ['row 4, column 身份证号'],
    'the marked header 身份证号* is the same column',
  );
  t.match(err.problems[0]!.problem, /Excel stored this ID number as a number/);
  ws.getRow(4).getCell(1).value = idn(2);
  const ok = await s.plans.importRoster(session.id, { bytes: Buffer.from(await wb.xlsx.writeBuffer()), filename: 'r.xlsx' }, s.actor);
  t.same(ok.entries.map((e) => e.name).sort(), ['张三', '李四', '王五'].sort());
});

t.test('JSON with English or Chinese keys, and a GB18030 CSV from Excel on Windows', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  const json = JSON.stringify([
    { idNumber: idn(1), name: '张三', category: 'principal', industry: 'machinery' },
    { 身份证号: idn(2), 姓名: '李四', 人员类别: '主要负责人' },
  ]);
  t.match(await s.plans.importRoster(session.id, { bytes: Buffer.from(json), filename: 'r.json' }, s.actor), { added: 2 });
  // "身份证号,姓名,人员类别\n<id>,王五,主要负责人" in GB18030 (王五 = cdf5 cee5).
  const gbk = Buffer.concat([
    Buffer.from('c9edb7ddd6a4bac52cd0d5c3fb2cc8cbd4b1c0e0b1f00a', 'hex'),
    Buffer.from(`${idn(3)},`),
    Buffer.from('cdf5cee52cd6f7d2aab8bad4f0c8cb', 'hex'),
  ]);
  const r = await s.plans.importRoster(session.id, { bytes: gbk, filename: 'gbk.csv' }, s.actor);
  t.match(
    r.entries.find((e) => e.idNumber === idn(3)),
    { name: '王五', category: 'principal' },
  );
});

t.test('photos are resolved in the given folder, checked, and copied into the data folder', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  const photos = join(s.dir, 'photos');
  mkdirSync(photos);
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 1)]);
  writeFileSync(join(photos, 'zhang.jpg'), jpeg);
  writeFileSync(join(photos, 'notes.jpg'), 'not an image');
  const rows = [
    person(1, '张三', { photo: 'zhang.jpg' }),
    person(2, '李四', { photo: 'missing.jpg' }),
    person(3, '王五', { photo: 'notes.jpg' }),
    person(4, '赵六', { photo: '../zhang.jpg' }),
  ];
  const err = await refused(s.plans.importRoster(session.id, { bytes: csv(rows), filename: 'r.csv', photosDir: photos }, s.actor));
  t.same(err.problems.map(formatProblem), [
    `row 3, column 照片: no such file in the photo folder ${photos} (got "missing.jpg")`,
    'row 4, column 照片: is not a JPEG or PNG image (got "notes.jpg")',
    'row 5, column 照片: must be a file name in the photo folder, without a path (got "../zhang.jpg")',
  ]);
  t.notOk(existsSync(join(s.paths.captures, 'roster')) && readdirSync(join(s.paths.captures, 'roster')).length, 'nothing copied');
  const noFolder = await refused(s.plans.importRoster(session.id, { bytes: csv([rows[0]!]), filename: 'r.csv' }, s.actor));
  t.match(noFolder.problems, [{ path: 'row 2, column 照片', problem: /no photo folder was given/ }]);

  const ok = await s.plans.importRoster(session.id, { bytes: csv([rows[0]!]), filename: 'r.csv', photosDir: photos }, s.actor);
  const photo = ok.entries[0]!.photo!;
  t.match(photo, new RegExp(`^roster/${idn(1)}-[0-9a-f]{12}\\.jpg$`));
  t.ok(existsSync(join(s.paths.captures, photo)), 'copied into captures/');
  t.equal((s.db.prepare('SELECT photo FROM candidates WHERE id_number = ?').get(idn(1)) as { photo: string }).photo, photo, 'and kept in the person file');
});

t.test('the roster is closed once check-in opens', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  await s.plans.importRoster(session.id, { bytes: csv([person(1)]), filename: 'a.csv' }, s.actor);
  s.plans.assignSeats(session.id, s.actor);
  s.plans.generateSessionPapers(session.id, s.actor);
  // Before check-in a late entry is still possible; check-in then insists on papers for everyone.
  await s.plans.importRoster(session.id, { bytes: csv([person(2)]), filename: 'late.csv' }, s.actor);
  s.plans.assignSeats(session.id, s.actor);
  t.throws(() => s.plans.advanceSession(session.id, 'checkin', s.actor), /1 of 2 candidates have no paper/);
  s.plans.generateSessionPapers(session.id, s.actor);
  s.plans.advanceSession(session.id, 'checkin', s.actor);
  await t.rejects(s.plans.importRoster(session.id, { bytes: csv([person(3)]), filename: 'later.csv' }, s.actor), Conflict);
  t.equal(s.plans.roster(session.id).length, 2);
});
