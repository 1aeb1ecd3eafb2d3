// Per-candidate papers (千人千卷): each candidate's paper is a seeded random draw that follows the
// template exactly — counts, scores, difficulty mix, required knowledge points — with options shuffled
// per candidate. The same (template, pool, seed) always gives the same paper, which is how any paper
// is audited later: regenerate it from its stored seed and compare.
//
// Shortfall policy: strict. The difficulty mix is part of the template the paper was approved under,
// and every candidate of a session must sit a paper of the same difficulty, so a bucket that runs
// short is never topped up from a neighbouring difficulty: the template is infeasible for that pool,
// checkTemplate says which bucket lacks how many, and generatePaper refuses with the same words.
// The fix is a decision for a person — change the mix or add questions — not for the generator.
//
// Every stored paper is audited by regenerating it, so this file and random.ts are a format: any
// change to what is drawn, in what order, with which random numbers, breaks verifyPaper for every
// paper already made. A change that must happen needs a generator version stored with the paper.
import { ValidationError } from '../../core/index.ts';
import type { PaperItem, Question, Template } from '../types.ts';
import { analyseTemplate, hallViolation, preparePool, type PreparedPool, type SectionPlan } from './pool.ts';
import { seededRng, shuffleInPlace, type Rng } from './random.ts';

export { newSeed } from './random.ts';
export { preparePool } from './pool.ts';

/**
 * Draws `need` questions from `bucket` that are not yet on the paper, by partial Fisher–Yates on the
 * shared, canonically ordered index array, then undoes its swaps: O(need) per draw with no copy of
 * the bucket, and the array is back in canonical order for the next paper, so papers stay
 * independent of the order they were generated in.
 */
function drawInto(bucket: Int32Array, need: number, rng: Rng, p: PreparedPool, out: number[]): void {
  const swaps: number[] = [];
  try {
    for (let i = 0; need > 0; i++) {
      // The caller has checked that enough untaken questions exist, so i never reaches the end.
      const j = i + rng.below(bucket.length - i);
      const v = bucket[j]!;
      bucket[j] = bucket[i]!;
      bucket[i] = v;
      swaps.push(j);
      if (p.marks[v] === p.stamp) continue;
      p.marks[v] = p.stamp;
      out.push(v);
      need--;
    }
  } finally {
    for (let i = swaps.length - 1; i >= 0; i--) {
      const j = swaps[i]!;
      const v = bucket[j]!;
      bucket[j] = bucket[i]!;
      bucket[i] = v;
    }
  }
}

function drawSection(plan: SectionPlan, p: PreparedPool, rng: Rng): number[] {
  const { quotas, required, index } = plan;
  const left = quotas.map((q) => q.count);
  const chosen: number[] = [];
  // Required points first, each into a slot (difficulty) chosen at random among those that keep the
  // rest placeable (Hall's condition again), so the draw never paints itself into a corner that the
  // feasibility check said does not exist.
  const order = shuffleInPlace(
    required.map((_, k) => k),
    rng,
  );
  for (let n = 0; n < order.length; n++) {
    const r = required[order[n]!]!;
    const rest = order.slice(n + 1).map((k) => required[k]!.mask);
    const slots = shuffleInPlace(
      quotas.map((_, s) => s).filter((s) => left[s]! > 0 && r.perQuota[s]!.length > 0),
      rng,
    );
    const slot = slots.find((s) => {
      left[s]!--;
      const ok = hallViolation(rest, left) === null;
      left[s]!++;
      return ok;
    });
    if (slot === undefined) throw new Error(`internal: no place for knowledge point "${r.knowledgePoint}" although the template checked feasible`);
    const candidates = r.perQuota[slot]!;
    // Distinct points never share a question (a question has one point), so this one is free.
    const v = candidates[rng.below(candidates.length)]!;
    p.marks[v] = p.stamp;
    chosen.push(v);
    left[slot]!--;
  }
  quotas.forEach((q, s) => {
    if (left[s]! > 0) drawInto(index.byDifficulty[q.difficulty]!, left[s]!, rng, p, chosen);
  });
  // Otherwise the required points would always open the section and difficulties would come in blocks.
  return shuffleInPlace(chosen, rng);
}

const ascending = (x: number, y: number) => x - y;

function itemOf(q: Question, score: number, rng: Rng): PaperItem {
  const n = q.options.length;
  const optionOrder: number[] = [];
  for (let i = 0; i < n; i++) optionOrder.push(i);
  // 判断 keeps 正确/错误 in that order: shuffling two fixed words only confuses candidates.
  if (q.type === 'judge') return { questionId: q.id, type: q.type, score, optionOrder, key: q.answer.slice(), knowledgePoint: q.knowledgePoint };
  shuffleInPlace(optionOrder, rng);
  const key: number[] = [];
  for (const a of q.answer) key.push(optionOrder.indexOf(a));
  if (key.length > 1) key.sort(ascending);
  return { questionId: q.id, type: q.type, score, optionOrder, key, knowledgePoint: q.knowledgePoint };
}

/**
 * One candidate's paper. `pool` is what poolFor returns (the template's industry/general questions of
 * its category, not retired); it is indexed once per array and reused, so keep passing the same array
 * for a batch. Throws ValidationError, with checkTemplate's messages, when the pool cannot fill `t`.
 */
export function generatePaper(t: Template, pool: readonly Question[], seed: string): PaperItem[] {
  const p = preparePool(pool);
  // Templates are values: validateTemplate makes a fresh object, and nobody edits one in place.
  let analysis = p.analyses.get(t);
  if (!analysis) p.analyses.set(t, (analysis = analyseTemplate(t, p)));
  if (analysis.problems.length > 0)
    throw new ValidationError(
      analysis.problems,
      `template ${t.id} cannot be filled from this bank:\n${analysis.problems.map((x) => `${x.path}: ${x.problem}`).join('\n')}`,
    );
  const rng = seededRng(seed);
  // A fresh stamp marks "on this paper" without clearing the marks; wrap-around would take 4 billion papers.
  p.stamp = p.stamp === 0xffff_ffff ? (p.marks.fill(0), 1) : p.stamp + 1;
  const items: PaperItem[] = [];
  for (const plan of analysis.plans) {
    for (const i of drawSection(plan, p, rng)) items.push(itemOf(p.questions[i]!, plan.section.score, rng));
  }
  return items;
}
