// The inspector's calls (docs/proctor-api.md, "Inspector"): read routes only — there is nothing
// here that changes anything, by design.
import { call } from '../../../proctor/web/src/http.ts';
import type { PlaybackRecordings as Recordings } from '../../../media/web/src/playback-view.tsx';

export interface Me {
  kind: 'user' | 'device';
  user?: { username: string; displayName: string | null; role: string };
}

export interface Camera {
  id: string;
  name: string;
  kind: string;
  state: string;
  ws: string;
  subWs: string | null;
}

export interface SiteSession {
  id: string;
  name: string;
  roomId: string;
  status: string;
  startsAt: number;
  endsAt: number;
  incidents: number;
  integrity: number;
  openAlerts: number;
}

export interface Site {
  id: string;
  name: string;
  province: string;
  city: string;
  /** The site's IANA time zone: times are shown on the site's clock. */
  timezone: string;
  rooms: { id: string; name: string; rows: number; columns: number; cameras: Camera[] }[];
  sessions: SiteSession[];
}

export interface Incident {
  id: string;
  at: number;
  seat: string | null;
  candidate: { ticketNo: string; name: string; idNumber: string } | null;
  category: string;
  categoryText: { zh: string; en: string };
  note: string;
  recordedBy: string;
}

export interface SessionDetail {
  session: { id: string; name: string; roomId: string; status: string; startsAt: number; endsAt: number };
  summary: { roster: number; admitted: number; submitted: number; incidents: number; integrity: number; openAlerts: number } | null;
  incidents: Incident[];
  integrity: { id: string; at: number; terminalId: string; idNumber: string | null; kind: string; detail: string | null }[];
  alerts: {
    id: string;
    at: number;
    seat: string | null;
    kind: string;
    severity: string;
    text: { zh: string; en: string };
    terminalId: string | null;
    sourceId: string | null;
    acknowledged: { by: string; note: string } | null;
  }[];
}

export async function whoAmI(): Promise<Me | null> {
  try {
    return await call<Me>('GET', '/api/auth/me');
  } catch (err) {
    if ((err as { status?: number }).status === 401) return null;
    throw err;
  }
}

export const login = (username: string, password: string) => call<unknown>('POST', '/api/auth/login', { username, password });
export const logout = () => call<unknown>('POST', '/api/auth/logout');
export const sites = () => call<Site[]>('GET', '/api/inspector/sites');
export const session = (id: string) => call<SessionDetail>('GET', `/api/inspector/sessions/${encodeURIComponent(id)}`);

/** A source's recordings over a time range (media/routes.ts), in the shape the playback player takes. */
export type { Recordings };

export const serverTime = async () => (await call<{ serverTime: number }>('GET', '/api/site')).serverTime;
export const recordings = (sourceId: string, from: number, to: number) => call<Recordings>('GET', `/api/media/sources/${encodeURIComponent(sourceId)}/recordings?from=${from}&to=${to}`);
/** The room's alerts over a range (camera alerts belong to the room, not to a session). */
export const roomAlerts = (room: string, since: number, until: number) =>
  call<SessionDetail['alerts']>('GET', `/api/proctor/alerts?room=${encodeURIComponent(room)}&since=${since}&until=${until}&limit=500`);
