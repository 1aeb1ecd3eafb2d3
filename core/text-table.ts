// Aligned text tables for CLI output. Widths count terminal columns, not UTF-16 units: a CJK or
// full-width character takes two, so tables of 单选/冶金/张三 line up with the ASCII ones.

/** Terminal columns a string takes: CJK and full-width forms take two, so tables of 单选/冶金 line up. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

/** Rows as aligned text lines, header first; empty cells show `-`, other cells `cell(value)` (default String). */
export function tableLines(rows: Record<string, unknown>[], opts: { cell?: (v: unknown) => string } = {}): string[] {
  if (rows.length === 0) return ['(none)'];
  const keys = Object.keys(rows[0]!);
  const text = opts.cell ?? String;
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : text(v));
  const widths = keys.map((k) => Math.max(displayWidth(k), ...rows.map((r) => displayWidth(cell(r[k])))));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v + ' '.repeat(widths[i]! - displayWidth(v)))
      .join('  ')
      .trimEnd();
  return [line(keys), ...rows.map((r) => line(keys.map((k) => cell(r[k]))))];
}
