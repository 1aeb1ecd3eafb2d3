// Answer notations as people type them, and the exact words used when a cell means nothing.
import t from 'tap';
import { lettersOf, optionRange, parseAnswer, parseJudgeWord, parseLetterList } from '../../exam/bank/notation.ts';

t.test('every way of writing letters reads as the same answer', async (t) => {
  for (const raw of ['ABD', 'A、B、D', 'A,B,D', 'A，B，D', 'A B D', 'abd', 'ＡＢＤ', 'Ａ　Ｂ　Ｄ', ' a、b ,d ', 'A;B;D', 'DBA', '(ABD)', '【ABD】']) {
    t.same(parseAnswer('multiple', raw, 4), { ok: true, answer: [0, 1, 3], by: 'letters' }, JSON.stringify(raw));
  }
  for (const raw of ['C', 'c', 'Ｃ', ' C ', '（C）']) t.same(parseAnswer('single', raw, 4), { ok: true, answer: [2], by: 'letters' }, JSON.stringify(raw));
});

t.test('every true/false word reads as 正确 or 错误', async (t) => {
  for (const raw of ['√', '✓', '✔', '对', '正确', 'T', 't', 'TRUE', 'true', 'Ｔ', '是', 'Y', '(√)'])
    t.same(parseAnswer('judge', raw, 2), { ok: true, answer: [0], by: 'word' }, JSON.stringify(raw));
  for (const raw of ['×', '✗', '✘', '错', '错误', 'F', 'f', 'FALSE', 'Ｆ', '否', 'N', '（×）'])
    t.same(parseAnswer('judge', raw, 2), { ok: true, answer: [1], by: 'word' }, JSON.stringify(raw));
});

t.test('a judge question also takes A (正确) and B (错误)', async (t) => {
  t.same(parseAnswer('judge', 'A', 2), { ok: true, answer: [0], by: 'letters' });
  t.same(parseAnswer('judge', 'b', 2), { ok: true, answer: [1], by: 'letters' });
});

t.test('a letter beyond the options names the option and the ones that exist', async (t) => {
  t.same(parseAnswer('multiple', 'AE', 4), { ok: false, problem: '"AE" names option E, but only A–D exist' });
  t.same(parseAnswer('multiple', 'A,E,F', 4), { ok: false, problem: '"A,E,F" names options E and F, but only A–D exist' });
  t.same(parseAnswer('single', 'C', 2), { ok: false, problem: '"C" names option C, but only A and B exist' });
  t.same(parseAnswer('judge', 'C', 2), { ok: false, problem: '"C" names option C, but only A and B exist' });
});

t.test('a single-choice question takes exactly one letter', async (t) => {
  t.same(parseAnswer('single', 'AB', 4), { ok: false, problem: 'a single-choice question takes one answer (got "AB")' });
  t.same(parseAnswer('judge', 'AB', 2), { ok: false, problem: 'a 判断 (true/false) question takes one answer (got "AB")' });
});

t.test('a multiple-choice question needs at least two letters', async (t) => {
  t.same(parseAnswer('multiple', 'A', 4), { ok: false, problem: 'a multiple-choice question needs at least two answers (got "A")' });
});

t.test('anything else is not an answer, and the message says what is', async (t) => {
  t.same(parseAnswer('single', 'X', 4), { ok: false, problem: '"X" is not an answer (use letters A–F, or 对/错 for 判断)' });
  t.same(parseAnswer('judge', 'X', 2), { ok: false, problem: '"X" is not an answer (use letters A–F, or 对/错 for 判断)' });
  t.same(parseAnswer('multiple', 'A1', 4), { ok: false, problem: '"A1" is not an answer (use letters A–F, or 对/错 for 判断)' });
  t.same(parseAnswer('judge', '对错', 2), { ok: false, problem: '"对错" is not an answer (use letters A–F, or 对/错 for 判断)' });
  t.same(parseAnswer('single', '  ', 4), { ok: false, problem: 'no answer given' });
});

t.test('a true/false word on a choice question is named as such', async (t) => {
  t.same(parseAnswer('single', '对', 4), { ok: false, problem: '"对" is a 判断 answer, but this is a single-choice question: give letters A–D' });
  t.same(parseAnswer('multiple', 'TRUE', 3), { ok: false, problem: '"TRUE" is a 判断 answer, but this is a multiple-choice question: give letters A–C' });
});

t.test('a letter named twice is refused rather than silently merged', async (t) => {
  t.same(parseAnswer('multiple', 'A、A、B', 4), { ok: false, problem: '"A、A、B" names A twice' });
});

t.test('the helpers show answers and ranges as people write them', async (t) => {
  t.equal(lettersOf([0, 1, 3]), 'ABD');
  t.equal(optionRange(4), 'A–D');
  t.equal(optionRange(2), 'A and B');
  t.same(parseLetterList('ａ、ｂ'), ['A', 'B']);
  t.equal(parseLetterList('A?'), null);
  t.equal(parseJudgeWord('正确。'), 0);
  t.equal(parseJudgeWord('X'), null, 'X is an option letter, not a way to write 错');
});
