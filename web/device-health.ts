// The device-health report as a kiosk or terminal page makes it (terminal/protocol.ts DeviceHealthReportT):
// what the page found — secure context, camera, screen capture, browser, build — sent after it connects
// and again whenever one of them changes, so the admin's device list and the pre-start warning show what
// the PC really has. It reports; it never decides anything about the exam.
import { HEALTH_PATH, type CameraState, type DeviceHealthReport } from '../terminal/protocol.ts';
import { call } from './http.ts';

/** Set by the build (server/vite.web.ts): the app, the package version and the build time. */
declare const __EXAMROOM_BUILD__: string | undefined;

export function appBuild(app: string): string {
  const built = typeof __EXAMROOM_BUILD__ === 'string' ? __EXAMROOM_BUILD__ : 'dev';
  return `${app} ${built}`.slice(0, 80);
}

/**
 * The page's entry script file name (`index-<content hash>.js`, as its index.html loaded it): the build
 * the server checks against its own (docs/exam-pcs.md "Integrity at log-in"). 'dev' under the dev server.
 */
export function appHashOfPage(): string {
  const src = document.querySelector<HTMLScriptElement>('script[type="module"][src]')?.src ?? '';
  const name = src.slice(src.lastIndexOf('/') + 1);
  return /\.js$/.test(name) ? name.slice(0, 80) : 'dev';
}

/**
 * Whether the page fills the screen: full screen by the page's own request, or a kiosk/fullscreen
 * browser window (the display-mode query, or a viewport as large as the screen: no bars, no frame).
 */
export function displayOf(): NonNullable<DeviceHealthReport['display']> {
  const fullscreen = document.fullscreenElement !== null;
  const kiosk =
    window.matchMedia?.('(display-mode: fullscreen)').matches === true || (window.innerWidth >= screen.width && window.innerHeight >= screen.height);
  return { fullscreen, kiosk, screen: `${screen.width}x${screen.height}`.slice(0, 24) };
}

/** The browser's brand and major version: client hints where Chromium gives them, else the user agent. */
export function browserOf(): DeviceHealthReport['browser'] {
  const hints = (navigator as Navigator & { userAgentData?: { brands?: { brand: string; version: string }[] } }).userAgentData;
  const brand = hints?.brands?.find((b) => !/not.?a.?brand/i.test(b.brand) && b.brand !== 'Chromium') ?? hints?.brands?.find((b) => b.brand === 'Chromium');
  if (brand) return { brand: brand.brand.slice(0, 64), version: brand.version.slice(0, 32) };
  const ua = navigator.userAgent;
  for (const [name, re] of [
    ['Edge', /Edg\/([\d.]+)/],
    ['Chromium', /Chromium\/([\d.]+)/],
    ['Chrome', /Chrome\/([\d.]+)/],
    ['Firefox', /Firefox\/([\d.]+)/],
    ['Safari', /Version\/([\d.]+).*Safari/],
  ] as const) {
    const m = re.exec(ua);
    if (m) return { brand: name, version: m[1]!.slice(0, 32) };
  }
  return { brand: (ua || 'unknown').slice(0, 64), version: '' };
}

/** Why a camera cannot even be asked for, before any getUserMedia: no secure context, or no API. */
export function cameraUnreachable(): CameraState | null {
  if (!window.isSecureContext) return 'not-secure';
  if (!navigator.mediaDevices?.getUserMedia) return 'unsupported';
  return null;
}

/** What a getUserMedia failure means for the report. */
export function cameraStateOfError(err: unknown): { camera: CameraState; cameraDetail: string } {
  const name = (err as { name?: string } | null)?.name ?? 'Error';
  if (name === 'NotAllowedError' || name === 'SecurityError') return { camera: 'denied', cameraDetail: name };
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return { camera: 'missing', cameraDetail: name };
  return { camera: 'error', cameraDetail: `${name}: ${(err as Error | null)?.message ?? ''}`.slice(0, 200) };
}

/** A look at the camera without opening it: is one plugged in (enumerateDevices lists it even before permission)? */
export async function probeCamera(): Promise<CameraState> {
  const no = cameraUnreachable();
  if (no) return no;
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices.some((d) => d.kind === 'videoinput') ? 'available' : 'missing';
  } catch {
    return 'error';
  }
}

type Fields = Omit<DeviceHealthReport, 'pageTime'>;

/**
 * Keeps the page's health and sends it when it changes (coalesced, so a burst of changes is one
 * report). A report that fails (server restarting, network) is sent again on the next change or
 * after a pause; it is advisory, so nothing waits on it.
 */
export class HealthReporter {
  private fields: Fields;
  private sent = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private enabled = false;

  constructor(app: string, initial: Pick<Fields, 'camera' | 'screenCapture'>) {
    this.fields = {
      secureContext: window.isSecureContext,
      browser: browserOf(),
      appBuild: appBuild(app),
      appHash: appHashOfPage(),
      display: displayOf(),
      ...initial,
    };
    // Leaving full screen (or a window resized out of kiosk size) changes what the console warns about.
    const onDisplay = () => {
      const display = displayOf();
      if (JSON.stringify(display) !== JSON.stringify(this.fields.display)) this.update({ display });
    };
    document.addEventListener('fullscreenchange', onDisplay);
    window.addEventListener('resize', onDisplay);
  }

  /** The device is paired and connected: send now (and on every later change). */
  connected(): void {
    this.enabled = true;
    this.sent = '';
    this.schedule(0);
  }

  /** Not paired any more (revoked, replaced): stop sending until connected() again. */
  disconnected(): void {
    this.enabled = false;
    clearTimeout(this.timer);
  }

  update(patch: Partial<Fields>): void {
    const next = { ...this.fields, ...patch };
    if (patch.camera && patch.camera !== 'denied' && patch.camera !== 'error' && !('cameraDetail' in patch)) delete next.cameraDetail;
    this.fields = next;
    this.schedule(250);
  }

  get current(): Fields {
    return this.fields;
  }

  private schedule(ms: number): void {
    if (!this.enabled) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.send(), ms);
  }

  private async send(): Promise<void> {
    const body = JSON.stringify(this.fields);
    if (!this.enabled || body === this.sent) return;
    try {
      await call('POST', HEALTH_PATH, { ...this.fields, pageTime: Date.now() });
      this.sent = body;
    } catch {
      this.timer = setTimeout(() => void this.send(), 15_000);
    }
  }
}
