// One live tile: mpegts.js playing /ws/live/:source into a <video>, reconnecting when the socket
// closes (the relay drops a viewer that fell behind, or the source restarted) or fails.
import mpegts from 'mpegts.js';

export type TileState = 'connecting' | 'waiting' | 'playing' | 'retrying';

export interface TileStats {
  state: TileState;
  /** Frames presented since the page opened (requestVideoFrameCallback). */
  frames: number;
  /** Seconds of video buffered ahead of the playhead. */
  buffered: number;
  /** Glass-to-glass latency samples in ms, read from the time code the test source burns into its top rows (?measure=1). */
  latencies: number[];
  reconnects: number;
}

declare global {
  interface Window {
    /** Per source, for people debugging a tile and for the end-to-end test. */
    __live?: Record<string, TileStats>;
  }
}

const RETRY_MS = 1500;

export class LivePlayer {
  private player: mpegts.Player | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  readonly stats: TileStats = { state: 'connecting', frames: 0, buffered: 0, latencies: [], reconnects: 0 };
  private canvas: OffscreenCanvas | null = null;

  constructor(
    private video: HTMLVideoElement,
    private wsUrl: string,
    private sourceId: string,
    private onState: (s: TileState) => void,
    private measure = false,
  ) {
    (window.__live ??= {})[sourceId] = this.stats;
    this.countFrames();
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.close();
  }

  private setState(s: TileState): void {
    this.stats.state = s;
    this.onState(s);
  }

  private open(): void {
    this.setState('connecting');
    // Low latency over smoothness: no stash buffer, and the playhead chases the live edge when more
    // than 0.8 s has piled up (a viewer that joined on a cached GOP starts up to one GOP behind).
    const player = mpegts.createPlayer(
      { type: 'mpegts', isLive: true, url: this.wsUrl },
      {
        enableWorker: false,
        enableStashBuffer: false,
        liveBufferLatencyChasing: true,
        liveBufferLatencyMaxLatency: 0.8,
        liveBufferLatencyMinRemain: 0.2,
        lazyLoad: false,
        autoCleanupSourceBuffer: true,
      },
    );
    this.player = player;
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

  private close(): void {
    const p = this.player;
    this.player = null;
    if (!p) return;
    try {
      p.pause();
      p.unload();
      p.detachMediaElement();
      p.destroy();
    } catch {
      // a player that failed half-way may refuse parts of its teardown
    }
  }

  private again(): void {
    if (this.stopped || this.retry) return;
    this.close();
    this.stats.reconnects++;
    this.setState('retrying');
    this.retry = setTimeout(() => {
      this.retry = null;
      if (!this.stopped) this.open();
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
