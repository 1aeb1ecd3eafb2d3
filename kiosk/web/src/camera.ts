// The kiosk's camera: one getUserMedia stream kept open between candidates (opening a USB camera
// takes a second or more, which would eat most of the 5-second budget per candidate), shown in a
// mirrored <video>, and grabbed into JPEG base64 frames for the server's quality, liveness and
// verification endpoints.

/** not-secure: the page is not a secure context, so the browser offers no camera at all (plain HTTP on a name or address). */
export type CameraStatus = 'off' | 'starting' | 'on' | 'denied' | 'missing' | 'not-secure';

/** Frames are sent at this size: the face engine works on 640×480, and a JPEG of it is ≈30–60 kB. */
const WIDTH = 640;
const HEIGHT = 480;

export class Camera {
  private stream: MediaStream | null = null;
  private video: HTMLVideoElement | null = null;
  private canvas: HTMLCanvasElement | null = null;
  private starting: Promise<CameraStatus> | null = null;
  status: CameraStatus = 'off';
  /** The browser's error name of the last failed open (for the device-health report). */
  lastError: string | null = null;

  constructor(private readonly onStatus: (s: CameraStatus) => void) {}

  /** Opens the camera once; later calls return the same outcome. Never rejects. */
  start(): Promise<CameraStatus> {
    if (this.status === 'on') return Promise.resolve('on');
    if (this.starting) return this.starting;
    this.starting = this.open().then((s) => {
      this.starting = null;
      this.set(s);
      return s;
    });
    return this.starting;
  }

  private async open(): Promise<CameraStatus> {
    if (!window.isSecureContext) return 'not-secure';
    if (!navigator.mediaDevices?.getUserMedia) return 'missing';
    this.set('starting');
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: WIDTH }, height: { ideal: HEIGHT }, facingMode: 'user' },
        audio: false,
      });
    } catch (err) {
      const name = (err as { name?: string }).name;
      this.lastError = name ?? 'Error';
      return name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : 'missing';
    }
    // A camera unplugged mid-day ends its track: the next candidate then sees "camera missing"
    // instead of a frozen picture.
    for (const track of this.stream.getVideoTracks()) track.addEventListener('ended', () => this.release('missing'));
    if (this.video) this.video.srcObject = this.stream;
    return 'on';
  }

  private set(s: CameraStatus): void {
    this.status = s;
    this.onStatus(s);
  }

  /** Points a preview element at the stream (the screens mount and unmount it per candidate). */
  attach(video: HTMLVideoElement | null): void {
    if (this.video && this.video !== video) this.video.srcObject = null;
    this.video = video;
    if (video && this.stream) {
      video.muted = true;
      video.playsInline = true;
      if (video.srcObject !== this.stream) video.srcObject = this.stream;
      void video.play().catch(() => undefined);
    }
  }

  /** The current picture as JPEG base64 (no data: prefix), or null while no frame is showing. */
  grab(quality = 0.85): string | null {
    const video = this.video;
    if (!video || !this.stream || video.readyState < 2 || video.videoWidth === 0) return null;
    const canvas = (this.canvas ??= document.createElement('canvas'));
    // The frame as the camera took it: the preview is mirrored for the candidate, the evidence is not.
    const scale = Math.min(1, WIDTH / video.videoWidth, HEIGHT / video.videoHeight);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    const g = canvas.getContext('2d');
    if (!g) return null;
    g.drawImage(video, 0, 0, canvas.width, canvas.height);
    const url = canvas.toDataURL('image/jpeg', quality);
    return url.slice(url.indexOf(',') + 1);
  }

  private release(status: CameraStatus): void {
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    if (this.video) this.video.srcObject = null;
    this.set(status);
  }

  stop(): void {
    this.release('off');
  }
}
