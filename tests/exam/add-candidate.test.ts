// One candidate added to a session by hand (POST /api/exam/sessions/:id/candidates), through the real app
// on a real SQLite file: the row goes through the roster import's own checks (planRows, the seat count,
// ticket issue, photo sealing), so a person refused in a file is refused here for the same reason, the
// problem named by field instead of row and column; refusals store nothing; an addition is audited.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { fixedClock } from '../../core/index.ts';
import { ROOT, buildTestApp, login, PASSWORDS, scratchDir, testConfig } from '../helpers.ts';
import { T0, TEMPLATE, bankQuestions, csv, idn, person } from './plans-fixture.ts';

const FACE = readFileSync(join(ROOT, 'tests/fixtures/faces/Alejandro_Toledo_0021.jpg'));
const dir = scratchDir(t, 'examroom-add-candidate-');
const app = await buildTestApp({ config: testConfig(join(dir, 'data'), 'identity: { enrolOnImport: false }\n'), clock: fixedClock(T0) });
t.teardown(() => app.close());
app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
const admin = await login(app, 'admin', PASSWORDS.admin);
const db = app.ctx.db;

const plan = app.exam.plans.createPlan({ name: '2026年3月主要负责人考试', from: '2026-03-01', to: '2026-03-31' }, 'user:admin');
const session = (room: string, at: string) => app.exam.plans.createSession({ planId: plan.id, room, startsAt: at, templateId: TEMPLATE.id }, 'user:admin').id;
const S1 = session('R1', '2026-03-10T09:00');
const add = (sessionId: string, body: Record<string, unknown>, cookie = admin) =>
  app.inject({ method: 'POST', url: `/api/exam/sessions/${sessionId}/candidates`, headers: { cookie }, payload: body });
const upload = (sessionId: string, rows: string[][]) =>
  app.inject({
    method: 'POST',
    url: `/api/exam/sessions/${sessionId}/roster?filename=roster.csv`,
    headers: { cookie: admin, 'content-type': 'application/octet-stream' },
    payload: csv(rows),
  });
const audits = (action: string) => (db.prepare('SELECT COUNT(*) AS n FROM audit_log WHERE action = ?').get(action) as { n: number }).n;
const zhang = { idNumber: idn(1), name: '张三', category: '主要负责人', industry: '机械', institution: '广州市安全培训中心' };

t.test('a row a roster file would refuse is refused for the same reasons, named by field, and nothing is stored', async (t) => {
  const bad = { idNumber: `${idn(2).slice(0, 17)}Y`, name: '李四', category: '特种作业人员', industry: '机械' };
  const file = await upload(S1, [[bad.idNumber, bad.name, bad.category, '', bad.industry]]);
  t.equal(file.statusCode, 400);
  const res = await add(S1, bad);
  t.equal(res.statusCode, 400, res.body);
  const fromFile = (file.json().problems as { path: string; problem: string }[]).map((p) => [p.path.replace(/^row 2, column /, ''), p.problem]);
  const fromForm = (res.json().problems as { path: string; problem: string }[]).map((p) => [p.path, p.problem]);
  t.same(
    fromForm.map(([, problem]) => problem),
    fromFile.map(([, problem]) => problem),
    'the same problems, word for word',
  );
  t.same(
    fromForm.map(([path]) => path),
    ['idNumber', 'category'],
    'named by the form’s fields',
  );
  t.match(res.json().message, /the candidate was not added/);
  t.equal(app.exam.plans.roster(S1).length, 0);
  t.equal(audits('exam.roster.add'), 0);
});

t.test('an added candidate is on the roster with a ticket and their photo, audited', async (t) => {
  const res = await add(S1, { ...zhang, photoBase64: FACE.toString('base64') });
  t.equal(res.statusCode, 201, res.body);
  const r = res.json();
  t.match(r, { sessionId: S1, added: 1, total: 1, entry: { idNumber: idn(1), name: '张三', category: 'principal', ticketNo: /^\S+$/, photo: /^roster\// } });
  t.equal(r.entries.length, 1);
  const stored = readdirSync(join(dir, 'data/captures/roster'));
  t.equal(stored.length, 1, 'the photo is kept');
  t.not(
    readFileSync(join(dir, 'data/captures/roster', stored[0]!))
      .subarray(0, 3)
      .toString('hex'),
    'ffd8ff',
    'sealed, not the plain JPEG',
  );
  const entry = db.prepare("SELECT actor, target, detail FROM audit_log WHERE action = 'exam.roster.add'").get() as {
    actor: string;
    target: string;
    detail: string;
  };
  t.match(entry, { actor: 'user:admin', target: S1 });
  t.match(JSON.parse(entry.detail), { name: '张三', ticketNo: r.entry.ticketNo, added: 1, photos: 1 });

  const again = await add(S1, zhang);
  t.equal(again.statusCode, 400, 'the same person twice is refused');
  t.match(again.json().problems, [{ path: 'idNumber', problem: 'this person is already on the roster of this session' }]);
});

t.test('the retake rules look across sessions as for a file: one pending exam at a time', async (t) => {
  const S2 = session('R1', '2026-03-20T09:00');
  const res = await add(S2, zhang);
  t.equal(res.statusCode, 400);
  t.match(res.json().problems, [{ path: 'idNumber', problem: new RegExp(`already on the roster of session ${S1}`) }]);
});

t.test('a full room refuses one more, saying no seat is left', async (t) => {
  const S3 = session('R2', '2026-03-21T09:00');
  t.equal((await upload(S3, [person(5), person(6)])).statusCode, 201);
  const res = await add(S3, { ...zhang, idNumber: idn(7) });
  t.equal(res.statusCode, 400);
  t.match(res.json().problems, [{ path: 'session', problem: /room R2 has 2 seats and the roster already lists 2 candidates/ }]);
  t.equal(app.exam.plans.roster(S3).length, 2);
});

t.test('only an admin adds, and only before check-in opens', async (t) => {
  const invig = await login(app, 'invig', PASSWORDS.invig);
  t.equal((await add(S1, { ...zhang, idNumber: idn(8) }, invig)).statusCode, 403);
  const photo = await add(S1, { ...zhang, idNumber: idn(8), photoBase64: Buffer.from('GIF89a not a photo').toString('base64') });
  t.equal(photo.statusCode, 400);
  t.match(photo.json().problems, [{ path: 'photo', problem: 'is not a JPEG or PNG image' }]);
  db.prepare("UPDATE exam_sessions SET status = 'checkin' WHERE id = ?").run(S1);
  const late = await add(S1, { ...zhang, idNumber: idn(8) });
  t.equal(late.statusCode, 409);
  t.match(late.json().message, /its roster can change only before check-in opens/);
  t.equal(app.exam.plans.roster(S1).length, 1, 'still only 张三');
});

t.test('fields left blank, sent as null as the console sends them, are blanks: not 0 学时 without a 培训机构', async (t) => {
  const S3 = session('R2', '2026-03-12T09:00');
  const res = await add(S3, {
    idNumber: idn(7),
    name: '刘七',
    category: '主要负责人',
    institution: null,
    trainingHours: null,
    trainedOn: null,
    ticketNo: null,
    operationClass: null,
    industry: null,
    photoBase64: null,
  });
  t.equal(res.statusCode, 201, res.body);
  t.match(res.json().entry, { name: '刘七', institution: null });
});
