// Answer notations as exam-centre staff type them in spreadsheets: `ABD`, `A、B、D`, `ａｂｄ`, `√`, `对`,
// `正确`, `T`, `是` … Pure functions: they read a cell and say what it means, or precisely why it means
// nothing, so one bad cell in 50,000 can be found and fixed without guessing.
import type { QuestionType } from '../types.ts';

/** The most options a question may have (选项A…选项F). */
export const MAX_OPTIONS = 6;

/** The options a judge (判断) question always has, in this order: answer 0 is true, 1 is false. */
export const JUDGE_OPTIONS = ['正确', '错误'] as const;

export type ParsedAnswer =
  | { ok: true; answer: number[] /** Letters index the row's options; words name true/false directly. */; by: 'letters' | 'word' }
  | { ok: false; problem: string };

const indexOfLetter = (letter: string) => letter.charCodeAt(0) - 65;

export function letterOf(index: number): string {
  return String.fromCharCode(65 + index);
}

/** `[0, 1, 3]` → `ABD`: how an answer is shown back to people. */
export function lettersOf(answer: readonly number[]): string {
  return answer.map(letterOf).join('');
}

/** How the options that exist are named in a message: `A–D`, `A and B`, `A`. */
export function optionRange(count: number): string {
  if (count <= 0) return 'no options';
  if (count === 1) return 'A';
  if (count === 2) return 'A and B';
  return `A–${letterOf(count - 1)}`;
}

const TRUE_WORDS = new Set(['√', '✓', '✔', '对', '正确', 'T', 'TRUE', '是', 'Y', 'YES']);
// Not plain `X`: it is also an option letter, and a sheet that uses it for "wrong" is better told than guessed at.
const FALSE_WORDS = new Set(['×', '✗', '✘', '✕', '错', '错误', 'F', 'FALSE', '否', 'N', 'NO']);

/** Full-width letters, digits, spaces and punctuation fold to ASCII (ＡＢＤ → ABD, ， → ,), and case goes. */
function fold(raw: string): string {
  return raw.normalize('NFKC').trim().toUpperCase();
}

/** `(√)` and `【A】` are typed too; the brackets carry nothing. */
function unbracket(s: string): string {
  const m = /^[([{【〔<]\s*(.*?)\s*[)\]}】〕>]$/u.exec(s);
  return m ? m[1]! : s;
}

/** 0 for true (正确), 1 for false (错误), null when the text is not a true/false word. */
export function parseJudgeWord(raw: string): 0 | 1 | null {
  const s = unbracket(fold(raw)).replace(/[.。]$/u, '');
  if (TRUE_WORDS.has(s)) return 0;
  if (FALSE_WORDS.has(s)) return 1;
  return null;
}

/** `A、B、D`, `a,b,d`, `A B D`, `ＡＢＤ` → ['A','B','D']; null when anything but letters and separators is there. */
export function parseLetterList(raw: string): string[] | null {
  const s = unbracket(fold(raw)).replace(/[\s,、;/|]+/gu, '');
  if (!/^[A-Z]+$/.test(s)) return null;
  return [...s];
}

const KIND: Record<QuestionType, string> = {
  judge: 'a 判断 (true/false) question',
  single: 'a single-choice question',
  multiple: 'a multiple-choice question',
};

const quote = (raw: string) => JSON.stringify(raw.trim());

function notAnAnswer(raw: string): ParsedAnswer {
  return { ok: false, problem: `${quote(raw)} is not an answer (use letters A–${letterOf(MAX_OPTIONS - 1)}, or 对/错 for 判断)` };
}

/**
 * Reads an answer cell for a question of `type` with `optionCount` options (2 for judge).
 * Judge questions take a true/false word or A (正确) / B (错误); choice questions take letters.
 */
export function parseAnswer(type: QuestionType, raw: string, optionCount: number): ParsedAnswer {
  if (raw.trim() === '') return { ok: false, problem: 'no answer given' };
  if (type === 'judge') {
    const word = parseJudgeWord(raw);
    if (word !== null) return { ok: true, answer: [word], by: 'word' };
  }
  const letters = parseLetterList(raw);
  if (!letters || letters.some((l) => indexOfLetter(l) >= MAX_OPTIONS)) {
    // `T`, `TRUE`, `对` on a choice question: the person meant true/false, so say that rather than "not an answer".
    return parseJudgeWord(raw) === null ? notAnAnswer(raw) : judgeWordForChoice(type, raw, optionCount);
  }
  const outside = [...new Set(letters.filter((l) => indexOfLetter(l) >= optionCount))];
  if (outside.length) {
    const which = outside.length === 1 ? `option ${outside[0]}` : `options ${outside.slice(0, -1).join(', ')} and ${outside.at(-1)}`;
    return { ok: false, problem: `${quote(raw)} names ${which}, but only ${optionRange(optionCount)} exist` };
  }
  const repeated = letters.find((l, i) => letters.indexOf(l) !== i);
  if (repeated) return { ok: false, problem: `${quote(raw)} names ${repeated} twice` };
  const answer = letters.map(indexOfLetter).sort((a, b) => a - b);
  if (type !== 'multiple' && answer.length > 1) return { ok: false, problem: `${KIND[type]} takes one answer (got ${quote(raw)})` };
  if (type === 'multiple' && answer.length < 2) return { ok: false, problem: `${KIND.multiple} needs at least two answers (got ${quote(raw)})` };
  return { ok: true, answer, by: 'letters' };
}

function judgeWordForChoice(type: QuestionType, raw: string, optionCount: number): ParsedAnswer {
  return { ok: false, problem: `${quote(raw)} is a 判断 answer, but this is ${KIND[type]}: give letters ${optionRange(optionCount)}` };
}
