// A horizontal bar chart drawn as SVG by Preact, for shares (pass rates and the like): one row per
// group, its name on the left, the bar, and the figure at its end; a withheld or empty row shows its
// text instead of a bar. Written here rather than taken from a chart library: none is installed
// (uPlot and ECharts are not in node_modules), and bars of a few dozen groups need nothing more.
// Sized by its rows, as wide as its box; the SVG has a title and each bar its figure, for screen readers.
import './bar-chart.css';

export interface Bar {
  key: string;
  label: string;
  /** 0–max; null draws no bar and shows `missing` instead. */
  value: number | null;
  /** What the bar's end says (e.g. "82.5 %  · 40 人"). */
  text: string;
  /** A withheld or empty row's words (e.g. 人数不足). */
  missing?: string;
  tone?: 'ok' | 'warn' | 'bad';
}

const ROW = 26;
const LABEL = 230;
const WIDTH = 760;
const TEXT = 150;

/** Cuts a label to what fits the label column, counting a CJK character as two. */
function fit(label: string, room = 30): string {
  let width = 0;
  let out = '';
  for (const ch of label) {
    width += /[\u2e80-\uffff]/.test(ch) ? 2 : 1;
    if (width > room) return `${out}…`;
    out += ch;
  }
  return out;
}

export function BarChart({
  title,
  bars,
  max = 1,
  reference,
  testId,
}: {
  title: string;
  bars: readonly Bar[];
  max?: number;
  reference?: { value: number; label: string };
  testId?: string;
}) {
  const plot = WIDTH - LABEL - TEXT;
  // The reference line's words sit above the first bar, never on it.
  const top = reference ? 16 : 0;
  const height = top + Math.max(1, bars.length) * ROW + 24;
  const x = (v: number) => LABEL + (Math.max(0, Math.min(v, max)) / max) * plot;
  return (
    <svg class="bar-chart" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title} data-testid={testId}>
      <title>{title}</title>
      {[0, 0.25, 0.5, 0.75, 1].map((f) => (
        <g key={f}>
          <line class="grid" x1={x(f * max)} x2={x(f * max)} y1={top + 4} y2={height - 18} />
          <text class="axis" x={x(f * max)} y={height - 4} text-anchor="middle">
            {Math.round(f * max * 100)}%
          </text>
        </g>
      ))}
      {bars.map((b, i) => {
        const y = top + 6 + i * ROW;
        return (
          <g key={b.key} class={`row ${b.tone ?? ''}`} data-key={b.key}>
            <text class="label" x={LABEL - 8} y={y + 14} text-anchor="end">
              <title>{b.label}</title>
              {fit(b.label)}
            </text>
            {b.value === null ? (
              <text class="missing" x={LABEL + 4} y={y + 14}>
                {b.missing ?? '—'}
              </text>
            ) : (
              <>
                <rect class="bar" x={LABEL} y={y + 2} width={Math.max(1, x(b.value) - LABEL)} height={ROW - 8} rx={2} />
                <text class="value" x={x(b.value) + 6} y={y + 14}>
                  {b.text}
                </text>
              </>
            )}
          </g>
        );
      })}
      {reference && (
        <g class="reference">
          <line x1={x(reference.value)} x2={x(reference.value)} y1={4} y2={height - 18} />
          <text x={x(reference.value) + 4} y={12}>
            {reference.label}
          </text>
        </g>
      )}
    </svg>
  );
}
