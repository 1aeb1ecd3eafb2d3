// Device pairing, as the kiosk and the terminal do it: ask POST /api/devices/pairings for a code
// (with the ?device= id the PC was set up with, if any), show it, and collect every few seconds until
// an administrator approves or rejects it. An expired code is replaced by itself and a failed request
// retried after 15 s, so a PC may wait unattended until someone pairs it. On approval the server sets
// the httpOnly device cookie; the token in the body is not kept.
import { call } from './http.ts';

export type DeviceKind = 'kiosk' | 'terminal';

export interface PairingRequest {
  pairingId: string;
  pollSecret: string;
  code: string;
  expiresAt: number;
}

export type CollectStatus = 'pending' | 'rejected' | 'expired' | 'approved';

export interface PairingState {
  status: 'requesting' | 'waiting' | 'approved' | 'rejected' | 'failed';
  code: string | null;
  deviceId: string | null;
  error: string | null;
}

export function requestPairing(kind: DeviceKind, deviceId: string | null): Promise<PairingRequest> {
  return call<PairingRequest>('POST', '/api/devices/pairings', deviceId ? { kind, deviceId } : { kind });
}

export async function collectPairing(p: PairingRequest): Promise<CollectStatus> {
  const r = await call<{ status: CollectStatus }>('POST', `/api/devices/pairings/${encodeURIComponent(p.pairingId)}/collect`, { pollSecret: p.pollSecret });
  return r.status;
}

/** How long a failed pairing request waits before it asks again by itself (the button asks at once). */
const RETRY_MS = 15_000;

export class DevicePairing {
  private req: PairingRequest | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly o: {
      kind: DeviceKind;
      deviceId: string | null;
      /** How often the code is collected while it waits for a decision. */
      pollMs: number;
      /** Every change of what the pairing screen shows. */
      show: (state: PairingState) => void;
      approved: () => void;
    },
  ) {}

  /** Asks for a new code (dropping any pending one) and waits for the decision. */
  async start(): Promise<void> {
    this.stop();
    const { deviceId } = this.o;
    this.o.show({ status: 'requesting', code: null, deviceId, error: null });
    let req: PairingRequest;
    try {
      req = await requestPairing(this.o.kind, deviceId);
    } catch (err) {
      this.o.show({ status: 'failed', code: null, deviceId, error: (err as Error).message });
      // The server restarting, or a rate limit: try again by itself, as well as on the button.
      this.timer = setTimeout(() => void this.start(), RETRY_MS);
      return;
    }
    this.req = req;
    this.o.show({ status: 'waiting', code: req.code, deviceId, error: null });
    this.poll();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.req = null;
  }

  private poll(): void {
    this.timer = setTimeout(async () => {
      const req = this.req;
      if (!req) return;
      let status: CollectStatus;
      try {
        status = await collectPairing(req);
      } catch {
        return this.poll(); // a lost poll is retried; the code stays valid
      }
      if (this.req !== req) return;
      if (status === 'pending') return this.poll();
      this.req = null;
      if (status === 'expired') return void this.start();
      this.o.show({ status, code: req.code, deviceId: this.o.deviceId, error: null });
      if (status === 'approved') this.o.approved();
    }, this.o.pollMs);
  }
}
