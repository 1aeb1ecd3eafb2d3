// Which format a file is, by its name and then by its bytes: an .xls renamed .xlsx, a zip that is not
// a workbook, and the text encoding of a CSV (UTF-8, UTF-16 or GBK, as Excel in China saves it).
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { ValidationError } from '../../../core/index.ts';
import type { ImportFormat } from './types.ts';

const EXTENSIONS: Record<string, ImportFormat> = { '.xlsx': 'xlsx', '.xlsm': 'xlsx', '.csv': 'csv', '.json': 'json' };

/** The format a file name promises; the content is still checked against it. */
export function importFormatOf(filename: string): ImportFormat {
  const ext = extname(filename).toLowerCase();
  const format = EXTENSIONS[ext];
  if (format) return format;
  if (ext === '.xls' || ext === '.et')
    throw fileProblem(`${ext} (Excel 97–2003 / WPS) workbooks are not read; save it as .xlsx (Excel 工作簿) or CSV UTF-8`, filename);
  throw fileProblem('import takes .xlsx, .csv or .json files', filename);
}

export function fileProblem(problem: string, got?: unknown): ValidationError {
  return new ValidationError([{ path: 'file', problem, ...(got === undefined ? {} : { got }) }]);
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

export async function assertXlsx(source: string | Uint8Array): Promise<void> {
  const head = await headOf(source);
  if (head.length === 0) throw fileProblem('the file is empty');
  if (startsWith(head, OLE_MAGIC)) throw fileProblem('this is an Excel 97–2003 (.xls) workbook renamed .xlsx; open it in Excel or WPS and save it as .xlsx');
  if (!startsWith(head, ZIP_MAGIC)) throw fileProblem('not an .xlsx workbook (an .xlsx file is a zip archive; this one is not)');
}

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

export function delimiterOf(text: string): string {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const count = (ch: string) => firstLine.split(ch).length - 1;
  return count('\t') > count(',') ? '\t' : count(';') > count(',') ? ';' : ',';
}
