// Webcam snapshots for the identity re-check: a small JPEG every N seconds, as the server's hello
// says. A PC without a camera (or a refused permission) simply sends none: the exam goes on and the
// proctor sees the missing snapshots on the server side.

const WIDTH = 320;
const HEIGHT = 240;

export class Webcam {
  private stream: MediaStream | null = null;
  private video: HTMLVideoElement | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private first: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** The getUserMedia error of a failed start, for the device-health report. */
  lastError: unknown = null;

  constructor(
    private readonly intervalSeconds: number,
    private readonly maxBytes: number,
    private readonly send: (jpegBase64: string) => void,
  ) {}

  /** Resolves true when the camera runs, false when there is none (never rejects). */
  async start(): Promise<boolean> {
    if (this.intervalSeconds <= 0 || !navigator.mediaDevices?.getUserMedia) return false;
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    } catch (err) {
      this.lastError = err;
      return false;
    }
    if (this.stopped) {
      this.release();
      return false;
    }
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = this.stream;
    this.video = video;
    try {
      await video.play();
    } catch {
      this.release();
      return false;
    }
    // The first frames of a camera are often dark while it adjusts its exposure.
    this.first = setTimeout(() => this.grab(), 2_000);
    this.timer = setInterval(() => this.grab(), this.intervalSeconds * 1000);
    return true;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.first);
    clearInterval(this.timer);
    this.release();
  }

  private release(): void {
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    if (this.video) this.video.srcObject = null;
    this.video = null;
  }

  private grab(): void {
    const video = this.video;
    if (!video || video.readyState < 2) return;
    const canvas = document.createElement('canvas');
    canvas.width = WIDTH;
    canvas.height = HEIGHT;
    const g = canvas.getContext('2d');
    if (!g) return;
    g.drawImage(video, 0, 0, WIDTH, HEIGHT);
    for (const quality of [0.75, 0.5, 0.3]) {
      const url = canvas.toDataURL('image/jpeg', quality);
      const b64 = url.slice(url.indexOf(',') + 1);
      if ((b64.length * 3) / 4 <= this.maxBytes) {
        this.send(b64);
        return;
      }
    }
  }
}
