// The devices page's calls and its live view. The shapes are the server's (terminal/protocol.ts).
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../../../../web/http.ts';
import { checkSession } from '../../../../../web/session-end.ts';
import type * as protocol from '../../../../../terminal/protocol.ts';

export type PairingView = protocol.PairingView;
export type DeviceView = protocol.DeviceView;
export type RoomApproval = protocol.RoomApproval;
export type LeftReason = protocol.RoomApprovalLeftReason;

export interface SiteRooms {
  site: { timezone: string };
  serverTime: number;
  rooms: { id: string; name: string; seats: string[] }[];
}

export interface TlsStatus {
  mode: 'site-ca' | 'site-certificate';
  certificates: { name: string; fingerprint256: string; notAfter: number }[];
}

export const site = () => call<SiteRooms>('GET', '/api/site');
export const tlsStatus = () => call<TlsStatus>('GET', '/api/tls');
export const approve = (code: string, deviceId: string) =>
  call<{ pairing: PairingView; device: DeviceView }>('POST', '/api/devices/pairings/approve', { code, deviceId });
export const approveRoom = (roomId: string) => call<RoomApproval>('POST', '/api/devices/pairings/approve-room', { roomId });
export const reject = (pairingId: string) => call<null>('POST', `/api/devices/pairings/${encodeURIComponent(pairingId)}/reject`);
export const revoke = (deviceId: string) => call<DeviceView>('POST', `/api/devices/${encodeURIComponent(deviceId)}/revoke`);

export interface LiveDevices {
  pairings: PairingView[] | null;
  devices: DeviceView[] | null;
  /** Server time minus this PC's clock, from the latest message: ages are counted on the server's clock. */
  offsetMs: number;
  /** The stream is open (EventSource reconnects by itself; each reconnect sends both lists whole). */
  live: boolean;
}

/** The pending requests and the device list as the server's event stream has them, kept current. */
export function useLiveDevices(): LiveDevices {
  const [state, setState] = useState<LiveDevices>({ pairings: null, devices: null, offsetMs: 0, live: false });
  useEffect(() => {
    let es: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      // DEVICE_EVENTS_PATH of terminal/protocol.ts, written out: a type-only import keeps TypeBox out of the bundle.
      const src = new EventSource('/api/devices/events');
      es = src;
      for (const kind of ['pairings', 'devices'] as const)
        src.addEventListener(kind, (e) => {
          const data = JSON.parse((e as MessageEvent<string>).data) as { serverTime: number } & Record<typeof kind, unknown>;
          setState((s) => ({ ...s, [kind]: data[kind], offsetMs: data.serverTime - Date.now(), live: true }));
        });
      src.onerror = () => {
        setState((s) => ({ ...s, live: false }));
        // EventSource retries a dropped stream itself, but gives up on a refused one (a server restarting
        // behind a proxy answers 502; a session that ended, 401: then the gate asks to sign in again).
        if (src.readyState !== EventSource.CLOSED) return;
        void checkSession();
        retry = setTimeout(open, 5000);
      };
    };
    open();
    return () => {
      clearTimeout(retry);
      es?.close();
    };
  }, []);
  return state;
}
