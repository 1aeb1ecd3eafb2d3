// Paper templates (组卷规则): what a paper is made of, checked field by field, and whether a bank can
// fill one. Templates arrive from the central bank, from spreadsheets and from our own shipped files,
// so every one goes through validateTemplate, and every error names the field and what is wrong.
import { ValidationError, type Problem } from '../../core/index.ts';
import type { BankStore } from '../bank/store.ts';
import { CATEGORIES, INDUSTRIES, QUESTION_TYPE_LABELS, QUESTION_TYPES, type Question, type Template, type TemplateSection } from '../types.ts';
import { readShippedTemplateFiles } from '../templates/index.ts';
import { analyseTemplate, preparePool, type SectionReport } from './pool.ts';

export { sectionQuotas, type SectionReport, type BucketReport, type KnowledgePointReport, type Quota } from './pool.ts';

/** The usual 安全生产 theory exam: 120 minutes, 100 points, 80 to pass. */
export const TEMPLATE_DEFAULTS = { durationMinutes: 120, total: 100, passMark: 80 } as const;

const TEMPLATE_FIELDS = new Set([
  'id',
  'name',
  'industry',
  'category',
  'operationClass',
  'durationMinutes',
  'total',
  'passMark',
  'sections',
  'multipleChoiceScoring',
]);
const SECTION_FIELDS = new Set(['type', 'count', 'score', 'difficultyMix', 'requiredKnowledgePoints']);
const MIX_KEYS = ['1', '2', '3', '4', '5'] as const;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const list = (xs: readonly string[]) => xs.join(', ');
/** Half points are the finest unit on a paper: they add up exactly in binary, so totals never drift. */
const isHalfPoints = (x: number) => Number.isInteger(x * 2);

function validateSection(s: unknown, path: string, problems: Problem[]): TemplateSection | null {
  if (!isObject(s)) {
    problems.push({ path, problem: 'must be an object with type, count and score', got: s });
    return null;
  }
  const before = problems.length;
  for (const k of Object.keys(s))
    if (!SECTION_FIELDS.has(k)) problems.push({ path: `${path}.${k}`, problem: `unknown field (a section has ${list([...SECTION_FIELDS])})` });
  if (!QUESTION_TYPES.includes(s.type as never))
    problems.push({
      path: `${path}.type`,
      problem: `must be one of ${list(QUESTION_TYPES)} (${list(QUESTION_TYPES.map((x) => QUESTION_TYPE_LABELS[x]))})`,
      got: s.type,
    });
  if (!Number.isInteger(s.count) || (s.count as number) < 1)
    problems.push({ path: `${path}.count`, problem: 'must be a whole number of questions, at least 1', got: s.count });
  if (!isNumber(s.score) || s.score <= 0) problems.push({ path: `${path}.score`, problem: 'must be a number of points greater than 0', got: s.score });
  else if (!isHalfPoints(s.score)) problems.push({ path: `${path}.score`, problem: 'must be a whole or half point (0.5, 1, 1.5, 2 …)', got: s.score });

  let difficultyMix: TemplateSection['difficultyMix'];
  if (s.difficultyMix !== undefined) {
    const mix = s.difficultyMix;
    if (!isObject(mix))
      problems.push({ path: `${path}.difficultyMix`, problem: 'must be an object of shares per difficulty, e.g. {"1": 0.2, "2": 0.5, "3": 0.3}', got: mix });
    else {
      let ok = true;
      for (const [k, v] of Object.entries(mix)) {
        if (!MIX_KEYS.includes(k as never)) {
          problems.push({ path: `${path}.difficultyMix.${k}`, problem: 'difficulties are 1 to 5' });
          ok = false;
        } else if (!isNumber(v) || v < 0 || v > 1) {
          problems.push({ path: `${path}.difficultyMix.${k}`, problem: 'a share must be a number from 0 to 1', got: v });
          ok = false;
        }
      }
      if (ok) {
        const sum = Object.values(mix).reduce((a: number, v) => a + (v as number), 0);
        if (Math.abs(sum - 1) > 0.001)
          problems.push({ path: `${path}.difficultyMix`, problem: `shares must sum to 1 (±0.001); they sum to ${Number(sum.toFixed(6))}` });
        else difficultyMix = mix as TemplateSection['difficultyMix'];
      }
    }
  }

  let requiredKnowledgePoints: string[] | undefined;
  if (s.requiredKnowledgePoints !== undefined) {
    const kps = s.requiredKnowledgePoints;
    if (!Array.isArray(kps)) problems.push({ path: `${path}.requiredKnowledgePoints`, problem: 'must be a list of knowledge point names', got: kps });
    else {
      const seen = new Set<string>();
      kps.forEach((kp, i) => {
        if (typeof kp !== 'string' || kp.trim() === '')
          problems.push({ path: `${path}.requiredKnowledgePoints[${i}]`, problem: 'must be a knowledge point name', got: kp });
        else if (seen.has(kp)) problems.push({ path: `${path}.requiredKnowledgePoints[${i}]`, problem: `"${kp}" is listed twice` });
        else seen.add(kp);
      });
      if (Number.isInteger(s.count) && kps.length > (s.count as number))
        problems.push({
          path: `${path}.requiredKnowledgePoints`,
          problem: `${kps.length} required knowledge points cannot each have a question among ${s.count as number}`,
        });
      requiredKnowledgePoints = kps as string[];
    }
  }
  if (problems.length > before) return null;
  return {
    type: s.type as TemplateSection['type'],
    count: s.count as number,
    score: s.score as number,
    ...(difficultyMix ? { difficultyMix: { ...difficultyMix } } : {}),
    ...(requiredKnowledgePoints ? { requiredKnowledgePoints: [...requiredKnowledgePoints] } : {}),
  };
}

/**
 * A template as it must be, with defaults filled in (120 minutes, total 100, pass mark 80, operation
 * class null, all-or-nothing multiple choice), or a ValidationError listing every problem found.
 * Each question type has at most one section: a template with two 单选 sections would let them
 * compete for the same questions, and no 安全生产 exam paper is laid out that way.
 */
export function validateTemplate(t: unknown): Template {
  if (!isObject(t)) throw new ValidationError([{ path: '', problem: 'a template must be an object', got: t }]);
  const problems: Problem[] = [];
  for (const k of Object.keys(t)) if (!TEMPLATE_FIELDS.has(k)) problems.push({ path: k, problem: 'unknown field' });
  if (typeof t.id !== 'string' || !ID_PATTERN.test(t.id))
    problems.push({
      path: 'id',
      problem: 'must be 1–100 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. gm-principal-general)',
      got: t.id,
    });
  if (typeof t.name !== 'string' || t.name.trim() === '' || t.name.length > 200)
    problems.push({ path: 'name', problem: 'must be a name of 1–200 characters', got: t.name });
  if (!INDUSTRIES.includes(t.industry as never)) problems.push({ path: 'industry', problem: `must be one of ${list(INDUSTRIES)}`, got: t.industry });
  if (!CATEGORIES.includes(t.category as never)) problems.push({ path: 'category', problem: `must be one of ${list(CATEGORIES)}`, got: t.category });
  const operationClass = t.operationClass ?? null;
  if (operationClass !== null && (typeof operationClass !== 'string' || operationClass.trim() === ''))
    problems.push({ path: 'operationClass', problem: 'must be a name such as "低压电工作业", or null', got: operationClass });
  else if (t.category === 'special_operation' && operationClass === null)
    problems.push({ path: 'operationClass', problem: 'a special_operation template must name its operation class (e.g. "低压电工作业")' });
  else if (t.category !== 'special_operation' && operationClass !== null && CATEGORIES.includes(t.category as never))
    problems.push({
      path: 'operationClass',
      problem: `only special_operation templates have an operation class (this one is ${String(t.category)})`,
      got: operationClass,
    });

  const durationMinutes = t.durationMinutes ?? TEMPLATE_DEFAULTS.durationMinutes;
  if (!Number.isInteger(durationMinutes) || (durationMinutes as number) < 1 || (durationMinutes as number) > 600)
    problems.push({ path: 'durationMinutes', problem: 'must be a whole number of minutes from 1 to 600', got: durationMinutes });
  const total = t.total ?? TEMPLATE_DEFAULTS.total;
  const totalOk = isNumber(total) && total > 0 && isHalfPoints(total);
  if (!totalOk) problems.push({ path: 'total', problem: 'must be a number of points greater than 0, in whole or half points', got: total });
  const passMark = t.passMark ?? TEMPLATE_DEFAULTS.passMark;
  if (!isNumber(passMark) || passMark <= 0) problems.push({ path: 'passMark', problem: 'must be a number of points greater than 0', got: passMark });
  else if (totalOk && passMark > (total as number))
    problems.push({ path: 'passMark', problem: `${passMark}${t.passMark === undefined ? ' (the default)' : ''} is more than the total ${total as number}` });
  const scoring = t.multipleChoiceScoring ?? 'all_or_nothing';
  if (scoring !== 'all_or_nothing' && scoring !== 'partial')
    problems.push({ path: 'multipleChoiceScoring', problem: 'must be "all_or_nothing" or "partial"', got: scoring });

  const sections: TemplateSection[] = [];
  if (!Array.isArray(t.sections) || t.sections.length === 0)
    problems.push({ path: 'sections', problem: 'must be a list of at least one section', got: t.sections });
  else {
    let allValid = true;
    const firstOfType = new Map<string, number>();
    t.sections.forEach((s, i) => {
      const v = validateSection(s, `sections[${i}]`, problems);
      if (!v) return void (allValid = false);
      const first = firstOfType.get(v.type);
      if (first !== undefined) {
        problems.push({
          path: `sections[${i}].type`,
          problem: `${QUESTION_TYPE_LABELS[v.type]} (${v.type}) already has a section, sections[${first}]; merge them into one`,
          got: v.type,
        });
        allValid = false;
      } else firstOfType.set(v.type, i);
      sections.push(v);
    });
    if (allValid && totalOk) {
      // Exact: counts are integers and scores half points, so the sum has no rounding error.
      const sum = sections.reduce((a, s) => a + s.count * s.score, 0);
      if (sum !== total) {
        const terms = sections.map((s) => `${QUESTION_TYPE_LABELS[s.type]} ${s.count}×${s.score}`).join(' + ');
        problems.push({ path: 'total', problem: `the sections add up to ${terms} = ${sum}, not the total ${total as number}`, got: total });
      }
    }
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    id: t.id as string,
    name: (t.name as string).trim(),
    industry: t.industry as Template['industry'],
    category: t.category as Template['category'],
    operationClass: operationClass as string | null,
    durationMinutes: durationMinutes as number,
    total: total as number,
    passMark: passMark as number,
    sections,
    multipleChoiceScoring: scoring as 'all_or_nothing' | 'partial',
  };
}

let shipped: Template[] | null = null;

/** The templates in exam/templates/*.json, validated once (a broken shipped file is our bug: it fails loudly). */
export function shippedTemplates(): Template[] {
  if (!shipped) {
    const out: Template[] = [];
    const problems: Problem[] = [];
    for (const { file, body } of readShippedTemplateFiles()) {
      try {
        const t = validateTemplate(body);
        if (`${t.id}.json` !== file)
          problems.push({ path: `exam/templates/${file}`, problem: `holds template "${t.id}"; the file must be named ${t.id}.json` });
        else out.push(t);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        problems.push(...err.problems.map((p) => ({ ...p, path: `exam/templates/${file}: ${p.path}` })));
      }
    }
    if (problems.length) throw new ValidationError(problems);
    shipped = out;
  }
  return structuredClone(shipped);
}

export interface ListedTemplate {
  source: 'version' | 'shipped';
  template: Template;
}

/** A bank version's templates, then the shipped ones it does not override (same id), each validated. */
export function listTemplates(bank: BankStore, versionId: string | null): { templates: ListedTemplate[]; invalid: { id: string; problems: Problem[] }[] } {
  const templates: ListedTemplate[] = [];
  const invalid: { id: string; problems: Problem[] }[] = [];
  const own = new Set<string>();
  for (const raw of versionId ? bank.templates(versionId) : []) {
    const id = String((raw as { id?: unknown }).id);
    own.add(id);
    try {
      templates.push({ source: 'version', template: validateTemplate(raw) });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      invalid.push({ id, problems: err.problems });
    }
  }
  for (const t of shippedTemplates()) if (!own.has(t.id)) templates.push({ source: 'shipped', template: t });
  return { templates, invalid };
}

/** The version's own template (the central bank's rules win), else the shipped one; validated, defaults filled. */
export function resolveTemplate(bank: BankStore, versionId: string, templateId: string): Template | null {
  const own = bank.template(versionId, templateId);
  if (own) return validateTemplate(own);
  return shippedTemplates().find((t) => t.id === templateId) ?? null;
}

/**
 * The questions a paper from `t` may draw: its industry's and the general ones, of its category (and
 * operation class when it has one), not retired. With `at`, the pool as it was at that moment —
 * questions retired since then count again — which is what auditing an old paper needs.
 */
export function poolFor(bank: BankStore, versionId: string, t: Template, opts: { at?: number } = {}): Question[] {
  const at = opts.at;
  const pool = bank.pool(versionId, {
    industry: t.industry === 'general' ? ['general'] : [t.industry, 'general'],
    category: t.category,
    ...(t.operationClass ? { operationClass: t.operationClass } : {}),
    includeRetired: at !== undefined,
  });
  return at === undefined ? pool : pool.filter((q) => q.retiredAt === null || q.retiredAt > at);
}

export type TemplateCheck = ({ ok: true } | { ok: false; problems: Problem[] }) & { sections: SectionReport[]; warnings: string[]; poolSize: number };

/**
 * Whether `pool` can fill `t`, section by section: per difficulty bucket, needed vs available, and
 * each required knowledge point. Problems name the section and the exact shortfall, e.g.
 * `sections[1] (单选, difficulty 4): needs 6, the bank has 2 — short by 4`. With `papers`, warns of a
 * section whose bank is so small that candidates would get the same questions.
 */
export function checkTemplate(t: Template, pool: readonly Question[], opts: { papers?: number } = {}): TemplateCheck {
  const p = preparePool(pool);
  const a = analyseTemplate(t, p, opts);
  const base = { sections: a.sections, warnings: a.warnings, poolSize: p.questions.length };
  return a.problems.length === 0 ? { ok: true, ...base } : { ok: false, problems: a.problems, ...base };
}

/** `判断 40×1 + 单选 40×1 + 多选 10×2` — the shape of a template in one line. */
export function describeSections(t: Template): string {
  return t.sections.map((s) => `${QUESTION_TYPE_LABELS[s.type]} ${s.count}×${s.score}`).join(' + ');
}
