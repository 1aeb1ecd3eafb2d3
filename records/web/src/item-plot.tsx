// The item analysis as a scatter: facility across, discrimination up, the thresholds as dashed lines,
// flagged questions in red. Drawn as SVG by Preact (no chart library is installed); hovering a dot
// names the question.
import type { ItemAnalysisReply } from './api.ts';

const W = 640;
const H = 300;
const PAD = { l: 44, r: 12, t: 12, b: 34 };

export function ItemPlot({ reply, title, label }: { reply: ItemAnalysisReply; title: string; label: (i: ItemAnalysisReply['items'][number]) => string }) {
  const th = reply.thresholds;
  const x = (p: number) => PAD.l + p * (W - PAD.l - PAD.r);
  // D runs from −1 to 1; the lower half is rare but is where a wrong key shows.
  const y = (d: number) => PAD.t + ((1 - d) / 2) * (H - PAD.t - PAD.b);
  return (
    <svg class="item-plot" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} data-testid="item-plot">
      <title>{title}</title>
      <rect class="frame" x={PAD.l} y={PAD.t} width={W - PAD.l - PAD.r} height={H - PAD.t - PAD.b} />
      {[0, 0.2, 0.4, 0.6, 0.8, 1].map((p) => (
        <text key={`x${p}`} class="axis" x={x(p)} y={H - PAD.b + 14} text-anchor="middle">
          {p.toFixed(1)}
        </text>
      ))}
      {[-1, -0.5, 0, 0.5, 1].map((d) => (
        <text key={`y${d}`} class="axis" x={PAD.l - 6} y={y(d) + 4} text-anchor="end">
          {d.toFixed(1)}
        </text>
      ))}
      <text class="axis-name" x={W - PAD.r} y={H - 4} text-anchor="end">
        P
      </text>
      <text class="axis-name" x={4} y={PAD.t + 10}>
        D
      </text>
      <line class="zero" x1={x(0)} x2={x(1)} y1={y(0)} y2={y(0)} />
      <line class="threshold" x1={x(0)} x2={x(1)} y1={y(th.discriminationBelow)} y2={y(th.discriminationBelow)} />
      <line class="threshold" x1={x(th.facilityBelow)} x2={x(th.facilityBelow)} y1={y(1)} y2={y(-1)} />
      <line class="threshold" x1={x(th.facilityAbove)} x2={x(th.facilityAbove)} y1={y(1)} y2={y(-1)} />
      {reply.items
        .filter((i) => i.discrimination !== null)
        .map((i) => (
          <circle
            key={i.questionId}
            class={i.flags.length ? 'dot bad' : i.judged ? 'dot' : 'dot few'}
            cx={x(i.facility)}
            cy={y(i.discrimination!)}
            r={i.flags.length ? 5 : 4}
          >
            <title>{label(i)}</title>
          </circle>
        ))}
    </svg>
  );
}
