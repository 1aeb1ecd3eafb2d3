// Columns: what people call them (aliases, after NFKC folding), and finding a sheet's header row
// below any title rows, with the problems of a header that lacks or repeats a column.
import { MAX_OPTIONS, letterOf } from '../notation.ts';
import type { Loc, LocatedProblem } from './problems.ts';

export type Field =
  | 'externalId'
  | 'type'
  | 'stem'
  | 'answer'
  | 'difficulty'
  | 'knowledgePoint'
  | 'industry'
  | 'category'
  | 'operationClass'
  | 'tier'
  | 'images'
  | 'explanation';

/** The standard column names, used in every problem so a report reads the same whatever the header said. */
export const COLUMN: Record<Field, string> = {
  externalId: '编号',
  type: '题型',
  stem: '题干',
  answer: '答案',
  difficulty: '难度',
  knowledgePoint: '知识点',
  industry: '行业',
  category: '人员类别',
  operationClass: '作业类别',
  tier: '来源',
  images: '图片',
  explanation: '解析',
};
export const optionColumn = (i: number) => `选项${letterOf(i)}`;

export const REQUIRED: Field[] = ['type', 'stem', 'answer', 'difficulty', 'knowledgePoint', 'industry', 'category'];

const ALIASES: Record<Field, string[]> = {
  externalId: ['编号', '题号', '试题编号', '题目编号', 'id', 'externalid'],
  type: ['题型', '类型', '试题类型', '题目类型', 'type'],
  stem: ['题干', '题目', '试题', '题目内容', '试题内容', '试题题干', 'stem'],
  answer: ['答案', '正确答案', '标准答案', '参考答案', 'answer'],
  difficulty: ['难度', '难易度', '难易程度', '难度等级', 'difficulty'],
  knowledgePoint: ['知识点', 'knowledgepoint'],
  industry: ['行业', '所属行业', '行业类别', 'industry'],
  category: ['人员类别', '人员类型', '类别', 'category'],
  operationClass: ['作业类别', '作业类型', '操作项目', '准操项目', 'operationclass'],
  tier: ['来源', '层级', '来源/层级', '题库层级', '题目来源', 'tier'],
  images: ['图片', '图片文件', '图片文件名', 'images'],
  explanation: ['解析', '答案解析', '试题解析', 'explanation'],
};

/** Folds full-width forms and spaces, drops `*` (required-field markers) and a trailing `(…)` note. */
function headerKey(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/\s+/gu, '')
    .replace(/\*/g, '')
    .replace(/\([^)]*\)$/u, '')
    .toLowerCase();
}

// Built on first use: the first normalize('NFKC') loads ICU's normaliser, which every command's start paid for.
let fieldByKey: Map<string, Field> | null = null;
const fieldOfKey = (key: string): Field | undefined =>
  (fieldByKey ??= new Map<string, Field>(Object.entries(ALIASES).flatMap(([field, names]) => names.map((n) => [headerKey(n), field as Field] as const)))).get(
    key,
  );

type Column = { field: Field } | { option: number };

/** `选项A`, `A`, `A选项`, `optionA` → 0 … 5; `选项G` → 6 (refused later: only A–F exist). */
function optionIndexOf(key: string): number | null {
  const m = /^(?:选项|option)?([a-z])(?:选项)?$/u.exec(key);
  return m ? m[1]!.charCodeAt(0) - 97 : null;
}

export function columnOf(header: string): Column | null {
  const key = headerKey(header);
  if (!key) return null;
  const field = fieldOfKey(key);
  if (field) return { field };
  const option = optionIndexOf(key);
  return option === null ? null : { option };
}

/** A sheet's row as read: cells by 0-based column. */
export interface SheetRow {
  sheet: string;
  row: number;
  cells: string[];
}

// How many rows above the header may hold a title (e.g. a merged "2024年安全生产题库" banner).
export const HEADER_SEARCH_ROWS = 10;

export interface SheetHeader {
  row: number;
  columns: Map<number, Column>;
}

const columnLetters = (i: number): string => (i < 26 ? letterOf(i) : columnLetters(Math.floor(i / 26) - 1) + letterOf(i % 26));

export function isBlank(cells: string[]): boolean {
  return cells.every((c) => c.trim() === '');
}

/** A row is the header when it names a stem column; others before it are titles. */
export function readHeader(r: SheetRow): SheetHeader | null {
  const columns = new Map<number, Column>();
  r.cells.forEach((cell, i) => {
    const c = columnOf(cell);
    if (c) columns.set(i, c);
  });
  return [...columns.values()].some((c) => 'field' in c && c.field === 'stem') ? { row: r.row, columns } : null;
}

export function headerProblems(h: SheetHeader, sheet: string): LocatedProblem[] {
  const loc: Loc = { kind: 'row', sheet, row: h.row };
  const out: LocatedProblem[] = [];
  const seen = new Map<string, number>();
  for (const [i, c] of h.columns) {
    const name = 'field' in c ? COLUMN[c.field] : optionColumn(c.option);
    const first = seen.get(name);
    if (first !== undefined)
      out.push({ loc, column: `column ${name}`, problem: `appears twice (columns ${columnLetters(first)} and ${columnLetters(i)}); keep one` });
    else seen.set(name, i);
    if ('option' in c && c.option >= MAX_OPTIONS)
      out.push({ loc, column: `column ${name}`, problem: `a question has at most ${MAX_OPTIONS} options (选项A–选项${letterOf(MAX_OPTIONS - 1)})` });
  }
  for (const f of REQUIRED) if (!seen.has(COLUMN[f])) out.push({ loc, column: `column ${COLUMN[f]}`, problem: 'no such column in the header row' });
  return out;
}
