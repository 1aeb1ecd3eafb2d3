// What the terminal tells about itself besides the exam: the device-health report (web/device-health.ts:
// camera and screen capture, sent after each hello and on every change) and the screen sender, which
// streams the screen from the first hello on for as long as the page lives.
import type { HelloMessage } from '../../protocol.ts';
import { HealthReporter, cameraUnreachable, probeCamera } from '../../../web/device-health.ts';
import type { SecureNeed } from '../../../web/secure-context.ts';
import { ScreenSender, type ScreenStatus, type ScreenSurface } from './screen.ts';

declare global {
  interface Window {
    /** The screen sender's state, for the technician's console and the tests (never shown to the candidate). */
    __screen?: ScreenStatus;
  }
}

export class DeviceReports {
  private health: HealthReporter | null = null;
  private sender: ScreenSender | null = null;

  /** `screenMode`: what the kiosk's Chromium is set up to capture, or off. */
  constructor(
    private readonly loc: Location,
    private readonly screenMode: ScreenSurface | 'off',
  ) {}

  /**
   * From the first hello on (the device token is valid and names a configured terminal) the screen
   * is sent for as long as the page lives, whoever sits at it: between candidates too.
   */
  startScreen(): void {
    if (this.sender || this.screenMode === 'off') return;
    const sender = new ScreenSender(ScreenSender.urlFor(this.loc), this.screenMode, (s) => {
      window.__screen = s;
      this.reportScreen(s);
    });
    this.sender = sender;
    sender.start();
  }

  /** What this page would lose outside a secure context (the words of web/secure-context.ts). */
  get secureNeed(): SecureNeed {
    return this.screenMode === 'off' ? 'camera' : 'camera+screen';
  }

  /**
   * After a hello: the device is connected, so (re)send the report; the camera is looked at without
   * opening it (unless the webcam for snapshots already runs).
   */
  connected(h: HelloMessage, webcamRunning: boolean): void {
    const screenCapture =
      this.screenMode === 'off'
        ? ({ state: 'not-needed' } as const)
        : !window.isSecureContext
          ? ({ state: 'unavailable', reason: 'the page is not a secure context (not HTTPS with a trusted certificate)' } as const)
          : ({ state: 'available' } as const);
    if (!this.health) this.health = new HealthReporter('terminal', { camera: cameraUnreachable() ?? 'missing', screenCapture });
    this.health.connected();
    if (h.snapshotIntervalSeconds <= 0) this.health.update({ camera: 'not-needed' });
    else if (!webcamRunning) void probeCamera().then((camera) => this.health?.update({ camera }));
  }

  private reportScreen(s: ScreenStatus): void {
    if (!this.health) return;
    // Outside a secure context the sender only sees "no getDisplayMedia"; the report names the cause.
    if (s.state === 'unavailable')
      this.health.update({
        screenCapture: {
          state: 'unavailable',
          reason: (window.isSecureContext ? (s.lastError ?? 'unavailable') : 'the page is not a secure context (not HTTPS with a trusted certificate)').slice(
            0,
            200,
          ),
        },
      });
    // "Stop sharing" or an unplugged display: not capturing until the sender captures again.
    else if (s.state === 'retrying' && s.lastError === 'screen capture ended')
      this.health.update({ screenCapture: { state: 'unavailable', reason: 'screen capture ended; capturing again shortly' } });
    else if (s.captured)
      this.health.update({
        screenCapture: s.captured.displaySurface ? { state: 'capturing', surface: s.captured.displaySurface.slice(0, 32) } : { state: 'capturing' },
      });
  }

  stopScreen(reason: string): void {
    this.sender?.stop(reason);
    this.sender = null;
  }

  disconnected(): void {
    this.health?.disconnected();
  }

  /** A change of the camera's state (the webcam for snapshots started, or failed). */
  update(report: Parameters<HealthReporter['update']>[0]): void {
    this.health?.update(report);
  }
}
