// The rules: section of the config: national defaults when absent, a site's figures layered over them
// field by field and item by item, and every mistake named with its path.
import t from 'tap';
import { ConfigError, NATIONAL_RULES, RULE_CATEGORIES, RULE_INDUSTRIES, describeRule, parseConfig, ruleFor } from '../../config/index.ts';
import { formatProblem } from '../../core/index.ts';

const BASE = 'site: { id: s1, name: 测试中心, province: "440000", city: "440100" }\nrooms: [{ id: R1, name: 第一考场, seats: { rows: 2, columns: 3 } }]\n';
const load = (yaml = '') => parseConfig(BASE + yaml, { dataDir: '/tmp/examroom-rules-test' });
const problems = (yaml: string): string[] => {
  try {
    load(yaml);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map(formatProblem);
    throw err;
  }
  return [];
};

t.test('without rules: the 2013 national interim rules', async (t) => {
  const c = load();
  for (const cat of RULE_CATEGORIES) {
    t.match(c.rules[cat], { retakesAfterFail: 1, retrainAfterFails: 2, resultValidityMonths: 12, configured: false, path: `rules.${cat}` });
  }
  t.same(c.rules.principal.trainingHours, { initial: 32, refresher: 12 });
  t.same(c.rules.safety_manager.items.hazardous_chemicals!.trainingHours, { initial: 48, refresher: 16 });
  t.same(c.rules.special_operation.trainingHours, { initial: null, refresher: null });
  t.match(ruleFor(c.rules, { category: 'principal', operationClass: null, industry: 'machinery' }), { item: null, path: 'rules.principal' });
  t.match(ruleFor(c.rules, { category: 'principal', operationClass: null, industry: 'metallurgy' }), {
    item: 'metallurgy',
    trainingHours: { initial: 48, refresher: 16 },
    retakesAfterFail: 1,
  });
  t.equal(describeRule(c.rules.principal), '不合格可补考 1 次 · 连续 2 次不合格须重新培训 · 合格成绩有效 12 个月');
  t.equal(NATIONAL_RULES.principal.resultValidityMonths, 12);
});

t.test("a site's figures over the defaults: category, then item; retakes and retraining move together", async (t) => {
  const c = load(
    [
      'rules:',
      '  principal: { retakesAfterFail: 2, trainingHours: { initial: 40 } }',
      '  special_operation:',
      '    resultValidityMonths: 6',
      '    items:',
      '      低压电工作业: { retrainAfterFails: 1, trainingHours: { initial: 80, refresher: 8 } }',
      '',
    ].join('\n'),
  );
  t.match(c.rules.principal, { retakesAfterFail: 2, retrainAfterFails: 3, trainingHours: { initial: 40, refresher: 12 }, configured: true });
  t.match(c.rules.principal.items.hazardous_chemicals, { retakesAfterFail: 2, trainingHours: { initial: 40, refresher: 16 }, configured: false });
  t.match(c.rules.safety_manager, { retakesAfterFail: 1, configured: false }, 'other categories keep the defaults');
  const electric = ruleFor(c.rules, { category: 'special_operation', operationClass: '低压电工 作业', industry: 'general' });
  t.match(electric, {
    item: '低压电工 作业',
    path: 'rules.special_operation.items.低压电工作业',
    retakesAfterFail: 0,
    retrainAfterFails: 1,
    resultValidityMonths: 6,
    trainingHours: { initial: 80, refresher: 8 },
    configured: true,
  });
  t.match(ruleFor(c.rules, { category: 'special_operation', operationClass: '焊接与热切割作业', industry: 'general' }), {
    item: null,
    resultValidityMonths: 6,
    retakesAfterFail: 1,
  });
});

t.test('mistakes are named with their path, all at once', async (t) => {
  t.same(
    problems(
      [
        'rules:',
        '  principle: { retakesAfterFail: 1 }',
        '  principal:',
        '    retakesAfterFail: 2',
        '    retrainAfterFails: 2',
        '    resultValidityMonths: 0',
        '    items:',
        '      机械: { retakesAfterFail: 1 }',
        '  special_operation:',
        '    retakes: 3',
        '    items:',
        '      低压电工作业: {}',
        '      低压电工 作业: {}',
        '',
      ].join('\n'),
    ),
    [
      'rules.principle: unknown setting (did you mean principal?) (got an object)',
      'rules.principal.resultValidityMonths: must be at least 1: months a pass stays valid from grading; the same exam is refused meanwhile (got 0)',
      'rules.special_operation.retakes: unknown setting (allowed here: retakesAfterFail, retrainAfterFails, resultValidityMonths, trainingHours, training, items) (got 3)',
    ],
    'the schema first',
  );
  t.same(
    problems(
      [
        'rules:',
        '  principal:',
        '    retakesAfterFail: 2',
        '    retrainAfterFails: 2',
        '    items:',
        '      机械: { retakesAfterFail: 1 }',
        '  special_operation:',
        '    items:',
        '      低压电工作业: {}',
        '      低压电工 作业: {}',
        '',
      ].join('\n'),
    ),
    [
      'rules.principal.retrainAfterFails: must be retakesAfterFail + 1 (3): the first sitting and its 2 retake(s) failed means retraining; give one of the two (got 2)',
      'rules.principal.items.机械: is not an industry code; items of principal are industries (metallurgy, nonferrous, building_materials, machinery, light_industry, textile, tobacco, commerce, hazardous_chemicals, general)',
      'rules.special_operation.items.低压电工 作业: is the same operation item as rules.special_operation.items.低压电工作业',
    ],
    'then what the schema cannot say',
  );
});
