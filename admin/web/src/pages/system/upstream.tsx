// Upstream: each push (platform × source) with its state, bytes sent and last error; below it, the GB/T
// 28181 platforms this device registers with (gb28181.tsx).
import type { PageProps } from '../page-props.ts';
import { getStatus, getUpstream } from './api.ts';
import { Gb28181Panel } from './gb28181.tsx';
import { hideCredentials, humanBytes, siteTime } from './format.ts';
import { useLoad } from './load.ts';
import { systemWords } from './words.ts';

export function UpstreamSection({ lang }: PageProps) {
  const w = systemWords[lang];
  const pushes = useLoad(getUpstream, lang);
  const status = useLoad(getStatus, lang);
  const tz = status.data?.timezone ?? 'Asia/Shanghai';
  return (
    <>
      <section class="panel" data-testid="system-upstream">
        <h2>
          {w.sections.upstream}
          <span class="right">
            <button type="button" onClick={pushes.reload}>
              {w.refresh}
            </button>
          </span>
        </h2>
        {pushes.error ? (
          <p class="error" role="alert">
            {pushes.error}
          </p>
        ) : !pushes.data ? (
          <p class="note">{w.loading}</p>
        ) : pushes.data.length === 0 ? (
          <p class="note" data-testid="upstream-empty">
            {w.noUpstream}
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{w.target}</th>
                <th scope="col">{w.source}</th>
                <th scope="col">{w.state}</th>
                <th scope="col">{w.sent}</th>
                <th scope="col">{w.lastError}</th>
              </tr>
            </thead>
            <tbody>
              {pushes.data.map((p) => (
                <tr key={`${p.target}/${p.source}`}>
                  <td>
                    {p.targetName} <span class="muted">({w.level[p.level] ?? p.level})</span>
                    <div class="muted mono">{hideCredentials(p.url)}</div>
                  </td>
                  <td>{p.source}</td>
                  <td class={p.state === 'pushing' ? 'ok' : p.state === 'retrying' ? 'bad' : ''}>
                    {w.pushState[p.state] ?? p.state} <span class="muted">· {siteTime(p.since, lang, tz)}</span>
                  </td>
                  <td>{humanBytes(p.bytesOut)}</td>
                  <td>
                    {p.problem ? <div data-testid="push-problem">{p.problem[lang]}</div> : null}
                    {p.lastError ? <div class={p.problem ? 'muted' : ''}>{hideCredentials(p.lastError)}</div> : p.problem ? null : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <Gb28181Panel lang={lang} tz={tz} />
    </>
  );
}
