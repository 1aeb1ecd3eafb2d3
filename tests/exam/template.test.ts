// Paper templates: every malformed template is refused with the field and the reason; shipped
// templates are valid and cover what a 工贸 site needs; a bank version's own template wins over a
// shipped one; difficulty shares round to whole counts that add up; and the CLI check says exactly
// which section lacks how many questions.
import t from 'tap';
import { join } from 'node:path';
import { ValidationError, fixedClock, type Problem } from '../../core/index.ts';
import { dataPaths, ensureDataFolders, openDatabase } from '../../storage/index.ts';
import { createBankStore } from '../../exam/bank/store.ts';
import type { QuestionInput, QuestionType, TemplateSection } from '../../exam/types.ts';
import { resolveTemplate, sectionQuotas, shippedTemplates, validateTemplate } from '../../exam/papers/template.ts';
import { scratchDir } from '../helpers.ts';
import { cli } from '../processes.ts';

const VALID = {
  id: 'gm-test',
  name: '测试模板',
  industry: 'metallurgy',
  category: 'principal',
  sections: [
    { type: 'judge', count: 40, score: 1, difficultyMix: { 1: 0.25, 2: 0.35, 3: 0.25, 4: 0.15 } },
    { type: 'single', count: 40, score: 1 },
    { type: 'multiple', count: 10, score: 2 },
  ],
};

function problemsOf(x: unknown): Problem[] {
  try {
    validateTemplate(x);
    return [];
  } catch (err) {
    if (err instanceof ValidationError) return err.problems;
    throw err;
  }
}

/** VALID with one section replaced. */
const withSection = (i: number, s: Record<string, unknown>) => ({ ...VALID, sections: VALID.sections.map((x, k) => (k === i ? s : x)) });

t.test('a valid template gets the defaults: 120 minutes, total 100, pass mark 80', async (t) => {
  const v = validateTemplate(VALID);
  t.match(v, { durationMinutes: 120, total: 100, passMark: 80, operationClass: null, multipleChoiceScoring: 'all_or_nothing' });
  t.same(v.sections[0], VALID.sections[0]);
});

t.test('not an object', async (t) => {
  t.same(problemsOf([]), [{ path: '', problem: 'a template must be an object', got: [] }]);
});

t.test('a count below 1 or not whole', async (t) => {
  t.same(problemsOf(withSection(1, { type: 'single', count: 0, score: 1 })), [
    { path: 'sections[1].count', problem: 'must be a whole number of questions, at least 1', got: 0 },
  ]);
  t.same(problemsOf(withSection(1, { type: 'single', count: 2.5, score: 1 })), [
    { path: 'sections[1].count', problem: 'must be a whole number of questions, at least 1', got: 2.5 },
  ]);
});

t.test('a score of 0 or less, or finer than half a point', async (t) => {
  t.same(problemsOf(withSection(2, { type: 'multiple', count: 10, score: 0 })), [
    { path: 'sections[2].score', problem: 'must be a number of points greater than 0', got: 0 },
  ]);
  t.same(problemsOf(withSection(2, { type: 'multiple', count: 10, score: -2 })), [
    { path: 'sections[2].score', problem: 'must be a number of points greater than 0', got: -2 },
  ]);
  t.same(problemsOf(withSection(2, { type: 'multiple', count: 10, score: 0.3 })), [
    { path: 'sections[2].score', problem: 'must be a whole or half point (0.5, 1, 1.5, 2 …)', got: 0.3 },
  ]);
});

t.test('count × score must add up to the total', async (t) => {
  t.same(problemsOf(withSection(2, { type: 'multiple', count: 5, score: 2 })), [
    { path: 'total', problem: 'the sections add up to 判断 40×1 + 单选 40×1 + 多选 5×2 = 90, not the total 100', got: 100 },
  ]);
  t.same(problemsOf({ ...VALID, total: 90, passMark: 72 }), [
    { path: 'total', problem: 'the sections add up to 判断 40×1 + 单选 40×1 + 多选 10×2 = 100, not the total 90', got: 90 },
  ]);
});

t.test('the pass mark may not exceed the total', async (t) => {
  t.same(problemsOf({ ...VALID, passMark: 120 }), [{ path: 'passMark', problem: '120 is more than the total 100' }]);
  const small = { ...VALID, total: 50, sections: [{ type: 'judge', count: 50, score: 1 }] };
  t.same(problemsOf(small), [{ path: 'passMark', problem: '80 (the default) is more than the total 50' }]);
  t.equal(validateTemplate({ ...small, passMark: 40 }).passMark, 40);
  t.same(problemsOf({ ...VALID, passMark: 0 }), [{ path: 'passMark', problem: 'must be a number of points greater than 0', got: 0 }]);
});

t.test('difficulty shares must sum to 1 within 0.001', async (t) => {
  const mix = (difficultyMix: unknown) => withSection(0, { type: 'judge', count: 40, score: 1, difficultyMix });
  t.same(problemsOf(mix({ 1: 0.3, 2: 0.3, 3: 0.3 })), [{ path: 'sections[0].difficultyMix', problem: 'shares must sum to 1 (±0.001); they sum to 0.9' }]);
  t.same(problemsOf(mix({ 1: 0.6, 2: 0.6 })), [{ path: 'sections[0].difficultyMix', problem: 'shares must sum to 1 (±0.001); they sum to 1.2' }]);
  t.same(problemsOf(mix({ 1: 0.3333, 2: 0.3333, 3: 0.3333 })), [], '0.9999 is within tolerance');
  t.same(problemsOf(mix({ 6: 1 })), [{ path: 'sections[0].difficultyMix.6', problem: 'difficulties are 1 to 5' }]);
  t.same(problemsOf(mix({ 1: 1.5, 2: -0.5 })), [
    { path: 'sections[0].difficultyMix.1', problem: 'a share must be a number from 0 to 1', got: 1.5 },
    { path: 'sections[0].difficultyMix.2', problem: 'a share must be a number from 0 to 1', got: -0.5 },
  ]);
  t.same(problemsOf(mix([0.5, 0.5])), [
    { path: 'sections[0].difficultyMix', problem: 'must be an object of shares per difficulty, e.g. {"1": 0.2, "2": 0.5, "3": 0.3}', got: [0.5, 0.5] },
  ]);
});

t.test('unknown fields are refused, not ignored', async (t) => {
  t.same(problemsOf({ ...VALID, passmark: 80 }), [{ path: 'passmark', problem: 'unknown field' }]);
  t.same(problemsOf(withSection(1, { type: 'single', count: 40, score: 1, points: 1 })), [
    { path: 'sections[1].points', problem: 'unknown field (a section has type, count, score, difficultyMix, requiredKnowledgePoints)' },
  ]);
});

t.test('industry, category, type and scoring must be known values', async (t) => {
  t.same(problemsOf({ ...VALID, industry: 'steel', category: '主要负责人', multipleChoiceScoring: 'half' }), [
    {
      path: 'industry',
      problem: 'must be one of metallurgy, nonferrous, building_materials, machinery, light_industry, textile, tobacco, commerce, hazardous_chemicals, general',
      got: 'steel',
    },
    { path: 'category', problem: 'must be one of principal, safety_manager, special_operation', got: '主要负责人' },
    { path: 'multipleChoiceScoring', problem: 'must be "all_or_nothing" or "partial"', got: 'half' },
  ]);
  t.same(problemsOf(withSection(0, { type: '判断', count: 40, score: 1 })), [
    { path: 'sections[0].type', problem: 'must be one of judge, single, multiple (判断, 单选, 多选)', got: '判断' },
  ]);
});

t.test('operation class: required for special operations, absent otherwise', async (t) => {
  t.same(problemsOf({ ...VALID, category: 'special_operation' }), [
    { path: 'operationClass', problem: 'a special_operation template must name its operation class (e.g. "低压电工作业")' },
  ]);
  t.same(problemsOf({ ...VALID, operationClass: '低压电工作业' }), [
    { path: 'operationClass', problem: 'only special_operation templates have an operation class (this one is principal)', got: '低压电工作业' },
  ]);
  t.equal(validateTemplate({ ...VALID, category: 'special_operation', operationClass: '低压电工作业' }).operationClass, '低压电工作业');
});

t.test('one section per question type', async (t) => {
  t.same(problemsOf({ ...VALID, sections: [...VALID.sections, { type: 'single', count: 1, score: 1 }] }), [
    { path: 'sections[3].type', problem: '单选 (single) already has a section, sections[1]; merge them into one', got: 'single' },
  ]);
});

t.test('required knowledge points: names, no repeats, no more than the section has questions', async (t) => {
  const kps = (requiredKnowledgePoints: unknown, count = 10) => ({
    ...VALID,
    total: 80 + count * 2,
    passMark: 60,
    sections: [VALID.sections[0], VALID.sections[1], { type: 'multiple', count, score: 2, requiredKnowledgePoints }],
  });
  t.same(problemsOf(kps(['动火作业', '动火作业', ''])), [
    { path: 'sections[2].requiredKnowledgePoints[1]', problem: '"动火作业" is listed twice' },
    { path: 'sections[2].requiredKnowledgePoints[2]', problem: 'must be a knowledge point name', got: '' },
  ]);
  t.same(problemsOf(kps(['甲', '乙', '丙'], 2)), [
    { path: 'sections[2].requiredKnowledgePoints', problem: '3 required knowledge points cannot each have a question among 2' },
  ]);
  t.same(problemsOf(kps('动火作业')), [{ path: 'sections[2].requiredKnowledgePoints', problem: 'must be a list of knowledge point names', got: '动火作业' }]);
});

t.test('every problem is reported at once', async (t) => {
  const paths = problemsOf({ id: 'bad id!', name: '', industry: 'metallurgy', category: 'principal', durationMinutes: 0, sections: [] }).map((p) => p.path);
  t.same(paths, ['id', 'name', 'durationMinutes', 'sections']);
});

t.test('difficulty shares round to whole counts that add up to the section count', async (t) => {
  const q = (count: number, difficultyMix?: TemplateSection['difficultyMix']) =>
    sectionQuotas({ type: 'single', count, score: 1, ...(difficultyMix ? { difficultyMix } : {}) }).map((x) => [x.difficulty, x.count]);
  t.same(q(40, { 1: 0.25, 2: 0.35, 3: 0.25, 4: 0.15 }), [
    [1, 10],
    [2, 14],
    [3, 10],
    [4, 6],
  ]);
  t.same(
    q(10, { 1: 0.333, 2: 0.333, 3: 0.334 }),
    [
      [1, 3],
      [2, 3],
      [3, 4],
    ],
    'the largest remainder takes the spare place',
  );
  t.same(
    q(7, { 2: 0.5, 4: 0.5 }),
    [
      [2, 4],
      [4, 3],
    ],
    'a tie goes to the easier difficulty',
  );
  t.same(q(10, { 1: 0.02, 2: 0.98 }), [[2, 10]], 'a share that rounds to nothing draws nothing');
  t.same(q(30), [[0, 30]], 'no mix: one bucket of any difficulty');
  // Every mix of up to five shares on every count: the counts always add up and stay within one of the exact share.
  let bad = 0;
  for (let seed = 1; seed < 2000; seed++) {
    const raw = [1, 2, 3, 4, 5].map((d) => ((seed * 7919 * d) % 97) / 97);
    const sum = raw.reduce((a, x) => a + x, 0);
    if (sum === 0) continue;
    const mix = Object.fromEntries(raw.map((x, i) => [String(i + 1), x / sum])) as TemplateSection['difficultyMix'];
    const count = 1 + (seed % 60);
    const quotas = sectionQuotas({ type: 'judge', count, score: 1, difficultyMix: mix });
    if (quotas.reduce((a, x) => a + x.count, 0) !== count) bad++;
    for (const x of quotas) if (Math.abs(x.count - (mix![String(x.difficulty) as '1'] ?? 0) * count) >= 1) bad++;
  }
  t.equal(bad, 0);
});

t.test('shipped templates: valid, 120 minutes, 100 points, pass at 80, for what a 工贸 site examines', async (t) => {
  const all = shippedTemplates();
  for (const x of all) {
    t.same(validateTemplate(x), x, `${x.id} is valid as shipped`);
    t.equal(
      x.sections.reduce((a, s) => a + s.count * s.score, 0),
      100,
      `${x.id}: count × score adds up to 100`,
    );
    t.match(x, { durationMinutes: 120, total: 100, passMark: 80 });
    t.ok(
      x.sections.every((s) => s.difficultyMix),
      `${x.id} sets a difficulty mix in every section`,
    );
  }
  const ids = all.map((x) => x.id);
  for (const industry of ['general', 'metallurgy', 'hazardous-chemicals', 'machinery']) {
    t.ok(ids.includes(`gm-principal-${industry}`), `主要负责人 ${industry}`);
    t.ok(ids.includes(`gm-safety-manager-${industry}`), `安全生产管理人员 ${industry}`);
  }
  t.match(
    all.find((x) => x.category === 'special_operation'),
    { id: 'so-electrician-low-voltage', operationClass: '低压电工作业' },
  );
  all[0]!.name = 'changed by a caller';
  t.not(shippedTemplates()[0]!.name, 'changed by a caller', 'callers get copies');
});

function bankQuestions(category: QuestionInput['category'], perBucket: (type: QuestionType, difficulty: number) => number): QuestionInput[] {
  const out: QuestionInput[] = [];
  for (const type of ['judge', 'single', 'multiple'] as const)
    for (const difficulty of [1, 2, 3, 4, 5] as const)
      for (let i = 0; i < perBucket(type, difficulty); i++) {
        const options = type === 'judge' ? ['正确', '错误'] : ['A', 'B', 'C', 'D'].map((x) => `${x}${i}`);
        out.push({
          externalId: null,
          type,
          stem: `${category} ${type} ${difficulty} ${i}`,
          options,
          answer: type === 'multiple' ? [0, 1] : [0],
          images: [],
          industry: 'general',
          category,
          operationClass: null,
          knowledgePoint: '通用知识',
          difficulty,
          explanation: null,
          tier: 'national',
        });
      }
  return out;
}

t.test("a bank version's own template takes precedence over the shipped one", async (t) => {
  const db = openDatabase(join(scratchDir(t), 'examroom.sqlite'));
  t.teardown(() => db.close());
  const bank = createBankStore(db, fixedClock(0));
  const own = { ...shippedTemplates().find((x) => x.id === 'gm-principal-general')!, name: '省厅下发的版本', passMark: 85 };
  bank.createVersion({ id: 'v1', kind: 'package', questions: [], templates: [own] });
  t.match(resolveTemplate(bank, 'v1', 'gm-principal-general'), { name: '省厅下发的版本', passMark: 85 });
  t.match(resolveTemplate(bank, 'v1', 'gm-safety-manager-general'), { name: /安全生产管理人员/, passMark: 80 });
  t.equal(resolveTemplate(bank, 'v1', 'nope'), null);
});

t.test('CLI: template check passes with a table, fails naming each shortfall; template list lists', async (t) => {
  const data = join(scratchDir(t), 'data');
  const paths = dataPaths(data);
  ensureDataFolders(paths);
  const db = openDatabase(paths.dbFile);
  createBankStore(db, fixedClock(0)).createVersion({
    id: 'v1',
    kind: 'import',
    questions: [
      ...bankQuestions('principal', () => 20),
      ...bankQuestions('safety_manager', (type, d) => (type === 'single' && d === 4 ? 2 : type === 'multiple' && d === 3 ? 1 : 20)),
    ],
  });
  db.close();
  const args = ['--data', data, '--config', 'config/demo.yaml'];

  const ok = await cli(['template', 'check', 'gm-principal-general', ...args]);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /^template gm-principal-general \(.+\): 判断 40×1 \+ 单选 40×1 \+ 多选 10×2 = 100, pass 80, 120 min$/m);
  t.match(ok.stdout, /^bank version v1: 300 questions in its pool/m);
  t.match(ok.stdout, /^section\s+type\s+difficulty\s+needs\s+bank has\s+short$/m);
  t.match(ok.stdout, /^sections\[1\]\s+单选\s+4\s+6\s+20\s+-$/m);
  t.match(ok.stdout, /^feasible: every section of gm-principal-general can be filled from bank version v1$/m);

  const short = await cli(['template', 'check', 'gm-safety-manager-general', '--version', 'v1', ...args]);
  t.equal(short.code, 1);
  t.match(short.stdout, /^sections\[1\]\s+单选\s+4\s+8\s+2\s+6$/m, 'the table shows the short bucket');
  t.equal(
    short.stderr,
    [
      'template gm-safety-manager-general cannot be filled from bank version v1:',
      '  sections[1] (单选, difficulty 4): needs 8, the bank has 2 — short by 6',
      '  sections[2] (多选, difficulty 3): needs 4, the bank has 1 — short by 3',
      '',
    ].join('\n'),
  );

  const missing = await cli(['template', 'check', 'nope', ...args]);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /no template "nope" in bank version v1 or among the shipped templates/);

  const list = await cli(['template', 'list', ...args]);
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, /^gm-principal-metallurgy\s+shipped\s+冶金\s+主要负责人\s+-\s+120\s+100\s+80\s+判断 40×1 单选 40×1 多选 10×2$/m);
  t.match(list.stdout, /^so-electrician-low-voltage\s+shipped\s+通用\s+特种作业人员\s+低压电工作业\s/m);
});
