// One template's feasibility as a table: per section (question type), needed vs available per
// difficulty, then each required knowledge point; every shortfall marked.
import type { Lang } from '../../../../../web/i18n.ts';
import type { TemplateCheckView } from '../../../../../exam/protocol.ts';
import { templateWords } from './words.ts';

export function CheckTable({ lang, check }: { lang: Lang; check: TemplateCheckView }) {
  const w = templateWords[lang];
  return (
    <div class="template-check" data-testid="template-check" data-feasible={String(check.ok)}>
      <p class={check.ok ? 'verdict ok' : 'verdict bad'} data-testid="template-verdict">
        {check.ok ? `✓ ${w.feasible(check.poolSize)}` : `✗ ${w.notFeasible}`} · {w.bankVersion(check.version)}
      </p>
      <table class="feasibility">
        <thead>
          <tr>
            <th>{w.sections}</th>
            <th>{w.difficulty}</th>
            <th class="num">{w.needed}</th>
            <th class="num">{w.available}</th>
            <th class="num">{w.short}</th>
          </tr>
        </thead>
        {check.sections.map((s) => (
          <tbody key={s.section} data-section={s.type} class={s.ok ? '' : 'short-section'}>
            {s.buckets.map((b, i) => (
              <tr key={`b${i}`} class={b.short > 0 ? 'short' : ''}>
                {i === 0 ? (
                  <th scope="rowgroup" rowSpan={s.buckets.length + s.knowledgePoints.length}>
                    {w.typeNames[s.type]}
                    <div class="sub">{w.sectionHead(s.section, s.label, s.count, s.score)}</div>
                  </th>
                ) : null}
                <td>{b.difficulty === null ? w.noMix : b.difficulty}</td>
                <td class="num">{b.needed}</td>
                <td class="num">{b.available}</td>
                <td class="num">{b.short > 0 ? <strong class="bad">{b.short}</strong> : <span class="ok">0</span>}</td>
              </tr>
            ))}
            {s.knowledgePoints.map((k) => (
              <tr key={k.knowledgePoint} class={k.drawable === 0 ? 'short kp' : 'kp'}>
                <td>
                  {w.knowledgePoint}：{k.knowledgePoint}
                </td>
                <td class="num">≥ 1</td>
                <td class="num" title={w.drawable}>
                  {k.drawable} / {k.available}
                </td>
                <td class="num">{k.drawable === 0 ? <strong class="bad">{w.missing}</strong> : <span class="ok">{w.enough}</span>}</td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
      {check.problems.length ? (
        <details class="server-words">
          <summary>{w.problems}</summary>
          <ul class="bad">
            {check.problems.map((p, i) => (
              <li key={i}>
                {p.path}: {p.problem}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {check.warnings.length ? (
        <>
          <h3>{w.warnings}</h3>
          <ul class="warn">
            {check.warnings.map((x, i) => (
              <li key={i}>{x}</li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
