// Playback of one source's recordings over the session.
import { useEffect, useMemo, useState } from 'preact/hooks';
import * as api from './api.ts';
import type { Alert, RoomView } from './api.ts';
import { errorText } from '../../../web/http.ts';
import type { Words } from './i18n.ts';
// One playback player for every app that shows one: the web kit's.
import { PlaybackView } from '../../../web/video/playback-view.tsx';
import { serverNow } from './clock.tsx';

/** A source's recordings over the session, with gaps and alerts marked on one line; excerpts download as MP4. */
export function Playback({ w, view, alerts }: { w: Words; view: RoomView; alerts: Alert[] }) {
  const s = view.session!;
  const [sourceId, setSourceId] = useState<string>('');
  const [rec, setRec] = useState<api.Recordings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const from = s.startedAt ?? s.startsAt;
  // The range is fixed when the list is fetched (up to now): the line, its ticks and a click all use it.
  const load = () => {
    setError(null);
    if (!sourceId) return;
    const to = Math.max(from + 60_000, Math.min(serverNow(), s.endsAt + 30 * 60_000));
    api.recordings(sourceId, from, to).then(setRec, (err: unknown) => setError(errorText(err)));
  };
  useEffect(() => {
    setRec(null);
    load();
  }, [sourceId, s.id]);
  const source = view.sources.find((x) => x.id === sourceId);
  const marks = useMemo(() => {
    if (!rec || !source) return [];
    // A camera shows the room-wide alerts and its own; a screen those of its terminal.
    const mine = (a: Alert) =>
      a.sourceId === source.id ||
      (source.terminalId !== null && a.terminalId === source.terminalId) ||
      (source.kind === 'camera' && !a.terminalId && !a.sourceId);
    return alerts
      .filter((a) => a.at >= rec.from && a.at <= rec.to && mine(a))
      .sort((a, b) => a.at - b.at)
      .map((a) => ({ id: a.id, at: a.at, text: a.text[w.lang] }));
  }, [alerts, rec, source, w.lang]);
  return (
    <section class="panel playback" data-testid="playback">
      <h2>
        {w.playback}
        <span class="right">
          <select value={sourceId} onChange={(e) => setSourceId((e.target as HTMLSelectElement).value)}>
            <option value="">{w.pickSource}</option>
            {view.sources.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
          {sourceId && (
            <button type="button" onClick={load}>
              {w.refresh}
            </button>
          )}
        </span>
      </h2>
      {error && <p class="error">{error}</p>}
      {rec && source && rec.sourceId === source.id && (
        <>
          <PlaybackView key={source.id} recordings={rec} kind={source.kind} marks={marks} labels={w.pb} time={w.time} />
          <p class="note" style={{ margin: 0 }}>
            {w.time(rec.from)} – {w.time(rec.to)} · {w.recorded(rec.segments.length)} · {rec.gaps.length ? `${w.gaps} ${rec.gaps.length}` : w.noGaps}
            {rec.recordingSince !== null ? ` · ${w.recordingNow(w.time(rec.recordingSince))}` : ''}{' '}
            <a href={api.excerptUrl(sourceId, rec.from, Math.min(rec.to, rec.from + 4 * 3600_000))}>{w.download}</a>
          </p>
          {rec.gaps.length > 0 && (
            <table>
              <tbody>
                {rec.gaps.map((g) => (
                  <tr key={g.start}>
                    <td>
                      {w.time(g.start)} – {w.time(g.end)}
                    </td>
                    <td>{g.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
