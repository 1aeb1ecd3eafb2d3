// Reads a roster spreadsheet (.csv, .xlsx) or a JSON array into rows of text cells keyed by header,
// numbered as the person sees them in Excel (the header is row 1), so a problem's row number can be
// found in the file that caused it.
import { ValidationError, parseCsv } from '../core/index.ts';
import { TABLE_SHEET_LIMITS, xlsxRows, type SheetLimits } from './sheet-rows.ts';

export interface TableRow {
  /** Row number as shown by a spreadsheet program (header = 1); for JSON, the 1-based item index. */
  row: number;
  cells: Record<string, string>;
  /** Columns whose cell Excel stored as a number of 15 or more digits: its last digits are already lost. */
  longNumbers: Set<string>;
}

export interface Table {
  headers: string[];
  rows: TableRow[];
}

export const TABLE_EXTENSIONS = ['.csv', '.xlsx', '.json'] as const;

export function headerKey(h: string): string {
  // "身份证号*" and " 姓 名 " are how templates mark required columns and how people pad them.
  return h.normalize('NFKC').replace(/[\s*＊]/g, '');
}

/**
 * Spreadsheets saved by Excel on a Chinese Windows are GB18030 (ANSI) unless the user chose
 * "CSV UTF-8"; a file that is not valid UTF-8 is read as GB18030, which is a superset of GBK/GB2312.
 */
function decodeText(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buf);
  } catch {
    return new TextDecoder('gb18030').decode(buf);
  }
}

/** A row as read: its number as the person sees it, its cells, and the columns holding long numbers. */
interface GridRow {
  row: number;
  cells: string[];
  long?: number[];
}

function fromGrid(grid: GridRow[]): Table {
  const headerIndex = grid.findIndex((r) => r.cells.some((c) => c.trim() !== ''));
  if (headerIndex < 0) return { headers: [], rows: [] };
  const headers = grid[headerIndex]!.cells.map(headerKey);
  const rows: TableRow[] = [];
  for (let i = headerIndex + 1; i < grid.length; i++) {
    const { row, cells, long } = grid[i]!;
    if (cells.every((c) => c.trim() === '')) continue;
    const rec: Record<string, string> = {};
    const longs = new Set<string>();
    headers.forEach((h, k) => {
      if (!h) return;
      rec[h] = (cells[k] ?? '').trim();
      if (long?.includes(k)) longs.add(h);
    });
    rows.push({ row, cells: rec, longNumbers: longs });
  }
  return { headers: headers.filter(Boolean), rows };
}

/**
 * Read by the sheet worker (documents/sheet-rows.ts) within the limits of a roster-sized table: a
 * spreadsheet bomb is refused by its sizes while it is read, and never parsed on the main thread.
 */
async function readXlsx(buf: Buffer, filename: string, limits: SheetLimits): Promise<Table> {
  const grid: GridRow[] = [];
  for await (const r of xlsxRows(buf, { filename, sheets: 'first', dates: true, fillMerges: true, limits })) grid.push(r);
  return fromGrid(grid);
}

function readCsv(buf: Buffer, filename: string): Table {
  let grid: string[][];
  try {
    grid = parseCsv(decodeText(buf), { bom: true, relax_column_count: true, skip_empty_lines: false });
  } catch (err) {
    throw new ValidationError([{ path: filename, problem: `is not readable CSV (${(err as Error).message})` }]);
  }
  return fromGrid(grid.map((cells, i) => ({ row: i + 1, cells })));
}

function readJson(buf: Buffer, filename: string): Table {
  let data: unknown;
  try {
    data = JSON.parse(decodeText(buf).replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ValidationError([{ path: filename, problem: `is not valid JSON (${(err as Error).message})` }]);
  }
  const list = Array.isArray(data)
    ? data
    : data && typeof data === 'object' && Array.isArray((data as { rows?: unknown }).rows)
      ? (data as { rows: unknown[] }).rows
      : null;
  if (!list) throw new ValidationError([{ path: filename, problem: 'must be a JSON array of rows (objects keyed by column name), or { "rows": [...] }' }]);
  const headers = new Set<string>();
  const rows: TableRow[] = list.map((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item))
      throw new ValidationError([{ path: `row ${i + 1}`, problem: 'must be an object keyed by column name', got: item }]);
    const cells: Record<string, string> = {};
    for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
      const h = headerKey(k);
      headers.add(h);
      cells[h] = v === null || v === undefined ? '' : String(v).trim();
    }
    return { row: i + 1, cells, longNumbers: new Set() };
  });
  return { headers: [...headers], rows };
}

/** The reader is chosen by the file name's extension, so a mislabelled upload fails with a clear reason. */
export async function readTable(buf: Buffer, filename: string, limits: SheetLimits = TABLE_SHEET_LIMITS): Promise<Table> {
  const ext = /\.[^.]+$/.exec(filename.toLowerCase())?.[0] ?? '';
  if (ext === '.csv') return readCsv(buf, filename);
  if (ext === '.xlsx') return readXlsx(buf, filename, limits);
  if (ext === '.json') return readJson(buf, filename);
  if (ext === '.xls')
    throw new ValidationError([{ path: filename, problem: 'is an old .xls workbook; save it as .xlsx or CSV UTF-8 in Excel and import that' }]);
  throw new ValidationError([{ path: filename, problem: `must end in ${TABLE_EXTENSIONS.join(', ')}`, got: ext || filename }]);
}
