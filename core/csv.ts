// CSV reading for the table files people upload (rosters, question banks), and writing for the exports
// people open in a spreadsheet (below). csv-parse is required on
// the first file read, not at start-up: its 0.1 MB was compiled by every command and by serve before
// listening, for the few that read a table (bench startup).
import { createRequire } from 'node:module';
import type { Options } from 'csv-parse/sync';

type Parse = (input: string, options: Options) => unknown;
let parse: Parse | null = null;

/** csv-parse's synchronous parse (the same library and options as before, loaded on first use). */
export function parseCsv(input: string, options: Options): string[][] {
  parse ??= (createRequire(import.meta.url)('csv-parse/sync') as { parse: Parse }).parse;
  return parse(input, options) as string[][];
}

// Writing tables for a person to open in Excel or WPS (CSV and XLSX exports). A text cell that starts
// with = + - @ (or a tab or CR, which Excel strips before looking) would be evaluated as a formula — CSV
// injection: names, institutions and notes come from files and forms anyone may have typed. Such text
// gets a leading ' (the spreadsheet's own "this is text" mark). Numbers are written as numbers and never
// prefixed, so a negative score stays a number: a caller passes figures as numbers, not text. An ID
// number (digits, X) never starts with those characters; a phone number "+86…" is kept as text, which is
// what it is (unprefixed, Excel would compute it as a formula and show 8.6E+12).
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell value for a table file: text, a number, or empty. */
export type SheetCell = string | number | null | undefined;

/** Text as a spreadsheet must take it: as text, never as a formula. */
export function defuseText(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** One CSV field: defused text, quoted when it holds a separator, a quote or a line break. */
export function csvField(v: SheetCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = defuseText(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as CSV for Excel: UTF-8 with a BOM (without it Excel on a Chinese Windows reads GBK and garbles names), CRLF lines. */
export function toCsv(rows: readonly (readonly SheetCell[])[]): string {
  return `\uFEFF${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}
