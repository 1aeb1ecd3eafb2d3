// The admin console's bank import as a job (POST /api/bank/imports): answered at once with the job,
// progress from the rows read, checked and stored, a refused file failing the job with every problem
// as a row (exam/protocol.ts BankImportRefused) and nothing stored, and nobody but admins.
import { readFileSync } from 'node:fs';
import t from 'tap';
import type { JobView } from '../../documents/protocol.ts';
import type { BankImportDone, BankImportRefused } from '../../exam/protocol.ts';
import { login, PASSWORDS, scratchDir, testApp } from '../helpers.ts';
import { BAD_FILE_LINES, BANK_TEMPLATE_ID, writeBankFiles } from './bank-files.ts';

const app = await testApp(t);
const admin = { cookie: await login(app, 'admin', PASSWORDS.admin) };
const files = writeBankFiles(scratchDir(t));

function startImport(headers: Record<string, string>, filename: string, body: Buffer) {
  return app.inject({
    method: 'POST',
    url: `/api/bank/imports?filename=${encodeURIComponent(filename)}`,
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    payload: body,
  });
}

const versions = async () => (await app.inject({ url: '/api/bank/versions', headers: admin })).json() as { id: string }[];

/** Starts an import, collects its progress events, and waits for the job's end. */
async function importJob(filename: string, body: Buffer) {
  const progress: { done: number; total: number | null; note: string | null }[] = [];
  let jobId = '';
  const off = app.ctx.bus.on('job.progress', (e) => {
    if (e.jobId === jobId || !jobId) progress.push({ done: e.done, total: e.total, note: e.note });
  });
  const res = await startImport(admin, filename, body);
  const started = res.json() as JobView;
  jobId = started.id;
  const ended = res.statusCode === 202 ? await app.ctx.jobs.wait(started.id) : null;
  off();
  const view = ended ? ((await app.inject({ url: `/api/jobs/${started.id}`, headers: admin })).json() as JobView) : null;
  return { res, started, view, progress };
}

t.test('a file with bad rows fails the job with every problem by row and column, and stores nothing', async (t) => {
  const before = await versions();
  const auditBefore = app.ctx.audit.list({ action: 'bank.import' }).length;
  const { res, started, view } = await importJob('题库-有错行.csv', readFileSync(files.bad));
  t.equal(res.statusCode, 202, res.body);
  t.match(started, { kind: 'bank.import', params: { filename: '题库-有错行.csv', bytes: readFileSync(files.bad).length } });
  t.equal(view!.status, 'failed');
  t.match(view!.error, /题库-有错行\.csv: 3 problems in 2 rows; nothing was imported/);
  const refused = view!.result as BankImportRefused;
  t.equal(refused.file, '题库-有错行.csv');
  t.same(
    refused.problems.map((p) => `${p.where}, ${p.column}`),
    BAD_FILE_LINES,
    'each problem names its row and column, as the CLI lists them',
  );
  t.match(refused.problems[0], { where: 'row 3', column: 'column 答案', problem: /./, line: /^row 3, column 答案: / });
  t.same(await versions(), before, 'no version was made');
  t.equal(app.ctx.audit.list({ action: 'bank.import' }).length, auditBefore, 'no import was recorded');
  t.match(app.ctx.audit.list({ action: 'bank.import.start' })[0], { actor: 'user:admin', target: started.id, detail: { file: '题库-有错行.csv' } });
});

t.test('a good file is done with its new version, and the progress went through reading, checking and storing', async (t) => {
  const { res, view, progress } = await importJob('机械主要负责人题库.csv', readFileSync(files.good));
  t.equal(res.statusCode, 202, res.body);
  t.equal(view!.status, 'done', view!.error ?? '');
  const done = view!.result as BankImportDone;
  t.match(done, { file: '机械主要负责人题库.csv', rows: 184, imported: 184, duplicates: [], version: { id: /^local-/, kind: 'import', questionCount: 184 } });
  t.equal((await versions())[0]!.id, done.version!.id, 'the newest version is the import');
  t.match(progress[0], { done: 0, total: null, note: 'reading' }, 'the first progress event: reading, the total not yet known');
  t.match(progress.at(-1), { done: 184, total: 184, note: 'storing' }, 'the last: every question stored');
  t.match(view!.progress, { done: 184, total: 184, note: 'storing' }, 'the last progress is every question stored');
  const check = await app.inject({ url: `/api/templates/${BANK_TEMPLATE_ID}/check`, headers: admin });
  t.match(check.json(), { ok: true, version: done.version!.id }, 'the good file fills the template the e2e uses');
});

t.test('a file the import cannot read is refused before any job exists', async (t) => {
  const jobsBefore = app.ctx.jobs.list({ kind: 'bank.import' }).length;
  const xls = await startImport(admin, '题库.xls', Buffer.from('x'));
  t.equal(xls.statusCode, 400);
  t.match(xls.json(), { error: 'invalid', problems: [{ path: 'file', problem: /save it as \.xlsx/ }] });
  const empty = await startImport(admin, '题库.csv', Buffer.alloc(0));
  t.equal(empty.statusCode, 400);
  t.equal(app.ctx.jobs.list({ kind: 'bank.import' }).length, jobsBefore);
});

t.test('search filters by difficulty', async (t) => {
  const all = (await app.inject({ url: '/api/bank/questions?type=multiple&limit=500', headers: admin })).json() as { total: number };
  const d2 = (await app.inject({ url: '/api/bank/questions?type=multiple&difficulty=2&limit=500', headers: admin })).json() as {
    total: number;
    items: { difficulty: number }[];
  };
  t.equal(all.total, 24);
  t.equal(d2.total, 8);
  t.ok(d2.items.every((q) => q.difficulty === 2));
});

t.test('an import cancelled while it waits in the queue never runs and stores nothing', async (t) => {
  let release!: () => void;
  const held = new Promise<void>((r) => {
    release = r;
  });
  app.ctx.jobs.define('test.hold', () => held);
  const hold = app.ctx.jobs.start('test.hold', null, 'user:admin');
  const before = await versions();
  const res = await startImport(admin, 'queued.csv', readFileSync(files.bad));
  const job = res.json() as JobView;
  t.equal(job.status, 'queued', 'another job holds the runner');
  const cancel = await app.inject({ method: 'POST', url: `/api/jobs/${job.id}/cancel`, headers: admin });
  t.equal(cancel.statusCode, 200, cancel.body);
  t.equal(app.ctx.jobs.get(job.id).status, 'cancelled');
  release();
  await app.ctx.jobs.wait(hold.id);
  t.same(await versions(), before);
});

t.test('only admins start an import job', async (t) => {
  const body = readFileSync(files.good);
  t.equal((await startImport({}, 'x.csv', body)).statusCode, 401);
  for (const who of ['invig', 'gd'] as const) {
    const cookie = await login(app, who, PASSWORDS[who]);
    t.equal((await startImport({ cookie }, 'x.csv', body)).statusCode, 403, who);
  }
});
