// One live tile of a grid, shared by the proctor console and the inspector view: the grid plays a
// camera's sub-stream (when it has one), an enlarged tile the main stream; a tile off screen or on a
// hidden page plays nothing (for an inspector each opened stream is an audited view, so that matters).
// Tiles are video only (the sound the camera sends is not in the tile's stream); the one tile unmuted
// plays the source's `sound` stream instead (same video, sound as AAC, encoded on the server while
// someone listens), and unmuting another tile mutes it. Words: `liveTileLabels` below.
import { useEffect, useRef, useState } from 'preact/hooks';
import { canPlayHevc, HEVC_WORDS, LivePlayer, wsUrl, type TileState } from './player.ts';
import { useOneUnmuted } from './one-sound.ts';
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
}

export const liveTileLabels: Record<'zh' | 'en', LiveTileLabels> = {
  zh: {
    state: { connecting: '连接中…', playing: '直播', waiting: '等待画面…', retrying: '正在重连…', paused: '已暂停（不在可视区域）' },
    kind: { camera: '摄像机', screen: '考生屏幕' },
    sound: '声音',
    mute: '静音',
    enlarge: '点击放大，再次点击还原',
    hevc: HEVC_WORDS.zh,
  },
  en: {
    state: { connecting: 'connecting…', playing: 'live', waiting: 'waiting…', retrying: 'reconnecting…', paused: 'paused (out of view)' },
    kind: { camera: 'camera', screen: 'screen' },
    sound: 'Sound',
    mute: 'Mute',
    enlarge: 'Click to enlarge, again to restore',
    hevc: HEVC_WORDS.en,
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
  const stream = !muted ? 'sound' : big || !source.subWs ? 'main' : 'sub';
  const path = stream === 'sound' ? `${source.ws}?stream=sound` : stream === 'main' ? source.ws : source.subWs!;
  // A codec problem is said once, in words: no socket, no reconnect loop (a reconnect cannot fix it).
  const [hevcOk] = useState(canPlayHevc);
  const blocked = source.video === 'hevc' && stream !== 'sub' && !hevcOk;
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
      {blocked && (
        <p class="codec" role="status" data-testid="tile-codec">
          {l.hevc}
        </p>
      )}
      <figcaption>
        <span class="name">{caption}</span>
        <span>{l.kind[source.kind] ?? source.kind}</span>
        {!blocked && <span class={`state ${state}`}>{l.state[state]}</span>}
        {source.kind === 'camera' && !blocked && (
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
