// Per-candidate papers: every generated paper follows its template to the letter, the same seed gives
// the same paper, candidates get different draws and option orders, a pool that cannot fill a
// template is refused with the exact shortfall, and a stored paper can be audited from its seed.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { ValidationError, fixedClock, formatProblem } from '../../core/index.ts';
import { openDatabase } from '../../storage/index.ts';
import { createBankStore } from '../../exam/bank/store.ts';
import type { Industry, Question, QuestionInput, QuestionType, Template } from '../../exam/types.ts';
import { checkTemplate, poolFor, sectionQuotas, validateTemplate } from '../../exam/papers/template.ts';
import { generatePaper, newSeed } from '../../exam/papers/generate.ts';
import { createPaperStore, verifyPaper } from '../../exam/papers/store.ts';
import { deliver } from '../../exam/papers/grade.ts';
import { login, PASSWORDS, scratchDir, testApp } from '../helpers.ts';

const POINTS = ['安全生产法律法规', '隐患排查治理', '有限空间作业', '动火作业', '应急管理', '危险化学品', '特种设备', '职业健康'];
const TYPES: QuestionType[] = ['judge', 'single', 'multiple'];

/**
 * A deterministic bank: 12 questions per (industry, type, difficulty) for 通用 and 冶金 principals,
 * plus questions no metallurgy-principal paper may draw (机械, 安全管理人员). 多选 on 动火作业
 * exist only at difficulty 4, so a template requiring it depends on that one bucket.
 */
function syntheticQuestions(): QuestionInput[] {
  const out: QuestionInput[] = [];
  const add = (industry: Industry, category: QuestionInput['category'], type: QuestionType, difficulty: 1 | 2 | 3 | 4 | 5, i: number) => {
    let knowledgePoint = POINTS[(i + difficulty * 3 + TYPES.indexOf(type)) % POINTS.length]!;
    if (type === 'multiple' && knowledgePoint === '动火作业' && difficulty !== 4) knowledgePoint = '职业健康';
    const options =
      type === 'judge'
        ? ['正确', '错误']
        : type === 'single'
          ? ['甲', '乙', '丙', '丁'].map((x) => `${x}选项${i}`)
          : ['甲', '乙', '丙', '丁', '戊'].map((x) => `${x}选项${i}`);
    const answer =
      type === 'judge'
        ? [i % 2]
        : type === 'single'
          ? [i % 4]
          : [...new Set([i % 5, (i + 2) % 5, ...(i % 3 === 0 ? [(i + 3) % 5] : [])])].sort((a, b) => a - b);
    out.push({
      externalId: null,
      type,
      stem: `${industry}/${category} ${type} 难度${difficulty} 第${i}题`,
      options,
      answer,
      images: [],
      industry,
      category,
      operationClass: null,
      knowledgePoint,
      difficulty,
      explanation: null,
      tier: 'national',
    });
  };
  for (const industry of ['general', 'metallurgy'] as const)
    for (const type of TYPES) for (const d of [1, 2, 3, 4, 5] as const) for (let i = 0; i < 12; i++) add(industry, 'principal', type, d, i);
  for (const type of TYPES)
    for (let i = 0; i < 5; i++) {
      add('machinery', 'principal', type, 2, i);
      add('metallurgy', 'safety_manager', type, 2, i);
    }
  return out;
}

function scratchBank(tt: Test) {
  const db = openDatabase(join(scratchDir(tt), 'examroom.sqlite'));
  tt.teardown(() => db.close());
  const clock = fixedClock(Date.UTC(2025, 2, 1));
  const bank = createBankStore(db, clock);
  bank.createVersion({ id: 'v1', kind: 'import', questions: syntheticQuestions() });
  return { db, clock, bank };
}

const TEMPLATE = validateTemplate({
  id: 'test-principal-metallurgy',
  name: '测试：冶金主要负责人',
  industry: 'metallurgy',
  category: 'principal',
  sections: [
    { type: 'judge', count: 40, score: 1, difficultyMix: { 1: 0.25, 2: 0.35, 3: 0.25, 4: 0.15 }, requiredKnowledgePoints: ['安全生产法律法规', '应急管理'] },
    { type: 'single', count: 40, score: 1, difficultyMix: { 1: 0.25, 2: 0.35, 3: 0.25, 4: 0.15 }, requiredKnowledgePoints: ['有限空间作业'] },
    { type: 'multiple', count: 10, score: 2, difficultyMix: { 2: 0.3, 3: 0.4, 4: 0.3 }, requiredKnowledgePoints: ['动火作业', '特种设备', '隐患排查治理'] },
  ],
});

/** Everything that makes a paper valid for its template; returns what is wrong, empty when nothing. */
function paperProblems(items: ReturnType<typeof generatePaper>, tpl: Template, byId: Map<string, Question>): string[] {
  const wrong: string[] = [];
  const expected = tpl.sections.reduce((a, s) => a + s.count, 0);
  if (items.length !== expected) wrong.push(`${items.length} items, expected ${expected}`);
  const sum = items.reduce((a, i) => a + i.score, 0);
  if (sum !== tpl.total) wrong.push(`scores sum to ${sum}`);
  if (new Set(items.map((i) => i.questionId)).size !== items.length) wrong.push('a question appears twice');
  let at = 0;
  tpl.sections.forEach((s, si) => {
    const part = items.slice(at, at + s.count);
    at += s.count;
    const perDifficulty = new Map<number, number>();
    const points = new Set<string>();
    for (const item of part) {
      const q = byId.get(item.questionId);
      if (!q) {
        wrong.push(`${item.questionId} is not in the pool`);
        continue;
      }
      if (item.type !== s.type || q.type !== s.type) wrong.push(`section ${si} holds a ${q.type}`);
      if (item.score !== s.score) wrong.push(`section ${si} item scored ${item.score}`);
      if (item.knowledgePoint !== q.knowledgePoint) wrong.push(`${q.id} knowledge point differs`);
      perDifficulty.set(q.difficulty, (perDifficulty.get(q.difficulty) ?? 0) + 1);
      points.add(q.knowledgePoint);
      const n = q.options.length;
      if ([...item.optionOrder].sort((a, b) => a - b).join() !== Array.from({ length: n }, (_, k) => k).join())
        wrong.push(`${q.id} option order is not a permutation`);
      if (q.type === 'judge' && item.optionOrder.join() !== '0,1') wrong.push(`${q.id} judge options reordered`);
      if (item.key.join() !== [...item.key].sort((a, b) => a - b).join()) wrong.push(`${q.id} key not ascending`);
      const back = item.key.map((k) => item.optionOrder[k]!).sort((a, b) => a - b);
      if (back.join() !== q.answer.join()) wrong.push(`${q.id} key ${item.key} maps back to ${back}, bank answer ${q.answer}`);
    }
    for (const quota of sectionQuotas(s)) {
      const got = quota.difficulty === 0 ? part.length : (perDifficulty.get(quota.difficulty) ?? 0);
      if (got !== quota.count) wrong.push(`section ${si} difficulty ${quota.difficulty}: ${got}, expected ${quota.count}`);
    }
    for (const kp of s.requiredKnowledgePoints ?? []) if (!points.has(kp)) wrong.push(`section ${si} lacks knowledge point ${kp}`);
  });
  return wrong;
}

t.test('10,000 generated papers are each valid against their template', async (t) => {
  const { bank } = scratchBank(t);
  const pool = poolFor(bank, 'v1', TEMPLATE);
  const byId = new Map(pool.map((q) => [q.id, q]));
  t.ok(checkTemplate(TEMPLATE, pool).ok, 'the template is feasible for the synthetic bank');
  const failures: string[] = [];
  const selections = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const items = generatePaper(TEMPLATE, pool, `candidate-${i}`);
    for (const w of paperProblems(items, TEMPLATE, byId)) if (failures.length < 20) failures.push(`paper ${i}: ${w}`);
    selections.add(
      items
        .map((x) => x.questionId)
        .sort()
        .join(),
    );
  }
  t.same(failures, [], 'no paper breaks a rule');
  t.equal(selections.size, 10_000, 'no two of 10,000 candidates drew the same set of questions');
});

t.test('the pool holds only the template’s industry and 通用, its category, nothing retired', async (t) => {
  const { bank, clock } = scratchBank(t);
  const before = poolFor(bank, 'v1', TEMPLATE);
  t.equal(before.length, 2 * 3 * 5 * 12);
  t.ok(
    before.every((q) => ['metallurgy', 'general'].includes(q.industry) && q.category === 'principal' && q.retiredAt === null),
    'only 冶金/通用 principal questions',
  );
  const generatedAt = clock.now();
  clock.advance(60_000);
  const gone = before[0]!;
  t.ok(bank.retire(gone.id, 'test'));
  const after = poolFor(bank, 'v1', TEMPLATE);
  t.notOk(
    after.some((q) => q.id === gone.id),
    'a retired question is not drawn',
  );
  t.ok(
    poolFor(bank, 'v1', TEMPLATE, { at: generatedAt }).some((q) => q.id === gone.id),
    'the pool as it was at an earlier moment still has it',
  );
});

t.test('the same seed gives the same paper, whatever order the pool comes in', async (t) => {
  const { bank } = scratchBank(t);
  const pool = poolFor(bank, 'v1', TEMPLATE);
  const a = generatePaper(TEMPLATE, pool, 'same-seed');
  const b = generatePaper(TEMPLATE, poolFor(bank, 'v1', TEMPLATE), 'same-seed');
  const c = generatePaper(TEMPLATE, [...pool].reverse(), 'same-seed');
  t.same(b, a, 'a fresh copy of the pool');
  t.same(c, a, 'the pool reversed');
  // Generating other papers in between must not disturb the next one (shared scratch state is restored).
  for (let i = 0; i < 50; i++) generatePaper(TEMPLATE, pool, `other-${i}`);
  t.same(generatePaper(TEMPLATE, pool, 'same-seed'), a, 'papers generated in between change nothing');
});

t.test('different seeds give different papers', async (t) => {
  const { bank } = scratchBank(t);
  const pool = poolFor(bank, 'v1', TEMPLATE);
  const a = generatePaper(TEMPLATE, pool, newSeed());
  const b = generatePaper(TEMPLATE, pool, newSeed());
  t.notSame(
    a.map((x) => x.questionId),
    b.map((x) => x.questionId),
  );
  const s = newSeed();
  t.match(s, /^[0-9a-f]{32}$/, 'a seed is 128 bits of hex');
  t.not(s, newSeed());
});

t.test('option order differs between candidates, and each key follows its options', async (t) => {
  const { bank } = scratchBank(t);
  const pool = poolFor(bank, 'v1', TEMPLATE);
  const byId = new Map(pool.map((q) => [q.id, q]));
  const first = new Map(generatePaper(TEMPLATE, pool, 'candidate-A').map((x) => [x.questionId, x]));
  let shared = 0;
  let differ = 0;
  const keyMismatches: string[] = [];
  for (let i = 0; i < 200; i++) {
    for (const item of generatePaper(TEMPLATE, pool, `candidate-B${i}`)) {
      const other = first.get(item.questionId);
      if (!other || item.type === 'judge') continue;
      shared++;
      if (other.optionOrder.join() !== item.optionOrder.join()) {
        differ++;
        const q = byId.get(item.questionId)!;
        const shown = (x: typeof item) =>
          x.key
            .map((k) => q.options[x.optionOrder[k]!])
            .sort()
            .join('|');
        if (shown(item) !== shown(other)) keyMismatches.push(q.id);
      }
    }
  }
  t.ok(shared > 100, `candidates share questions (${shared})`);
  // Two random orders of 4 or 5 options coincide 1 time in 24 or 120.
  t.ok(differ / shared > 0.9, `options are in a different order for ${differ} of ${shared} shared questions`);
  t.same(keyMismatches, [], "in every case both candidates' keys name the same option texts");
});

t.test('a pool that cannot fill the template: the check and the generator name the section and the shortfall', async (t) => {
  const { bank } = scratchBank(t);
  const full = poolFor(bank, 'v1', TEMPLATE);
  let kept = 0;
  const pool = full
    .filter((q) => !(q.type === 'single' && q.difficulty === 4) || kept++ < 2)
    .filter((q) => !(q.type === 'multiple' && q.knowledgePoint === '动火作业'));
  const check = checkTemplate(TEMPLATE, pool);
  if (check.ok) return t.fail('expected the check to fail');
  t.same(check.problems.map(formatProblem), [
    'sections[1] (单选, difficulty 4): needs 6, the bank has 2 — short by 4',
    'sections[2] (多选): knowledge point "动火作业" has no question',
  ]);
  t.same(
    check.sections[1]!.buckets.find((b) => b.difficulty === 4),
    { difficulty: 4, needed: 6, available: 2, short: 4 },
  );
  t.equal(check.sections[0]!.ok, true, 'the judge section is fine');
  const err = t.throws(() => generatePaper(TEMPLATE, pool, 'any')) as unknown;
  t.ok(err instanceof ValidationError, 'a ValidationError');
  t.same((err as ValidationError).problems, check.problems, 'with the same problems as the check');
  t.match(
    (err as Error).message,
    /template test-principal-metallurgy cannot be filled.*\nsections\[1\] \(单选, difficulty 4\): needs 6, the bank has 2 — short by 4/s,
  );
});

t.test('a section without a difficulty mix is one bucket of any difficulty', async (t) => {
  const { bank } = scratchBank(t);
  const tpl = validateTemplate({
    id: 'plain',
    name: '无难度比例',
    industry: 'metallurgy',
    category: 'principal',
    total: 130,
    sections: [{ type: 'judge', count: 130, score: 1 }],
  });
  const r = checkTemplate(tpl, poolFor(bank, 'v1', tpl));
  t.same(r.ok ? [] : r.problems.map(formatProblem), ['sections[0] (判断): needs 130, the bank has 120 — short by 10']);
  t.same(r.sections[0]!.buckets, [{ difficulty: null, needed: 130, available: 120, short: 10 }]);
});

t.test('a required knowledge point only at a difficulty the mix does not draw', async (t) => {
  const { bank } = scratchBank(t);
  const tpl = validateTemplate({
    ...TEMPLATE,
    sections: [
      TEMPLATE.sections[0]!,
      TEMPLATE.sections[1]!,
      { type: 'multiple', count: 10, score: 2, difficultyMix: { 2: 0.5, 3: 0.5 }, requiredKnowledgePoints: ['动火作业'] },
    ],
  });
  const r = checkTemplate(tpl, poolFor(bank, 'v1', tpl));
  t.same(r.ok ? [] : r.problems.map(formatProblem), [
    'sections[2] (多选): knowledge point "动火作业" has questions only at difficulty 4, which the mix does not draw',
  ]);
});

t.test('required knowledge points competing for too few places are refused, and placed when they fit', async (t) => {
  // Two points exist only at difficulty 4, which gets one place of ten: Hall's condition fails.
  const q = (id: string, difficulty: 1 | 2 | 3 | 4 | 5, knowledgePoint: string): Question => ({
    id,
    externalId: null,
    type: 'single',
    stem: id,
    options: ['a', 'b', 'c', 'd'],
    answer: [0],
    images: [],
    industry: 'general',
    category: 'principal',
    operationClass: null,
    knowledgePoint,
    difficulty,
    explanation: null,
    tier: 'national',
    fingerprint: id,
    retiredAt: null,
  });
  const pool = [
    ...Array.from({ length: 20 }, (_, i) => q(`q3-${String(i).padStart(2, '0')}`, 3, '其他')),
    q('q4-a', 4, '甲'),
    q('q4-b', 4, '乙'),
    q('q4-c', 4, '其他'),
  ];
  const base = { id: 'hall', name: 'Hall', industry: 'general', category: 'principal', total: 10, passMark: 8 };
  const tight = validateTemplate({
    ...base,
    sections: [{ type: 'single', count: 10, score: 1, difficultyMix: { 3: 0.9, 4: 0.1 }, requiredKnowledgePoints: ['甲', '乙'] }],
  });
  const r = checkTemplate(tight, pool);
  t.same(r.ok ? [] : r.problems.map(formatProblem), [
    'sections[0] (单选): knowledge points "甲", "乙" can be drawn only at difficulty 4, which has 1 place for 2 — short by 1',
  ]);
  const roomy = validateTemplate({
    ...base,
    sections: [{ type: 'single', count: 10, score: 1, difficultyMix: { 3: 0.8, 4: 0.2 }, requiredKnowledgePoints: ['甲', '乙'] }],
  });
  t.ok(checkTemplate(roomy, pool).ok);
  for (let i = 0; i < 200; i++) {
    const ids = generatePaper(roomy, pool, `s${i}`).map((x) => x.questionId);
    if (!ids.includes('q4-a') || !ids.includes('q4-b')) return t.fail(`paper ${i} misses a required point: ${ids.join()}`);
  }
  t.pass('both points get the two difficulty-4 places on every paper');
});

t.test('checkTemplate warns when a section has fewer selections than papers', async (t) => {
  const { bank } = scratchBank(t);
  const tpl = validateTemplate({
    id: 'narrow',
    name: '窄',
    industry: 'metallurgy',
    category: 'principal',
    total: 24,
    passMark: 20,
    sections: [{ type: 'judge', count: 24, score: 1, difficultyMix: { 1: 1 } }],
  });
  const r = checkTemplate(tpl, poolFor(bank, 'v1', tpl), { papers: 30 });
  t.ok(r.ok, 'still feasible');
  t.match(r.warnings, [/^sections\[0\] \(判断\): only 1 different selection of questions for 30 papers/]);
});

t.test('deliver gives stems and options in the candidate’s order with no key, id or explanation', async (t) => {
  const { bank } = scratchBank(t);
  const pool = poolFor(bank, 'v1', TEMPLATE);
  const items = generatePaper(TEMPLATE, pool, 'deliver');
  const delivered = deliver(items, bank.questionsByIds(items.map((x) => x.questionId)));
  t.equal(delivered.length, items.length);
  const text = JSON.stringify(delivered);
  for (const item of items) if (text.includes(item.questionId)) return t.fail(`question id ${item.questionId} leaked`);
  t.same(
    [...new Set(delivered.map((d) => Object.keys(d).sort().join()))],
    ['images,no,options,score,stem,type'],
    'each question carries only what a candidate sees',
  );
  const q = bank.question(items[85]!.questionId)!;
  t.same(
    delivered[85]!.options,
    items[85]!.optionOrder.map((k) => q.options[k]),
    'options in the shown order',
  );
  t.equal(delivered[85]!.no, 86);
  t.throws(() => deliver(items, new Map()), { name: 'NotFound' });
});

t.test('a stored paper verifies from its seed; an altered one does not', async (t) => {
  const { db, bank, clock } = scratchBank(t);
  db.prepare(
    `INSERT INTO exam_plans (id, name, starts_on, ends_on, created_at, created_by) VALUES ('P1', '三月', '2025-03-01', '2025-03-31', 0, 'test')`,
  ).run();
  db.prepare(
    `INSERT INTO exam_sessions (id, plan_id, room_id, starts_at, duration_minutes, template_id, template, created_at, updated_at) VALUES ('S1', 'P1', 'R1', 0, 120, ?, ?, 0, 0)`,
  ).run(TEMPLATE.id, JSON.stringify(TEMPLATE));
  const papers = createPaperStore(db, clock);
  const pool = poolFor(bank, 'v1', TEMPLATE);
  const seed = newSeed();
  const stored = papers.insert({
    sessionId: 'S1',
    idNumber: '110101199003070011',
    bankVersion: 'v1',
    templateId: TEMPLATE.id,
    seed,
    items: generatePaper(TEMPLATE, pool, seed),
  });
  t.equal(stored.generatedAt, clock.now());
  t.same(papers.byId(stored.id), stored, 'read back by id');
  t.same(papers.forCandidate('S1', '110101199003070011'), stored, 'read back for the candidate');
  t.equal(papers.forCandidate('S1', '110101199003070012'), null);
  const second = papers.insertMany([
    { sessionId: 'S1', idNumber: '110101199003070029', bankVersion: 'v1', templateId: TEMPLATE.id, seed: 'x', items: generatePaper(TEMPLATE, pool, 'x') },
  ]);
  t.same(
    papers.ofSession('S1').map((p) => p.id),
    [stored.id, second[0]!.id],
  );
  t.throws(() => papers.insert({ sessionId: 'S1', idNumber: '110101199003070011', bankVersion: 'v1', templateId: TEMPLATE.id, seed, items: [] }), {
    name: 'Conflict',
    message: /already has a paper/,
  });

  const fromDb = papers.byId(stored.id)!;
  // Retiring a question later must not make an honest paper fail its audit.
  clock.advance(1000);
  bank.retire(fromDb.items[0]!.questionId, 'test');
  t.ok(verifyPaper(fromDb, TEMPLATE, poolFor(bank, 'v1', TEMPLATE, { at: fromDb.generatedAt })), 'the stored paper regenerates exactly');

  const swapped = structuredClone(fromDb);
  const other = pool.find((q) => q.type === 'judge' && !swapped.items.some((i) => i.questionId === q.id))!;
  swapped.items[0] = { ...swapped.items[0]!, questionId: other.id };
  t.notOk(verifyPaper(swapped, TEMPLATE, pool), 'a question swapped for another');
  const rekeyed = structuredClone(fromDb);
  rekeyed.items[45]!.key = rekeyed.items[45]!.key.map((k) => (k + 1) % rekeyed.items[45]!.optionOrder.length);
  t.notOk(verifyPaper(rekeyed, TEMPLATE, pool), 'a key changed');
  const reordered = structuredClone(fromDb);
  reordered.items.reverse();
  t.notOk(verifyPaper(reordered, TEMPLATE, pool), 'the questions reordered');
  t.notOk(verifyPaper({ ...fromDb, seed: 'another' }, TEMPLATE, pool), 'another seed');
});

async function appWithBank(t: Test) {
  const app = await testApp(t);
  app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: syntheticQuestions(), templates: [TEMPLATE] });
  return app;
}

t.test('GET /api/templates lists the version’s templates, then the shipped ones', async (t) => {
  const app = await appWithBank(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const res = await app.inject({ url: '/api/templates', headers: { cookie: admin } });
  t.equal(res.statusCode, 200, res.statusCode === 200 ? 'answered 200' : res.body);
  const body = res.json() as { version: string; templates: { id: string; source: string; sections: unknown[] }[] };
  t.equal(body.version, 'v1', 'the latest version by default');
  t.same(body.templates[0], { source: 'version', ...TEMPLATE });
  t.ok(
    body.templates.some((x) => x.id === 'gm-principal-general' && x.source === 'shipped'),
    'shipped templates follow',
  );
  t.equal((await app.inject({ url: '/api/templates?version=nope', headers: { cookie: admin } })).statusCode, 404);
});

t.test('GET /api/templates/:id/check reports feasibility per section', async (t) => {
  const app = await appWithBank(t);
  const invig = await login(app, 'invig', PASSWORDS.invig);
  const ok = await app.inject({ url: `/api/templates/${TEMPLATE.id}/check?version=v1`, headers: { cookie: invig } });
  t.equal(ok.statusCode, 200, ok.statusCode === 200 ? 'answered 200' : ok.body);
  t.match(ok.json(), { templateId: TEMPLATE.id, version: 'v1', ok: true, problems: [], poolSize: 360 });
  const shipped = await app.inject({ url: '/api/templates/gm-principal-metallurgy/check', headers: { cookie: invig } });
  t.equal(shipped.statusCode, 200, 'a shipped template is checked against the latest version');
  t.match(shipped.json(), { templateId: 'gm-principal-metallurgy', version: 'v1', ok: true });
  const general = await app.inject({ url: '/api/templates/so-electrician-low-voltage/check', headers: { cookie: invig } });
  t.match(
    general.json(),
    { ok: false, problems: [{ path: 'sections[0] (判断, difficulty 1)', problem: 'needs 21, the bank has 0 — short by 21' }] },
    'no 低压电工 questions in this bank',
  );
  t.equal((await app.inject({ url: '/api/templates/nope/check', headers: { cookie: invig } })).statusCode, 404);
});

t.test('POST /api/papers/preview: a paper with keys for admins, audited; others refused', async (t) => {
  const app = await appWithBank(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const res = await app.inject({
    method: 'POST',
    url: '/api/papers/preview',
    headers: { cookie: admin },
    payload: { templateId: TEMPLATE.id, seed: 'preview-1' },
  });
  t.equal(res.statusCode, 200, res.statusCode === 200 ? 'answered 200' : res.body);
  const body = res.json() as { seed: string; items: { no: number; key: number[]; options: string[]; questionId: string; optionOrder: number[] }[] };
  t.equal(body.seed, 'preview-1');
  t.equal(body.items.length, 90);
  t.same(
    body.items.map(({ questionId, optionOrder, key }) => ({ questionId, optionOrder, key })),
    generatePaper(TEMPLATE, app.exam.bank.pool('v1', { industry: ['metallurgy', 'general'], category: 'principal' }), 'preview-1').map(
      ({ questionId, optionOrder, key }) => ({ questionId, optionOrder, key }),
    ),
    'the same paper the generator makes for that seed',
  );
  t.match(app.ctx.audit.list({ action: 'paper.preview' }), [{ actor: 'user:admin', target: TEMPLATE.id, detail: { version: 'v1', seed: 'preview-1' } }]);
  const invig = await login(app, 'invig', PASSWORDS.invig);
  t.equal((await app.inject({ method: 'POST', url: '/api/papers/preview', headers: { cookie: invig }, payload: { templateId: TEMPLATE.id } })).statusCode, 403);
  const unknown = await app.inject({ method: 'POST', url: '/api/papers/preview', headers: { cookie: admin }, payload: { templateId: TEMPLATE.id, extra: 1 } });
  t.equal(unknown.statusCode, 400, 'unknown fields are refused');
});

t.test('POST /api/papers/preview of an infeasible template answers 400 with the shortfall', async (t) => {
  const app = await testApp(t);
  app.exam.bank.createVersion({ id: 'tiny', kind: 'import', questions: syntheticQuestions().slice(0, 6) });
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const res = await app.inject({ method: 'POST', url: '/api/papers/preview', headers: { cookie: admin }, payload: { templateId: 'gm-principal-general' } });
  t.equal(res.statusCode, 400);
  t.match(res.json(), { error: 'invalid', problems: [{ path: 'sections[0] (判断, difficulty 1)', problem: 'needs 12, the bank has 6 — short by 6' }] });
});
