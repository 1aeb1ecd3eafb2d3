// The playback player every app shows (proctor console, inspector view): one source's recordings over
// a time range as a timeline — recorded stretches, holes, alert ticks, the playhead — with the video
// above it. Click the line to play from that instant; click an alert (tick or list) to play from a
// little before it. Words: `playbackLabels` below, which an app may override line by line.
import { useEffect, useRef, useState } from 'preact/hooks';
import { JUMP_BEFORE_ALERT_MS, PlaybackEngine, STORE_UNAVAILABLE, type PlaybackStatus } from './playback.ts';
import type { Recordings } from '../../media/protocol.ts';
import './playback.css';

/** A source's recordings over a time range, as media's route answers them (media/protocol.ts). */
export type PlaybackRecordings = Recordings;

export interface PlaybackMark {
  id: string;
  at: number;
  text: string;
}

export interface PlaybackLabels {
  play: string;
  pause: string;
  sound: string;
  mute: string;
  loading: string;
  ended: string;
  /** Shown over the picture while a hole is skipped (`reason` is already `reason(raw)`). */
  noRecording: (reason: string) => string;
  /** Under the picture after a hole was skipped. */
  skipped: (from: string, to: string, reason: string) => string;
  clickToPlay: string;
  jump: string;
  jumpTitle: string;
  marksTitle: string;
  frameTime: string;
  failed: (why: string) => string;
  storeDown: string;
  recordingNow: string;
  /** The instant asked for is in the segment being written: it plays by itself once the segment closes. */
  stillWriting: (since: string) => string;
  /** Why there is no recording, from the server's reason (English, free text) in the person's words. */
  reason: (raw: string) => string;
}

/** The server says why a stretch has no recording in English; a person reads one of these. */
const REASONS: Array<[RegExp, { zh: string; en: string }]> = [
  [/^no recording$/, { zh: '无录像', en: 'no recording' }],
  [/schedule/i, { zh: '无录像：不在录像时段内', en: 'no recording: outside the recording schedule' }],
  [/^stopped/, { zh: '无录像：录像服务停止或视频源断开', en: 'no recording: the recording stopped or the source went away' }],
  [/disk/i, { zh: '无录像：磁盘空间不足，录像暂停', en: 'no recording: the disk was full' }],
];
const reasonIn = (lang: 'zh' | 'en') => (raw: string) =>
  REASONS.find(([re]) => re.test(raw))?.[1][lang] ?? (lang === 'zh' ? '无录像：视频源中断' : `no recording: ${raw}`);

/**
 * The player's own words in both languages; an app overrides the lines that depend on its context
 * (`clickToPlay`, `marksTitle`).
 */
export const playbackLabels: Record<'zh' | 'en', PlaybackLabels> = {
  zh: {
    play: '播放',
    pause: '暂停',
    sound: '声音',
    mute: '静音',
    loading: '正在载入录像…',
    ended: '录像已播完',
    noRecording: (reason) => `此段${reason}，跳到下一段录像`,
    skipped: (a, b, reason) => `已跳过 ${a} – ${b}（${reason}）`,
    clickToPlay: '点击下方时间轴，从该时刻开始回放',
    jump: '跳转',
    jumpTitle: '从告警前 10 秒开始回放',
    marksTitle: '此时段内的告警（点“跳转”从告警前 10 秒开始回放）',
    frameTime: '画面时间',
    // The engine's reason is the browser's or the player's English: in Chinese the page says what to do.
    failed: () => '回放失败：无法载入这段录像，请点击时间轴重试',
    storeDown: '这段录像已转存到对象存储，但对象存储现在无法访问：请稍后点击时间轴重试，或请管理员查看“系统”页',
    recordingNow: '正在录制，尚未成段',
    stillWriting: (since) => `这一刻的录像仍在写入（${since} 起的一段），写完后自动播放；现在可看实时画面`,
    reason: reasonIn('zh'),
  },
  en: {
    play: 'Play',
    pause: 'Pause',
    sound: 'Sound',
    mute: 'Mute',
    loading: 'Loading the recording…',
    ended: 'End of the recordings',
    noRecording: (reason) => `Here: ${reason}; skipping to the next recording`,
    skipped: (a, b, reason) => `Skipped ${a} – ${b} (${reason})`,
    clickToPlay: 'Click the timeline below to play from that moment',
    jump: 'Jump',
    jumpTitle: 'Play from 10 s before the alert',
    marksTitle: 'Alerts in this period ("Jump" plays from 10 s before the alert)',
    frameTime: 'Picture time',
    failed: (why) => `Playback failed: ${why}`,
    storeDown:
      'This recording was moved to the object store, which is not answering now: click the timeline to try again later, or ask an admin to look at the System page',
    recordingNow: 'recording now, not yet a segment',
    stillWriting: (since) => `This moment is still being written (the segment since ${since}); it plays by itself once written — live view shows it now`,
    reason: reasonIn('en'),
  },
};

export interface PlaybackViewProps {
  recordings: PlaybackRecordings;
  /** Cameras have sound; screens do not. */
  kind: string;
  marks: PlaybackMark[];
  labels: PlaybackLabels;
  /** Server time → the text shown (the app's zone and language). */
  time: (ms: number) => string;
  /**
   * Play from a little before this instant as soon as the recordings are there (a "jump to" from an
   * alert or a seat); a new `n` jumps again to the same instant.
   */
  start?: { at: number; n: number } | null;
  /** Fetches the recordings again (up to now): called while waiting for the segment being written. */
  refresh?: () => void;
}

/** How often the list is asked again while an instant waits for its segment to close. */
const WAIT_POLL_MS = 5_000;

const clamp = (x: number, a: number, b: number) => Math.min(b, Math.max(a, x));

export function PlaybackView({ recordings: rec, kind, marks, labels: l, time, start, refresh }: PlaybackViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const engine = useRef<PlaybackEngine | null>(null);
  const started = useRef(false);
  const [status, setStatus] = useState<PlaybackStatus>({ state: 'idle', at: null, segmentId: null, gap: null, error: null });
  const [muted, setMuted] = useState(true);
  const { from, to, sourceId } = rec;

  useEffect(() => {
    const e = new PlaybackEngine(host.current!, sourceId, setStatus);
    engine.current = e;
    started.current = false;
    setStatus({ state: 'idle', at: null, segmentId: null, gap: null, error: null });
    setMuted(true);
    return () => {
      e.destroy();
      engine.current = null;
      // The view ends with the player: an inspector's open view is closed in the audit log now rather
      // than when the server notices nothing more is fetched.
      if (started.current)
        void fetch(`/api/media/sources/${encodeURIComponent(sourceId)}/playback/stop`, { method: 'POST', credentials: 'same-origin', keepalive: true }).catch(
          () => {},
        );
    };
  }, [sourceId]);
  useEffect(() => engine.current?.setRecordings(rec.segments, rec.gaps), [rec]);
  const jumped = useRef<number | null>(null);
  useEffect(() => {
    if (!start || jumped.current === start.n || start.at < from || start.at > to) return;
    jumped.current = start.n;
    jump(start.at);
  }, [start?.n, rec]);
  // A page closed mid-view ends it too.
  useEffect(() => {
    const bye = () => {
      if (started.current) navigator.sendBeacon(`/api/media/sources/${encodeURIComponent(sourceId)}/playback/stop`);
    };
    window.addEventListener('pagehide', bye);
    return () => window.removeEventListener('pagehide', bye);
  }, [sourceId]);

  // An instant inside the segment still being written (an alert a moment ago) cannot play yet: it
  // waits, the list is asked again, and it plays once a finished segment covers it.
  const [waiting, setWaiting] = useState<number | null>(null);
  const inOpenSegment = (t: number) => rec.recordingSince !== null && t >= rec.recordingSince - 1000 && !rec.segments.some((g) => g.start <= t && t < g.end);
  const playAt = (t: number) => {
    started.current = true;
    if (inOpenSegment(t)) {
      engine.current?.pause();
      return setWaiting(t);
    }
    setWaiting(null);
    engine.current?.playAt(clamp(t, from, to));
  };
  useEffect(() => {
    if (waiting === null) return;
    if (rec.segments.some((g) => g.start <= waiting && waiting < g.end)) {
      setWaiting(null);
      engine.current?.playAt(waiting);
      return;
    }
    const id = setTimeout(() => refresh?.(), WAIT_POLL_MS);
    return () => clearTimeout(id);
  }, [waiting, rec]);
  // Played up to the segment being written: not the end of the recordings — it goes on once written.
  useEffect(() => {
    if (status.state === 'ended' && rec.recordingSince !== null && waiting === null) setWaiting(Math.max(rec.recordingSince, status.at ?? 0));
  }, [status.state]);
  const pct = (t: number) => `${(((clamp(t, from, to) - from) / (to - from)) * 100).toFixed(3)}%`;
  const onLine = (e: MouseEvent) => {
    const box = (e.currentTarget as HTMLElement).getBoundingClientRect();
    playAt(from + ((e.clientX - box.left) / box.width) * (to - from));
  };
  const jump = (at: number) => playAt(at - JUMP_BEFORE_ALERT_MS);
  const s = status;
  const playing = s.state === 'playing' || s.state === 'loading' || s.state === 'gap';
  const notice =
    waiting !== null && rec.recordingSince !== null
      ? l.stillWriting(time(rec.recordingSince))
      : s.state === 'gap' && s.gap
        ? l.noRecording(l.reason(s.gap.reason))
        : s.state === 'idle'
          ? l.clickToPlay
          : s.state === 'loading'
            ? l.loading
            : s.state === 'ended'
              ? l.ended
              : s.state === 'error'
                ? s.error?.includes(STORE_UNAVAILABLE)
                  ? l.storeDown
                  : l.failed(s.error ?? '')
                : null;

  return (
    <div class="pb" data-testid="player" data-source={sourceId} data-state={waiting !== null ? 'waiting' : s.state} data-at={s.at ?? ''}>
      <div class={`pb-screen ${s.state}`}>
        <div class="pb-host" ref={host} onClick={() => (s.state === 'playing' ? engine.current?.pause() : engine.current?.resume())} />
        {notice && (
          <p class={`pb-notice ${s.state}`} data-testid="playback-notice">
            {notice}
          </p>
        )}
      </div>
      <div class="pb-bar">
        <button type="button" disabled={s.state === 'idle'} onClick={() => (playing ? engine.current?.pause() : engine.current?.resume())}>
          {playing ? l.pause : l.play}
        </button>
        {kind === 'camera' && (
          <button
            type="button"
            onClick={() => {
              engine.current?.setMuted(!muted);
              setMuted(!muted);
            }}
          >
            {muted ? l.sound : l.mute}
          </button>
        )}
        <span class="pb-time">
          {l.frameTime}{' '}
          <output data-testid="playback-time" data-at={s.at ?? ''}>
            {s.at === null ? '—' : time(s.at)}
          </output>
        </span>
        {s.gap && s.state !== 'gap' && <span class="pb-skipped">{l.skipped(time(s.gap.start), time(s.gap.end), l.reason(s.gap.reason))}</span>}
      </div>
      <div class="timeline pb-timeline" data-from={from} data-to={to} title={`${time(from)} – ${time(to)}`} onClick={onLine}>
        {rec.segments.map((g) => (
          <span key={g.id} style={{ left: pct(g.start), width: `calc(${pct(g.end)} - ${pct(g.start)})` }} />
        ))}
        {rec.recordingSince !== null && <span class="live" style={{ left: pct(rec.recordingSince), right: 0 }} title={l.recordingNow} />}
        {marks.map((a) => (
          <i
            key={a.id}
            data-alert={a.id}
            style={{ left: pct(a.at) }}
            title={`${time(a.at)} ${a.text} · ${l.jumpTitle}`}
            onClick={(e) => {
              e.stopPropagation();
              jump(a.at);
            }}
          />
        ))}
        {s.at !== null && <b class="pb-playhead" style={{ left: pct(s.at) }} />}
      </div>
      <div class="pb-scale">
        <span>{time(from)}</span>
        <span>{time(to)}</span>
      </div>
      {marks.length > 0 && <p class="pb-marks-title">{l.marksTitle}</p>}
      {marks.length > 0 && (
        <ul class="pb-marks">
          {marks.map((a) => (
            <li key={a.id} data-alert={a.id}>
              <button type="button" class="link" onClick={() => jump(a.at)} title={l.jumpTitle}>
                {l.jump}
              </button>
              <span class="when">{time(a.at)}</span> <span>{a.text}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
