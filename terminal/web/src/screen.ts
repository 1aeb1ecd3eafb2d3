// The terminal's own screen, recorded and relayed like a camera (docs/media.md, "Terminal screens"):
// getDisplayMedia → a canvas redrawn at 2 fps → MediaRecorder (H.264 in Matroska/WebM) → /ws/screen.
// Whatever goes wrong here must never reach the candidate: no dialog, no banner, no picker shown
// twice in a row. The state is in window.__screen and the console, for the technician and the tests.

export type ScreenSurface = 'desktop' | 'tab';

export type ScreenState =
  | 'idle'
  | 'acquiring'
  /** getDisplayMedia wants a user gesture: tried once more on the next click or key press. */
  | 'waiting-activation'
  | 'connecting'
  | 'sending'
  | 'retrying'
  /** No capture on this page load (no API, no H.264 recorder, refused, or a picker left open). */
  | 'unavailable'
  | 'stopped';

export interface ScreenStatus {
  state: ScreenState;
  surface: ScreenSurface;
  mimeType: string | null;
  /** What the capture delivers (before the canvas scales it to at most MAX_WIDTH). */
  captured: { width: number; height: number; label: string; displaySurface: string | null } | null;
  connects: number;
  chunks: number;
  bytesSent: number;
  lastError: string | null;
  retryInMs: number | null;
}

// Values shared with media/screens.ts and media/live-routes.ts (the app imports nothing of the server's).
const SCREEN_PATH = '/ws/screen';
const CLOSE_REVOKED = 4401;
const CLOSE_SOURCE_RESTARTED = 4009;

/** Ingest restarts a source after 10 s without progress: a still screen must still yield frames. */
const FPS = 2;
/**
 * The first seconds of every recording run faster. Chromium's recorder writes blocks without
 * durations, and ffmpeg (5.1) then reads 31 frames before it writes anything (find_stream_info
 * has no frame rate and no duration to stop at); at 2 fps that is 15.5 s, past ingest's stall
 * limit (10 s + 5 s of grace). 10 fps for 4 s gets ingest going in ≈ 3 s.
 */
const BURST_FPS = 10;
const BURST_MS = 4_000;
const MAX_WIDTH = 1280;
const BITS_PER_SECOND = 300_000;
/** A viewer who joins waits at most this long for a key frame; segments are cut on them too. */
const KEY_FRAME_MS = 4_000;
const TIMESLICE_MS = 1_000;
/**
 * H.264 only: ingest stream-copies video into MPEG-TS, which cannot hold VP8/VP9. Both names are
 * Matroska with H.264 to ffmpeg.
 */
export const SCREEN_MIME_TYPES = ['video/x-matroska;codecs=avc1', 'video/webm;codecs=h264', 'video/webm;codecs=avc1'] as const;
const BACKOFF_FIRST_MS = 2_000;
const BACKOFF_MAX_MS = 30_000;
/** Streaming this long counts as healthy: the next failure starts the backoff from the beginning. */
const HEALTHY_MS = 60_000;
/** Unsent bytes beyond which this connection is hopeless (the network is far slower than 300 kbit/s). */
const MAX_BACKLOG = 4 * 1024 * 1024;
/** A getDisplayMedia that has not answered by then has a picker open, or hangs: never ask again. */
const ACQUIRE_PATIENCE_MS = 30_000;
/** getDisplayMedia calls per page load, all causes together: a bound on pickers a candidate could see. */
const MAX_ACQUISITIONS = 3;
const REACQUIRE_AFTER_MS = 10_000;

function log(level: 'info' | 'warn', what: string, extra?: unknown): void {
  // warn, never error: a screen that cannot be sent is the technician's business, not a page fault.
  console[level](`[screen] ${what}`, ...(extra === undefined ? [] : [extra]));
}

function errText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export function pickScreenMimeType(isSupported: (t: string) => boolean = (t) => MediaRecorder.isTypeSupported(t)): string | null {
  return SCREEN_MIME_TYPES.find((t) => isSupported(t)) ?? null;
}

export class ScreenSender {
  readonly status: ScreenStatus;
  private stream: MediaStream | null = null;
  private video: HTMLVideoElement | null = null;
  private canvas: HTMLCanvasElement | null = null;
  private canvasStream: MediaStream | null = null;
  private drawTimer: ReturnType<typeof setTimeout> | undefined;
  private draw: (() => void) | null = null;
  private burstUntil = 0;
  private ws: WebSocket | null = null;
  private recorder: MediaRecorder | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private reacquireTimer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private openedAt = 0;
  private acquisitions = 0;
  private started = false;
  private stopped = false;
  private removeActivation: (() => void) | null = null;

  constructor(
    private readonly url: string,
    surface: ScreenSurface,
    private readonly onStatus: (s: ScreenStatus) => void = () => {},
  ) {
    this.status = { state: 'idle', surface, mimeType: null, captured: null, connects: 0, chunks: 0, bytesSent: 0, lastError: null, retryInMs: null };
  }

  static urlFor(loc: Location): string {
    return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}${SCREEN_PATH}`;
  }

  /** Starts capturing and sending; never throws, never rejects. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    if (!navigator.mediaDevices?.getDisplayMedia || typeof MediaRecorder === 'undefined' || !HTMLCanvasElement.prototype.captureStream) {
      return this.unavailable('this browser has no getDisplayMedia/MediaRecorder/canvas.captureStream');
    }
    const mimeType = pickScreenMimeType();
    if (!mimeType) return this.unavailable(`MediaRecorder records none of ${SCREEN_MIME_TYPES.join(', ')} (H.264 is required)`);
    this.set({ mimeType });
    this.acquire(false);
  }

  /** Stops for good: the device was revoked or unpaired, or another page of this terminal took over. */
  stop(reason = 'stopped'): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.reacquireTimer);
    this.removeActivation?.();
    this.closeSocket(1000, 'terminal stopped sending its screen');
    this.releaseCapture();
    log('info', `stopped: ${reason}`);
    this.set({ state: 'stopped', retryInMs: null });
  }

  // ---------------------------------------------------------------- capture

  private acquire(withActivation: boolean): void {
    if (this.stopped) return;
    if (this.acquisitions >= MAX_ACQUISITIONS) return this.unavailable(`gave up after ${MAX_ACQUISITIONS} capture attempts on this page load`);
    this.acquisitions++;
    this.set({ state: 'acquiring' });
    const video: MediaTrackConstraints & { displaySurface?: string } = { frameRate: { ideal: 5, max: 5 }, width: { max: MAX_WIDTH } };
    const options: DisplayMediaStreamOptions & Record<string, unknown> = { video, audio: false };
    if (this.status.surface === 'tab') {
      // Chromium's --auto-accept-this-tab-capture accepts this one without a picker.
      options.preferCurrentTab = true;
      options.selfBrowserSurface = 'include';
    } else {
      // With --auto-select-desktop-capture-source=<name> Chromium picks the whole screen by itself.
      video.displaySurface = 'monitor';
      options.monitorTypeSurfaces = 'include';
    }
    let settled = false;
    const patience = setTimeout(() => {
      if (settled || this.stopped) return;
      // Most likely a picker nobody answers. Asking again would stack pickers: wait for this one only.
      this.unavailable(`getDisplayMedia has not answered in ${ACQUIRE_PATIENCE_MS / 1000} s (a picker open without the kiosk flags or policy?)`);
    }, ACQUIRE_PATIENCE_MS);
    let pending: Promise<MediaStream>;
    try {
      pending = navigator.mediaDevices.getDisplayMedia(options);
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (stream) => {
        settled = true;
        clearTimeout(patience);
        if (this.stopped) return void stream.getTracks().forEach((t) => t.stop());
        void this.useCapture(stream);
      },
      (err: unknown) => {
        settled = true;
        clearTimeout(patience);
        if (this.stopped) return;
        const name = (err as { name?: string })?.name;
        // Without the ScreenCaptureWithoutGestureAllowedForOrigins policy Chromium wants a user gesture.
        // The candidate clicks and types anyway (log-in): try once from inside that gesture.
        if (!withActivation && (name === 'InvalidStateError' || (name === 'NotAllowedError' && !navigator.userActivation?.isActive))) {
          this.set({ lastError: errText(err) });
          return this.awaitActivation();
        }
        this.unavailable(`getDisplayMedia refused: ${errText(err)}`);
      },
    );
  }

  private awaitActivation(): void {
    log('info', 'screen capture needs a user gesture: trying once more on the next click or key');
    this.set({ state: 'waiting-activation' });
    const onGesture = () => {
      this.removeActivation?.();
      // Synchronously inside the handler: the gesture's transient activation is what Chromium checks.
      this.acquire(true);
    };
    const opts = { capture: true, passive: true } as const;
    window.addEventListener('pointerdown', onGesture, opts);
    window.addEventListener('keydown', onGesture, opts);
    this.removeActivation = () => {
      window.removeEventListener('pointerdown', onGesture, opts);
      window.removeEventListener('keydown', onGesture, opts);
      this.removeActivation = null;
    };
  }

  private async useCapture(stream: MediaStream): Promise<void> {
    const track = stream.getVideoTracks()[0];
    if (!track) {
      stream.getTracks().forEach((t) => t.stop());
      return this.unavailable('getDisplayMedia gave no video track');
    }
    this.stream = stream;
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    this.video = video;
    try {
      await video.play();
      if (!video.videoWidth) await new Promise<void>((r) => video.addEventListener('loadedmetadata', () => r(), { once: true }));
    } catch (err) {
      this.releaseCapture();
      return this.unavailable(`the captured screen does not play: ${errText(err)}`);
    }
    if (this.stopped) return this.releaseCapture();
    const settings = track.getSettings() as MediaTrackSettings & { displaySurface?: string };
    const w = video.videoWidth || settings.width || MAX_WIDTH;
    const h = video.videoHeight || settings.height || Math.round((MAX_WIDTH * 9) / 16);
    const scale = Math.min(1, MAX_WIDTH / w);
    // Even sizes: H.264 with 4:2:0 chroma.
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(2, Math.round((w * scale) / 2) * 2);
    canvas.height = Math.max(2, Math.round((h * scale) / 2) * 2);
    const g = canvas.getContext('2d', { alpha: false });
    if (!g) {
      this.releaseCapture();
      return this.unavailable('no 2D canvas');
    }
    this.canvas = canvas;
    // The size stays fixed for the whole capture (a recorder does not follow a resized canvas):
    // a screen whose resolution changes is letterboxed into it.
    const draw = () => {
      const vw = video.videoWidth;
      const vh = video.videoHeight;
      if (!vw || !vh) return;
      const s = Math.min(canvas.width / vw, canvas.height / vh);
      const dw = Math.round(vw * s);
      const dh = Math.round(vh * s);
      if (dw !== canvas.width || dh !== canvas.height) {
        g.fillStyle = '#000';
        g.fillRect(0, 0, canvas.width, canvas.height);
      }
      g.drawImage(video, (canvas.width - dw) / 2, (canvas.height - dh) / 2, dw, dh);
    };
    draw();
    this.draw = draw;
    // No frame rate here: every drawing is a frame, so the timer alone sets the rate (and the burst).
    this.canvasStream = canvas.captureStream();
    this.set({ captured: { width: w, height: h, label: track.label, displaySurface: settings.displaySurface ?? null } });
    log(
      'info',
      `capturing ${settings.displaySurface ?? 'screen'} "${track.label}" ${w}×${h}, sending ${canvas.width}×${canvas.height} at ${FPS} fps as ${this.status.mimeType}`,
    );
    track.addEventListener('ended', () => this.captureEnded());
    this.openSocket();
  }

  /** "Stop sharing", a display unplugged: capture again a little later, within MAX_ACQUISITIONS. */
  private captureEnded(): void {
    if (this.stopped) return;
    log('warn', 'the screen capture ended');
    clearTimeout(this.retryTimer);
    this.closeSocket(1000, 'screen capture ended');
    this.releaseCapture();
    this.set({ state: 'retrying', lastError: 'screen capture ended', retryInMs: REACQUIRE_AFTER_MS });
    this.reacquireTimer = setTimeout(() => this.acquire(false), REACQUIRE_AFTER_MS);
  }

  /**
   * A timer, not requestVideoFrameCallback: the capturer sends no frames while nothing changes, and
   * ingest takes 10 s without progress for a stall.
   */
  private tick = (): void => {
    this.draw?.();
    const fps = performance.now() < this.burstUntil ? BURST_FPS : FPS;
    this.drawTimer = setTimeout(this.tick, 1000 / fps);
  };

  private releaseCapture(): void {
    clearTimeout(this.drawTimer);
    this.draw = null;
    this.canvasStream?.getTracks().forEach((t) => t.stop());
    this.stream?.getTracks().forEach((t) => t.stop());
    if (this.video) this.video.srcObject = null;
    this.canvasStream = null;
    this.stream = null;
    this.video = null;
    this.canvas = null;
  }

  // ---------------------------------------------------------------- sending

  private openSocket(): void {
    if (this.stopped || !this.canvasStream) return;
    this.set({ state: 'connecting', retryInMs: null });
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      this.set({ lastError: errText(err) });
      return this.scheduleRetry();
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.openedAt = performance.now();
      this.set({ connects: this.status.connects + 1 });
      // Only now: the recorder's first chunk (the Matroska header) must be the socket's first message.
      this.startRecorder(ws);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopRecorder();
      if (this.stopped) return;
      const why = `closed ${ev.code}${ev.reason ? `: ${ev.reason}` : ''}`;
      this.set({ lastError: why });
      if (ev.code === CLOSE_REVOKED) return this.stop('the device token was revoked');
      // Two pages of one terminal would take the screen from each other forever: the newer keeps it.
      if (ev.code === CLOSE_SOURCE_RESTARTED && /replaced/i.test(ev.reason)) return this.stop('another page of this terminal sends the screen');
      log('warn', `screen socket ${why}`);
      this.scheduleRetry();
    };
    ws.onerror = () => {}; // a close follows, with the code
  }

  private startRecorder(ws: WebSocket): void {
    const stream = this.canvasStream;
    const mimeType = this.status.mimeType;
    if (!stream || !mimeType) return;
    let recorder: MediaRecorder;
    try {
      // A new recorder per connection: the server needs a fresh header, a Matroska stream cannot be joined mid-way.
      recorder = new MediaRecorder(stream, {
        mimeType,
        videoBitsPerSecond: BITS_PER_SECOND,
        videoKeyFrameIntervalDuration: KEY_FRAME_MS,
      } as MediaRecorderOptions);
    } catch (err) {
      this.closeSocket(1000, 'no recorder');
      this.releaseCapture();
      this.unavailable(`MediaRecorder(${mimeType}) failed: ${errText(err)}`);
      return;
    }
    this.recorder = recorder;
    let chain = Promise.resolve();
    recorder.ondataavailable = (e) => {
      if (!e.data.size) return;
      // arrayBuffer() is asynchronous: the chain keeps the chunks in the recorder's order.
      chain = chain.then(async () => {
        const bytes = await e.data.arrayBuffer();
        if (this.ws !== ws || ws.readyState !== WebSocket.OPEN) return;
        if (ws.bufferedAmount > MAX_BACKLOG) return void ws.close(4000, 'screen backlog too large');
        ws.send(bytes);
        if (this.status.state !== 'sending') log('info', 'sending the screen');
        this.set({ state: 'sending', chunks: this.status.chunks + 1, bytesSent: this.status.bytesSent + bytes.byteLength });
      });
    };
    recorder.onerror = (e) => {
      this.set({ lastError: `recorder: ${errText((e as unknown as { error?: unknown }).error ?? e)}` });
      if (this.ws === ws) ws.close(4000, 'recorder failed');
    };
    try {
      recorder.start(TIMESLICE_MS);
      this.burstUntil = performance.now() + BURST_MS;
      clearTimeout(this.drawTimer);
      this.tick();
    } catch (err) {
      this.set({ lastError: `recorder start: ${errText(err)}` });
      ws.close(4000, 'recorder failed to start');
    }
  }

  private stopRecorder(): void {
    // Nothing to draw for until the next recorder.
    clearTimeout(this.drawTimer);
    const r = this.recorder;
    this.recorder = null;
    if (!r) return;
    r.ondataavailable = null;
    r.onerror = null;
    try {
      if (r.state !== 'inactive') r.stop();
    } catch {
      // already stopped
    }
  }

  private closeSocket(code: number, reason: string): void {
    const ws = this.ws;
    this.ws = null;
    this.stopRecorder();
    try {
      ws?.close(code, reason);
    } catch {
      // not open yet
    }
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    if (this.openedAt && performance.now() - this.openedAt > HEALTHY_MS) this.attempt = 0;
    this.openedAt = 0;
    // Jitter: a room of terminals does not come back in lock-step after a server restart.
    const delay = Math.round(Math.min(BACKOFF_FIRST_MS * 2 ** this.attempt, BACKOFF_MAX_MS) * (0.75 + Math.random() * 0.5));
    this.attempt++;
    this.set({ state: 'retrying', retryInMs: delay });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.openSocket(), delay);
  }

  private unavailable(why: string): void {
    if (this.stopped) return;
    log('warn', `not sending the screen: ${why}`);
    this.set({ state: 'unavailable', lastError: why, retryInMs: null });
  }

  private set(patch: Partial<ScreenStatus>): void {
    Object.assign(this.status, patch);
    this.onStatus(this.status);
  }
}
