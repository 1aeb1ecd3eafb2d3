// One live tile: mpegts.js playing /ws/live/:source into a <video>, reconnecting when the socket
// closes (the relay drops a viewer that fell behind, or the source restarted) or fails — unless the
// session it was opened with ended (mpegts.js hides the close code, so the tile asks: web/session-end.ts). A tile that
// nobody can see (scrolled out of view, page hidden) lets go of its socket and decoder: in a grid of
// 32, decoding is what the desk PC's CPU runs out of (docs/proctor-api.md, "32 tiles").
import mpegts from 'mpegts.js';
import { checkSession, sessionEnded } from '../session-end.ts';

/** paused: off screen or page hidden, nothing fetched or decoded until it is seen again. */
export type TileState = 'connecting' | 'waiting' | 'playing' | 'retrying' | 'paused';

export interface TileStats {
  state: TileState;
  /** Frames presented since the page opened (requestVideoFrameCallback). */
  frames: number;
  /** Seconds of video buffered ahead of the playhead. */
  buffered: number;
  /** Glass-to-glass latency samples in ms, read from the time code the test source burns into its top rows (?measure=1). */
  latencies: number[];
  reconnects: number;
  /** The WebSocket path being played (the main stream, or a camera's sub-stream with ?stream=sub). */
  url: string;
}

declare global {
  interface Window {
    /** Per source, for people debugging a tile and for the end-to-end test. */
    __live?: Record<string, TileStats>;
  }
}

const RETRY_MS = 1500;
/**
 * Low latency over smoothness: past MAX_AHEAD_S of buffer the playhead jumps to REMAIN_S before the
 * live edge (a viewer that joined on a cached GOP starts up to one GOP behind). Both grow with the
 * source's frame interval: a terminal screen sends 2 fps, one frame per 0.5 s, and with a fixed 0.8 s
 * the player skipped every other frame and stalled on the rest (11 % of the frames shown, bench/tiles.ts --room).
 */
const MAX_AHEAD_S = 0.8;
const REMAIN_S = 0.2;
const CHASE_EVERY_MS = 250;
/** A tile scrolled out of view keeps playing this long: a quick scroll past does not cost a reconnect. */
const PAUSE_AFTER_MS = 1000;

/** The absolute WebSocket URL of a path on this server (wss: under HTTPS); shared by every web app. */
/** Whether this browser can decode H.265 in MSE (Debian's Chromium cannot; many office PCs lack a decoder). */
export function canPlayHevc(): boolean {
  const ms = (globalThis as { MediaSource?: { isTypeSupported(t: string): boolean } }).MediaSource;
  return !!ms && (ms.isTypeSupported('video/mp4; codecs="hvc1.1.6.L93.B0"') || ms.isTypeSupported('video/mp4; codecs="hev1.1.6.L93.B0"'));
}

/** What a tile says instead of playing a camera that sends H.265 to a browser that cannot play it. */
export const HEVC_WORDS = {
  zh: '此浏览器无法播放 H.265 视频。请把摄像机的子码流设为 H.264 并在配置中填写 subUrl，或换用支持 H.265 的浏览器。',
  en: "This browser cannot play H.265 video. Set the camera's sub-stream to H.264 and give it as subUrl in the config, or use a browser that can play H.265.",
} as const;

export function wsUrl(path: string): string {
  return `${window.location.protocol === 'https:' ? 'wss:' : 'ws:'}//${window.location.host}${path}`;
}

/** Stops an mpegts.js player and frees its decoder and socket; shared by the live and playback players. */
export function destroyPlayer(p: mpegts.Player): void {
  try {
    p.pause();
    p.unload();
    p.detachMediaElement();
    p.destroy();
  } catch {
    // a player that failed half-way may refuse parts of its teardown
  }
}

export class LivePlayer {
  private player: mpegts.Player | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** Started and not stopped; whether it actually plays also depends on being seen (observe()). */
  private wanted = false;
  private seen = true;
  private pauseTimer: ReturnType<typeof setTimeout> | null = null;
  private chaser: ReturnType<typeof setInterval> | null = null;
  /** Recent growths of the buffered end: how far apart the source's frames arrive. */
  private located = true;
  private steps: number[] = [];
  private lastEnd = -1;
  readonly stats: TileStats;
  private canvas: OffscreenCanvas | null = null;

  constructor(
    private video: HTMLVideoElement,
    private wsUrl: string,
    private sourceId: string,
    private onState: (s: TileState) => void,
    private measure = false,
  ) {
    this.stats = { state: 'connecting', frames: 0, buffered: 0, latencies: [], reconnects: 0, url: wsUrl };
    (window.__live ??= {})[sourceId] = this.stats;
    this.countFrames();
  }

  start(): void {
    this.stopped = false;
    this.wanted = true;
    this.apply();
  }

  stop(): void {
    this.stopped = true;
    this.wanted = false;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.close();
  }

  /** Plays another stream of the source (a tile enlarged or restored): the socket is opened anew on it. */
  setUrl(wsUrl: string): void {
    if (wsUrl === this.wsUrl) return;
    this.wsUrl = wsUrl;
    this.stats.url = wsUrl;
    if (!this.player && !this.retry) return;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.close();
    this.open();
  }

  /**
   * Plays only while el is on screen and the page is visible; until the first report of where el is,
   * nothing is opened (a grid of 32 would otherwise connect every tile only to drop most of them).
   * Returns the function that stops watching.
   */
  observe(el: Element): () => void {
    this.seen = false;
    this.located = false;
    let onScreen = false;
    const update = () => {
      const seen = onScreen && !document.hidden;
      if (seen) {
        if (this.pauseTimer) clearTimeout(this.pauseTimer);
        this.pauseTimer = null;
        this.seen = true;
        this.apply();
      } else if (this.seen && !this.pauseTimer) {
        // A hidden page pauses at once (nothing there to be seen); a tile scrolled away after a moment.
        const hold = document.hidden ? 0 : PAUSE_AFTER_MS;
        this.pauseTimer = setTimeout(() => {
          this.pauseTimer = null;
          this.seen = false;
          this.apply();
        }, hold);
      }
    };
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) onScreen = e.isIntersecting;
      this.located = true;
      update();
      if (!onScreen) this.apply();
    });
    io.observe(el);
    document.addEventListener('visibilitychange', update);
    return () => {
      io.disconnect();
      document.removeEventListener('visibilitychange', update);
      if (this.pauseTimer) clearTimeout(this.pauseTimer);
      this.pauseTimer = null;
    };
  }

  private apply(): void {
    if (this.stopped || !this.wanted) return;
    if (this.seen) {
      if (!this.player && !this.retry) this.open();
      return;
    }
    // Not yet told where the tile is: stay "connecting" rather than flash "paused".
    if (!this.located) return;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    if (this.player) this.close();
    this.setState('paused');
  }

  private setState(s: TileState): void {
    this.stats.state = s;
    this.onState(s);
  }

  private open(): void {
    this.setState('connecting');
    // Low latency over smoothness: no stash buffer, and the playhead chases the live edge (chase()).
    const player = mpegts.createPlayer(
      { type: 'mpegts', isLive: true, url: this.wsUrl },
      {
        enableWorker: false,
        enableStashBuffer: false,
        // Chased here instead (chase()): mpegts.js's own chaser has one fixed limit for every frame rate.
        liveBufferLatencyChasing: false,
        lazyLoad: false,
        autoCleanupSourceBuffer: true,
      },
    );
    this.player = player;
    this.steps = [];
    this.lastEnd = -1;
    this.chaser = setInterval(() => this.chase(), CHASE_EVERY_MS);
    player.attachMediaElement(this.video);
    player.on(mpegts.Events.ERROR, () => this.again());
    // The relay closing the socket reaches mpegts.js as the end of the stream.
    player.on(mpegts.Events.LOADING_COMPLETE, () => this.again());
    player.on(mpegts.Events.MEDIA_INFO, () => {
      if (this.stats.state === 'connecting') this.setState('waiting');
    });
    player.load();
    void Promise.resolve(player.play()).catch(() => {});
  }

  /** Keeps the playhead near the live edge, allowing for the source's frame interval. */
  private chase(): void {
    const p = this.player;
    const b = this.video.buffered;
    if (!p || !b.length || this.video.paused) return;
    const end = b.end(b.length - 1);
    if (this.lastEnd >= 0 && end > this.lastEnd + 0.001) {
      this.steps.push(end - this.lastEnd);
      if (this.steps.length > 12) this.steps.shift();
    }
    this.lastEnd = end;
    const sorted = [...this.steps].sort((x, y) => x - y);
    // Sampled every 250 ms, the buffer of a source of 4 fps or more grows by about 0.25 s (one more
    // frame at most) at a time: it keeps the fixed limits. Steps of 0.4 s and more are sparse frames.
    const step = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
    const slow = step >= 0.4;
    if (end - this.video.currentTime > (slow ? 3 * step : MAX_AHEAD_S)) p.currentTime = end - (slow ? 1.2 * step : REMAIN_S);
  }

  private close(): void {
    if (this.chaser) clearInterval(this.chaser);
    this.chaser = null;
    const p = this.player;
    this.player = null;
    if (p) destroyPlayer(p);
  }

  private again(): void {
    if (this.stopped || this.retry) return;
    this.close();
    this.stats.reconnects++;
    this.setState('retrying');
    void checkSession();
    this.retry = setTimeout(() => {
      this.retry = null;
      if (!this.stopped && !sessionEnded()) this.apply();
    }, RETRY_MS);
  }

  private countFrames(): void {
    const v = this.video;
    const onFrame = () => {
      this.stats.frames++;
      const b = v.buffered;
      this.stats.buffered = b.length ? Math.max(0, b.end(b.length - 1) - v.currentTime) : 0;
      if (this.stats.state !== 'playing' && this.player) this.setState('playing');
      if (this.measure) this.readTimeCode();
      v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
  }

  /** The test source writes floor(epoch ms / 10) mod 2^24 as 24 black/white cells across its top 16 rows. */
  private readTimeCode(): void {
    const v = this.video;
    if (!v.videoWidth) return;
    this.canvas ??= new OffscreenCanvas(v.videoWidth, 16);
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) return;
    ctx.drawImage(v, 0, 0, v.videoWidth, 16, 0, 0, v.videoWidth, 16);
    const row = ctx.getImageData(0, 8, v.videoWidth, 1).data;
    let code = 0;
    for (let k = 0; k < 24; k++) {
      const x = Math.floor(((k + 0.5) * v.videoWidth) / 24);
      if (row[x * 4]! > 128) code += 2 ** k;
    }
    const nowCs = Math.floor(Date.now() / 10);
    const sentCs = nowCs - ((((nowCs - code) % 2 ** 24) + 2 ** 24) % 2 ** 24);
    const ms = Date.now() - sentCs * 10;
    if (ms >= 0 && ms < 60_000) this.stats.latencies.push(ms);
    if (this.stats.latencies.length > 2000) this.stats.latencies.shift();
  }

  setMuted(muted: boolean): void {
    this.video.muted = muted;
    if (!muted) void this.video.play().catch(() => {});
  }
}
