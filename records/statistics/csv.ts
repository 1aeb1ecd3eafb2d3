// Statistics as CSV for Excel: UTF-8 with a BOM (without it Excel on a Chinese Windows reads the file
// as GBK and garbles every name), CRLF lines, and text cells that start like a formula defused (core/csv.ts).
import { toCsv as coreToCsv, type SheetCell } from '../../core/index.ts';

export type Cell = SheetCell;

/** Institution names come from roster files anyone may have typed: core/csv.ts defuses formula starts. */
export const toCsv = (rows: readonly (readonly Cell[])[]): string => coreToCsv(rows);

/** A ratio as a percentage with one decimal (what the page shows), or empty. */
export const percent = (x: number | null): Cell => (x === null ? null : Math.round(x * 1000) / 10);
export const oneDecimal = (x: number | null): Cell => (x === null ? null : Math.round(x * 10) / 10);
export const threeDecimals = (x: number | null): Cell => (x === null ? null : Math.round(x * 1000) / 1000);
