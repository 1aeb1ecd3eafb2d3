// The card reader's events reach the kiosk on one server-sent event stream (/api/kiosk/events). It
// reconnects by itself; only a gap longer than the grace shows the offline banner, and a stream the
// server refuses outright is checked for a revoked pairing before it is opened again.
import { whoAmI } from '../../../web/http.ts';
import { rotateDeviceToken } from '../../../web/device-token.ts';
import { TOKEN_ROTATE_EVENT, type ReaderEvent } from '../../protocol.ts';
import type { CardEvent } from './api.ts';

/** The event stream reconnects by itself; only a gap longer than this shows the banner. */
const STREAM_GRACE_MS = 3_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface CardStreamHooks {
  /** The stream opened (the server answers again) or failed. */
  live(open: boolean): void;
  /** The stream has been down for longer than the grace. */
  offline(): void;
  /** The server refused the stream and no longer knows this device: pair again. */
  unpaired(): void;
  card(card: CardEvent): void;
  /** The ID-card reader's state changed, or a card on it could not be used. */
  reader(event: ReaderEvent): void;
  /** A session of this kiosk's rooms changed. */
  session(): void;
}

export class CardStream {
  private events: EventSource | null = null;
  private downTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly on: CardStreamHooks) {}

  /** (Re)opens the stream, closing the one open before. */
  open(): void {
    this.events?.close();
    const es = new EventSource('/api/kiosk/events');
    this.events = es;
    es.addEventListener('open', () => {
      clearTimeout(this.downTimer);
      this.downTimer = undefined;
      this.on.live(true);
    });
    es.addEventListener('error', () => {
      this.on.live(false);
      if (es.readyState === EventSource.CLOSED) {
        // Refused outright (401 after a revoked pairing, or a server that is not there): find out which.
        void this.afterClosed(es);
        return;
      }
      this.bannerAfterGrace();
    });
    es.addEventListener('card', (e) => {
      try {
        this.on.card(JSON.parse((e as MessageEvent<string>).data) as CardEvent);
      } catch {
        // a malformed event is not a card
      }
    });
    es.addEventListener('reader', (e) => {
      try {
        this.on.reader(JSON.parse((e as MessageEvent<string>).data) as ReaderEvent);
      } catch {
        // a malformed event says nothing
      }
    });
    es.addEventListener('session', () => this.on.session());
    // The device token is due: fetch the new one (the answer sets the cookie); the stream goes on.
    es.addEventListener(TOKEN_ROTATE_EVENT, () => void rotateDeviceToken());
  }

  close(): void {
    this.events?.close();
    this.events = null;
  }

  private bannerAfterGrace(): void {
    if (!this.downTimer) this.downTimer = setTimeout(() => this.on.offline(), STREAM_GRACE_MS);
  }

  private async afterClosed(es: EventSource): Promise<void> {
    if (this.events !== es) return;
    this.bannerAfterGrace();
    await sleep(2_000);
    try {
      const me = await whoAmI();
      if (!me || me.kind !== 'device') return this.on.unpaired();
    } catch {
      // still unreachable: try the stream again below
    }
    if (this.events === es) this.open();
  }
}
