// Reads the rows of an .xlsx workbook (a zip of XML parts) as text cells, in bounded memory, with the
// zip-bomb limits applied while reading: the number of entries, each part's and the total size its
// header declares, and the bytes actually inflated, counted as they come (a header that lies stops at
// the limit, not after memory is gone), and the inflated:compressed ratio. Only the parts a reader
// needs are inflated (workbook, its relations, shared strings, styles for dates, the worksheets);
// pictures and everything else stay compressed. Runs inside the sheet worker (documents/sheet-worker.ts).
import yauzl from 'yauzl';
import { inflateBounded, ZipLimitError, type ZipBudget } from './bounded-zip.ts';
import { XmlRefusal, XmlScanner, attr, type XmlHandler } from './xml-scanner.ts';

export interface XlsxLimits {
  /** Entries in the zip: a workbook has a dozen, a few hundred with pictures. */
  maxEntries: number;
  /** One XML part, unzipped (declared, and counted while inflating). */
  maxPartBytes: number;
  /** Every part read, unzipped; and every entry's declared size together. */
  maxTotalBytes: number;
  /** Unzipped bytes per zipped byte of a part larger than 1 MiB: sheet XML measured 7–25 (bench/bank-import.ts); a bomb is ~1000. */
  maxRatio: number;
  /** Excel's own limit is 32,767 characters in a cell. */
  maxCellChars: number;
}

export const XLSX_LIMITS: XlsxLimits = {
  maxEntries: 10_000,
  maxPartBytes: 256 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  maxRatio: 200,
  maxCellChars: 32_767,
};

export interface XlsxRow {
  /** The sheet's name as the workbook shows it on its tab. */
  sheet: string;
  /** Row number as Excel shows it. */
  row: number;
  cells: string[];
  /** Column indices whose cell is a number of 15 or more digits: Excel already lost its last digits. */
  long: number[];
}

export interface XlsxReadOptions {
  limits: XlsxLimits;
  /** Only the first sheet (a roster), or every worksheet in tab order (a question bank). */
  sheets: 'first' | 'all';
  /** Date-formatted numbers as `YYYY-MM-DD` (reads styles.xml); otherwise the number as stored. */
  dates: boolean;
  /** Fill a merged range's cells with its first cell's text, as Excel shows it (rows are held until the sheet ends). */
  fillMerges: boolean;
  /** Called with each batch of rows; its promise is awaited before reading on (back-pressure). */
  onRows(rows: XlsxRow[]): Promise<void> | void;
  batchRows?: number;
}

/** A refusal: `where` is the part or cell, `problem` says why. The worker turns it into a ValidationError. */
export class XlsxRefusal extends Error {
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
  }
}

const MiB = 1024 * 1024;
export const mib = (n: number) => `${(n / MiB).toFixed(n % MiB === 0 ? 0 : 1)} MiB`;
const MAX_ROW = 1_048_576;
const MAX_COL = 16_384;

type Zip = yauzl.ZipFile;

function openZip(source: string | Uint8Array): Promise<Zip> {
  return new Promise((res, rej) => {
    const opts = { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true } as const;
    const done = (e: Error | null, z?: Zip) => (e || !z ? rej(e) : res(z));
    if (typeof source === 'string') yauzl.open(source, opts, done);
    else yauzl.fromBuffer(Buffer.from(source.buffer, source.byteOffset, source.byteLength), opts, done);
  });
}

/** Every entry of the central directory (names only, nothing inflated), checked against the limits. */
async function entriesOf(zip: Zip, limits: XlsxLimits): Promise<Map<string, yauzl.Entry>> {
  if (zip.entryCount > limits.maxEntries)
    throw new XlsxRefusal('the workbook', `holds ${zip.entryCount} zip entries; a workbook may hold at most ${limits.maxEntries} (refused as a zip bomb)`);
  const entries = new Map<string, yauzl.Entry>();
  let declared = 0;
  await new Promise<void>((res, rej) => {
    zip.on('error', rej);
    zip.on('end', () => res());
    zip.on('entry', (e: yauzl.Entry) => {
      declared += e.uncompressedSize;
      if (declared > limits.maxTotalBytes) {
        rej(
          new XlsxRefusal(
            'the workbook',
            `its zip entries declare more than ${mib(limits.maxTotalBytes)} unzipped in all (limit ${mib(limits.maxTotalBytes)}); refused as a zip bomb`,
          ),
        );
        return;
      }
      // OPC part names are case-insensitive.
      entries.set(e.fileName.replace(/^\/+/, '').toLowerCase(), e);
      zip.readEntry();
    });
    zip.readEntry();
  });
  zip.removeAllListeners('entry');
  zip.removeAllListeners('end');
  return entries;
}

/** Inflates one part into the scanner, counting the bytes as they come and stopping at the first one past a limit. */
async function scanPart(zip: Zip, entry: yauzl.Entry, h: XmlHandler, limits: XlsxLimits, budget: ZipBudget, between?: () => Promise<void>): Promise<void> {
  const name = entry.fileName;
  if (entry.isEncrypted()) throw new XlsxRefusal(name, 'is encrypted; save the workbook without a password');
  if (entry.uncompressedSize > limits.maxPartBytes)
    throw new XlsxRefusal(
      name,
      `its zip header says it unzips to ${mib(entry.uncompressedSize)}, past the limit of ${mib(limits.maxPartBytes)}; refused as a zip bomb`,
    );
  if (entry.uncompressedSize > MiB && entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize))
    throw new XlsxRefusal(
      name,
      `its zip header says ${mib(entry.compressedSize)} unzips to ${mib(entry.uncompressedSize)}, more than ${limits.maxRatio} times; refused as a zip bomb`,
    );
  const chunks = await inflateBounded(zip, entry, { maxBytes: limits.maxPartBytes, budget, maxRatio: limits.maxRatio });
  const decoder = new TextDecoder('utf-8');
  const scanner = new XmlScanner(h, limits.maxCellChars * 8 + 65_536);
  try {
    // Counted as inflated: yauzl stops a part at its declared size, and the bounds stop a header that declares too much or lies.
    for await (const chunk of chunks) {
      scanner.feed(decoder.decode(chunk, { stream: true }));
      if (between) await between();
    }
    scanner.feed(decoder.decode());
    scanner.end();
  } catch (err) {
    if (err instanceof ZipLimitError) {
      if (err.limit === 'entry')
        throw new XlsxRefusal(name, `unzips past ${mib(limits.maxPartBytes)} (limit ${mib(limits.maxPartBytes)}); refused as a zip bomb`);
      if (err.limit === 'total')
        throw new XlsxRefusal(
          name,
          `the workbook's parts unzip past ${mib(limits.maxTotalBytes)} in all (limit ${mib(limits.maxTotalBytes)}); refused as a zip bomb`,
        );
      throw new XlsxRefusal(name, `unzips to more than ${limits.maxRatio} times its zipped ${mib(entry.compressedSize)}; refused as a zip bomb`);
    }
    if (err instanceof XmlRefusal) throw new XlsxRefusal(name, err.message);
    if (err instanceof XlsxRefusal) throw err;
    const msg = (err as Error).message;
    if (/too many bytes|not enough bytes/i.test(msg))
      throw new XlsxRefusal(name, `unzips to another size than its zip header says (${msg}); the file is damaged or forged`);
    throw new XlsxRefusal(name, `cannot be unzipped (${msg})`);
  }
}

/** `xl/worksheets/sheet1.xml` from a relation's target, relative to the part that holds the relation. */
function resolveTarget(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

/** Text of `<t>` elements inside the handled element, phonetic runs (`<rPh>`) left out, as Excel shows the cell. */
class TextCollector {
  private depthInT = 0;
  private inPhonetic = 0;
  private parts: string[] = [];
  private length = 0;
  constructor(
    private readonly maxChars: number,
    private readonly where: () => string,
  ) {}
  open(name: string) {
    if (name === 'rPh') this.inPhonetic++;
    else if (name === 't') this.depthInT++;
  }
  close(name: string) {
    if (name === 'rPh') this.inPhonetic--;
    else if (name === 't') this.depthInT--;
  }
  text(s: string) {
    if (this.depthInT <= 0 || this.inPhonetic > 0) return;
    this.length += s.length;
    if (this.length > this.maxChars) throw new XlsxRefusal(this.where(), `holds more than ${this.maxChars} characters, Excel's limit for a cell`);
    this.parts.push(s);
  }
  take(): string {
    const s = unescapeOoxml(this.parts.join(''));
    this.parts = [];
    this.length = 0;
    this.depthInT = 0;
    this.inPhonetic = 0;
    return s;
  }
}

/** `_x000D_` is how OOXML writes a character XML cannot hold (ECMA-376 ST_Xstring); `_x005F_` escapes the underscore. */
function unescapeOoxml(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

async function readSharedStrings(zip: Zip, entry: yauzl.Entry | undefined, limits: XlsxLimits, budget: ZipBudget): Promise<string[]> {
  const strings: string[] = [];
  if (!entry) return strings;
  const collector = new TextCollector(limits.maxCellChars, () => `${entry.fileName}, string ${strings.length + 1}`);
  let inSi = false;
  await scanPart(
    zip,
    entry,
    {
      open(name) {
        if (name === 'si') inSi = true;
        else if (inSi) collector.open(name);
      },
      close(name) {
        if (name === 'si') {
          strings.push(collector.take());
          inSi = false;
        } else if (inSi) collector.close(name);
      },
      text(s) {
        if (inSi) collector.text(s);
      },
    },
    limits,
    budget,
  );
  return strings;
}

/** The builtin number formats that are dates: 14–22 everywhere, 27–36 and 50–58 in the Chinese, Japanese and Korean Excels. */
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

function isDateFormatCode(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/\[(?!h\]|m\]|s\])[^\]]*\]/gi, '');
  return /[dmyhs]/i.test(bare) && !/^general$/i.test(bare.trim());
}

/** Which cell style indices (`s="…"`) show a number as a date. */
async function readDateStyles(zip: Zip, entry: yauzl.Entry | undefined, limits: XlsxLimits, budget: ZipBudget): Promise<Set<number>> {
  const dates = new Set<number>();
  if (!entry) return dates;
  const custom = new Map<number, boolean>();
  let inCellXfs = false;
  let xf = 0;
  await scanPart(
    zip,
    entry,
    {
      open(name, attrs) {
        if (name === 'numFmt') custom.set(Number(attr(attrs, 'numFmtId')), isDateFormatCode(attr(attrs, 'formatCode') ?? ''));
        else if (name === 'cellXfs') inCellXfs = true;
        else if (name === 'xf' && inCellXfs) {
          const id = Number(attr(attrs, 'numFmtId') ?? 0);
          if (custom.get(id) ?? DATE_FORMAT_IDS.has(id)) dates.add(xf);
          xf++;
        }
      },
      close(name) {
        if (name === 'cellXfs') inCellXfs = false;
      },
      text() {},
    },
    limits,
    budget,
  );
  return dates;
}

/** `BC12` → column 54 (0-based), row 12; null when the text is no cell reference of a worksheet. */
function parseRef(ref: string): { col: number; row: number } | null {
  const m = /^\$?([A-Za-z]{1,3})\$?(\d{1,7})$/.exec(ref);
  if (!m) return null;
  let col = 0;
  for (const ch of m[1]!.toUpperCase()) col = col * 26 + (ch.charCodeAt(0) - 64);
  const row = Number(m[2]);
  if (col > MAX_COL || row < 1 || row > MAX_ROW) return null;
  return { col: col - 1, row };
}

const colName = (i: number): string => (i < 26 ? String.fromCharCode(65 + i) : colName(Math.floor(i / 26) - 1) + String.fromCharCode(65 + (i % 26)));

/** Excel's serial day number (1900 system, with its phantom 29 February 1900, or the 1904 system) as `YYYY-MM-DD`. */
function serialDate(serial: number, date1904: boolean): string {
  const ms = Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(serial) : d.toISOString().slice(0, 10);
}

function numberText(v: string): { text: string; long: boolean } {
  const n = Number(v);
  if (v.trim() === '' || Number.isNaN(n)) return { text: v, long: false };
  return { text: String(n), long: Math.abs(n) >= 1e14 };
}

interface SheetContext {
  name: string;
  part: string;
  strings: string[];
  dateStyles: Set<number>;
  date1904: boolean;
}

async function readSheet(zip: Zip, entry: yauzl.Entry, ctx: SheetContext, opts: XlsxReadOptions, budget: ZipBudget): Promise<void> {
  const { limits } = opts;
  const batchRows = opts.batchRows ?? 500;
  let batch: XlsxRow[] = [];
  const held: XlsxRow[] = [];
  const merges: string[] = [];
  let rowNo = 0;
  let cells: string[] = [];
  let long: number[] = [];
  let inSheetData = false;
  let inRow = false;
  // The cell being read
  let cell: { col: number; type: string; style: number } | null = null;
  let col = -1;
  let inV = false;
  let vText = '';
  let inIs = false;
  const collector = new TextCollector(limits.maxCellChars, () => `${ctx.name}, cell ${cell ? colName(cell.col) : '?'}${rowNo}`);
  const where = () => `sheet ${ctx.name}, row ${rowNo}`;

  const finishCell = () => {
    if (!cell) return;
    const c = cell;
    cell = null;
    let text: string;
    let isLong = false;
    const v = vText;
    vText = '';
    if (c.type === 'inlineStr') text = collector.take();
    else if (c.type === 's') {
      if (v.trim() === '') text = '';
      else {
        const i = Number(v);
        const s = ctx.strings[i];
        if (!Number.isInteger(i) || s === undefined)
          throw new XlsxRefusal(
            `sheet ${ctx.name}, cell ${colName(c.col)}${rowNo}`,
            `names shared string ${v}, but the workbook has ${ctx.strings.length}: the file is damaged`,
          );
        text = s;
      }
    } else if (c.type === 'b') text = v.trim() === '1' || v.trim().toLowerCase() === 'true' ? 'TRUE' : v.trim() === '' ? '' : 'FALSE';
    else if (c.type === 'str' || c.type === 'e') text = unescapeOoxml(v);
    else if (c.type === 'd') text = opts.dates ? v.slice(0, 10) : v;
    else if (opts.dates && ctx.dateStyles.has(c.style) && v.trim() !== '' && Number.isFinite(Number(v))) text = serialDate(Number(v), ctx.date1904);
    else ({ text, long: isLong } = numberText(v));
    if (text === '') return;
    for (let k = cells.length; k < c.col; k++) cells.push('');
    cells[c.col] = text;
    if (isLong) long.push(c.col);
  };

  const finishRow = () => {
    inRow = false;
    if (cells.length === 0) return;
    const r: XlsxRow = { sheet: ctx.name, row: rowNo, cells, long };
    cells = [];
    long = [];
    if (opts.fillMerges) held.push(r);
    else {
      batch.push(r);
      if (batch.length >= batchRows) pending = true;
    }
  };
  let pending = false;

  await scanPart(
    zip,
    entry,
    {
      open(name, attrs, selfClosing) {
        if (!inSheetData) {
          if (name === 'sheetData') inSheetData = !selfClosing;
          else if (name === 'mergeCell') {
            const ref = attr(attrs, 'ref');
            if (ref && merges.length < 100_000) merges.push(ref);
          }
          return;
        }
        if (name === 'row') {
          const r = attr(attrs, 'r');
          const n = r === undefined ? rowNo + 1 : Number(r);
          if (!Number.isInteger(n) || n < 1 || n > MAX_ROW || n <= rowNo)
            throw new XlsxRefusal(
              `sheet ${ctx.name}`,
              `has a row numbered "${r}" after row ${rowNo}; rows run from 1 to ${MAX_ROW} in order: the file is damaged`,
            );
          rowNo = n;
          inRow = true;
          col = -1;
        } else if (name === 'c' && inRow) {
          const r = attr(attrs, 'r');
          let c = col + 1;
          if (r !== undefined) {
            const ref = parseRef(r);
            if (!ref || ref.row !== rowNo) throw new XlsxRefusal(where(), `has a cell "${r}" that is not a cell of this row: the file is damaged`);
            c = ref.col;
          }
          if (c >= MAX_COL) throw new XlsxRefusal(where(), `has a cell past column ${colName(MAX_COL - 1)}: the file is damaged`);
          col = c;
          cell = { col: c, type: attr(attrs, 't') ?? 'n', style: Number(attr(attrs, 's') ?? 0) };
          vText = '';
          if (selfClosing) cell = null;
        } else if (cell) {
          if (name === 'v') inV = !selfClosing;
          else if (name === 'is') inIs = !selfClosing;
          else if (inIs) collector.open(name);
        }
      },
      close(name) {
        if (!inSheetData) return;
        if (name === 'sheetData') inSheetData = false;
        else if (name === 'c') finishCell();
        else if (name === 'row') finishRow();
        else if (name === 'v') inV = false;
        else if (name === 'is') inIs = false;
        else if (inIs) collector.close(name);
      },
      text(s) {
        if (inV) {
          vText += s;
          if (vText.length > limits.maxCellChars)
            throw new XlsxRefusal(
              `sheet ${ctx.name}, cell ${cell ? colName(cell.col) : '?'}${rowNo}`,
              `holds more than ${limits.maxCellChars} characters, Excel's limit for a cell`,
            );
        } else if (inIs) collector.text(s);
      },
    },
    limits,
    budget,
    async () => {
      if (!pending) return;
      pending = false;
      const out = batch;
      batch = [];
      await opts.onRows(out);
    },
  );
  if (opts.fillMerges) fillMerged(held, merges, ctx.name);
  const rest = opts.fillMerges ? held : batch;
  for (let i = 0; i < rest.length; i += batchRows) await opts.onRows(rest.slice(i, i + batchRows));
}

/**
 * A merged range shows its first cell's text across the whole range; a roster whose 培训机构 is merged
 * down twenty rows means it for each of them. Only rows and columns that hold text somewhere are filled,
 * so a merge over a whole sheet costs what the sheet holds, not a million rows.
 */
function fillMerged(rows: XlsxRow[], merges: string[], sheet: string): void {
  if (merges.length === 0 || rows.length === 0) return;
  const byNumber = new Map(rows.map((r) => [r.row, r]));
  const width = Math.max(...rows.map((r) => r.cells.length));
  let budget = rows.length * width * 2 + 100_000;
  for (const m of merges) {
    const [a, b] = m.split(':');
    const from = a ? parseRef(a) : null;
    const to = b ? parseRef(b) : from;
    if (!from || !to) continue;
    const master = byNumber.get(from.row)?.cells[from.col];
    if (!master) continue;
    for (const r of rows) {
      if (r.row < from.row || r.row > to.row) continue;
      for (let c = from.col; c <= Math.min(to.col, width - 1); c++) {
        if (--budget < 0) throw new XlsxRefusal(`sheet ${sheet}`, 'has more merged cells than cells: the file is damaged or forged');
        if (r.cells[c]) continue;
        for (let k = r.cells.length; k < c; k++) r.cells.push('');
        r.cells[c] = master;
      }
    }
  }
}

/** Reads the workbook's rows; throws XlsxRefusal with what, where and why when it is not a workbook or breaks a limit. */
export async function readXlsx(source: string | Uint8Array, opts: XlsxReadOptions): Promise<void> {
  let zip: Zip;
  try {
    zip = await openZip(source);
  } catch (err) {
    throw new XlsxRefusal(
      'the workbook',
      `is not a readable .xlsx workbook: it is not a zip archive, or it is damaged or cut short (${(err as Error).message})`,
    );
  }
  try {
    const { limits } = opts;
    const entries = await entriesOf(zip, limits);
    const budget: ZipBudget = { total: 0, maxTotalBytes: limits.maxTotalBytes };
    const workbookEntry = entries.get('xl/workbook.xml');
    if (!workbookEntry) throw new XlsxRefusal('the workbook', 'has no xl/workbook.xml: it is a zip, but not an .xlsx workbook');

    const sheets: { name: string; rid: string }[] = [];
    let date1904 = false;
    await scanPart(
      zip,
      workbookEntry,
      {
        open(name, attrs) {
          if (name === 'sheet' && sheets.length < 10_000)
            sheets.push({ name: attr(attrs, 'name') ?? `Sheet${sheets.length + 1}`, rid: attr(attrs, 'id') ?? '' });
          else if (name === 'workbookPr') date1904 = /^(1|true)$/i.test(attr(attrs, 'date1904') ?? '');
        },
        close() {},
        text() {},
      },
      limits,
      budget,
    );

    const rels = new Map<string, { type: string; target: string }>();
    const relsEntry = entries.get('xl/_rels/workbook.xml.rels');
    if (relsEntry)
      await scanPart(
        zip,
        relsEntry,
        {
          open(name, attrs) {
            if (name !== 'Relationship') return;
            const id = attr(attrs, 'Id');
            const target = attr(attrs, 'Target');
            if (id && target) rels.set(id, { type: attr(attrs, 'Type') ?? '', target: resolveTarget('xl/workbook.xml', target) });
          },
          close() {},
          text() {},
        },
        limits,
        budget,
      );
    const partOfType = (suffix: string, fallback: string) =>
      entries.get(([...rels.values()].find((r) => r.type.endsWith(suffix))?.target ?? fallback).toLowerCase());

    const strings = await readSharedStrings(zip, partOfType('/sharedStrings', 'xl/sharedStrings.xml'), limits, budget);
    const dateStyles = opts.dates ? await readDateStyles(zip, partOfType('/styles', 'xl/styles.xml'), limits, budget) : new Set<number>();

    const worksheets = sheets.flatMap((s) => {
      const rel = rels.get(s.rid);
      if (rel && !rel.type.endsWith('/worksheet')) return []; // chart sheets, dialog sheets
      const part = rel?.target ?? `xl/worksheets/sheet${sheets.indexOf(s) + 1}.xml`;
      const entry = entries.get(part.toLowerCase());
      return entry ? [{ name: s.name, part, entry }] : [];
    });
    for (const ws of opts.sheets === 'first' ? worksheets.slice(0, 1) : worksheets)
      await readSheet(zip, ws.entry, { name: ws.name, part: ws.part, strings, dateStyles, date1904 }, opts, budget);
  } finally {
    zip.close();
  }
}
