// The seat re-check: a terminal's periodic webcam snapshot compared with the face that entered at the
// kiosk (its admission capture), or with the roster photo when the candidate was admitted by hand.
// The answer goes back to the terminal service and, as a `seat.check` event, to the proctor console.
import type { IdentityService } from './service/index.ts';

export interface SeatSnapshot {
  sessionId: string;
  idNumber: string;
  jpeg: Buffer;
  terminalId: string;
  roomId: string;
}

export interface SeatCheck {
  identity: 'match' | 'mismatch' | 'no_face' | 'several_faces' | 'unchecked';
  distance: number | null;
  detail: string;
}

/** The terminal service's `checkSnapshot` dependency (terminal/index.ts SnapshotChecker has this shape). */
export function createSeatChecker(identity: Pick<IdentityService, 'checkSnapshot'>, log?: { error(obj: unknown, msg?: string): void }) {
  return async (s: SeatSnapshot): Promise<SeatCheck> => {
    try {
      return await identity.checkSnapshot(s);
    } catch (err) {
      // A face-engine failure must not turn into a terminal error: the snapshot is kept, just unchecked.
      log?.error({ err, terminalId: s.terminalId }, 'seat re-check failed');
      return { identity: 'unchecked', distance: null, detail: `the face engine failed: ${(err as Error).message}` };
    }
  };
}
