// Recording per source: is it up, is it recording and, when not, why not (down and ffmpeg's reason, the
// disk floor, or outside its exam windows), the last segment written, restarts.
import type { SourceStatus } from '../../../../../media/protocol.ts';
import type { PageProps } from '../page-props.ts';
import { getSources, getStatus } from './api.ts';
import { hideCredentials, siteTime, spanWords } from './format.ts';
import { useLoad } from './load.ts';
import { systemWords, type SystemWords } from './words.ts';

function whyNot(s: SourceStatus, w: SystemWords): string {
  if (s.state === 'down') return `${w.whyDown}${s.reason ? `: ${hideCredentials(s.reason)}` : ''}`;
  if (/last-resort floor|reserve/i.test(s.reason ?? '')) return w.whyBlocked;
  if (s.schedule === 'sessions') return w.whyOutside;
  return s.reason ? hideCredentials(s.reason) : '';
}

export function RecordingSection({ lang }: PageProps) {
  const w = systemWords[lang];
  const sources = useLoad(getSources, lang);
  const status = useLoad(getStatus, lang);
  const tz = status.data?.timezone ?? 'Asia/Shanghai';
  const now = status.data?.serverTime ?? Date.now();
  if (sources.error)
    return (
      <p class="error" role="alert">
        {sources.error}
      </p>
    );
  const list = sources.data;
  if (!list) return <p class="note">{w.loading}</p>;
  // The server hides camera passwords in every reason (core/redact.ts): its `user:***@` says so too.
  const hidden = list.some((s) => s.reason && (s.reason.includes(':***@') || hideCredentials(s.reason) !== s.reason));
  return (
    <section class="panel" data-testid="system-recording">
      <h2>
        {w.sections.recording} <span class="count">{list.length}</span>
        <span class="right">
          <button type="button" onClick={() => (sources.reload(), status.reload())}>
            {w.refresh}
          </button>
        </span>
      </h2>
      {list.length === 0 ? (
        <p class="note">{w.noSources}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{w.source}</th>
              <th scope="col">{w.room}</th>
              <th scope="col">{w.state}</th>
              <th scope="col">{w.recording}</th>
              <th scope="col">{w.lastSegment}</th>
              <th scope="col">{w.restarts}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <tr key={s.id} data-testid={`source-${s.id}`}>
                <td>
                  {s.name}{' '}
                  <span class="muted">
                    ({s.id}, {w.kind[s.kind]})
                  </span>
                </td>
                <td>{s.room}</td>
                <td class={s.state === 'up' ? 'ok' : 'bad'}>
                  {s.state === 'up' ? w.up : w.down} <span class="muted">· {spanWords(now - s.since, lang)}</span>
                </td>
                <td class={s.recording ? 'ok' : s.state === 'down' ? 'bad' : ''}>{s.recording ? w.yes : `${w.notRecording} — ${whyNot(s, w)}`}</td>
                <td>{s.lastSegmentEnd === null ? w.none : siteTime(s.lastSegmentEnd, lang, tz)}</td>
                <td>{s.restarts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hidden && <p class="muted">{w.redactedNote}</p>}
    </section>
  );
}
