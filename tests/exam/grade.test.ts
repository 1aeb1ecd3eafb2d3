// The grading table: one test per rule. Answers are in the candidate's shown order, as the terminal
// sends them; keys were remapped into that order when the paper was made.
import t from 'tap';
import type { PaperItem, Template } from '../../exam/types.ts';
import { gradePaper } from '../../exam/papers/grade.ts';

const judge = (key: number, kp = '法规'): PaperItem => ({
  questionId: `j${kp}${key}`,
  type: 'judge',
  score: 1,
  optionOrder: [0, 1],
  key: [key],
  knowledgePoint: kp,
});
const single = (key: number, kp = '隐患'): PaperItem => ({
  questionId: `s${kp}${key}`,
  type: 'single',
  score: 1,
  optionOrder: [2, 0, 3, 1],
  key: [key],
  knowledgePoint: kp,
});
const multiple = (key: number[], score = 2, kp = '动火'): PaperItem => ({
  questionId: `m${kp}${key.join('')}`,
  type: 'multiple',
  score,
  optionOrder: [4, 1, 0, 3, 2],
  key,
  knowledgePoint: kp,
});

const template = (over: Partial<Template> = {}): Template => ({
  id: 't',
  name: 't',
  industry: 'general',
  category: 'principal',
  operationClass: null,
  durationMinutes: 120,
  total: 100,
  passMark: 80,
  sections: [],
  ...over,
});

/** Grades a one-question paper and returns what that question earned. */
const earned = (item: PaperItem, answer: number[] | undefined, over: Partial<Template> = {}) =>
  gradePaper([item], answer === undefined ? {} : { 1: answer }, template(over)).perItem[0]!.earned;

t.test('judge: the right choice earns the score', async (t) => {
  t.equal(earned(judge(0), [0]), 1);
  t.equal(earned(judge(1), [1]), 1);
});

t.test('judge: the wrong choice earns nothing', async (t) => {
  t.equal(earned(judge(0), [1]), 0);
});

t.test('single: exactly the keyed option earns the score', async (t) => {
  t.equal(earned(single(2), [2]), 1);
  t.equal(earned(single(2), [3]), 0, 'another option');
  t.equal(earned(single(2), [2, 3]), 0, 'the right option and another');
});

t.test('multiple, all-or-nothing (the default): only the exact set earns', async (t) => {
  const item = multiple([0, 2, 3]);
  t.equal(earned(item, [0, 2, 3]), 2, 'exact');
  t.equal(earned(item, [3, 0, 2]), 2, 'exact, in any order');
  t.equal(earned(item, [0, 2]), 0, 'missing one');
  t.equal(earned(item, [0, 2, 3, 4]), 0, 'one wrong extra');
  t.equal(earned(item, [0, 2, 3], { multipleChoiceScoring: 'all_or_nothing' }), 2, 'stated explicitly');
});

t.test('multiple, partial: right/all-right of the score when no wrong option is picked, rounded down to half a point', async (t) => {
  const partial = { multipleChoiceScoring: 'partial' as const };
  const item = multiple([0, 2, 3]);
  t.equal(earned(item, [0, 2, 3], partial), 2, 'exact earns the whole score');
  t.equal(earned(item, [0, 2], partial), 1, 'two of three: 2 × 2/3 = 1.33, rounded down to 1');
  t.equal(earned(item, [3], partial), 0.5, 'one of three: 0.67, rounded down to 0.5');
  t.equal(earned(multiple([1, 4]), [4], partial), 1, 'one of two: exactly half');
  t.equal(earned(item, [0, 2, 3, 4], partial), 0, 'one wrong extra earns nothing, even with all the right ones');
  t.equal(earned(item, [0, 1], partial), 0, 'a wrong option with a right one earns nothing');
});

t.test('partial credit never applies to judge or single', async (t) => {
  t.equal(earned(single(2), [2, 1], { multipleChoiceScoring: 'partial' }), 0);
});

t.test('unanswered earns nothing', async (t) => {
  t.equal(earned(judge(0), undefined), 0, 'no entry in the sheet');
  t.equal(earned(judge(0), []), 0, 'an empty choice');
  t.equal(earned(multiple([0, 1]), [], { multipleChoiceScoring: 'partial' }), 0, 'an empty multiple choice, partial mode');
  t.equal(gradePaper([judge(0)], {}, template()).perItem[0]!.correct, false);
});

t.test('a choice that is not an option on the paper counts as wrong', async (t) => {
  t.equal(earned(single(2), [2, 7]), 0);
  t.equal(earned(multiple([0, 1]), [0, -1], { multipleChoiceScoring: 'partial' }), 0);
  t.equal(earned(multiple([0, 1]), [0, 1.5], { multipleChoiceScoring: 'partial' }), 0);
});

/** A 100-point paper: 40 judge + 40 single at 1, 10 multiple at 2, all keyed at option 0 (and 0,1). */
function fullPaper(): PaperItem[] {
  return [...Array.from({ length: 40 }, () => judge(0)), ...Array.from({ length: 40 }, () => single(0)), ...Array.from({ length: 10 }, () => multiple([0, 1]))];
}
const allRight = (items: PaperItem[]) => Object.fromEntries(items.map((item, i) => [i + 1, item.key]));

t.test('pass at exactly the pass mark; fail half a point below', async (t) => {
  const items = fullPaper();
  const answers = allRight(items);
  for (let no = 1; no <= 20; no++) answers[no] = [1]; // 20 judge wrong: 80 left
  const at = gradePaper(items, answers, template());
  t.equal(at.score, 80);
  t.equal(at.passed, true, '80 of 100 with pass mark 80 passes');
  t.equal(at.total, 100);
  t.equal(at.passMark, 80);
  // The last multiple has four right options; three of them earn 2 × 3/4 = 1.5 under partial scoring.
  items[89] = multiple([0, 1, 2, 3]);
  answers[90] = [0, 1, 2];
  const below = gradePaper(items, answers, template({ multipleChoiceScoring: 'partial' }));
  t.equal(below.score, 79.5);
  t.equal(below.passed, false, '79.5 fails');
});

t.test('all right scores the total, with no floating-point drift', async (t) => {
  const items = fullPaper();
  const r = gradePaper(items, allRight(items), template());
  t.equal(r.score, 100);
  t.ok(r.perItem.every((p) => p.correct && p.earned === p.max));
  t.same(
    r.perItem.map((p) => p.no),
    Array.from({ length: 90 }, (_, i) => i + 1),
    'items are numbered as shown, from 1',
  );
});

t.test('breakdown per knowledge point: earned, max and questions, in a stable order', async (t) => {
  const items = [judge(0, '法规'), judge(1, '法规'), single(3, '隐患'), multiple([0, 1], 2, '动火'), multiple([2, 3], 2, '动火')];
  const r = gradePaper(items, { 1: [0], 2: [0], 3: [3], 4: [0, 1] }, template({ total: 8, passMark: 6 }));
  t.same(r.byKnowledgePoint, [
    { knowledgePoint: '动火', earned: 2, max: 4, questions: 2 },
    { knowledgePoint: '法规', earned: 1, max: 2, questions: 2 },
    { knowledgePoint: '隐患', earned: 1, max: 1, questions: 1 },
  ]);
  t.equal(r.score, 4);
  t.equal(
    r.byKnowledgePoint.reduce((a, k) => a + k.earned, 0),
    r.score,
    'the breakdown adds up to the score',
  );
  t.equal(r.passed, false);
});
