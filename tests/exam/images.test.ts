// Question images (题目图片): uploads are checked by their bytes and stored content-addressed, an
// import stores a question with its pictures' ids (and refuses a name nothing answers to), a signed
// package must name pictures the site has, and a terminal fetches only the pictures of the paper in
// front of its room. Real picture files (sharp), a real SQLite file and a real app per test.
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError, fixedClock, formatProblem, createEventBus } from '../../core/index.ts';
import { createAuditLog, dataPaths, openDatabase } from '../../storage/index.ts';
import { createExamService, deliver, type QuestionInput, type Template } from '../../exam/index.ts';
import { MAX_IMAGE_BYTES, imageUrl } from '../../exam/bank/images.ts';
import { generateSigningKey, signPackage } from '../../exam/bank/packages.ts';
import { login, pairDevice, PASSWORDS, scratchDir, testConfig } from '../helpers.ts';
import { TEMPLATE, bankQuestions, csv, idn, person } from './plans-fixture.ts';
import { START, T0, startApp } from '../terminal/fixture.ts';
import { question } from './bank-fixture.ts';
import { SVG, bmp, gif, jpeg, png, webp } from './images-fixture.ts';

const KEY = generateSigningKey('national-2026');

/** The exam service on a scratch database, trusting KEY for packages. */
function site(t: Test) {
  const dir = scratchDir(t);
  const clock = fixedClock(Date.parse('2026-03-01T09:00:00+08:00'));
  const db = openDatabase(dataPaths(dir).dbFile);
  t.teardown(() => db.close());
  const audit = createAuditLog(db, clock);
  const config = testConfig(dir, `bank:\n  publicKeys:\n    - { id: ${KEY.keyId}, key: "${KEY.publicKeyBase64}" }\n`);
  const exam = createExamService({ db, clock, bus: createEventBus(), config, audit, paths: dataPaths(dir) });
  const rows = () => db.prepare('SELECT COUNT(*) FROM bank_images').pluck().get() as number;
  const uploads = () => audit.list({ action: 'exam.bank.image.upload' });
  return { dir, db, clock, audit, exam, images: exam.images, rows, uploads, path: (name: string) => join(dir, name) };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The problem lines of a refusal, as the CLI and the HTTP reply show them. */
function refusal(t: Test, f: () => unknown): string[] {
  try {
    f();
  } catch (err) {
    if (err instanceof ValidationError) return err.problems.map(formatProblem);
    throw err;
  }
  t.fail('accepted');
  return [];
}

async function refusalOf(t: Test, p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ValidationError) return err.problems.map(formatProblem);
    throw err;
  }
  t.fail('accepted');
  return [];
}

t.test('PNG, JPEG, GIF, WebP and BMP are stored under the hash of their bytes, and each upload is audited', async (t) => {
  const s = site(t);
  const files: [string, Buffer, string, string][] = [
    ['fig/1.png', await png(), 'png', 'image/png'],
    ['fig/2.jpg', await jpeg(), 'jpg', 'image/jpeg'],
    ['fig/3.JPEG', await jpeg('blue'), 'jpg', 'image/jpeg'],
    ['fig/4.gif', await gif(), 'gif', 'image/gif'],
    ['标志/禁止烟火.webp', await webp(), 'webp', 'image/webp'],
    ['5.bmp', bmp(), 'bmp', 'image/bmp'],
  ];
  for (const [name, bytes, ext, mime] of files) {
    const r = s.images.put(name, bytes, 'user:admin');
    t.same(r, { id: `${sha(bytes)}.${ext}`, name, mime, bytes: bytes.length, created: true }, name);
    t.same(s.images.get(r.id)?.data, bytes, `${name}: the bytes come back as they went in`);
    t.equal(s.images.resolve(name)?.id, r.id, `${name} resolves to its upload`);
  }
  t.same(
    s.uploads().map((e) => e.detail),
    files.map(([name, bytes, ext]) => ({ name, id: `${sha(bytes)}.${ext}`, bytes: bytes.length })).reverse(),
    'one audit entry per upload, with name, id and size',
  );
  t.equal(s.images.resolve('fig/9.png'), null, 'a name never uploaded resolves to nothing');
});

t.test('every refusal says what is wrong, and a refused upload stores and audits nothing', async (t) => {
  const s = site(t);
  const big = Buffer.concat([await png(), Buffer.alloc(MAX_IMAGE_BYTES)]);
  const cases: [string, Buffer, string[]][] = [
    ['empty.png', Buffer.alloc(0), ['image empty.png: the file is empty']],
    [
      'big.png',
      big,
      [`image big.png: the file is ${(big.length / 1024 / 1024).toFixed(1)} MiB; an image may be at most 2.0 MiB (scale it down, or save a photo as JPEG)`],
    ],
    ['sign.svg', SVG, ['image sign.svg: SVG is not accepted: it can carry scripts; export it as PNG']],
    ['sign.png', SVG, ['image sign.png: SVG is not accepted: it can carry scripts; export it as PNG']],
    ['photo.png', await jpeg(), ['image photo.png: the file is a JPEG image, but its name ends .png; rename it .jpg (or save it as PNG)']],
    ['pic.gif', await png(), ['image pic.gif: the file is a PNG image, but its name ends .gif; rename it .png (or save it as GIF)']],
    ['notes.png', Buffer.from('hello, world'), ['image notes.png: not a PNG, JPEG, GIF, WebP or BMP image (it starts with the bytes 68 65 6c 6c 6f 2c 20 77)']],
    ['../up.png', await png(), ['name: an image is a relative file name ending .png, .jpg, .jpeg, .gif, .webp or .bmp (got "../up.png")']],
    ['/abs.png', await png(), ['name: an image is a relative file name ending .png, .jpg, .jpeg, .gif, .webp or .bmp (got "/abs.png")']],
    ['fig.txt', await png(), ['name: an image is a relative file name ending .png, .jpg, .jpeg, .gif, .webp or .bmp (got "fig.txt")']],
  ];
  for (const [name, bytes, lines] of cases)
    t.same(
      refusal(t, () => s.images.put(name, bytes, 'user:admin')),
      lines,
      name,
    );
  t.equal(s.rows(), 0, 'nothing was stored');
  t.same(s.uploads(), [], 'nothing was audited');
});

t.test('the same bytes again under the same name change nothing; another name or new bytes do', async (t) => {
  const s = site(t);
  const [red, green] = [await png('red'), await png('green')];
  const first = s.images.put('fig/1.png', red, 'user:admin');
  t.same(s.images.put('fig/1.png', red, 'user:admin'), { ...first, created: false }, 're-uploading the same picture is a no-op');
  t.equal(s.rows(), 1);
  t.equal(s.uploads().length, 1, 'and is not audited again');

  const alias = s.images.put('signs/red.png', red, 'user:admin');
  t.equal(alias.id, first.id, 'the id is the content: the same picture under another name has the same id');
  t.ok(alias.created, 'a new name is a new upload');
  t.equal(s.images.resolve('signs/red.png')?.id, first.id);
  t.equal(s.images.resolve('fig/1.png')?.id, first.id, 'the first name still resolves');

  s.clock.advance(1000);
  const replaced = s.images.put('fig/1.png', green, 'user:admin');
  t.not(replaced.id, first.id);
  t.equal(s.images.resolve('fig/1.png')?.id, replaced.id, 'a name resolves to its latest upload');
  t.ok(s.images.get(first.id), 'the earlier picture is kept: questions that use it still show it');

  s.clock.advance(1000);
  t.equal(s.images.put('fig/1.png', red, 'user:admin').created, false, 'bytes the name had before are not new');
  t.equal(s.images.resolve('fig/1.png')?.id, first.id, 'but the name resolves to them again');
  t.equal(s.uploads().length, 4, 'each change of what a name shows is audited');
});

// ---------------------------------------------------------------------------------------------
// Import

const HEADER = ['题型', '题干', '选项A', '选项B', '选项C', '答案', '难度', '知识点', '行业', '人员类别', '作业类别', '图片'];
const signRow = (stem: string, images: string) => [
  '单选',
  stem,
  '禁止烟火',
  '禁止吸烟',
  '当心火灾',
  'A',
  '2',
  '安全标志',
  '通用',
  '特种作业人员',
  '低压电工作业',
  images,
];
const csvOf = (rows: string[][]) => [HEADER, ...rows].map((r) => r.join(',')).join('\n') + '\n';

async function importCsv(s: ReturnType<typeof site>, name: string, rows: string[][]) {
  writeFileSync(s.path(name), csvOf(rows));
  return s.exam.bankAdmin.importFile(s.path(name), 'csv', { filename: name, actor: 'user:admin' });
}

t.test('an import stores a question with its pictures’ ids, and another picture makes another question', async (t) => {
  const s = site(t);
  const [red, green] = [await png('red'), await png('green')];
  const fig1 = s.images.put('fig/1.png', red, 'user:admin');
  const fig2 = s.images.put('fig/2.png', green, 'user:admin');
  const r = await importCsv(s, 'signs.csv', [
    signRow('下图所示标志的含义是？', 'fig/1.png'),
    signRow('下图所示标志的含义是？', 'fig/2.png'),
    signRow('两张图', 'fig/1.png；fig/2.png'),
  ]);
  t.equal(r.imported, 3, 'the same stem and options with another picture is not a duplicate');
  t.same(r.duplicates, []);
  const stored = s.exam.bank.pool(s.exam.bank.latest()!.id, { includeRetired: true });
  t.same(stored.map((q) => q.images).sort(), [[fig1.id], [fig2.id], [fig1.id, fig2.id]].sort());
  t.equal(new Set(stored.map((q) => q.id)).size, 3, 'and has its own id');

  const again = await importCsv(s, 'again.csv', [signRow('下图所示标志的含义是？', 'fig/1.png')]);
  t.same([again.imported, again.duplicates.length], [0, 1], 'the same picture again is a duplicate');

  s.clock.advance(1000);
  s.images.put('fig/1.png', await png('blue'), 'user:admin');
  const redrawn = await importCsv(s, 'redrawn.csv', [signRow('下图所示标志的含义是？', 'fig/1.png')]);
  t.equal(redrawn.imported, 1, 'a name uploaded again with other bytes makes a new question; the old one keeps its picture');
});

t.test('an image name that nothing was uploaded under is a row problem, and nothing is imported', async (t) => {
  const s = site(t);
  s.images.put('fig/1.png', await png(), 'user:admin');
  const lines = await refusalOf(
    t,
    importCsv(s, 'missing.csv', [signRow('有图', 'fig/1.png'), signRow('缺图', 'fig/1.png;fig/2.png'), signRow('SVG', 'fig/3.svg')]),
  );
  t.same(lines, [
    'row 3, column 图片: no image named "fig/2.png" has been uploaded (POST /api/bank/images?name=… or bank import --images DIR)',
    'row 4, column 图片: SVG is not accepted: it can carry scripts; export it as PNG (got "fig/3.svg")',
  ]);
  t.same(s.exam.bank.versions(), [], 'no version was made, not even for the good row');

  // JSON names fields its own way.
  writeFileSync(
    s.path('q.json'),
    JSON.stringify([
      {
        type: 'judge',
        stem: '图中是安全色吗？',
        answer: '对',
        difficulty: 1,
        knowledgePoint: '安全色',
        industry: 'general',
        category: 'principal',
        images: ['fig/9.png'],
      },
    ]),
  );
  t.same(await refusalOf(t, s.exam.bankAdmin.importFile(s.path('q.json'), 'json', { filename: 'q.json', actor: 'user:admin' })), [
    'item 1, field images: no image named "fig/9.png" has been uploaded (POST /api/bank/images?name=… or bank import --images DIR)',
  ]);
});

// ---------------------------------------------------------------------------------------------
// Packages

const TEMPLATE_P: Template = { ...TEMPLATE, id: 'pkg-template', industry: 'general' };

t.test('a signed package must name its pictures by ids the site has; otherwise it is refused whole', async (t) => {
  const s = site(t);
  const red = s.images.put('fig/1.png', await png(), 'user:admin');
  const withImages = (images: string[]): QuestionInput[] => [question(1), question(2, { images })];
  const pkg = (version: string, sequence: number, images: string[]) =>
    JSON.stringify(
      signPackage(
        {
          format: 'examroom-bank/1',
          version,
          sequence,
          publishedAt: '2026-03-01T08:00:00+08:00',
          publisher: 'national',
          questions: withImages(images),
          templates: [TEMPLATE_P],
        },
        KEY.privateKeyPem,
        KEY.keyId,
      ),
    );
  const by = { actor: 'user:admin', source: 'upload' as const };
  const missing = `${'0'.repeat(64)}.png`;
  t.same(
    refusal(t, () => s.exam.packages.accept(pkg('2026.1', 1, ['fig/1.png', missing]), by)),
    [
      'questions[1].images[0]: a package names an image by its id, the SHA-256 of the file and its extension (<64 hex>.png) (question N-2) (got "fig/1.png")',
      `questions[1].images[1]: no image with this id is on this site; upload the picture files first (examroom bank import … --images DIR, or POST /api/bank/images?name=…) (question N-2) (got "${missing.slice(0, 57)}...")`,
    ],
  );
  t.same(s.exam.bank.versions(), [], 'nothing was installed');
  const installed = s.exam.packages.accept(pkg('2026.2', 2, [red.id]), by);
  t.equal(installed.version.questionCount, 2);
  t.same(s.exam.bank.pool('2026.2').find((q) => q.externalId === 'N-2')?.images, [red.id]);
});

// ---------------------------------------------------------------------------------------------
// Delivery and HTTP

t.test('a delivered question carries its images as URLs; bare names from before are left out', async (t) => {
  const id = `${'a'.repeat(64)}.png`;
  const q = { ...question(1), images: ['fig/1.png', id], id: 'q1', fingerprint: 'f', retiredAt: null };
  const [d] = deliver([{ questionId: 'q1', type: 'single', score: 1, optionOrder: [0, 1, 2, 3], key: [0], knowledgePoint: 'x' }], new Map([['q1', q]]));
  t.same(d!.images, [imageUrl(id)]);
  t.equal(imageUrl(id), `/api/bank/images/${id}`);
});

/**
 * An app with a session in R1 whose every question shows picture ON (so every paper does), and a
 * picture OFF that is on no paper. Terminal T1 is in R1; returns the callers' headers.
 */
async function roomWithPictures(t: Test) {
  const dir = scratchDir(t);
  const clock = fixedClock(T0);
  const { app } = await startApp(t, dir, clock);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const invig = await login(app, 'invig', PASSWORDS.invig);
  const token = await pairDevice(app, 'terminal', 'T1', admin);
  const onBytes = await png('red');
  const offBytes = await png('green');
  const upload = (name: string, body: Buffer, headers: Record<string, string> = { cookie: admin }) =>
    app.inject({
      method: 'POST',
      url: `/api/bank/images?name=${encodeURIComponent(name)}`,
      headers: { ...headers, 'content-type': 'image/png' },
      payload: body,
    });
  const on = await upload('fig/on.png', onBytes);
  t.equal(on.statusCode, 201);
  const off = await upload('fig/off.png', offBytes);
  const ON = (on.json() as { id: string }).id;
  const OFF = (off.json() as { id: string }).id;
  app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions().map((q) => ({ ...q, images: [ON] })), templates: [TEMPLATE] });
  const plans = app.exam.plans;
  const plan = plans.createPlan({ name: '测试计划', from: '2026-03-01', to: '2026-03-31' }, 'user:admin');
  const session = plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-10T09:00', templateId: TEMPLATE.id }, 'user:admin');
  await plans.importRoster(session.id, { bytes: csv([person(1, '甲')]), filename: 'roster.csv' }, 'user:admin');
  plans.assignSeats(session.id, 'user:admin');
  plans.generateSessionPapers(session.id, 'user:admin');
  return { app, clock, admin, invig, upload, onBytes, ON, OFF, session, terminal: { authorization: `Bearer ${token}` } };
}

t.test('POST /api/bank/images stores a picture (201, then 200 for the same bytes) and refuses a bad one with 400', async (t) => {
  const r = await roomWithPictures(t);
  const again = await r.upload('fig/on.png', r.onBytes);
  t.equal(again.statusCode, 200);
  t.same(again.json(), { id: r.ON, name: 'fig/on.png', mime: 'image/png', bytes: r.onBytes.length, created: false });
  const bad = await r.upload('fig/bad.png', await jpeg());
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { error: 'invalid', problems: [{ path: 'image fig/bad.png', problem: /is a JPEG image, but its name ends \.png/ }] });
  t.equal(r.app.exam.images.resolve('fig/bad.png'), null, 'nothing stored');
  t.equal((await r.upload('fig/x.png', r.onBytes, { cookie: r.invig })).statusCode, 403, 'only admins upload');
  const huge = await r.upload('fig/huge.png', Buffer.concat([r.onBytes, Buffer.alloc(MAX_IMAGE_BYTES)]));
  t.equal(huge.statusCode, 413);
  t.match(
    huge.json(),
    { error: 'invalid', message: 'the request body is larger than POST /api/bank/images takes (at most 2 MiB)' },
    'a body over the limit is refused saying the limit',
  );
});

t.test('a terminal fetches the pictures of the paper open in its room, and nothing else', async (t) => {
  const r = await roomWithPictures(t);
  const get = (id: string, headers: Record<string, string> = {}) => r.app.inject({ url: `/api/bank/images/${id}`, headers });

  const early = await get(r.ON, r.terminal);
  t.equal(early.statusCode, 403, 'before check-in no paper is in front of the room');
  t.match(early.json(), { message: /not on a paper of a session in check-in or in progress in room R1/ });

  r.clock.set(START - 30 * 60_000);
  r.app.exam.plans.advanceSession(r.session.id, 'checkin', 'user:admin');
  r.clock.set(START);
  r.app.exam.plans.advanceSession(r.session.id, 'in_progress', 'user:admin');
  const admin = await login(r.app, 'admin', PASSWORDS.admin);
  const invig = await login(r.app, 'invig', PASSWORDS.invig);

  const ok = await get(r.ON, r.terminal);
  t.equal(ok.statusCode, 200);
  t.same(ok.rawPayload, r.onBytes, 'the bytes as uploaded');
  t.equal(ok.headers['content-type'], 'image/png');
  t.equal(ok.headers['cache-control'], 'private, max-age=31536000, immutable');
  t.equal(ok.headers['x-content-type-options'], 'nosniff');

  const refused = await get(r.OFF, r.terminal);
  t.equal(refused.statusCode, 403, 'a picture on no paper of the room is refused');
  t.match(refused.json(), { error: 'forbidden', message: new RegExp(`image ${r.OFF} is not on a paper`) });
  t.equal((await get(`${'f'.repeat(64)}.png`, r.terminal)).statusCode, 404, 'an unknown id is 404');

  t.equal((await get(r.OFF, { cookie: admin })).statusCode, 200, 'admins see every picture');
  t.equal((await get(r.ON, { cookie: invig })).statusCode, 200, 'an invigilator sees the pictures of the papers in their room');
  const notTheirs = await get(r.OFF, { cookie: invig });
  t.equal(notTheirs.statusCode, 403, 'but not the rest of the bank');
  t.match(notTheirs.json(), { message: /is on no paper of a session in your rooms \(R1\)/ });
  const invig2 = await login(r.app, 'invig2', PASSWORDS.invig2);
  t.equal((await get(r.ON, { cookie: invig2 })).statusCode, 403, 'nor the pictures of another room');
  t.equal((await get(r.ON)).statusCode, 401, 'nobody else');

  // The paper the terminal is given points at the picture it may fetch.
  const paper = r.app.exam.plans.paperStore.forCandidate(r.session.id, idn(1))!;
  const delivered = deliver(paper.items, r.app.exam.bank.questionsByIds(paper.items.map((i) => i.questionId)));
  t.ok(
    delivered.every((q) => q.images.length === 1 && q.images[0] === imageUrl(r.ON)),
    'every delivered question shows /api/bank/images/<id>',
  );
});
