// One live tile of a grid, shared by the proctor console and the inspector view: the grid plays a
// camera's sub-stream (when it has one), an enlarged tile the main stream; a tile off screen or on a
// hidden page plays nothing (for an inspector each opened stream is an audited view, so that matters).
// Tiles are video only (the sound the camera sends is not in the tile's stream); the one tile unmuted
// plays the source's `sound` stream instead (same video, sound as AAC, encoded on the server while
// someone listens), and unmuting another tile mutes it. A camera that sends H.265 to a browser that cannot
// play it says so in the grid (a grid never transcodes); opened large, the tile plays the source's `h264`
// stream (transcoded on the server while someone watches it large, a capped number at once): it asks
// first (transcode-check.ts), and when the server is at its cap it says why and offers the sub-stream if
// the camera has one. The transcode carries the camera's sound, so unmuting that tile needs no other stream.
// Words: `liveTileLabels` below.
import { useEffect, useRef, useState } from 'preact/hooks';
import { canPlayHevc, HEVC_WORDS, LivePlayer, wsUrl, type TileState } from './player.ts';
import { useOneUnmuted } from './one-sound.ts';
import { useTranscodeCheck } from './transcode-check.ts';
import './live-tile.css';

export interface LiveTileSource {
  id: string;
  kind: string;
  /** Path of the main stream (/ws/live/ID). */
  ws: string;
  /** Path of the camera's sub-stream, or null when it has none. */
  subWs: string | null;
  /** The main stream's video codec as the camera sends it (h264, hevc…), when known. */
  video?: string | null;
}

export interface LiveTileLabels {
  state: Record<TileState, string>;
  kind: Record<string, string>;
  sound: string;
  mute: string;
  enlarge: string;
  /** The camera sends H.265 and this browser cannot play it. */
  hevc: string;
  /** Under the H.265 words in the grid: enlarging plays it transcoded. */
  hevcEnlarge: string;
  /** On an enlarged H.265 tile playing the server's transcode. */
  transcoded: string;
  /** The server runs its most transcodes already (max 0: turned off); sub: the camera has a sub-stream. */
  busy: (max: number, sub: boolean) => string;
  watchSub: string;
  tryAgain: string;
}

export const liveTileLabels: Record<'zh' | 'en', LiveTileLabels> = {
  zh: {
    state: { connecting: '连接中…', playing: '直播', waiting: '等待画面…', retrying: '正在重连…', paused: '已暂停（不在可视区域）' },
    kind: { camera: '摄像机', screen: '考生屏幕' },
    sound: '声音',
    mute: '静音',
    enlarge: '点击放大，再次点击还原',
    hevc: HEVC_WORDS.zh,
    hevcEnlarge: '点击放大，可由服务器转码为 H.264 观看。',
    transcoded: '服务器转码 H.264',
    busy: (max, sub) =>
      (max === 0 ? '此服务器未开启 H.265 转码（media.hevcTranscodes 为 0）。' : `服务器同时最多为 ${max} 路 H.265 摄像机转码，现已用满，请稍后重试。`) +
      (sub ? '也可以先观看子码流。' : ''),
    watchSub: '观看子码流',
    tryAgain: '重试',
  },
  en: {
    state: { connecting: 'connecting…', playing: 'live', waiting: 'waiting…', retrying: 'reconnecting…', paused: 'paused (out of view)' },
    kind: { camera: 'camera', screen: 'screen' },
    sound: 'Sound',
    mute: 'Mute',
    enlarge: 'Click to enlarge, again to restore',
    hevc: HEVC_WORDS.en,
    hevcEnlarge: 'Click to enlarge: the server can transcode it to H.264 for you.',
    transcoded: 'transcoded to H.264',
    busy: (max, sub) =>
      (max === 0
        ? 'H.265 transcoding is turned off on this server (media.hevcTranscodes is 0).'
        : `The server transcodes at most ${max} H.265 cameras at once and all are in use; try again later.`) +
      (sub ? ' You can watch the sub-stream meanwhile.' : ''),
    watchSub: 'Watch the sub-stream',
    tryAgain: 'Try again',
  },
};

export function LiveTile({
  source,
  caption,
  big,
  onToggle,
  lang,
}: {
  source: LiveTileSource;
  caption: string;
  big: boolean;
  onToggle: () => void;
  lang: 'zh' | 'en';
}) {
  const l = liveTileLabels[lang];
  const figure = useRef<HTMLElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const player = useRef<LivePlayer | null>(null);
  const [state, setState] = useState<TileState>('connecting');
  const [muted, setMuted] = useState(true);
  const takeSound = useOneUnmuted(() => {
    player.current?.setMuted(true);
    setMuted(true);
  });
  // A codec problem is said once, in words: no socket, no reconnect loop (a reconnect cannot fix it).
  const [hevcOk] = useState(canPlayHevc);
  const needsTranscode = source.video === 'hevc' && !hevcOk;
  /** Enlarged H.265 tile: the person took the sub-stream offered when the server was at its cap. */
  const [takeSub, setTakeSub] = useState(false);
  const transcoded = big && needsTranscode;
  // The transcode carries the sound: its tile is unmuted on the same stream. Back in the grid it cannot play.
  const stream = transcoded ? (takeSub && source.subWs ? 'sub' : 'h264') : !muted && !needsTranscode ? 'sound' : big ? 'main' : source.subWs ? 'sub' : 'main';
  const path = stream === 'sound' || stream === 'h264' ? `${source.ws}?stream=${stream}` : stream === 'main' ? source.ws : source.subWs!;
  // The transcode is asked for before its socket opens: a refusal (the cap) is said in words, not retried in a loop.
  const { checked, retry } = useTranscodeCheck(source.id, stream === 'h264');
  const blocked = needsTranscode && stream !== 'sub' && !(stream === 'h264' && checked && !checked.busy);
  useEffect(() => {
    if (big) return;
    setTakeSub(false);
    if (needsTranscode && !muted) {
      player.current?.setMuted(true);
      setMuted(true);
    }
  }, [big]);
  useEffect(() => {
    if (blocked) player.current?.stop();
    else player.current?.start();
  }, [blocked]);
  useEffect(() => {
    const p = new LivePlayer(video.current!, wsUrl(path), source.id, setState);
    player.current = p;
    const unobserve = p.observe(figure.current!);
    if (!blocked) p.start();
    return () => {
      unobserve();
      p.stop();
    };
  }, [source.id]);
  // Enlarging swaps the stream on the same player (and video element), so the picture stays put.
  useEffect(() => player.current?.setUrl(wsUrl(path)), [path]);
  return (
    <figure
      ref={figure}
      class={`tile ${blocked ? 'unsupported' : state}${big ? ' big' : ''}`}
      data-source={source.id}
      data-state={blocked ? 'unsupported' : state}
      data-stream={stream}
      onClick={onToggle}
      title={l.enlarge}
    >
      <video ref={video} muted playsInline autoplay />
      {blocked && stream !== 'h264' && (
        <p class="codec" role="status" data-testid="tile-codec">
          {l.hevc}
          {!big && <span class="hint"> {l.hevcEnlarge}</span>}
        </p>
      )}
      {blocked && checked?.busy && (
        <p class="codec" role="status" data-testid="tile-busy">
          {l.busy(checked.busy.max, checked.busy.sub && !!source.subWs)}{' '}
          <button
            type="button"
            onClick={(e) => {
              e.stopPropagation();
              retry();
            }}
          >
            {l.tryAgain}
          </button>
          {source.subWs && (
            <button
              type="button"
              data-testid="tile-watch-sub"
              onClick={(e) => {
                e.stopPropagation();
                setTakeSub(true);
              }}
            >
              {l.watchSub}
            </button>
          )}
        </p>
      )}
      <figcaption>
        <span class="name">{caption}</span>
        <span>{l.kind[source.kind] ?? source.kind}</span>
        {!blocked && <span class={`state ${state}`}>{l.state[state]}</span>}
        {stream === 'h264' && !blocked && <span class="transcoded">{l.transcoded}</span>}
        {source.kind === 'camera' && !blocked && (!needsTranscode || stream === 'h264') && (
          <button
            type="button"
            class="sound"
            onClick={(e) => {
              e.stopPropagation();
              if (muted) takeSound();
              player.current?.setMuted(!muted);
              setMuted(!muted);
            }}
          >
            {muted ? l.sound : l.mute}
          </button>
        )}
      </figcaption>
    </figure>
  );
}
