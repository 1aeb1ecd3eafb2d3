// Readers: a file's rows or items as records of raw cells (xlsx read by the sheet worker, CSV, JSON),
// each record knowing how to name its fields in a problem.
import { readFile } from 'node:fs/promises';
import { parseCsv, type Problem } from '../../../core/index.ts';
import { BANK_SHEET_LIMITS, xlsxRows as readXlsxRows, type SheetLimits } from '../../../documents/index.ts';
import { MAX_OPTIONS, letterOf } from '../notation.ts';
import type { ImportFormat } from './types.ts';
import { assertXlsx, decodeText, delimiterOf, fileProblem } from './sniff.ts';
import type { FieldProblem, Loc, LocatedProblem } from './problems.ts';
import {
  COLUMN,
  HEADER_SEARCH_ROWS,
  REQUIRED,
  columnOf,
  headerProblems,
  isBlank,
  optionColumn,
  readHeader,
  type Field,
  type SheetHeader,
  type SheetRow,
} from './headers.ts';

export interface SourceRecord {
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

export interface ReadState {
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
    if (r.sheet !== sheet) (sheet = r.sheet), (header = null), (seenBeforeHeader = 0);
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

/** The text a person sees in a JSON value or a cell (rich text, formula result, number). */
export function cellText(v: unknown): string {
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

/**
 * Read by the sheet worker (documents/sheet-rows.ts), every worksheet in tab order, within the limits of
 * a provincial bank: a spreadsheet bomb is refused by its sizes while it is read, and the unzipping and
 * XML parsing never run on the main thread that answers the exam's terminals.
 */
async function* xlsxRows(source: string | Uint8Array, filename: string, limits: SheetLimits): AsyncGenerator<SheetRow> {
  await assertXlsx(source);
  for await (const r of readXlsxRows(source, { filename, sheets: 'all', dates: false, fillMerges: false, limits }))
    yield { sheet: r.sheet, row: r.row, cells: r.cells };
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

const ENGLISH_FIELDS = new Set<string>([
  'externalId',
  'type',
  'stem',
  'options',
  'answer',
  'images',
  'industry',
  'category',
  'operationClass',
  'knowledgePoint',
  'difficulty',
  'explanation',
  'tier',
]);

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
    rec.readProblems.push({ problem: "not an object with the question's fields", got: item });
    return rec;
  }
  for (const [key, value] of Object.entries(item)) {
    if (key === 'options') {
      if (!Array.isArray(value)) rec.readProblems.push({ column: 'field options', problem: 'must be a list of option texts', got: value });
      else if (value.length > MAX_OPTIONS)
        rec.readProblems.push({ column: 'field options', problem: `a question has at most ${MAX_OPTIONS} options`, got: value });
      else (rec.options = value), (optionsKey = key);
      continue;
    }
    const c = ENGLISH_FIELDS.has(key) ? { field: key as Field } : columnOf(key);
    if (!c) {
      rec.readProblems.push({ column: `field ${key}`, problem: 'unknown field' });
    } else if ('option' in c) {
      if (c.option >= MAX_OPTIONS)
        rec.readProblems.push({ column: `field ${key}`, problem: `a question has at most ${MAX_OPTIONS} options (选项A–选项${letterOf(MAX_OPTIONS - 1)})` });
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

export function recordsOf(
  source: string | Uint8Array,
  format: ImportFormat,
  state: ReadState,
  file: { filename: string; limits?: SheetLimits },
): AsyncGenerator<SourceRecord> {
  if (format === 'xlsx') return recordsOfSheets(xlsxRows(source, file.filename, file.limits ?? BANK_SHEET_LIMITS), state);
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

export function noHeaderProblem(state: ReadState): Problem {
  const expected = [...REQUIRED.map((f) => COLUMN[f]), '选项A…选项F'].join(', ');
  const row = state.firstRow?.row ?? 1;
  return {
    path: `row ${row}`,
    problem: `no header row with the columns ${expected}`,
    ...(state.firstRow ? { got: state.firstRow.cells.filter(Boolean).join(' | ') } : {}),
  };
}
