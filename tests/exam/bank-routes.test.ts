// The bank's admin API on a real app: import an uploaded file (all or nothing), search without
// answers, preview with the answer (audited), retire (never delete), and nobody but admins.
// One app serves every test (log-ins cost a scrypt each); each test uses stems of its own.
import t from 'tap';
import ExcelJS from 'exceljs';
import { login, PASSWORDS, testApp } from '../helpers.ts';

const HEADER = ['题型', '题干', '选项A', '选项B', '选项C', '答案', '难度', '知识点', '行业', '人员类别'];
/** Three good rows whose stems start with `tag`, so each test's questions are its own. */
const rows = (tag: string): (string | number)[][] => [
  ['单选', `${tag}发生火灾时首先应当怎么做？`, '报警', '逃跑', '拍照', 'A', 2, '应急管理', '通用', '主要负责人'],
  ['多选', `${tag}有限空间作业前应当做哪些事？`, '检测气体', '通风', '喝酒', 'AB', 3, `${tag}有限空间作业`, '冶金', '安全生产管理人员'],
  ['判断', `${tag}特种作业人员必须持证上岗。`, '', '', '', '√', 1, `${tag}持证上岗`, '机械', '特种作业人员'],
];

async function xlsxBytes(rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('题库');
  for (const r of [HEADER, ...rows]) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const app = await testApp(t);
const admin = { cookie: await login(app, 'admin', PASSWORDS.admin) };

function upload(headers: Record<string, string>, filename: string, body: Buffer | string, type = 'application/octet-stream') {
  return app.inject({
    method: 'POST',
    url: `/api/bank/import?filename=${encodeURIComponent(filename)}`,
    headers: { ...headers, 'content-type': type },
    payload: body,
  });
}

const versionIds = async () => ((await app.inject({ url: '/api/bank/versions', headers: admin })).json() as { id: string }[]).map((v) => v.id);
const search = async (query: string) =>
  (await app.inject({ url: `/api/bank/questions?${query}`, headers: admin })).json() as {
    version: string;
    total: number;
    items: ({ id: string; stem: string } & Record<string, unknown>)[];
  };

t.test('an uploaded .xlsx is imported into a new version, and a second upload reports its duplicates', async (t) => {
  const res = await upload(admin, '题库.xlsx', await xlsxBytes(rows('上传')));
  t.equal(res.statusCode, 200, res.body);
  const body = res.json() as { version: { id: string } };
  t.match(body, { file: '题库.xlsx', rows: 3, imported: 3, duplicates: [], version: { id: /^local-/, kind: 'import', label: '题库.xlsx' } });
  t.equal((await versionIds())[0], body.version.id, 'the newest version is the import');

  const again = await upload(admin, '题库.xlsx', await xlsxBytes([rows('上传')[0]!]));
  t.match(again.json(), { imported: 0, duplicates: [{ where: 'row 2', sameAs: /^question q/, answerDiffers: false }], version: null });
  t.match(app.ctx.audit.list({ action: 'bank.import' })[0], { actor: 'user:admin', detail: { file: '题库.xlsx', imported: 0, duplicates: 1, version: null } });
});

t.test('a bad upload is 400 with every problem by row and column, and nothing is stored', async (t) => {
  const before = await versionIds();
  const res = await upload(admin, 'bad.xlsx', await xlsxBytes([rows('坏')[0]!, ['单选', '坏题', '甲', '乙', '', 'E', 7, '应急管理', '通用', '主要负责人']]));
  t.equal(res.statusCode, 400);
  t.same(res.json(), {
    error: 'invalid',
    message: 'bad.xlsx: 2 problems in 1 row; nothing was imported',
    problems: [
      { path: 'row 3, column 答案', problem: '"E" names option E, but only A and B exist' },
      { path: 'row 3, column 难度', problem: 'must be a whole number from 1 to 5', got: '7' },
    ],
  });
  t.same(await versionIds(), before, 'no version was made');
  t.equal((await search('q=坏')).total, 0, 'not even the good row was stored');
});

t.test('CSV and JSON uploads work whatever content type the browser chose, past the default 1 MiB body limit', async (t) => {
  const padding = '安全'.repeat(200);
  const csv = [HEADER.join(','), ...Array.from({ length: 1200 }, (_, i) => `单选,大文件第${i}题${padding},甲,乙,丙,B,3,应急管理,通用,主要负责人`)].join('\n');
  t.ok(Buffer.byteLength(csv) > 1024 * 1024, 'the CSV is larger than the server-wide body limit');
  const r1 = await upload(admin, 'big.csv', csv, 'application/vnd.ms-excel');
  t.equal(r1.statusCode, 200, r1.body);
  t.equal(r1.json().imported, 1200);
  const json = JSON.stringify([
    { type: 'judge', stem: '用JSON导入的题', answer: '错', difficulty: 1, knowledgePoint: '应急管理', industry: 'general', category: 'principal' },
  ]);
  const r2 = await upload(admin, 'q.json', json, 'application/json');
  t.equal(r2.statusCode, 200, r2.body);
  t.equal(r2.json().imported, 1);
});

t.test('an upload without a body or with an unknown extension says what to send', async (t) => {
  const empty = await app.inject({ method: 'POST', url: '/api/bank/import?filename=q.xlsx', headers: admin });
  t.equal(empty.statusCode, 400);
  t.match(empty.json(), { problems: [{ path: 'body', problem: /send the file itself/ }] });
  const doc = await upload(admin, 'q.docx', 'x');
  t.equal(doc.statusCode, 400);
  t.match(doc.json(), { problems: [{ path: 'file', problem: 'import takes .xlsx, .csv or .json files' }] });
  const noName = await app.inject({ method: 'POST', url: '/api/bank/import', headers: { ...admin, 'content-type': 'application/octet-stream' }, payload: 'x' });
  t.equal(noName.statusCode, 400);
});

t.test('search lists questions without answers; a preview shows the answer and is audited', async (t) => {
  const imported = (await upload(admin, 'q.xlsx', await xlsxBytes(rows('搜索')))).json() as { version: { id: string } };

  const all = await search('q=搜索');
  t.equal(all.version, imported.version.id, 'the latest version by default');
  t.equal(all.total, 3);
  for (const q of all.items) t.notOk('answer' in q || 'explanation' in q, 'no answer in a search result');

  const found = await search(`q=${encodeURIComponent('搜索有限空间')}&type=multiple&industry=metallurgy`);
  t.equal(found.total, 1);
  t.equal(found.items[0]!.stem, '搜索有限空间作业前应当做哪些事？');
  t.equal((await search(`category=special_operation&knowledgePoint=${encodeURIComponent('搜索持证上岗')}`)).total, 1);
  t.equal((await search('q=搜索&limit=1&offset=2')).items.length, 1);
  t.equal((await app.inject({ url: '/api/bank/questions?version=nope', headers: admin })).statusCode, 404);
  t.equal((await app.inject({ url: '/api/bank/questions?industry=space', headers: admin })).statusCode, 400);

  const id = found.items[0]!.id;
  const preview = await app.inject({ url: `/api/bank/questions/${id}`, headers: admin });
  t.equal(preview.statusCode, 200);
  t.match(preview.json(), {
    id,
    type: 'multiple',
    options: ['检测气体', '通风', '喝酒'],
    answer: [0, 1],
    answerLetters: 'AB',
    usedInPapers: 0,
    retiredAt: null,
  });
  t.match(app.ctx.audit.list({ action: 'bank.question.preview' })[0], { actor: 'user:admin', target: id });
  t.equal((await app.inject({ url: '/api/bank/questions/qnope', headers: admin })).statusCode, 404);
});

t.test('retiring a question keeps it but takes it out of search; twice is 409, unknown is 404', async (t) => {
  await upload(admin, 'q.xlsx', await xlsxBytes(rows('退役')));
  const id = (await search('q=退役&type=judge')).items[0]!.id;
  const res = await app.inject({ method: 'POST', url: `/api/bank/questions/${id}/retire`, headers: admin });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { id, retiredAt: Number });
  t.equal((await search('q=退役&type=judge')).total, 0);
  t.equal((await search('q=退役&type=judge&includeRetired=true')).total, 1);
  const twice = await app.inject({ method: 'POST', url: `/api/bank/questions/${id}/retire`, headers: admin });
  t.equal(twice.statusCode, 409);
  t.match(twice.json(), { error: 'conflict', message: new RegExp(`^question ${id} was already retired at `) });
  t.equal((await app.inject({ method: 'POST', url: '/api/bank/questions/qnope/retire', headers: admin })).statusCode, 404);
  t.match(app.ctx.audit.list({ action: 'bank.retire' }), [{ actor: 'user:admin', target: id }]);
});

t.test('only admins reach the bank: invigilators and inspectors get 403, nobody 401', async (t) => {
  const others = { invigilator: await login(app, 'invig', PASSWORDS.invig), inspector: await login(app, 'gd', PASSWORDS.gd) };
  const calls = [
    { method: 'GET' as const, url: '/api/bank/versions' },
    { method: 'GET' as const, url: '/api/bank/questions' },
    { method: 'GET' as const, url: '/api/bank/questions/q1' },
    { method: 'POST' as const, url: '/api/bank/import?filename=q.csv' },
    { method: 'POST' as const, url: '/api/bank/questions/q1/retire' },
  ];
  for (const c of calls) {
    for (const [who, cookie] of Object.entries(others))
      t.equal((await app.inject({ ...c, headers: { cookie } })).statusCode, 403, `${who} ${c.method} ${c.url}`);
    t.equal((await app.inject(c)).statusCode, 401, `anonymous ${c.method} ${c.url}`);
  }
});
