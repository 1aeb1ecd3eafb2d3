// The pool a paper draws from, indexed once, and the one feasibility analysis that both
// checkTemplate (reports) and generatePaper (refuses) use — so a template that checks clean can
// always be generated, and a refusal says exactly what the check says.
import type { Problem } from '../../core/index.ts';
import { QUESTION_TYPE_LABELS, QUESTION_TYPES, type Question, type QuestionType, type Template, type TemplateSection } from '../types.ts';

const DIFFICULTIES = [1, 2, 3, 4, 5] as const;

/** Question indices (into PreparedPool.questions), ascending; slot 0 is every difficulty, 1–5 one each. */
type ByDifficulty = Int32Array[];

interface TypeIndex {
  byDifficulty: ByDifficulty;
  knowledgePoints: Map<string, ByDifficulty>;
}

export interface PreparedPool {
  /** The pool sorted by id with duplicates dropped: a paper depends on the set, not the order it came in. */
  readonly questions: readonly Question[];
  readonly byType: Readonly<Record<QuestionType, TypeIndex>>;
  /** Scratch marks for "already on this paper", stamped per paper so they never need clearing. */
  readonly marks: Uint32Array;
  stamp: number;
  /** The input's length when prepared: a cheap guard against a caller that mutated the array since. */
  readonly sourceLength: number;
  /** Analyses per template object, for generation (a batch of papers shares one template object). */
  readonly analyses: WeakMap<Template, TemplateAnalysis>;
}

const prepared = new WeakMap<readonly Question[], PreparedPool>();

/**
 * Indexes a pool by (type, difficulty) and (type, knowledge point, difficulty). Memoised by array
 * identity: generating 1,000 papers from one pool indexes it once (the bench measures this). So a
 * pool array, once passed in, must not be changed in place; make a new array instead.
 */
export function preparePool(pool: readonly Question[]): PreparedPool {
  const cached = prepared.get(pool);
  if (cached && cached.sourceLength === pool.length) return cached;
  let questions = pool;
  for (let i = 1; i < pool.length; i++) {
    if (!(pool[i - 1]!.id < pool[i]!.id)) {
      const seen = new Map<string, Question>();
      for (const q of pool) seen.set(q.id, q);
      questions = [...seen.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      break;
    }
  }
  const lists = {} as Record<QuestionType, { byDifficulty: number[][]; knowledgePoints: Map<string, number[][]> }>;
  for (const type of QUESTION_TYPES) lists[type] = { byDifficulty: [[], [], [], [], [], []], knowledgePoints: new Map() };
  questions.forEach((q, i) => {
    const l = lists[q.type];
    if (!l) return;
    l.byDifficulty[0]!.push(i);
    l.byDifficulty[q.difficulty]?.push(i);
    let kp = l.knowledgePoints.get(q.knowledgePoint);
    if (!kp) l.knowledgePoints.set(q.knowledgePoint, (kp = [[], [], [], [], [], []]));
    kp[0]!.push(i);
    kp[q.difficulty]?.push(i);
  });
  const toTyped = (a: number[][]): ByDifficulty => a.map((x) => Int32Array.from(x));
  const byType = {} as Record<QuestionType, TypeIndex>;
  for (const type of QUESTION_TYPES) {
    const l = lists[type];
    byType[type] = { byDifficulty: toTyped(l.byDifficulty), knowledgePoints: new Map([...l.knowledgePoints].map(([k, v]) => [k, toTyped(v)])) };
  }
  const p: PreparedPool = { questions, byType, marks: new Uint32Array(questions.length), stamp: 0, sourceLength: pool.length, analyses: new WeakMap() };
  prepared.set(pool, p);
  return p;
}

/** One slice of a section: the questions of one difficulty (or of any, when the section has no mix). */
export interface Quota {
  /** 0 = any difficulty (no mix). */
  difficulty: 0 | 1 | 2 | 3 | 4 | 5;
  count: number;
}

/**
 * The whole number of questions per difficulty. Shares are rounded by largest remainder (Hamilton):
 * each difficulty gets the floor of its exact share, and the places left over go to the largest
 * fractions, ties to the easier difficulty — so the counts always sum to the section's count and no
 * difficulty is ever more than one question away from its exact share. Difficulties that round to
 * zero are left out.
 */
export function sectionQuotas(s: TemplateSection): Quota[] {
  const mix = s.difficultyMix;
  const shares = DIFFICULTIES.map((d) => ({ d, share: mix?.[String(d) as '1'] ?? 0 })).filter((x) => x.share > 0);
  if (!mix || shares.length === 0) return [{ difficulty: 0, count: s.count }];
  // Shares may sum to 1 ± 0.001; normalising first keeps the floors from overshooting the count.
  const sum = shares.reduce((a, x) => a + x.share, 0);
  const exact = shares.map((x) => ({ d: x.d, exact: (x.share / sum) * s.count }));
  // 1e-9 absorbs binary noise such as 0.29 × 100 = 28.999999999999996.
  const rows = exact.map((x) => ({ d: x.d, count: Math.floor(x.exact + 1e-9), frac: x.exact + 1e-9 - Math.floor(x.exact + 1e-9) }));
  let left = s.count - rows.reduce((a, r) => a + r.count, 0);
  for (const r of [...rows].sort((x, y) => y.frac - x.frac || x.d - y.d)) {
    if (left <= 0) break;
    r.count++;
    left--;
  }
  return rows.filter((r) => r.count > 0).map((r) => ({ difficulty: r.d, count: r.count }));
}

export interface BucketReport {
  /** null when the section has no difficulty mix. */
  difficulty: number | null;
  needed: number;
  available: number;
  short: number;
}

export interface KnowledgePointReport {
  knowledgePoint: string;
  /** Questions of the section's type on this point, at any difficulty. */
  available: number;
  /** Of those, at a difficulty the mix draws. */
  drawable: number;
}

export interface SectionReport {
  section: number;
  type: QuestionType;
  label: string;
  count: number;
  score: number;
  buckets: BucketReport[];
  knowledgePoints: KnowledgePointReport[];
  ok: boolean;
  /** log10 of how many different question selections the section allows (ignoring required points): variety at a glance. */
  selectionsLog10: number;
}

/** What generation needs per section, worked out once from (template, pool). */
export interface SectionPlan {
  section: TemplateSection;
  index: TypeIndex;
  quotas: Quota[];
  /** Required points with, per quota slot, the candidate question indices (empty when the point has none there). */
  required: { knowledgePoint: string; perQuota: Int32Array[]; mask: number }[];
}

export interface TemplateAnalysis {
  problems: Problem[];
  warnings: string[];
  sections: SectionReport[];
  plans: SectionPlan[];
}

const EMPTY = new Int32Array(0);

function where(i: number, type: QuestionType, difficulty?: number): string {
  return `sections[${i}] (${QUESTION_TYPE_LABELS[type]}${difficulty ? `, difficulty ${difficulty}` : ''})`;
}

const popcount = (m: number) => {
  let n = 0;
  for (; m; m &= m - 1) n++;
  return n;
};

const subsetCache: number[][] = [];
/** Non-empty subsets of `slots` slots as bitmasks, smallest first. */
function subsetsOf(slots: number): number[] {
  return (subsetCache[slots] ??= Array.from({ length: (1 << slots) - 1 }, (_, i) => i + 1).sort((x, y) => popcount(x) - popcount(y) || x - y));
}

/**
 * Hall's condition for giving each required point its own place: for every set S of quota slots,
 * the points that can only go into S must not outnumber S's places. With at most five slots this is
 * 31 sets, so it is checked exhaustively. Returns the first violated set, smallest sets first (the
 * most specific message), or null when every point can have a place.
 */
export function hallViolation(masks: readonly number[], capacity: readonly number[]): { set: number; points: number[]; places: number } | null {
  const slots = capacity.length;
  for (const set of subsetsOf(slots)) {
    let places = 0;
    for (let s = 0; s < slots; s++) if (set & (1 << s)) places += capacity[s]!;
    let confined = 0;
    for (const m of masks) if (m !== 0 && (m & ~set) === 0) confined++;
    if (confined > places) {
      const points: number[] = [];
      masks.forEach((m, i) => {
        if (m !== 0 && (m & ~set) === 0) points.push(i);
      });
      return { set, points, places };
    }
  }
  return null;
}

function log10Choose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  let s = 0;
  for (let i = 0; i < Math.min(k, n - k); i++) s += Math.log10(n - i) - Math.log10(i + 1);
  return s;
}

/** Feasibility of a (valid) template against a prepared pool: reports, problems, and the plans generation follows. */
export function analyseTemplate(t: Template, p: PreparedPool, opts: { papers?: number } = {}): TemplateAnalysis {
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const sections: SectionReport[] = [];
  const plans: SectionPlan[] = [];
  t.sections.forEach((s, i) => {
    const index = p.byType[s.type];
    const quotas = sectionQuotas(s);
    const sectionProblems: Problem[] = [];
    const buckets: BucketReport[] = quotas.map((q) => {
      const available = index.byDifficulty[q.difficulty]!.length;
      const short = Math.max(0, q.count - available);
      if (short > 0) sectionProblems.push({ path: where(i, s.type, q.difficulty), problem: `needs ${q.count}, the bank has ${available} — short by ${short}` });
      return { difficulty: q.difficulty || null, needed: q.count, available, short };
    });
    const required = (s.requiredKnowledgePoints ?? []).map((kp) => {
      const byD = index.knowledgePoints.get(kp);
      const perQuota = quotas.map((q) => byD?.[q.difficulty] ?? EMPTY);
      const mask = perQuota.reduce((m, list, slot) => (list.length > 0 ? m | (1 << slot) : m), 0);
      return { knowledgePoint: kp, perQuota, mask, available: byD?.[0]!.length ?? 0 };
    });
    const knowledgePoints: KnowledgePointReport[] = required.map((r) => ({
      knowledgePoint: r.knowledgePoint,
      available: r.available,
      drawable: r.perQuota.reduce((a, l) => a + l.length, 0),
    }));
    for (const r of required) {
      if (r.available === 0) {
        sectionProblems.push({ path: where(i, s.type), problem: `knowledge point "${r.knowledgePoint}" has no question` });
      } else if (r.mask === 0) {
        const at = DIFFICULTIES.filter((d) => (index.knowledgePoints.get(r.knowledgePoint)?.[d]?.length ?? 0) > 0);
        sectionProblems.push({
          path: where(i, s.type),
          problem: `knowledge point "${r.knowledgePoint}" has questions only at difficulty ${at.join(', ')}, which the mix does not draw`,
        });
      }
    }
    if (sectionProblems.length === 0 && required.length > 0) {
      const v = hallViolation(
        required.map((r) => r.mask),
        quotas.map((q) => q.count),
      );
      if (v) {
        const names = v.points.map((k) => `"${required[k]!.knowledgePoint}"`).join(', ');
        const ds = quotas.filter((_, slot) => v.set & (1 << slot)).map((q) => q.difficulty);
        const at = ds[0] === 0 ? 'in this section' : `only at difficulty ${ds.join(', ')}`;
        sectionProblems.push({
          path: where(i, s.type),
          problem: `knowledge points ${names} can be drawn ${at}, which has ${v.places} place${v.places === 1 ? '' : 's'} for ${v.points.length} — short by ${v.points.length - v.places}`,
        });
      }
    }
    const selectionsLog10 = buckets.reduce((a, b) => a + log10Choose(b.available, b.needed), 0);
    if (sectionProblems.length === 0 && opts.papers && opts.papers > 1 && selectionsLog10 < Math.log10(opts.papers)) {
      const n = Math.round(10 ** selectionsLog10);
      warnings.push(
        `${where(i, s.type)}: only ${n} different selection${n === 1 ? '' : 's'} of questions for ${opts.papers} papers — candidates will share the same questions in this section (options are still shuffled)`,
      );
    }
    problems.push(...sectionProblems);
    sections.push({
      section: i,
      type: s.type,
      label: QUESTION_TYPE_LABELS[s.type],
      count: s.count,
      score: s.score,
      buckets,
      knowledgePoints,
      ok: sectionProblems.length === 0,
      selectionsLog10,
    });
    plans.push({ section: s, index, quotas, required: required.map(({ knowledgePoint, perQuota, mask }) => ({ knowledgePoint, perQuota, mask })) });
  });
  return { problems, warnings, sections, plans };
}
