// Statistics as CSV for Excel: UTF-8 with a BOM (without it Excel on a Chinese Windows reads the file
// as GBK and garbles every name), CRLF lines, and text cells that start like a formula defused.
export type Cell = string | number | null;

const cell = (v: Cell): string => {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  // A leading = + - @ (or a tab/CR Excel strips first) would make Excel evaluate the cell (CSV injection):
  // institution names come from roster files anyone may have typed.
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(rows: readonly (readonly Cell[])[]): string {
  return `\uFEFF${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** A ratio as a percentage with one decimal (what the page shows), or empty. */
export const percent = (x: number | null): Cell => (x === null ? null : Math.round(x * 1000) / 10);
export const oneDecimal = (x: number | null): Cell => (x === null ? null : Math.round(x * 10) / 10);
export const threeDecimals = (x: number | null): Cell => (x === null ? null : Math.round(x * 1000) / 1000);
