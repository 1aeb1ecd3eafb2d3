// Playback of one source's recordings over the session, and the two ways into it from elsewhere on
// the page: a seat's screen recording and an alert's "jump to" (both one click).
import { useEffect, useMemo, useState } from 'preact/hooks';
import * as api from './api.ts';
import { recordedSourceFor } from '../../../web/video/recorded-source.ts';
import type { Alert, RoomView, Seat } from './api.ts';
import { errorWords } from '../../../web/error-words.ts';
import { Store, useStore } from '../../../web/store.ts';
import type { Words } from './i18n.ts';
// One playback player for every app that shows one: the web kit's.
import { PlaybackView } from '../../../web/video/playback-view.tsx';
import { serverNow } from './clock.tsx';

/** What a seat or an alert asks playback to show: a source (or the screen of a terminal or seat) from an instant. */
interface Wanted {
  sourceId: string | null;
  terminalId: string | null;
  seat: string | null;
  at: number | null;
  n: number;
}

const wanted = new Store<{ want: Wanted | null }>({ want: null });
let asked = 0;

/** Opens the room's playback on that source (or screen), from a little before `at` when given, and brings it into view. */
export function openPlayback(w: Omit<Wanted, 'n'>): void {
  wanted.set({ want: { ...w, n: ++asked } });
  requestAnimationFrame(() => document.querySelector('[data-testid="playback"]')?.scrollIntoView({ block: 'start' }));
}

/** An alert's "jump to": its camera, its terminal's or seat's screen, else the room's first camera — from just before it. */
export function JumpTo({ w, alert: a }: { w: Words; alert: Alert }) {
  return (
    <button
      type="button"
      class="link jump-to"
      data-testid="alert-jump"
      title={w.jumpToTitle}
      onClick={() => openPlayback({ sourceId: a.sourceId, terminalId: a.terminalId, seat: a.seat, at: a.at })}
    >
      {w.jumpTo}
    </button>
  );
}

/** The seat's screen recording, one click from the seat's panel. */
export function SeatRecording({ w, seat }: { w: Words; seat: Seat }) {
  return (
    <button
      type="button"
      data-testid="seat-recording"
      onClick={() => openPlayback({ sourceId: null, terminalId: seat.terminal?.id ?? null, seat: seat.seat, at: null })}
    >
      {w.screenRecording}
    </button>
  );
}

/** A source's recordings over the session's recording window, with gaps and alerts marked on one line; excerpts download as MP4. */
export function Playback({ w, view, alerts }: { w: Words; view: RoomView; alerts: Alert[] }) {
  const s = view.session!;
  const [sourceId, setSourceId] = useState<string>('');
  const [start, setStart] = useState<{ at: number; n: number } | null>(null);
  const [rec, setRec] = useState<api.Recordings | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { want } = useStore(wanted);
  // The actual start (or check-in) minus 30 min to the actual end plus 30 min, as the server says — up to now.
  const from = s.recordingFrom;
  // The range is fixed when the list is fetched (up to now): the line, its ticks and a click all use it.
  const load = () => {
    setError(null);
    if (!sourceId) return;
    const to = Math.max(from + 60_000, Math.min(serverNow(), s.recordingTo));
    api.recordings(sourceId, from, to).then(setRec, setError);
  };
  useEffect(() => {
    setRec(null);
    load();
  }, [sourceId, s.id]);
  useEffect(() => {
    if (!want) return;
    const id = recordedSourceFor(view.recorded, want);
    if (!id) return;
    setStart(want.at === null ? null : { at: want.at, n: want.n });
    if (id === sourceId) load();
    else setSourceId(id);
  }, [want?.n]);
  const source = view.recorded.find((x) => x.id === sourceId);
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
  const label = (x: RoomView['recorded'][number]) => (x.kind === 'screen' ? w.screenOf(x.seat ?? x.terminalId ?? x.id) : x.name);
  const cameras = view.recorded.filter((x) => x.kind === 'camera');
  const screens = view.recorded.filter((x) => x.kind === 'screen');
  return (
    <section class="panel playback" data-testid="playback">
      <h2>
        {w.playback}
        <span class="right">
          <select value={sourceId} data-testid="playback-source" onChange={(e) => setSourceId((e.target as HTMLSelectElement).value)}>
            <option value="">{w.pickSource}</option>
            {cameras.length > 0 && (
              <optgroup label={w.cameras}>
                {cameras.map((x) => (
                  <option key={x.id} value={x.id}>
                    {label(x)}
                  </option>
                ))}
              </optgroup>
            )}
            {screens.length > 0 && (
              <optgroup label={w.screens}>
                {screens.map((x) => (
                  <option key={x.id} value={x.id}>
                    {label(x)}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
          {sourceId && (
            <button type="button" onClick={load}>
              {w.refresh}
            </button>
          )}
        </span>
      </h2>
      {error !== null && <p class="error">{errorWords(error, w.lang, { not_found: w.noRecordings })}</p>}
      {rec && source && rec.sourceId === source.id && (
        <>
          <PlaybackView key={source.id} recordings={rec} kind={source.kind} marks={marks} labels={w.pb} time={w.time} start={start} refresh={load} />
          <p class="note" style={{ margin: 0 }}>
            {label(source)} · {w.time(rec.from)} – {w.time(rec.to)} · {w.recorded(rec.segments.length)} ·{' '}
            {rec.gaps.length ? `${w.gaps} ${rec.gaps.length}` : w.noGaps}
            {rec.recordingSince !== null ? ` · ${w.recordingNow(w.time(rec.recordingSince))}` : ''}{' '}
            {rec.segments.length > 0 && <a href={api.excerptUrl(sourceId, rec.from, Math.min(rec.to, rec.from + 4 * 3600_000))}>{w.download}</a>}
          </p>
          {rec.gaps.length > 0 && (
            <table>
              <tbody>
                {rec.gaps.map((g) => (
                  <tr key={g.start}>
                    <td>
                      {w.time(g.start)} – {w.time(g.end)}
                    </td>
                    <td>{w.pb.reason(g.reason)}</td>
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
