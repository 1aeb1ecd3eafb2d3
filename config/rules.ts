// The exam rules that differ by year and province (`rules:`): retakes after a fail, retraining, how long a
// pass stays valid and the training hours a category needs, per personnel category with overrides per
// operation item. Defaults are the 2013 national interim rules (docs/records.md "Rules" cites each).
// The pass mark is not here: it comes with the template in the signed bank package.
import { Type, type Static } from 'typebox';
import { CATEGORIES, INDUSTRIES, type Problem } from '../core/index.ts';

const closed = { additionalProperties: false } as const;

/** Personnel categories (人员类别) by the codes exam templates and rosters use. */
export const RULE_CATEGORIES = CATEGORIES;
export type RuleCategory = (typeof RULE_CATEGORIES)[number];

/** Items of principals and safety managers are industries. */
export const RULE_INDUSTRIES = INDUSTRIES;

const Hours = Type.Union([Type.Number({ minimum: 0, maximum: 2000 }), Type.Null()], { description: 'class hours (学时), or null: not set nationally' });

export const TrainingHoursSchema = Type.Object(
  {
    initial: Type.Optional(Hours),
    refresher: Type.Optional(Hours),
  },
  { ...closed, description: 'initial: hours of the first training (初训); refresher: hours of the yearly retraining (复训 / 再培训)' },
);

export const TrainingCheckSchema = Type.Object(
  {
    classHours: Type.Optional(
      Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 2000 }), Type.Null()], {
        description: 'the 学时 a training class of this category requires (a new class takes it as its required hours); null: none set',
      }),
    ),
    beforeExam: Type.Optional(
      Type.Union([Type.Literal('off'), Type.Literal('warn'), Type.Literal('refuse')], {
        description: "whether a roster import checks each candidate's training hours against classHours: off, warn (named in the reply) or refuse",
      }),
    ),
  },
  { ...closed, description: 'training classes held here and the hours checked before the exam (training/)' },
);

const ruleFields = {
  retakesAfterFail: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 10, description: 'retakes (补考) a failed exam allows before retraining is required; 0 = none' }),
  ),
  retrainAfterFails: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 11,
      description: 'failed exams in a row after which the candidate must retrain (培训结业日期 after the last fail); always retakesAfterFail + 1',
    }),
  ),
  resultValidityMonths: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 120, description: 'months a pass stays valid from grading; the same exam is refused meanwhile' }),
  ),
  trainingHours: Type.Optional(TrainingHoursSchema),
  training: Type.Optional(TrainingCheckSchema),
};

export const ItemRulesSchema = Type.Object(ruleFields, closed);

export const CategoryRulesSchema = Type.Object(
  {
    ...ruleFields,
    items: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 64 }), ItemRulesSchema, {
        description:
          'overrides per operation item: the operation class (作业类别, e.g. 低压电工作业) for special operations, the industry code (e.g. hazardous_chemicals) for principals and safety managers',
      }),
    ),
  },
  closed,
);

/** Retake and validity rules per personnel category (records/, exam/plans): absent = the 2013 national interim rules. */
export const RulesSchema = Type.Object(
  {
    principal: Type.Optional(CategoryRulesSchema),
    safety_manager: Type.Optional(CategoryRulesSchema),
    special_operation: Type.Optional(CategoryRulesSchema),
  },
  { ...closed, description: 'keyed by personnel category: principal (主要负责人), safety_manager (安全生产管理人员), special_operation (特种作业人员)' },
);

export type RulesFile = Static<typeof RulesSchema>;
type LayerFile = Static<typeof ItemRulesSchema>;

export interface Rule {
  retakesAfterFail: number;
  retrainAfterFails: number;
  resultValidityMonths: number;
  trainingHours: { initial: number | null; refresher: number | null };
  /** The hours a class requires and whether a roster import checks them (training/, docs/training.md). */
  training: { classHours: number | null; beforeExam: 'off' | 'warn' | 'refuse' };
}

export interface ResolvedRule extends Rule {
  /** Where the figures are set: `rules.principal`, `rules.principal.items.hazardous_chemicals`. */
  path: string;
  /** true: the site's config file set something on this path; false: the national defaults alone. */
  configured: boolean;
}

export type CategoryRules = ResolvedRule & { items: Record<string, ResolvedRule> };
export type Rules = Record<RuleCategory, CategoryRules>;

/** The rule applied to one candidate's exam: which category and item it was looked up by, and the figures. */
export interface AppliedRule extends ResolvedRule {
  category: RuleCategory;
  /** The operation item the rule was found under, null when the category's own figures apply. */
  item: string | null;
}

// 主要负责人 and 安全生产管理人员 of the high-risk industries train longer (原国家安全监管总局令第3号
// 《生产经营单位安全培训规定》第九条: 金属冶炼, 危险化学品 …); 冶金 and 有色 are taken as 金属冶炼.
const HIGH_RISK_HOURS = { trainingHours: { initial: 48, refresher: 16 } };

// A class of 主要负责人 / 安全生产管理人员 is two days of 16 学时 (seed 000, Beijing 2018, 六(一): 每期培训班为期两天
// (16学时)); a roster import warns of a candidate short of them (a site that must refuse sets refuse).
const CLASS_OF_16 = { classHours: 16, beforeExam: 'warn' as const };

/** The 2013 national interim rules, as the code had them before they were config (docs/records.md "Rules"). */
export const NATIONAL_RULES: Record<RuleCategory, LayerFile & { items: Record<string, LayerFile> }> = {
  principal: {
    retakesAfterFail: 1,
    retrainAfterFails: 2,
    resultValidityMonths: 12,
    trainingHours: { initial: 32, refresher: 12 },
    training: CLASS_OF_16,
    items: { metallurgy: HIGH_RISK_HOURS, nonferrous: HIGH_RISK_HOURS, hazardous_chemicals: HIGH_RISK_HOURS },
  },
  safety_manager: {
    retakesAfterFail: 1,
    retrainAfterFails: 2,
    resultValidityMonths: 12,
    trainingHours: { initial: 32, refresher: 12 },
    training: CLASS_OF_16,
    items: { metallurgy: HIGH_RISK_HOURS, nonferrous: HIGH_RISK_HOURS, hazardous_chemicals: HIGH_RISK_HOURS },
  },
  // Special operations' hours are set per operation item by its training outline (培训大纲), so there
  // is no national figure for the category: a site that wants them checked sets them under items.
  special_operation: {
    retakesAfterFail: 1,
    retrainAfterFails: 2,
    resultValidityMonths: 12,
    trainingHours: { initial: null, refresher: null },
    training: { classHours: null, beforeExam: 'off' },
    items: {},
  },
};

/** An operation class as people type it: full-width forms folded, spaces dropped (as the roster import does). */
export const itemKey = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');

/** One layer over another: a layer that names retakes or retraining sets both (they are one rule seen from two sides). */
function layer(base: Rule, over: LayerFile | undefined): Rule {
  if (!over) return base;
  let { retakesAfterFail, retrainAfterFails } = base;
  if (over.retakesAfterFail !== undefined) {
    retakesAfterFail = over.retakesAfterFail;
    retrainAfterFails = over.retakesAfterFail + 1;
  } else if (over.retrainAfterFails !== undefined) {
    retrainAfterFails = over.retrainAfterFails;
    retakesAfterFail = over.retrainAfterFails - 1;
  }
  return {
    retakesAfterFail,
    retrainAfterFails,
    resultValidityMonths: over.resultValidityMonths ?? base.resultValidityMonths,
    trainingHours: {
      initial: over.trainingHours?.initial !== undefined ? over.trainingHours.initial : base.trainingHours.initial,
      refresher: over.trainingHours?.refresher !== undefined ? over.trainingHours.refresher : base.trainingHours.refresher,
    },
    training: {
      classHours: over.training?.classHours !== undefined ? over.training.classHours : base.training.classHours,
      beforeExam: over.training?.beforeExam ?? base.training.beforeExam,
    },
  };
}

const ROOT: Rule = {
  retakesAfterFail: 1,
  retrainAfterFails: 2,
  resultValidityMonths: 12,
  trainingHours: { initial: null, refresher: null },
  training: { classHours: null, beforeExam: 'off' },
};

/** The config's `rules:` over the national defaults: field by field, item by item. */
export function resolveRules(raw: RulesFile | undefined): Rules {
  const out = {} as Rules;
  for (const c of RULE_CATEGORIES) {
    const national = NATIONAL_RULES[c];
    const site = raw?.[c];
    const category = layer(layer(ROOT, national), site);
    const items: Record<string, ResolvedRule> = {};
    const keys = new Set([...Object.keys(national.items), ...Object.keys(site?.items ?? {})]);
    for (const k of keys) {
      const siteItem = site?.items?.[k];
      // A site's category-level figure beats a national item default: "principals here: 2 retakes"
      // means every industry, unless the site also names the industry.
      const item = layer(layer(layer(ROOT, national), national.items[k]), site);
      items[itemKey(k)] = { ...layer(item, siteItem), path: `rules.${c}.items.${k}`, configured: siteItem !== undefined };
    }
    out[c] = { ...category, path: `rules.${c}`, configured: site !== undefined, items };
  }
  return out;
}

/** The rule for one exam (category + operation item or industry: what makes two exams "the same exam"). */
export function ruleFor(rules: Rules, q: { category: RuleCategory; operationClass: string | null; industry: string }): AppliedRule {
  const c = rules[q.category];
  const item = q.category === 'special_operation' ? q.operationClass : q.industry;
  const found = item === null ? undefined : c.items[itemKey(item)];
  const { items: _items, ...own } = c;
  return found ? { ...found, category: q.category, item } : { ...own, category: q.category, item: null };
}

/** The rule in a line of Chinese, for the person file and refusals: 补考 1 次 · 2 次不合格须重新培训 · 合格成绩有效 12 个月. */
export function describeRule(r: Rule): string {
  const retakes = r.retakesAfterFail === 0 ? '不合格不设补考' : `不合格可补考 ${r.retakesAfterFail} 次`;
  return `${retakes} · 连续 ${r.retrainAfterFails} 次不合格须重新培训 · 合格成绩有效 ${r.resultValidityMonths} 个月`;
}

/** What the schema cannot say: retakes and retraining agree, item keys name an industry where they must. */
export function rulesProblems(raw: RulesFile | undefined): Problem[] {
  const problems: Problem[] = [];
  const check = (path: string, l: LayerFile) => {
    if (l.retakesAfterFail !== undefined && l.retrainAfterFails !== undefined && l.retrainAfterFails !== l.retakesAfterFail + 1) {
      problems.push({
        path: `${path}.retrainAfterFails`,
        problem: `must be retakesAfterFail + 1 (${l.retakesAfterFail + 1}): the first sitting and its ${l.retakesAfterFail} retake(s) failed means retraining; give one of the two`,
        got: l.retrainAfterFails,
      });
    }
  };
  for (const c of RULE_CATEGORIES) {
    const site = raw?.[c];
    if (!site) continue;
    check(`rules.${c}`, site);
    const seen = new Map<string, string>();
    for (const [k, item] of Object.entries(site.items ?? {})) {
      const path = `rules.${c}.items.${k}`;
      check(path, item);
      if (c !== 'special_operation' && !(RULE_INDUSTRIES as readonly string[]).includes(k))
        problems.push({
          path,
          problem: `is not an industry code; items of ${c} are industries (${RULE_INDUSTRIES.join(', ')})`,
        });
      const key = itemKey(k);
      const before = seen.get(key);
      if (before !== undefined) problems.push({ path, problem: `is the same operation item as rules.${c}.items.${before}` });
      else seen.set(key, k);
    }
  }
  return problems;
}
