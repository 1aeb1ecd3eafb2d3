// Question-bank import from the spreadsheets exam centres keep (.xlsx, .csv) and from JSON.
// All or nothing: one bad row rejects the file with every problem listed by row and column, and
// nothing is stored; duplicates are reported and skipped, never stored twice. A good file becomes one
// new bank version, written with its audit entry in one transaction.
import { open, readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { Conflict, NotFound, ValidationError, type Clock, type Problem } from '../../core/index.ts';
import type { AuditLog, Db } from '../../storage/index.ts';
import { fingerprintOf, normaliseText, type BankStore, type BankVersion } from './store.ts';
import { JUDGE_OPTIONS, MAX_OPTIONS, letterOf, lettersOf, parseAnswer, parseJudgeWord } from './notation.ts';
import { createBankImages, imageNameProblem, type BankImages, type CheckedImage } from './images.ts';
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
  type Question,
  type QuestionInput,
  type QuestionType,
  type Tier,
} from '../types.ts';

export type ImportFormat = 'xlsx' | 'csv' | 'json';

export interface ImportProgress {
  phase: 'reading' | 'checking' | 'storing';
  rows: number;
  total?: number;
}

export interface ImportOptions {
  /** The file's name as the person chose it: the version's label and the audit entry's subject. */
  filename: string;
  actor: string;
  ip?: string | null;
  onProgress?: (p: ImportProgress) => void;
  /**
   * Image files that come with the question file (`bank import FILE --images DIR`): looked up by the
   * name a row gives before the images already uploaded, and stored with the import, all or nothing.
   */
  imageFiles?: ImageFiles;
}

export interface ImageFiles {
  /** Where the files are, for messages: `images/`. */
  where: string;
  /** The bytes of the file with this (already checked, relative) name, or null when there is none. */
  read(name: string): Promise<Uint8Array | null>;
}

/** A row that was not stored because the bank or an earlier row already holds the same question. */
export interface DuplicateReport {
  /** `row 9`, `sheet 单选题, row 9` or `item 9`. */
  where: string;
  /** `row 3`, or `question q…` when the bank already held it. */
  sameAs: string;
  questionId: string | null;
  /** Same stem and options but another answer: someone must decide which is right. */
  answerDiffers: boolean;
}

export interface ImportResult {
  file: string;
  /** Data rows read (blank rows are not counted). */
  rows: number;
  imported: number;
  duplicates: DuplicateReport[];
  /** The version made by this import; null when every row was a duplicate (nothing new to version). */
  version: BankVersion | null;
  /** Image files stored by this import (new, or new under a name); images that were already there are not counted. */
  imagesStored: number;
}

export interface BankAdminDeps {
  db: Db;
  bank: BankStore;
  audit: AuditLog;
  clock: Clock;
  /** Where rows' image names resolve; made on the same database when not given. */
  images?: BankImages;
}

/** How often the reader and the checker report progress, in rows. */
const PROGRESS_EVERY = 1000;

// ---------------------------------------------------------------------------------------------
// The file's format

const EXTENSIONS: Record<string, ImportFormat> = { '.xlsx': 'xlsx', '.xlsm': 'xlsx', '.csv': 'csv', '.json': 'json' };

/** The format a file name promises; the content is still checked against it. */
export function importFormatOf(filename: string): ImportFormat {
  const ext = extname(filename).toLowerCase();
  const format = EXTENSIONS[ext];
  if (format) return format;
  if (ext === '.xls' || ext === '.et') throw fileProblem(`${ext} (Excel 97–2003 / WPS) workbooks are not read; save it as .xlsx (Excel 工作簿) or CSV UTF-8`, filename);
  throw fileProblem('import takes .xlsx, .csv or .json files', filename);
}

function fileProblem(problem: string, got?: unknown): ValidationError {
  return new ValidationError([{ path: 'file', problem, ...(got === undefined ? {} : { got }) }]);
}

// ---------------------------------------------------------------------------------------------
// Columns: what people call them, and what they mean

type Field = 'externalId' | 'type' | 'stem' | 'answer' | 'difficulty' | 'knowledgePoint' | 'industry' | 'category' | 'operationClass' | 'tier' | 'images' | 'explanation';

/** The standard column names, used in every problem so a report reads the same whatever the header said. */
const COLUMN: Record<Field, string> = {
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
const optionColumn = (i: number) => `选项${letterOf(i)}`;

const REQUIRED: Field[] = ['type', 'stem', 'answer', 'difficulty', 'knowledgePoint', 'industry', 'category'];

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

const FIELD_BY_KEY = new Map<string, Field>(Object.entries(ALIASES).flatMap(([field, names]) => names.map((n) => [headerKey(n), field as Field] as const)));

type Column = { field: Field } | { option: number };

/** `选项A`, `A`, `A选项`, `optionA` → 0 … 5; `选项G` → 6 (refused later: only A–F exist). */
function optionIndexOf(key: string): number | null {
  const m = /^(?:选项|option)?([a-z])(?:选项)?$/u.exec(key);
  return m ? m[1]!.charCodeAt(0) - 97 : null;
}

function columnOf(header: string): Column | null {
  const key = headerKey(header);
  if (!key) return null;
  const field = FIELD_BY_KEY.get(key);
  if (field) return { field };
  const option = optionIndexOf(key);
  return option === null ? null : { option };
}

// ---------------------------------------------------------------------------------------------
// Values: the vocabularies people type

/** Case, spacing and full-width forms do not matter in a label (`通 用`, `ＧＥＮＥＲＡＬ`). */
function labelKey(raw: string): string {
  return normaliseText(raw);
}

function vocabulary<T extends string>(codes: readonly T[], labels: Record<T, string>, extra: Record<string, T>): Map<string, T> {
  const m = new Map<string, T>();
  for (const c of codes) (m.set(labelKey(c), c), m.set(labelKey(labels[c]), c));
  for (const [word, c] of Object.entries(extra)) m.set(labelKey(word), c);
  return m;
}

const TYPE_WORDS = vocabulary(QUESTION_TYPES, { judge: '判断', single: '单选', multiple: '多选' }, {
  判断题: 'judge',
  是非题: 'judge',
  单选题: 'single',
  单项选择: 'single',
  单项选择题: 'single',
  多选题: 'multiple',
  多项选择: 'multiple',
  多项选择题: 'multiple',
});
const INDUSTRY_WORDS = vocabulary(INDUSTRIES, INDUSTRY_LABELS, { 有色金属: 'nonferrous', 危险化学品: 'hazardous_chemicals', 通用类: 'general', 工贸通用: 'general' });
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

// ---------------------------------------------------------------------------------------------
// Where a problem is

type Loc = { kind: 'row'; sheet: string; row: number } | { kind: 'item'; item: number };

interface FieldProblem {
  /** `column 答案` or `field answer`; absent for problems with the whole row or item. */
  column?: string;
  problem: string;
  got?: unknown;
}

interface LocatedProblem extends FieldProblem {
  loc: Loc;
}

/** Sheet names appear only when more than one sheet held questions. */
function formatLoc(loc: Loc, sheets: number): string {
  if (loc.kind === 'item') return `item ${loc.item}`;
  return sheets > 1 && loc.sheet ? `sheet ${loc.sheet}, row ${loc.row}` : `row ${loc.row}`;
}

function toProblem(p: LocatedProblem, sheets: number): Problem {
  const path = p.column ? `${formatLoc(p.loc, sheets)}, ${p.column}` : formatLoc(p.loc, sheets);
  return p.got === undefined ? { path, problem: p.problem } : { path, problem: p.problem, got: p.got };
}

// ---------------------------------------------------------------------------------------------
// Records: one question's raw cells, from a sheet row or a JSON item

interface SourceRecord {
  loc: Loc;
  /** Raw values by field; sheets give strings, JSON whatever the item held. */
  values: Partial<Record<Field, unknown>>;
  /** Option cells in order A…; undefined where empty. JSON may give a list under `options`. */
  options: unknown[];
  /** How this source names a field in a problem: `column 答案`, `field answer`. */
  label(field: Field): string;
  optionLabel(index: number): string;
  /** Problems found while reading (unknown JSON fields, not an object …). */
  readProblems: FieldProblem[];
  /** For JSON: the answer may already be indices. */
  answerIsIndices?: boolean;
}

/** A sheet's row as read: cells by 0-based column. */
interface SheetRow {
  sheet: string;
  row: number;
  cells: string[];
}

// How many rows above the header may hold a title (e.g. a merged "2024年安全生产题库" banner).
const HEADER_SEARCH_ROWS = 10;

interface SheetHeader {
  row: number;
  columns: Map<number, Column>;
}

const columnLetters = (i: number): string => (i < 26 ? letterOf(i) : columnLetters(Math.floor(i / 26) - 1) + letterOf(i % 26));

function isBlank(cells: string[]): boolean {
  return cells.every((c) => c.trim() === '');
}

/** A row is the header when it names a stem column; others before it are titles. */
function readHeader(r: SheetRow): SheetHeader | null {
  const columns = new Map<number, Column>();
  r.cells.forEach((cell, i) => {
    const c = columnOf(cell);
    if (c) columns.set(i, c);
  });
  return [...columns.values()].some((c) => 'field' in c && c.field === 'stem') ? { row: r.row, columns } : null;
}

function headerProblems(h: SheetHeader, sheet: string): LocatedProblem[] {
  const loc: Loc = { kind: 'row', sheet, row: h.row };
  const out: LocatedProblem[] = [];
  const seen = new Map<string, number>();
  for (const [i, c] of h.columns) {
    const name = 'field' in c ? COLUMN[c.field] : optionColumn(c.option);
    const first = seen.get(name);
    if (first !== undefined) out.push({ loc, column: `column ${name}`, problem: `appears twice (columns ${columnLetters(first)} and ${columnLetters(i)}); keep one` });
    else seen.set(name, i);
    if ('option' in c && c.option >= MAX_OPTIONS) out.push({ loc, column: `column ${name}`, problem: `a question has at most ${MAX_OPTIONS} options (选项A–选项${letterOf(MAX_OPTIONS - 1)})` });
  }
  for (const f of REQUIRED) if (!seen.has(COLUMN[f])) out.push({ loc, column: `column ${COLUMN[f]}`, problem: 'no such column in the header row' });
  return out;
}

function sheetRecord(r: SheetRow, h: SheetHeader): SourceRecord {
  const values: Partial<Record<Field, unknown>> = {};
  const options: unknown[] = [];
  for (const [i, c] of h.columns) {
    const text = r.cells[i] ?? '';
    if ('field' in c) values[c.field] = text;
    else if (c.option < MAX_OPTIONS) options[c.option] = text;
  }
  return {
    loc: { kind: 'row', sheet: r.sheet, row: r.row },
    values,
    options,
    label: (f) => `column ${COLUMN[f]}`,
    optionLabel: (i) => `column ${optionColumn(i)}`,
    readProblems: [],
  };
}

interface ReadState {
  problems: LocatedProblem[];
  /** Sheets that had a header row: when there are several, problems name the sheet. */
  sheetsWithHeader: Set<string>;
  headerFound: boolean;
  firstRow: SheetRow | null;
}

/** Turns sheet rows into records: finds each sheet's header, skips sheets without one (instructions, lists). */
async function* recordsOfSheets(rows: AsyncIterable<SheetRow> | Iterable<SheetRow>, state: ReadState): AsyncGenerator<SourceRecord> {
  let sheet: string | null = null;
  let header: SheetHeader | null = null;
  let seenBeforeHeader = 0;
  for await (const r of rows) {
    if (r.sheet !== sheet) ((sheet = r.sheet), (header = null), (seenBeforeHeader = 0));
    if (isBlank(r.cells)) continue;
    state.firstRow ??= r;
    if (!header) {
      if (seenBeforeHeader++ >= HEADER_SEARCH_ROWS) continue;
      header = readHeader(r);
      if (header) {
        state.headerFound = true;
        state.sheetsWithHeader.add(r.sheet);
        const problems = headerProblems(header, r.sheet);
        // Without its required columns no row of this sheet can be read; its rows would only repeat that.
        if (problems.length) {
          state.problems.push(...problems);
          header = { row: header.row, columns: new Map() };
          seenBeforeHeader = Infinity;
        }
      }
      continue;
    }
    if (header.columns.size === 0) continue;
    yield sheetRecord(r, header);
  }
}

// --- .xlsx

/** The text a person sees in a cell, whatever exceljs made of it (rich text, formula result, number). */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: string };
    if (o.richText) return o.richText.map((p) => p.text).join('');
    if ('result' in o) return cellText(o.result);
    if (o.text !== undefined) return cellText(o.text);
    if (o.error) return o.error;
  }
  return String(v);
}

// A zip starts with PK\3\4; an Excel 97–2003 file is an OLE compound document (D0 CF 11 E0).
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0];
const startsWith = (head: Uint8Array, magic: number[]) => magic.every((b, i) => head[i] === b);

async function headOf(source: string | Uint8Array): Promise<Uint8Array> {
  if (typeof source !== 'string') return source.subarray(0, 8);
  const fh = await open(source, 'r');
  try {
    const buf = Buffer.alloc(8);
    const { bytesRead } = await fh.read(buf, 0, 8, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function assertXlsx(source: string | Uint8Array): Promise<void> {
  const head = await headOf(source);
  if (head.length === 0) throw fileProblem('the file is empty');
  if (startsWith(head, OLE_MAGIC)) throw fileProblem('this is an Excel 97–2003 (.xls) workbook renamed .xlsx; open it in Excel or WPS and save it as .xlsx');
  if (!startsWith(head, ZIP_MAGIC)) throw fileProblem('not an .xlsx workbook (an .xlsx file is a zip archive; this one is not)');
}

interface WorkbookInternals {
  model?: { sheets?: { name: string; rId: string }[] };
  workbookRels?: { Id: string; Target: string }[];
}

/** exceljs's streaming reader names sheets `Sheet<N>` by file; the names people gave them are in workbook.xml. */
function sheetNameOf(reader: WorkbookInternals, id: string): string {
  const rel = reader.workbookRels?.find((r) => new RegExp(`(^|/)sheet${id}\\.xml$`).test(r.Target));
  const sheet = rel && reader.model?.sheets?.find((s) => s.rId === rel.Id);
  return sheet?.name ?? `Sheet${id}`;
}

async function* xlsxRows(source: string | Uint8Array): AsyncGenerator<SheetRow> {
  await assertXlsx(source);
  let input: string | Readable = source as string;
  if (typeof source !== 'string') {
    const s = new PassThrough();
    s.end(source);
    input = s;
  }
  // Loaded here, not at the top: exceljs costs ~350 ms to load, which every server start and CLI command would pay.
  const { default: ExcelJS } = await import('exceljs');
  // Streaming, with styles and hyperlinks ignored: measured at 50,000 rows it is what keeps the
  // import inside its time and memory budget (bench/bank-import.ts).
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { sharedStrings: 'cache', worksheets: 'emit', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
  try {
    for await (const ws of reader) {
      const sheet = sheetNameOf(reader as unknown as WorkbookInternals, String((ws as unknown as { id: string | number }).id));
      for await (const row of ws) {
        const values = row.values as unknown[];
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        yield { sheet, row: row.number, cells };
      }
    }
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw fileProblem(`not a readable .xlsx workbook: it is damaged or cut short (${(err as Error).message})`);
  }
}

// --- .csv

/**
 * Excel in China saves "CSV" in the ANSI code page, GBK; "CSV UTF-8" adds a BOM; "Unicode text"
 * is UTF-16 with tabs. Valid UTF-8 is taken as UTF-8 (GBK text of any length is almost never valid
 * UTF-8), anything else as GBK.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gbk').decode(bytes);
  }
}

function delimiterOf(text: string): string {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const count = (ch: string) => firstLine.split(ch).length - 1;
  return count('\t') > count(',') ? '\t' : count(';') > count(',') ? ';' : ',';
}

async function bytesOf(source: string | Uint8Array): Promise<Uint8Array> {
  return typeof source === 'string' ? readFile(source) : source;
}

function* csvRows(text: string): Generator<SheetRow> {
  let records: string[][];
  try {
    records = parseCsv(text, { delimiter: delimiterOf(text), bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false });
  } catch (err) {
    throw fileProblem(`not a readable CSV file: ${(err as Error).message}`);
  }
  // Row N is the record's number, as Excel shows it when it opens the file (a quoted stem may span lines).
  for (let i = 0; i < records.length; i++) yield { sheet: '', row: i + 1, cells: records[i]! };
}

// --- .json

const ENGLISH_FIELDS = new Set<string>(['externalId', 'type', 'stem', 'options', 'answer', 'images', 'industry', 'category', 'operationClass', 'knowledgePoint', 'difficulty', 'explanation', 'tier']);

function jsonItems(text: string): unknown[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw fileProblem(`not valid JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { questions?: unknown } | null)?.questions;
  if (!Array.isArray(list)) throw fileProblem('a JSON import is a list of questions (or an object with a "questions" list)', doc);
  return list;
}

function jsonRecord(item: unknown, n: number): SourceRecord {
  // Problems name a field by the key the item used (`answer` or `答案`).
  const keyOf = new Map<Field, string>();
  let optionsKey: string | null = null;
  const rec: SourceRecord = {
    loc: { kind: 'item', item: n },
    values: {},
    options: [],
    label: (f) => `field ${keyOf.get(f) ?? f}`,
    optionLabel: (i) => (optionsKey ? `field ${optionsKey}[${i}]` : `field ${optionColumn(i)}`),
    readProblems: [],
  };
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    rec.readProblems.push({ problem: 'not an object with the question\'s fields', got: item });
    return rec;
  }
  for (const [key, value] of Object.entries(item)) {
    if (key === 'options') {
      if (!Array.isArray(value)) rec.readProblems.push({ column: 'field options', problem: 'must be a list of option texts', got: value });
      else if (value.length > MAX_OPTIONS) rec.readProblems.push({ column: 'field options', problem: `a question has at most ${MAX_OPTIONS} options`, got: value });
      else ((rec.options = value), (optionsKey = key));
      continue;
    }
    const c = ENGLISH_FIELDS.has(key) ? { field: key as Field } : columnOf(key);
    if (!c) {
      rec.readProblems.push({ column: `field ${key}`, problem: 'unknown field' });
    } else if ('option' in c) {
      if (c.option >= MAX_OPTIONS) rec.readProblems.push({ column: `field ${key}`, problem: `a question has at most ${MAX_OPTIONS} options (选项A–选项${letterOf(MAX_OPTIONS - 1)})` });
      else rec.options[c.option] = value;
    } else {
      rec.values[c.field] = value;
      keyOf.set(c.field, key);
    }
  }
  // Indices are what QuestionInput holds; letters and words are what people type.
  rec.answerIsIndices = Array.isArray(rec.values.answer) && rec.values.answer.every((x) => typeof x === 'number');
  return rec;
}

// ---------------------------------------------------------------------------------------------
// Checking one record

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
    problems.push({ column: rec.label('operationClass'), problem: `only ${CATEGORY_LABELS.special_operation} questions have an operation class; leave it empty for ${CATEGORY_LABELS[category]}`, got: t });
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
    problems.push({ column: rec.optionLabel(extra >= 0 ? extra : 0), problem: `a 判断 question's options are ${JUDGE_OPTIONS.join(' and ')}; leave 选项A–选项${letterOf(MAX_OPTIONS - 1)} empty or put 正确/错误 in A and B`, got: texts.filter(Boolean).join(' / ') });
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
          ? sorted.length < 2 ? 'a multiple-choice question needs at least two answers' : null
          : sorted.length !== 1 ? `a ${type === 'judge' ? '判断' : 'single-choice'} question takes one answer` : null;
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
function checkRecord(rec: SourceRecord): Checked {
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
  const industry = fromVocabulary<Industry>(rec, 'industry', INDUSTRY_WORDS, problems, `empty; use one of ${listOf(INDUSTRY_LABELS)}`, `unknown industry; use one of ${listOf(INDUSTRY_LABELS)}`);
  const category = fromVocabulary<Category>(rec, 'category', CATEGORY_WORDS, problems, `empty; use ${listOf(CATEGORY_LABELS)}`, `unknown personnel category; use ${listOf(CATEGORY_LABELS)}`);
  const operationClass = checkOperationClass(rec, category, problems);
  const tier = checkTier(rec, problems);
  const images = checkImages(rec, problems);
  const externalId = textField(rec, 'externalId', problems) || null;
  const explanation = textField(rec, 'explanation', problems) || null;

  if (problems.length || !type || !stem || !options || !answer || !difficulty || !knowledgePoint || !industry || !category) return { question: null, problems };
  return { question: { externalId, type, stem, options, answer, images, industry, category, operationClass, knowledgePoint, difficulty, explanation, tier }, problems };
}

// ---------------------------------------------------------------------------------------------
// Duplicates

/** The answer as option texts: the same question may list its options in another order. */
function answerKey(q: Pick<Question, 'options' | 'answer'>): string {
  return JSON.stringify(q.answer.map((i) => normaliseText(q.options[i] ?? '')).sort());
}

interface Candidate {
  loc: Loc;
  question: QuestionInput;
  fingerprint: string;
}

function findDuplicates(bank: BankStore, candidates: Candidate[], sheets: number, onChecked: (n: number) => void): { fresh: QuestionInput[]; duplicates: DuplicateReport[] } {
  const inBank = bank.existingFingerprints(candidates.map((c) => c.fingerprint));
  const firstInFile = new Map<string, Candidate>();
  const fresh: QuestionInput[] = [];
  const duplicates: DuplicateReport[] = [];
  candidates.forEach((c, i) => {
    if (i % PROGRESS_EVERY === 0) onChecked(i);
    const where = formatLoc(c.loc, sheets);
    const existingId = inBank.get(c.fingerprint);
    const existing = existingId ? bank.question(existingId) : null;
    // A retired question with another answer is being corrected: the corrected one comes in as new.
    const correctsRetired = Boolean(existing?.retiredAt) && answerKey(existing!) !== answerKey(c.question);
    if (existingId && !correctsRetired) {
      duplicates.push({ where, sameAs: `question ${existingId}`, questionId: existingId, answerDiffers: existing ? answerKey(existing) !== answerKey(c.question) : false });
      return;
    }
    const first = firstInFile.get(c.fingerprint);
    if (first) {
      duplicates.push({ where, sameAs: formatLoc(first.loc, sheets), questionId: null, answerDiffers: answerKey(first.question) !== answerKey(c.question) });
      return;
    }
    firstInFile.set(c.fingerprint, c);
    fresh.push(c.question);
  });
  onChecked(candidates.length);
  return { fresh, duplicates };
}

// ---------------------------------------------------------------------------------------------
// The service

/** `local-20250301T093000-3fa2c1`: sorts by time, says where it came from, never collides. */
function localVersionId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
  return `local-${stamp}-${randomBytes(3).toString('hex')}`;
}

function recordsOf(source: string | Uint8Array, format: ImportFormat, state: ReadState): AsyncGenerator<SourceRecord> {
  if (format === 'xlsx') return recordsOfSheets(xlsxRows(source), state);
  return (async function* () {
    const text = decodeText(await bytesOf(source));
    if (text.trim() === '') throw fileProblem('the file is empty');
    if (format === 'csv') {
      yield* recordsOfSheets(csvRows(text), state);
      return;
    }
    state.headerFound = true;
    const items = jsonItems(text);
    for (let i = 0; i < items.length; i++) yield jsonRecord(items[i], i + 1);
  })();
}

function noHeaderProblem(state: ReadState): Problem {
  const expected = [...REQUIRED.map((f) => COLUMN[f]), '选项A…选项F'].join(', ');
  const row = state.firstRow?.row ?? 1;
  return { path: `row ${row}`, problem: `no header row with the columns ${expected}`, ...(state.firstRow ? { got: state.firstRow.cells.filter(Boolean).join(' | ') } : {}) };
}

export function createBankAdmin(deps: BankAdminDeps) {
  const { db, bank, audit, clock } = deps;
  const images = deps.images ?? createBankImages({ db, clock, audit });

  /** A name's image id, from the files that came with the import or from earlier uploads; problems say why not. */
  type Resolved = { id: string; file: CheckedImage | null } | { problems: string[] };
  async function resolveImage(name: string, files: ImageFiles | undefined): Promise<Resolved> {
    const bytes = files ? await files.read(name) : null;
    if (bytes) {
      try {
        const c = images.check(name, bytes);
        return { id: c.id, file: c };
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        return { problems: err.problems.map((p) => `${files!.where}${name}: ${p.problem}`) };
      }
    }
    const stored = images.resolve(name);
    if (stored) return { id: stored.id, file: null };
    if (files) return { problems: [`no image named "${name}": no such file in ${files.where}, and none has been uploaded`] };
    return { problems: [`no image named "${name}" has been uploaded (POST /api/bank/images?name=… or bank import --images DIR)`] };
  }

  /** Reads and checks every row; throws a ValidationError listing every problem, or returns the questions in file order. */
  async function readAndCheck(source: string | Uint8Array, format: ImportFormat, opts: ImportOptions): Promise<{ candidates: Candidate[]; rows: number; sheets: number; files: CheckedImage[] }> {
    const state: ReadState = { problems: [], sheetsWithHeader: new Set(), headerFound: false, firstRow: null };
    const candidates: Candidate[] = [];
    const resolved = new Map<string, Resolved>();
    let rows = 0;
    opts.onProgress?.({ phase: 'reading', rows: 0 });
    for await (const rec of recordsOf(source, format, state)) {
      rows++;
      const { question, problems } = checkRecord(rec);
      for (const p of problems) state.problems.push({ ...p, loc: rec.loc });
      if (question?.images.length) {
        // A question is stored with its images' ids, never their names: a name may be uploaded again with other bytes.
        const ids: string[] = [];
        for (const name of question.images) {
          let r = resolved.get(name);
          if (!r) resolved.set(name, (r = await resolveImage(name, opts.imageFiles)));
          if ('id' in r) ids.push(r.id);
          else for (const problem of r.problems) state.problems.push({ loc: rec.loc, column: rec.label('images'), problem });
        }
        if (ids.length < question.images.length) continue;
        question.images = ids;
      }
      if (question) candidates.push({ loc: rec.loc, question, fingerprint: fingerprintOf(question.stem, question.options, question.images) });
      if (rows % PROGRESS_EVERY === 0) opts.onProgress?.({ phase: 'reading', rows });
    }
    opts.onProgress?.({ phase: 'reading', rows, total: rows });
    const sheets = state.sheetsWithHeader.size;
    const file = basename(opts.filename);
    if (!state.headerFound) {
      const problem = noHeaderProblem(state);
      throw new ValidationError([problem], `${file}: ${problem.problem}; nothing was imported`);
    }
    const problems = state.problems.map((p) => toProblem(p, sheets));
    if (rows === 0 && problems.length === 0) throw fileProblem('no questions below the header row');
    if (problems.length) {
      const badRows = new Set(problems.map((p) => p.path.replace(/, (column|field) .*$/u, ''))).size;
      throw new ValidationError(problems, `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${badRows} ${format === 'json' ? 'item' : 'row'}${badRows === 1 ? '' : 's'}; nothing was imported`);
    }
    const files = [...resolved.values()].flatMap((r) => ('file' in r && r.file ? [r.file] : []));
    return { candidates, rows, sheets, files };
  }

  return {
    /**
     * Imports a question file (a path, or the bytes of an upload). All or nothing: a ValidationError
     * lists every bad row and nothing is stored. Duplicates are reported and skipped.
     */
    async importFile(source: string | Uint8Array, format: ImportFormat, opts: ImportOptions): Promise<ImportResult> {
      const file = basename(opts.filename);
      const { candidates, rows, sheets, files } = await readAndCheck(source, format, opts);
      const total = candidates.length;
      // One IMMEDIATE transaction from the duplicate check to the audit entry: an import running at
      // the same time (CLI next to the server) cannot slip a version in between and be lost as our parent.
      return db
        .transaction((): ImportResult => {
          // The image files come in with the questions that show them, or not at all.
          const imagesStored = files.filter((f) => images.store(f, opts.actor, opts.ip ?? null).created).length;
          const { fresh, duplicates } = findDuplicates(bank, candidates, sheets, (n) => opts.onProgress?.({ phase: 'checking', rows: n, total }));
          let version: BankVersion | null = null;
          if (fresh.length) {
            opts.onProgress?.({ phase: 'storing', rows: 0, total: fresh.length });
            const latest = bank.latest();
            version = bank.createVersion({ id: localVersionId(clock.now()), kind: 'import', parent: latest?.id ?? null, label: file, questions: fresh });
            opts.onProgress?.({ phase: 'storing', rows: fresh.length, total: fresh.length });
          }
          audit.append({ actor: opts.actor, action: 'bank.import', target: version?.id ?? null, detail: { file, imported: fresh.length, duplicates: duplicates.length, version: version?.id ?? null, ...(files.length ? { images: files.length } : {}) }, ip: opts.ip ?? null });
          return { file, rows, imported: fresh.length, duplicates, version, imagesStored };
        })
        .immediate();
    },

    /** Takes a question out of every future paper; it is never deleted (papers that used it keep it). */
    retire(questionId: string, actor: string, ip: string | null = null): Question {
      return db
        .transaction((): Question => {
          const q = bank.question(questionId);
          if (!q) throw new NotFound(`no question ${questionId}`);
          if (q.retiredAt !== null) throw new Conflict(`question ${questionId} was already retired at ${new Date(q.retiredAt).toISOString()}`);
          bank.retire(questionId, actor);
          audit.append({ actor, action: 'bank.retire', target: questionId, detail: { stem: q.stem.slice(0, 80) }, ip });
          return bank.question(questionId)!;
        })
        .immediate();
    },
  };
}

export type BankAdmin = ReturnType<typeof createBankAdmin>;

/** A question as an admin previews it: the answer as the letters people use. */
export function previewOf(q: Question, usedInPapers: number) {
  return { ...q, answerLetters: lettersOf(q.answer), usedInPapers };
}
