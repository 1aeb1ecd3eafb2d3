// Grading a paper, and the keyless view of it a terminal receives. Grading works on the candidate's
// shown option order throughout: the key was remapped into that order when the paper was generated.
//
// Rounding: an item earns a whole multiple of half a point, rounded DOWN (partial credit of 2 points
// × 2/3 right options is 1, not 1.33). Half points add up exactly in binary floating point, so the
// total, the per-knowledge-point breakdown and the pass comparison never drift (79.99999 ≠ 80), and
// rounding down never awards a point the candidate did not earn.
import { NotFound } from '../../core/index.ts';
import { imageUrl, isImageId } from '../bank/images.ts';
import type { AnswerSheet, DeliveredQuestion, GradeResult, PaperItem, Question, Template } from '../types.ts';

const floorToHalf = (x: number) => Math.floor(x * 2 + 1e-9) / 2;

/** Earned points for one item; `chosen` are shown-option indices as the candidate gave them. */
export function gradeItem(item: PaperItem, chosen: readonly number[] | undefined, scoring: Template['multipleChoiceScoring']): number {
  const picks = [...new Set(chosen ?? [])];
  if (picks.length === 0) return 0;
  const key = new Set(item.key);
  // A pick that is not an option on the paper is wrong, never ignored: the gateway refuses such saves,
  // so one here means tampering or a bug, and neither earns points.
  const wrong = picks.filter((c) => !Number.isInteger(c) || c < 0 || c >= item.optionOrder.length || !key.has(c)).length;
  const right = picks.length - wrong;
  if (wrong === 0 && right === key.size) return item.score;
  // Partial credit is for multiple choice only, and only when no wrong option was picked: picking
  // everything must not be a strategy.
  if (item.type === 'multiple' && scoring === 'partial' && wrong === 0) return floorToHalf((item.score * right) / key.size);
  return 0;
}

/**
 * Judge and single: exactly the one right option. Multiple: all right options and no wrong one
 * (all-or-nothing, the default), or with `multipleChoiceScoring: 'partial'` score × right/all-right
 * when no wrong option is picked. Unanswered earns 0. Passed when score ≥ passMark.
 */
export function gradePaper(items: readonly PaperItem[], answers: AnswerSheet, t: Template): GradeResult {
  const scoring = t.multipleChoiceScoring ?? 'all_or_nothing';
  const perItem: GradeResult['perItem'] = [];
  const byPoint = new Map<string, { earned: number; max: number; questions: number }>();
  let score = 0;
  items.forEach((item, i) => {
    const no = i + 1;
    const earned = gradeItem(item, answers[no], scoring);
    score += earned;
    perItem.push({ no, questionId: item.questionId, earned, max: item.score, correct: earned === item.score });
    const kp = byPoint.get(item.knowledgePoint) ?? { earned: 0, max: 0, questions: 0 };
    kp.earned += earned;
    kp.max += item.score;
    kp.questions++;
    byPoint.set(item.knowledgePoint, kp);
  });
  // Code-point order, not locale order: the same on every machine, so two reports compare line by line.
  const byKnowledgePoint = [...byPoint.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([knowledgePoint, v]) => ({ knowledgePoint, ...v }));
  return { score, total: t.total, passed: score >= t.passMark, passMark: t.passMark, perItem, byKnowledgePoint };
}

/**
 * What a terminal shows: stems and options in this candidate's order, numbered as on the paper.
 * Built field by field — never by copying a question or an item — so no key, question id, bank
 * option index, knowledge point or explanation can ride along.
 */
export function deliver(items: readonly PaperItem[], questions: ReadonlyMap<string, Question>): DeliveredQuestion[] {
  return items.map((item, i) => {
    const q = questions.get(item.questionId);
    if (!q) throw new NotFound(`question ${i + 1} of the paper (${item.questionId}) is not in the bank`);
    return {
      no: i + 1,
      type: item.type,
      score: item.score,
      stem: q.stem,
      options: item.optionOrder.map((k) => q.options[k]!),
      // Ids become the URL the terminal fetches; a bare file name (stored before images were
      // uploaded) names no file the server has, so it is left out rather than shown broken.
      images: q.images.filter(isImageId).map(imageUrl),
    };
  });
}
