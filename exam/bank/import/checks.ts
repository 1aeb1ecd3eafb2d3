// Checking one record: the vocabularies people type (题型, 行业, 人员类别 …) and each field's rules,
// giving a QuestionInput or the list of what is wrong, by column.
import { normaliseText } from '../store.ts';
import { JUDGE_OPTIONS, MAX_OPTIONS, letterOf, parseAnswer, parseJudgeWord } from '../notation.ts';
import { imageNameProblem } from '../images.ts';
import {
  CATEGORIES,
  CATEGORY_LABELS,
  INDUSTRIES,
  INDUSTRY_LABELS,
  QUESTION_TYPES,
  TIERS,
  TIER_LABELS,
  type Category,
  type Industry,
  type QuestionInput,
  type QuestionType,
  type Tier,
} from '../../types.ts';
import type { FieldProblem } from './problems.ts';
import { optionColumn, type Field } from './headers.ts';
import { cellText, type SourceRecord } from './readers.ts';

/** Case, spacing and full-width forms do not matter in a label (`通 用`, `ＧＥＮＥＲＡＬ`). */
function labelKey(raw: string): string {
  return normaliseText(raw);
}

function vocabulary<T extends string>(codes: readonly T[], labels: Record<T, string>, extra: Record<string, T>): Map<string, T> {
  const m = new Map<string, T>();
  for (const c of codes) m.set(labelKey(c), c), m.set(labelKey(labels[c]), c);
  for (const [word, c] of Object.entries(extra)) m.set(labelKey(word), c);
  return m;
}

const TYPE_WORDS = vocabulary(
  QUESTION_TYPES,
  { judge: '判断', single: '单选', multiple: '多选' },
  {
    判断题: 'judge',
    是非题: 'judge',
    单选题: 'single',
    单项选择: 'single',
    单项选择题: 'single',
    多选题: 'multiple',
    多项选择: 'multiple',
    多项选择题: 'multiple',
  },
);
const INDUSTRY_WORDS = vocabulary(INDUSTRIES, INDUSTRY_LABELS, {
  有色金属: 'nonferrous',
  危险化学品: 'hazardous_chemicals',
  通用类: 'general',
  工贸通用: 'general',
});
const CATEGORY_WORDS = vocabulary(CATEGORIES, CATEGORY_LABELS, {
  主要负责人员: 'principal',
  安全管理人员: 'safety_manager',
  安全生产管理人: 'safety_manager',
  特种作业: 'special_operation',
});
const TIER_WORDS = vocabulary(TIERS, TIER_LABELS, { 国家级: 'national', 国: 'national', 省: 'provincial', 地方: 'local', 市级: 'local', 自建: 'local' });

/** What people write in a cell that means "none". */
const NONE_WORDS = new Set(['-', '—', '–', '/', '无', 'n/a', 'na']);

const listOf = (labels: Record<string, string>) => Object.values(labels).join(', ');

/** A scalar cell as text; null when the value is a list or an object. */
function asText(v: unknown): string | null {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return cellText(v);
  return null;
}

interface Checked {
  question: QuestionInput | null;
  problems: FieldProblem[];
}

/** Reads one text field; a list or an object where text belongs is a problem. */
function textField(rec: SourceRecord, f: Field, problems: FieldProblem[]): string | null {
  const raw = rec.values[f];
  const t = asText(raw);
  if (t === null) problems.push({ column: rec.label(f), problem: 'must be text', got: raw });
  return t;
}

function required(rec: SourceRecord, f: Field, problems: FieldProblem[], emptyProblem: string): string | null {
  const t = textField(rec, f, problems);
  if (t === '') problems.push({ column: rec.label(f), problem: emptyProblem });
  return t || null;
}

function fromVocabulary<T>(rec: SourceRecord, f: Field, words: Map<string, T>, problems: FieldProblem[], empty: string, unknown: string): T | null {
  const t = required(rec, f, problems, empty);
  if (t === null) return null;
  const v = words.get(labelKey(t));
  if (v === undefined) problems.push({ column: rec.label(f), problem: unknown, got: t });
  return v ?? null;
}

function checkDifficulty(rec: SourceRecord, problems: FieldProblem[]): QuestionInput['difficulty'] | null {
  const t = required(rec, 'difficulty', problems, 'empty; give a difficulty from 1 (easiest) to 5');
  if (t === null) return null;
  const m = /^([1-5])(?:\.0*)?$/.exec(t.normalize('NFKC'));
  if (!m) problems.push({ column: rec.label('difficulty'), problem: 'must be a whole number from 1 to 5', got: t });
  return m ? (Number(m[1]) as QuestionInput['difficulty']) : null;
}

function checkTier(rec: SourceRecord, problems: FieldProblem[]): Tier {
  const t = textField(rec, 'tier', problems);
  // A sheet without a 来源 column is the centre's own bank.
  if (!t || NONE_WORDS.has(t.toLowerCase())) return 'local';
  const tier = TIER_WORDS.get(labelKey(t));
  if (!tier) problems.push({ column: rec.label('tier'), problem: `unknown source; use ${listOf(TIER_LABELS)} (or leave it empty for 本地)`, got: t });
  return tier ?? 'local';
}

/**
 * Special-operation questions may leave 作业类别 empty: they are then common to every operation class
 * and drawn by templates that name no class. Other categories have no operation class at all.
 */
function checkOperationClass(rec: SourceRecord, category: Category | null, problems: FieldProblem[]): string | null {
  const t = textField(rec, 'operationClass', problems);
  if (!t || NONE_WORDS.has(t.toLowerCase())) return null;
  if (category && category !== 'special_operation') {
    problems.push({
      column: rec.label('operationClass'),
      problem: `only ${CATEGORY_LABELS.special_operation} questions have an operation class; leave it empty for ${CATEGORY_LABELS[category]}`,
      got: t,
    });
  }
  return t;
}

/** The image names a row gives; they are resolved to stored images once the row is otherwise good. */
function checkImages(rec: SourceRecord, problems: FieldProblem[]): string[] {
  const raw = rec.values.images;
  const names = Array.isArray(raw) ? raw.map((x) => asText(x) ?? '') : (asText(raw) ?? '').split(/[;；,，、\n]+/u);
  const list = names.map((s) => s.trim()).filter(Boolean);
  for (const name of list) {
    const problem = imageNameProblem(name);
    if (problem) problems.push({ column: rec.label('images'), problem, got: name });
  }
  return list;
}

/** Option cells as text; Array.from, not map, so a missing 选项B column reads as empty, not as a hole. */
const optionTexts = (rec: SourceRecord) => Array.from(rec.options, (v) => asText(v) ?? '');

/** Judge options, when a sheet fills them, must be true/false words; they fix what A and B mean. */
function checkJudgeOptions(rec: SourceRecord, problems: FieldProblem[]): [number, number] | null {
  const texts = optionTexts(rec);
  if (texts.every((t) => t === '')) return [0, 1];
  const truth = texts.slice(0, 2).map(parseJudgeWord);
  const extra = texts.findIndex((t, i) => i >= 2 && t !== '');
  if (truth[0] === null || truth[1] === null || truth[0] === truth[1] || extra >= 0) {
    problems.push({
      column: rec.optionLabel(extra >= 0 ? extra : 0),
      problem: `a 判断 question's options are ${JUDGE_OPTIONS.join(' and ')}; leave 选项A–选项${letterOf(MAX_OPTIONS - 1)} empty or put 正确/错误 in A and B`,
      got: texts.filter(Boolean).join(' / '),
    });
    return null;
  }
  return [truth[0]!, truth[1]!];
}

function checkChoiceOptions(rec: SourceRecord, type: QuestionType, problems: FieldProblem[]): string[] | null {
  const texts = optionTexts(rec);
  let last = texts.length - 1;
  while (last >= 0 && texts[last] === '') last--;
  const gap = texts.findIndex((t, i) => i < last && t === '');
  if (gap >= 0) {
    problems.push({ column: rec.optionLabel(gap), problem: `empty, but ${optionColumn(last)} is filled; options run from A with no gaps` });
    return null;
  }
  if (last < 1) {
    const kind = type === 'single' ? 'a single-choice' : 'a multiple-choice';
    problems.push({ column: rec.optionLabel(last + 1), problem: `${kind} question needs at least two options (选项A and 选项B)` });
    return null;
  }
  const options = texts.slice(0, last + 1);
  const keys = options.map(normaliseText);
  const twin = keys.findIndex((k, i) => keys.indexOf(k) !== i);
  if (twin >= 0) {
    problems.push({ column: rec.optionLabel(twin), problem: `the same text as ${optionColumn(keys.indexOf(keys[twin]!))}`, got: options[twin] });
    return null;
  }
  return options;
}

function checkIndices(rec: SourceRecord, type: QuestionType, optionCount: number, problems: FieldProblem[]): number[] | null {
  const list = rec.values.answer as number[];
  const bad = list.find((x) => !Number.isInteger(x) || x < 0 || x >= optionCount);
  const sorted = [...new Set(list)].sort((a, b) => a - b);
  const problem =
    bad !== undefined
      ? `${bad} is not an option index (0–${optionCount - 1})`
      : sorted.length !== list.length
        ? 'names an option twice'
        : type === 'multiple'
          ? sorted.length < 2
            ? 'a multiple-choice question needs at least two answers'
            : null
          : sorted.length !== 1
            ? `a ${type === 'judge' ? '判断' : 'single-choice'} question takes one answer`
            : null;
  if (problem) problems.push({ column: rec.label('answer'), problem, got: list });
  return problem ? null : sorted;
}

function checkAnswer(rec: SourceRecord, type: QuestionType, optionCount: number, judgeMap: [number, number] | null, problems: FieldProblem[]): number[] | null {
  if (rec.answerIsIndices) return checkIndices(rec, type, optionCount, problems);
  const raw = rec.values.answer;
  const text = Array.isArray(raw) ? raw.map((x) => asText(x) ?? '?').join('') : textField(rec, 'answer', problems);
  if (text === null) return null;
  const parsed = parseAnswer(type, text, optionCount);
  if (!parsed.ok) {
    problems.push({ column: rec.label('answer'), problem: parsed.problem });
    return null;
  }
  // A sheet that lists 错误 as 选项A means "A" is false.
  if (type === 'judge' && parsed.by === 'letters' && judgeMap) return [judgeMap[parsed.answer[0]!]!];
  return parsed.answer;
}

/** Every problem of one record, or the question it describes. */
export function checkRecord(rec: SourceRecord): Checked {
  const problems: FieldProblem[] = [...rec.readProblems];
  if (problems.some((p) => p.column === undefined)) return { question: null, problems };
  const type = fromVocabulary(rec, 'type', TYPE_WORDS, problems, 'empty; give 判断, 单选 or 多选', 'unknown question type; use 判断, 单选 or 多选');
  const stem = required(rec, 'stem', problems, 'the question text is empty');

  let options: string[] | null = null;
  let answer: number[] | null = null;
  if (type === 'judge') {
    const judgeMap = checkJudgeOptions(rec, problems);
    options = [...JUDGE_OPTIONS];
    if (judgeMap) answer = checkAnswer(rec, type, 2, judgeMap, problems);
  } else if (type) {
    options = checkChoiceOptions(rec, type, problems);
    if (options) answer = checkAnswer(rec, type, options.length, null, problems);
  }

  const difficulty = checkDifficulty(rec, problems);
  const knowledgePoint = required(rec, 'knowledgePoint', problems, 'empty; name the knowledge point (知识点) the question tests');
  const industry = fromVocabulary<Industry>(
    rec,
    'industry',
    INDUSTRY_WORDS,
    problems,
    `empty; use one of ${listOf(INDUSTRY_LABELS)}`,
    `unknown industry; use one of ${listOf(INDUSTRY_LABELS)}`,
  );
  const category = fromVocabulary<Category>(
    rec,
    'category',
    CATEGORY_WORDS,
    problems,
    `empty; use ${listOf(CATEGORY_LABELS)}`,
    `unknown personnel category; use ${listOf(CATEGORY_LABELS)}`,
  );
  const operationClass = checkOperationClass(rec, category, problems);
  const tier = checkTier(rec, problems);
  const images = checkImages(rec, problems);
  const externalId = textField(rec, 'externalId', problems) || null;
  const explanation = textField(rec, 'explanation', problems) || null;

  if (problems.length || !type || !stem || !options || !answer || !difficulty || !knowledgePoint || !industry || !category) return { question: null, problems };
  return {
    question: { externalId, type, stem, options, answer, images, industry, category, operationClass, knowledgePoint, difficulty, explanation, tier },
    problems,
  };
}
