// Item analysis (试题分析): per question, its facility and its discrimination over the graded papers
// that carried it, and the flags that send a bad question back to the bank's editors.
//
// Facility P = correct / responses. Discrimination D = P(upper 27 %) − P(lower 27 %), the groups being
// the respondents ranked by their paper's total score (score / total, so templates with another total
// compare) — Kelley's 27 % (T. L. Kelley, "The selection of upper and lower groups for the validation of
// test items", J. Educ. Psychol. 30 (1939) 17–24), which makes D's standard error smallest. Ranked per
// question among the papers that carried it, because every candidate's paper is drawn apart (千人千卷):
// a question is answered by a different subset of the period's candidates.
//
// Thresholds: D < 0.20 is "poor, to be revised or discarded" in R. L. Ebel and D. A. Frisbie,
// Essentials of Educational Measurement (5th ed., 1991), table 13.3 (≥ 0.40 very good, 0.30–0.39
// reasonably good, 0.20–0.29 marginal); D < 0 means the weaker candidates do better — most often a wrong
// key. P < 0.20 is the usual lower bound of the acceptable band (0.20–0.80) in the same literature; the
// upper bound is raised to 0.95 here because this is a mastery exam with an 80 % pass mark, where a rule
// everybody knows is still worth asking, and only a question nearly all answer right tells nothing.
// Below MIN_RESPONSES papers a question is shown but not judged: with 27 % groups of fewer than 5
// people one answer moves D by 0.2 or more.
import type { GradedPaper, QuestionFacts } from '../../exam/index.ts';
import type { ItemFigures, ItemFlag } from '../protocol.ts';

export const ITEM_THRESHOLDS = {
  minResponses: 20,
  groupShare: 0.27,
  facilityBelow: 0.2,
  facilityAbove: 0.95,
  discriminationBelow: 0.2,
} as const;

interface Response {
  ratio: number;
  resultId: string;
  correct: boolean;
}

/** Upper and lower groups: ranked by total score, highest first; equal scores by result id, so the cut is reproducible. */
export function discriminationOf(responses: readonly Response[], share = ITEM_THRESHOLDS.groupShare): { groupSize: number; d: number | null } {
  const n = responses.length;
  const g = Math.round(n * share);
  if (g < 1) return { groupSize: 0, d: null };
  const ranked = [...responses].sort((a, b) => b.ratio - a.ratio || (a.resultId < b.resultId ? -1 : a.resultId > b.resultId ? 1 : 0));
  const share_ = (xs: readonly Response[]) => xs.filter((x) => x.correct).length / xs.length;
  return { groupSize: g, d: share_(ranked.slice(0, g)) - share_(ranked.slice(n - g)) };
}

export function flagsOf(facility: number, d: number | null): ItemFlag[] {
  const t = ITEM_THRESHOLDS;
  const flags: ItemFlag[] = [];
  if (facility < t.facilityBelow) flags.push('too_hard');
  if (facility > t.facilityAbove) flags.push('too_easy');
  if (d !== null && d < 0) flags.push('negative_discrimination');
  else if (d !== null && d < t.discriminationBelow) flags.push('low_discrimination');
  return flags;
}

/**
 * Every question on the papers, worst first: flagged questions before the rest, then by discrimination
 * (lowest first). `facts` fills type, knowledge point and difficulty; `withStems` the stem.
 */
export function analyseItems(papers: readonly GradedPaper[], facts: ReadonlyMap<string, QuestionFacts>, withStems: boolean): ItemFigures[] {
  const byQuestion = new Map<string, Response[]>();
  for (const p of papers) {
    const ratio = p.total > 0 ? p.score / p.total : 0;
    for (const it of p.items) {
      const list = byQuestion.get(it.questionId) ?? [];
      list.push({ ratio, resultId: p.resultId, correct: it.correct });
      byQuestion.set(it.questionId, list);
    }
  }
  const out: ItemFigures[] = [];
  for (const [questionId, responses] of byQuestion) {
    const q = facts.get(questionId);
    const correct = responses.filter((r) => r.correct).length;
    const facility = correct / responses.length;
    const judged = responses.length >= ITEM_THRESHOLDS.minResponses;
    const { groupSize, d } = discriminationOf(responses);
    out.push({
      questionId,
      externalId: q?.externalId ?? null,
      type: q?.type ?? 'unknown',
      knowledgePoint: q?.knowledgePoint ?? null,
      difficulty: q?.difficulty ?? null,
      stem: withStems ? (q?.stem ?? null) : null,
      retired: q?.retired ?? false,
      responses: responses.length,
      correct,
      facility,
      groupSize,
      discrimination: d,
      flags: judged ? flagsOf(facility, d) : [],
      judged,
    });
  }
  const rank = (x: ItemFigures) => (x.flags.length ? 0 : x.judged ? 1 : 2);
  return out.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.discrimination ?? 2) - (b.discrimination ?? 2) ||
      a.facility - b.facility ||
      (a.questionId < b.questionId ? -1 : a.questionId > b.questionId ? 1 : 0),
  );
}
