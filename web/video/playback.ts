// Playback of recorded footage in the browser: the MPEG-TS segments of one source, played one after
// another by mpegts.js over plain HTTP (Chromium has no native HLS, and MPEG-TS carries no index that
// mpegts.js could seek by). Each segment is its own player; two <video> elements take turns so that
// the next segment is loaded, paused at its first frame, while the current one plays out. A hole in
// the recordings is shown as such ("no recording: <reason>") and skipped. The time shown is the
// server's: the segment's start (from the segment index) plus the video's position in it.
import mpegts from 'mpegts.js';
import { destroyPlayer } from './player.ts';

export interface PlaySegment {
  id: number;
  start: number;
  end: number;
  url: string;
}

export interface PlayGap {
  start: number;
  end: number;
  reason: string;
}

/** Marks a failure as the object store not answering (the segment was tiered there): the view words it. */
export const STORE_UNAVAILABLE = 'store_unavailable';

export type PlaybackState = 'idle' | 'loading' | 'playing' | 'paused' | 'gap' | 'ended' | 'error';

export interface PlaybackStatus {
  state: PlaybackState;
  /** Server time (epoch ms) of the frame on screen; null before anything is shown. */
  at: number | null;
  segmentId: number | null;
  /** The hole being skipped while state is 'gap' (and the last one, once 'ended' after it). */
  gap: PlayGap | null;
  error: string | null;
}

/** Jumping to an alert starts this long before it: the lead-up is what a person wants to see. */
export const JUMP_BEFORE_ALERT_MS = 10_000;
/** How long the "no recording" notice stays before the next segment plays. */
export const GAP_NOTICE_MS = 1500;
/** Holes shorter than this between segments are seams of one recording (media/playback.ts, GAP_TOLERANCE_MS). */
const SEAM_MS = 2000;
/** The next segment starts loading when the current one has this many seconds left. */
const PRELOAD_S = 8;
/** How long to wait for the bytes up to a seek target before giving up on the segment. */
const LOAD_TIMEOUT_MS = 60_000;
/** A segment wholly loaded that still shows nothing after this long has no frame to show. */
const EMPTY_AFTER_MS = 1500;

class NothingToPlay extends Error {}

/** What the page exposes per source, for people debugging playback and for the end-to-end test. */
export interface PlaybackDebug {
  state: PlaybackState;
  at: number | null;
  segmentId: number | null;
  frames: number;
  videoWidth: number;
  /** Segments that have played, in order. */
  played: number[];
  /** Holes skipped, in order. */
  skipped: PlayGap[];
  error: string | null;
}

declare global {
  interface Window {
    __playback?: Record<string, PlaybackDebug>;
  }
}

interface Slot {
  video: HTMLVideoElement;
  player: mpegts.Player | null;
  seg: PlaySegment | null;
  /** The whole segment is in the media element's buffer. */
  complete: boolean;
  /** Resolves when the segment's first bytes are decodable (or rejects on a load error). */
  ready: Promise<void> | null;
}

export class PlaybackEngine {
  private slots: [Slot, Slot];
  private cur = 0;
  private segments: PlaySegment[] = [];
  private gaps: PlayGap[] = [];
  private muted = true;
  /** Bumped by every jump and by destroy: async work of an older one sees it and stops. */
  private epoch = 0;
  private gapTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval>;
  private lastProgress = { t: -1, since: 0 };
  private status: PlaybackStatus = { state: 'idle', at: null, segmentId: null, gap: null, error: null };
  readonly debug: PlaybackDebug = { state: 'idle', at: null, segmentId: null, frames: 0, videoWidth: 0, played: [], skipped: [], error: null };

  constructor(
    host: HTMLElement,
    key: string,
    private onStatus: (s: PlaybackStatus) => void,
  ) {
    (window.__playback ??= {})[key] = this.debug;
    const make = (): Slot => {
      const video = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      video.preload = 'auto';
      video.className = 'pb-video';
      host.appendChild(video);
      return { video, player: null, seg: null, complete: false, ready: null };
    };
    this.slots = [make(), make()];
    this.slots[1].video.hidden = true;
    for (const [i, slot] of this.slots.entries()) {
      const v = slot.video;
      v.addEventListener('ended', () => i === this.cur && this.advance());
      v.addEventListener('timeupdate', () => i === this.cur && this.onTime());
      v.addEventListener('playing', () => i === this.cur && this.report({ state: 'playing' }));
      v.addEventListener('pause', () => i === this.cur && this.status.state === 'playing' && !v.ended && this.report({ state: 'paused' }));
      const onFrame = () => {
        if (i === this.cur && !v.hidden) {
          this.debug.frames++;
          this.debug.videoWidth = v.videoWidth;
        }
        v.requestVideoFrameCallback(onFrame);
      };
      v.requestVideoFrameCallback(onFrame);
    }
    // 'ended' is the normal way on; this covers a segment whose tail never decodes (a cut-off file).
    this.watchdog = setInterval(() => this.checkStalled(), 500);
  }

  private get current(): Slot {
    return this.slots[this.cur === 0 ? 0 : 1];
  }

  private get spare(): Slot {
    return this.slots[this.cur === 0 ? 1 : 0];
  }

  /** The recordings of the range being shown (oldest first or not; they are sorted here). */
  setRecordings(segments: PlaySegment[], gaps: PlayGap[]): void {
    this.segments = [...segments].sort((a, b) => a.start - b.start);
    this.gaps = [...gaps].sort((a, b) => a.start - b.start);
  }

  /** Plays from server time t: the segment holding it, seeked to t; in a hole, the notice then the next segment. */
  playAt(t: number): void {
    const epoch = ++this.epoch;
    this.clearGapTimer();
    // A jump forgets the hole skipped last; playing on across holes keeps the latest one on show.
    this.status.gap = null;
    const seg = this.segments.find((s) => s.start <= t && t < s.end);
    const here = this.current;
    if (seg && here.seg?.id === seg.id && isBuffered(here.video, (t - seg.start) / 1000)) {
      // A click inside what is loaded already: a plain seek.
      here.video.currentTime = (t - seg.start) / 1000;
      void here.video.play().catch(() => {});
      return this.report({ at: t, gap: null });
    }
    if (seg) return void this.startSegment(seg, (t - seg.start) / 1000, epoch);
    const next = this.segments.find((s) => s.start > t) ?? null;
    const gap = this.gaps.find((g) => g.start <= t && t < g.end) ?? { start: t, end: next?.start ?? t, reason: 'no recording' };
    this.showGap(gap, next, epoch);
  }

  pause(): void {
    const v = this.current.video;
    if (this.status.state === 'gap') {
      this.clearGapTimer();
      this.report({ state: 'paused' });
      return;
    }
    v.pause();
    this.report({ state: 'paused' });
  }

  resume(): void {
    const slot = this.current;
    if (this.status.state === 'paused' && this.status.gap && !slot.seg) {
      // Paused on a hole's notice: carry on to what follows it.
      const next = this.segments.find((s) => s.start >= this.status.gap!.end - SEAM_MS) ?? null;
      return void (next ? this.startSegment(next, 0, ++this.epoch) : this.report({ state: 'ended' }));
    }
    if (this.status.state === 'ended' || !slot.seg) {
      if (this.status.at !== null) this.playAt(this.status.at);
      return;
    }
    void slot.video.play().catch(() => {});
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    const v = this.current.video;
    v.muted = muted;
    if (!muted && !v.paused) void v.play().catch(() => {});
  }

  destroy(): void {
    this.epoch++;
    this.clearGapTimer();
    clearInterval(this.watchdog);
    for (const s of this.slots) {
      this.unload(s);
      s.video.remove();
    }
  }

  private report(patch: Partial<PlaybackStatus>): void {
    this.status = { ...this.status, ...patch };
    Object.assign(this.debug, { state: this.status.state, at: this.status.at, segmentId: this.status.segmentId, error: this.status.error });
    this.onStatus(this.status);
  }

  private clearGapTimer(): void {
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
  }

  private showGap(gap: PlayGap, next: PlaySegment | null, epoch: number): void {
    // What played before the hole goes; the segment after it loads in the other element meanwhile.
    const slot = this.current;
    slot.video.pause();
    this.unload(slot);
    this.debug.skipped.push(gap);
    this.report({ state: 'gap', gap, at: gap.start, segmentId: null });
    if (next) this.preload(next);
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      if (epoch !== this.epoch) return;
      if (next) void this.startSegment(next, 0, epoch);
      else this.report({ state: 'ended' });
    }, GAP_NOTICE_MS);
  }

  private async startSegment(seg: PlaySegment, offsetS: number, epoch: number): Promise<void> {
    // The next segment preloaded in the other element: swap to it (a seek inside it works the same).
    let slot: Slot;
    if (this.spare.seg?.id === seg.id) {
      this.unload(this.current);
      this.cur = 1 - this.cur;
      slot = this.current;
    } else {
      slot = this.current;
      this.unload(this.spare);
      this.load(slot, seg);
    }
    this.show(slot);
    this.lastProgress = { t: -1, since: performance.now() };
    this.report({ state: 'loading', segmentId: seg.id, at: seg.start + offsetS * 1000, error: null });
    try {
      await slot.ready;
      await this.bufferUpTo(slot, offsetS, epoch);
    } catch (err) {
      if (epoch !== this.epoch) return;
      // A sliver cut as the camera dropped (no whole frame in it): nothing to show, so go on past it.
      if (err instanceof NothingToPlay && this.current === slot) return this.advance();
      return this.fail(seg, err);
    }
    if (epoch !== this.epoch || this.current !== slot) return;
    const v = slot.video;
    if (offsetS > 0.05) v.currentTime = Math.min(offsetS, bufferedEnd(v) - 0.05);
    v.muted = this.muted;
    this.debug.played.push(seg.id);
    await v.play().catch(() => {
      // Autoplay with sound refused (no user gesture yet): play muted rather than not at all.
      v.muted = true;
      return v.play().catch(() => {});
    });
  }

  private fail(seg: PlaySegment, err: unknown): void {
    const why = err instanceof Error ? err.message : String(err);
    this.report({ state: 'error', error: `segment ${seg.id}: ${why}` });
  }

  private show(slot: Slot): void {
    for (const s of this.slots) s.video.hidden = s !== slot;
  }

  private load(slot: Slot, seg: PlaySegment): void {
    this.unload(slot);
    const player = mpegts.createPlayer(
      { type: 'mpegts', isLive: false, url: seg.url },
      {
        enableWorker: false,
        // Load ahead within bounds; the buffer behind the playhead is let go (a segment may be minutes long).
        lazyLoad: true,
        lazyLoadMaxDuration: 90,
        lazyLoadRecoverDuration: 30,
        autoCleanupSourceBuffer: true,
        autoCleanupMaxBackwardDuration: 40,
        autoCleanupMinBackwardDuration: 20,
        fixAudioTimestampGap: true,
      },
    );
    slot.player = player;
    slot.seg = seg;
    slot.complete = false;
    slot.ready = new Promise<void>((resolve, reject) => {
      player.on(mpegts.Events.ERROR, (type: string, detail: string, info?: { code?: number }) => {
        // 503 is the server saying the object store holding this tiered segment does not answer (media/routes.ts).
        const err = new Error(info?.code === 503 ? `${STORE_UNAVAILABLE}: ${type}: ${detail}` : `${type}: ${detail}`);
        reject(err);
        if (slot.player === player && this.current === slot && this.status.state !== 'loading') this.fail(seg, err);
      });
      player.on(mpegts.Events.MEDIA_INFO, () => resolve());
      player.on(mpegts.Events.LOADING_COMPLETE, () => {
        slot.complete = true;
        resolve();
      });
    });
    slot.ready.catch(() => {});
    slot.video.muted = true;
    player.attachMediaElement(slot.video);
    player.load();
  }

  private unload(slot: Slot): void {
    const p = slot.player;
    slot.player = null;
    slot.seg = null;
    slot.complete = false;
    slot.ready = null;
    if (!p) return;
    destroyPlayer(p);
    slot.video.removeAttribute('src');
  }

  /**
   * Waits until the media element holds the bytes at offsetS. mpegts.js cannot seek inside MPEG-TS
   * (no index), so the segment loads from its start; the playhead follows the buffer forward so the
   * part behind it can be let go, and lands on the target once it is in.
   */
  private async bufferUpTo(slot: Slot, offsetS: number, epoch: number): Promise<void> {
    const v = slot.video;
    const deadline = performance.now() + LOAD_TIMEOUT_MS;
    let completeSince: number | null = null;
    for (;;) {
      if (epoch !== this.epoch || slot.player === null) return;
      const end = bufferedEnd(v);
      if (v.readyState >= 2 && (end > offsetS + 0.2 || (slot.complete && end > 0))) return;
      if (slot.complete) {
        completeSince ??= performance.now();
        if (end === 0 && performance.now() - completeSince > EMPTY_AFTER_MS) throw new NothingToPlay('the whole segment loaded and holds no picture');
      }
      if (end - 1 > v.currentTime + 10) v.currentTime = end - 1;
      if (performance.now() > deadline) throw new Error(`its first ${Math.round(offsetS)} s did not load within ${LOAD_TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private preload(seg: PlaySegment): void {
    const other = this.spare;
    if (other.seg?.id === seg.id) return;
    this.load(other, seg);
  }

  private nextAfter(seg: PlaySegment): PlaySegment | null {
    return this.segments.find((s) => s.start > seg.start && s.id !== seg.id && s.end > seg.end) ?? null;
  }

  private onTime(): void {
    const slot = this.current;
    const seg = slot.seg;
    if (!seg || this.status.state === 'gap') return;
    const v = slot.video;
    this.report({ at: seg.start + v.currentTime * 1000, segmentId: seg.id });
    const left = (seg.end - seg.start) / 1000 - v.currentTime;
    const next = this.nextAfter(seg);
    if (next && left < PRELOAD_S) this.preload(next);
  }

  private checkStalled(): void {
    const slot = this.current;
    const v = slot.video;
    if (!slot.seg || this.status.state !== 'playing' || v.paused) return;
    const now = performance.now();
    if (v.currentTime !== this.lastProgress.t) return void (this.lastProgress = { t: v.currentTime, since: now });
    // Nothing moved for two seconds at the end of everything this segment has: go on.
    if (slot.complete && now - this.lastProgress.since > 2000 && v.currentTime >= bufferedEnd(v) - 0.5) this.advance();
  }

  private advance(): void {
    const slot = this.current;
    const seg = slot.seg;
    if (!seg) return;
    const epoch = ++this.epoch;
    const next = this.nextAfter(seg);
    if (!next) {
      this.report({ state: 'ended', at: seg.end });
      return;
    }
    if (next.start - seg.end > SEAM_MS) {
      const gap = this.gaps.find((g) => g.start < next.start && g.end > seg.end) ?? { start: seg.end, end: next.start, reason: 'no recording' };
      return this.showGap(gap, next, epoch);
    }
    void this.startSegment(next, 0, epoch);
  }
}

function bufferedEnd(v: HTMLVideoElement): number {
  const b = v.buffered;
  return b.length ? b.end(b.length - 1) : 0;
}

function isBuffered(v: HTMLVideoElement, t: number): boolean {
  for (let i = 0; i < v.buffered.length; i++) if (t >= v.buffered.start(i) && t < v.buffered.end(i) - 0.1) return true;
  return false;
}
