// One lesson's video, one click from the timetable: the room's recorded sources over the lesson's
// recording window (training/protocol.ts LessonVideo) and the web kit's player on the chosen one, gaps
// shown as such. The recordings route is the media module's (admins; invigilators of the room; the class's
// 班主任 within its lessons' windows).
import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../../../../../web/i18n.ts';
import { call } from '../../../../../web/http.ts';
import { PlaybackView, playbackLabels, type PlaybackRecordings } from '../../../../../web/video/playback-view.tsx';
import type { LessonVideo } from '../../../../../training/protocol.ts';
import { Failure, clock } from './parts.tsx';
import { trainingWords } from './words.ts';

const enc = encodeURIComponent;

export function LessonVideoPanel({ lang, classId, lessonId, onClose }: { lang: Lang; classId: string; lessonId: string; onClose: () => void }) {
  const w = trainingWords[lang];
  const [video, setVideo] = useState<LessonVideo | null>(null);
  const [sourceId, setSourceId] = useState('');
  const [rec, setRec] = useState<PlaybackRecordings | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    call<LessonVideo>('GET', `/api/training/classes/${enc(classId)}/lessons/${enc(lessonId)}/video`).then((v) => {
      setVideo(v);
      setSourceId(v.sources[0]?.id ?? '');
    }, setErr);
  }, [lessonId]);
  const load = () => {
    if (!video || !sourceId) return;
    const from = Date.parse(video.from);
    const to = Math.min(Date.parse(video.to), Date.now());
    call<PlaybackRecordings>('GET', `/api/media/sources/${enc(sourceId)}/recordings?from=${from}&to=${Math.max(to, from + 60_000)}`).then(setRec, setErr);
  };
  useEffect(() => {
    setRec(null);
    load();
  }, [video, sourceId]);
  const source = video?.sources.find((s) => s.id === sourceId);
  const time = (ms: number) => clock.format(ms, lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return (
    <section class="lesson-video" data-testid="lesson-video">
      <div class="inline">
        <strong>{w.video}</strong>
        {video && video.sources.length === 0 && <span class="muted">{w.noVideo}</span>}
        {video && video.sources.length > 0 && (
          <select value={sourceId} onChange={(e) => setSourceId((e.target as HTMLSelectElement).value)} aria-label={w.video}>
            {video.sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} · {w.segments(s.segments, Math.round(s.seconds / 60))}
              </option>
            ))}
          </select>
        )}
        <button type="button" onClick={onClose}>
          {w.close}
        </button>
      </div>
      <Failure err={err} lang={lang} />
      {/* Nothing recorded and nothing being recorded (a held day before the appliance ran): say so, not an empty player. */}
      {video && rec && source && rec.segments.length === 0 && rec.recordingSince === null && (
        <p class="muted" data-testid="no-footage">
          {w.noFootage(time(Date.parse(video.from)), time(Date.parse(video.to)))}
        </p>
      )}
      {rec && source && (rec.segments.length > 0 || rec.recordingSince !== null) && (
        <PlaybackView key={source.id} recordings={rec} kind="camera" marks={[]} labels={playbackLabels[lang]} time={time} refresh={load} />
      )}
    </section>
  );
}
