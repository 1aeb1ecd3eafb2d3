// The admin console's plans routes through the real app (real SQLite, app.inject): a roster with photos
// in one zip (a GBK-named entry from Windows, photos named by the 照片 column and by ID number), refusals
// that store nothing (a bad row named by row and column, a zip bomb with an honest header and one that
// lies), the seat list and admission tickets as PDFs read back with pdftotext and drawn with pdftoppm
// (pages kept in tests/artifacts/plans/), and papers generated as a job with progress.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { fixedClock, maskIdNumber } from '../../core/index.ts';
import { ROOT, buildTestApp, login, PASSWORDS, scratchDir, testConfig } from '../helpers.ts';
import { HEADER, T0, TEMPLATE, bankQuestions, csv, idn, person } from './plans-fixture.ts';
import { gbk, makeZip } from './zip-fixture.ts';

const ARTIFACTS = join(ROOT, 'tests/artifacts/plans');
const FACE_A = readFileSync(join(ROOT, 'tests/fixtures/faces/Alejandro_Toledo_0021.jpg'));
const FACE_B = readFileSync(join(ROOT, 'tests/fixtures/faces/John_Abizaid_0002.jpg'));

function tool(name: string, args: string[]): string {
  const r = spawnSync(name, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${name} is not installed (poppler-utils)`);
  if (r.status !== 0) throw new Error(`${name} ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const dir = scratchDir(t, 'examroom-plans-admin-');
mkdirSync(ARTIFACTS, { recursive: true });
const app = await buildTestApp({ config: testConfig(join(dir, 'data'), 'identity: { enrolOnImport: false }\n'), clock: fixedClock(T0) });
t.teardown(() => app.close());
app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
const admin = await login(app, 'admin', PASSWORDS.admin);
const invig = await login(app, 'invig', PASSWORDS.invig);

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, cookie = admin) =>
  app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload: payload as object }) });
const upload = (sessionId: string, filename: string, bytes: Buffer) =>
  app.inject({
    method: 'POST',
    url: `/api/exam/sessions/${sessionId}/roster?filename=${encodeURIComponent(filename)}`,
    headers: { cookie: admin, 'content-type': 'application/octet-stream' },
    payload: bytes,
  });
const rosterPhotos = () => (existsSync(join(dir, 'data/captures/roster')) ? readdirSync(join(dir, 'data/captures/roster')) : []);

const plan = (await api('POST', '/api/exam/plans', { name: '2026年3月主要负责人考试', from: '2026-03-01', to: '2026-03-31' })).json();
const created = await api('POST', '/api/exam/sessions', { planId: plan.id, room: 'R1', startsAt: '2026-03-10T09:00', templateId: TEMPLATE.id });
t.equal(created.statusCode, 201, created.body);
const sessionId = created.json().id as string;

t.test('a zip bomb is refused while reading, and nothing is stored', async (t) => {
  const zeros = Buffer.alloc(8 * 1024 * 1024);
  const honest = makeZip([
    { name: 'roster.csv', data: csv([person(1)]) },
    { name: 'big.jpg', data: zeros },
  ]);
  t.ok(honest.length < 64 * 1024, `8 MB of zeros deflate to ${honest.length} bytes`);
  let res = await upload(sessionId, 'bomb.zip', honest);
  t.equal(res.statusCode, 400);
  t.match(res.json().problems, [{ path: 'big.jpg', problem: /header says it unzips to 8\.0 MB; a photo may be at most 5\.0 MB/ }]);

  // The header says 1 KB; the bytes say 8 MB: counted while inflating, stopped at the limit.
  const liar = makeZip([
    { name: 'roster.csv', data: csv([person(1, '张三', { photo: 'big.jpg' })]) },
    { name: 'big.jpg', data: zeros, declaredSize: 1024 },
  ]);
  res = await upload(sessionId, 'liar.zip', liar);
  t.equal(res.statusCode, 400);
  t.match(res.json().problems[0], { path: 'big.jpg', problem: /unzips to more than 5\.0 MB \(its header says 0\.00 MB\)|too many bytes|cannot be unzipped/ });

  const many = makeZip(Array.from({ length: 2001 }, (_, i) => ({ name: `p${i}.txt`, data: Buffer.from('x'), deflate: false })));
  res = await upload(sessionId, 'many.zip', many);
  t.equal(res.statusCode, 400);
  t.match(res.json().problems, [{ problem: /holds 2001 entries; a roster zip may hold at most 2000/ }]);

  t.same((await api('GET', `/api/exam/sessions/${sessionId}/roster`)).json(), [], 'the roster is still empty');
  t.same(rosterPhotos(), [], 'no photo was written');
});

t.test('a bad row refuses the whole zip with the row and column named', async (t) => {
  const zip = makeZip([
    { name: gbk('照片/张三.jpg'), data: FACE_A },
    {
      name: 'roster.csv',
      data: csv([person(1, '张三', { photo: '张三.jpg' }), [idn(2).slice(0, 17) + 'Y', '李四', '主要负责人'], person(3, '王五', { photo: 'nobody.jpg' })]),
    },
  ]);
  const res = await upload(sessionId, '名单.zip', zip);
  t.equal(res.statusCode, 400);
  const problems = res.json().problems as { path: string; problem: string }[];
  t.match(problems, [
    { path: 'row 3, column 身份证号', problem: /./ },
    { path: 'row 4, column 照片', problem: 'no such photo in the zip' },
  ]);
  t.equal(problems.length, 2, 'every bad row, and only those');
  t.same(rosterPhotos(), [], 'the good row’s photo was not kept');
  t.equal(app.exam.plans.roster(sessionId).length, 0);
});

t.test('a roster uploaded alone that names photos asks for one zip, not for a server folder', async (t) => {
  const res = await upload(sessionId, 'roster.csv', csv([person(1, '张三', { photo: '张三.jpg' })]));
  t.equal(res.statusCode, 400);
  t.match(res.json().problems, [
    { path: 'row 2, column 照片', problem: /uploaded without its photos: upload the roster and the photos together as one \.zip/ },
  ]);
  t.notMatch(res.body, /--photos/, 'no CLI option in words meant for the browser');
  t.equal(app.exam.plans.roster(sessionId).length, 0);
});

t.test('a zip from Windows: GBK names, photos by the 照片 column and by ID number', async (t) => {
  const zip = makeZip([
    { name: gbk('照片/张三.jpg'), data: FACE_A },
    { name: `photos/${idn(2)}.jpg`, data: FACE_B, utf8Flag: false },
    { name: '__MACOSX/._roster.csv', data: Buffer.from('junk') },
    { name: 'roster.csv', data: csv([person(1, '张三', { photo: '张三.jpg' }), person(2, '李四'), person(3, '王五')], HEADER) },
  ]);
  const res = await upload(sessionId, '名单.zip', zip);
  t.equal(res.statusCode, 201, res.body);
  const body = res.json();
  t.match(body, { added: 3, total: 3 });
  const byName = Object.fromEntries((body.entries as { name: string; photo: string | null }[]).map((e) => [e.name, e.photo]));
  t.match(byName['张三'], new RegExp(`^roster/${idn(1)}-[0-9a-f]{12}\\.jpg$`), 'the GBK-named photo is 张三’s');
  t.match(byName['李四'], new RegExp(`^roster/${idn(2)}-`), 'the photo named by ID number is 李四’s');
  t.equal(byName['王五'], null);
  t.same(app.exam.deps.faceVault.readFile(join(dir, 'data/captures', byName['张三']!)), FACE_A, 'stored as sent (sealed)');
  const audit = app.ctx.db.prepare("SELECT detail FROM audit_log WHERE action = 'exam.roster.import'").all() as { detail: string }[];
  t.equal(audit.length, 1, 'audited once (the refusals changed nothing)');
  t.match(JSON.parse(audit[0]!.detail), { file: '名单.zip', added: 3, photos: 2 });
});

t.test('seats drawn, one moved, seat list and admission tickets as PDFs', async (t) => {
  const early = await api('GET', `/api/exam/sessions/${sessionId}/admission-tickets.pdf`);
  t.equal(early.statusCode, 409, 'no tickets before seats');
  t.match(early.json().message, /have no seat yet; draw the seats/);

  t.equal((await api('POST', `/api/exam/sessions/${sessionId}/seats`)).statusCode, 200);
  const free = (await api('GET', `/api/exam/sessions/${sessionId}/free-seats`)).json();
  t.equal(free.seats.length, 6);
  t.equal(free.free.length, 3);
  const moved = await api('PUT', `/api/exam/sessions/${sessionId}/seats/${idn(1)}`, { seat: free.free[0], reason: '视力' });
  t.equal(moved.statusCode, 200, moved.body);
  t.equal(moved.json().seat, free.free[0]);

  const list = await api('GET', `/api/exam/sessions/${sessionId}/seat-list?format=pdf`);
  t.equal(list.statusCode, 200);
  t.equal(list.headers['content-type'], 'application/pdf');
  const listFile = join(ARTIFACTS, 'seat-list.pdf');
  writeFileSync(listFile, list.rawPayload);
  const listText = tool('pdftotext', ['-layout', listFile, '-']);
  t.match(listText, /考场座位表/);
  t.match(listText, new RegExp(`${free.free[0]}\\s+\\S+\\s+张三`), 'the moved seat');
  t.notMatch(listText, idn(1), 'ID numbers masked');

  const res = await api('GET', `/api/exam/sessions/${sessionId}/admission-tickets.pdf`);
  t.equal(res.statusCode, 200);
  const file = join(ARTIFACTS, 'admission-tickets.pdf');
  writeFileSync(file, res.rawPayload);
  t.match(tool('pdfinfo', [file]), /Pages:\s+3\b/, 'one page per candidate');
  const text = tool('pdftotext', ['-layout', file, '-']);
  t.match(text, /测试考点 准考证/);
  for (const who of ['张三', '李四', '王五']) t.match(text, who);
  t.ok(text.includes(maskIdNumber(idn(1))), 'the masked ID number');
  t.notMatch(text, idn(1), 'never the whole one');
  t.match(text, /2026-03-10 09:00–10:30/, 'the time');
  t.match(text, /一号考场（R1）/);
  t.match(text, /无照片/, '王五 has no photo and the frame says so');
  tool('pdftoppm', ['-r', '60', '-png', file, join(ARTIFACTS, 'admission-ticket')]);
  const pages = readdirSync(ARTIFACTS).filter((f) => f.startsWith('admission-ticket-') && f.endsWith('.png'));
  t.equal(pages.length, 3, 'each page draws');
  const audit = app.ctx.db.prepare("SELECT actor FROM audit_log WHERE action = 'exam.admission_tickets.print'").all();
  t.same(audit, [{ actor: 'user:admin' }], 'printing is audited');
  t.equal((await api('GET', `/api/exam/sessions/${sessionId}/admission-tickets.pdf`, undefined, invig)).statusCode, 403, 'admins only');
});

t.test('papers as a job: 202 with the job, progress, the result; refused up front when it cannot run', async (t) => {
  const res = await api('POST', `/api/exam/sessions/${sessionId}/papers/job`);
  t.equal(res.statusCode, 202, res.body);
  const job = res.json();
  t.match(job, { kind: 'exam.papers', params: { sessionId }, status: /queued|running/ });
  const done = await app.ctx.jobs.wait(job.id);
  t.equal(done.status, 'done', String(done.error));
  t.match(done.result, { sessionId, bankVersion: 'v1', papers: 3, replaced: 0 });
  t.match(done.progress, { done: 3, total: 3, note: 'saving' });
  t.equal(app.exam.plans.session(sessionId).status, 'papers_ready');
  t.equal(app.exam.plans.paperStore.ofSession(sessionId).length, 3);

  const empty = (await api('POST', '/api/exam/sessions', { planId: plan.id, room: 'R2', startsAt: '2026-03-11T09:00', templateId: TEMPLATE.id })).json();
  const refused = await api('POST', `/api/exam/sessions/${empty.id}/papers/job`);
  t.equal(refused.statusCode, 409, 'refused before it starts, not a failed job');
  t.match(refused.json().message, /nobody on its roster/);
});
