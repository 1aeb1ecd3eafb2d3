// The inspector's calls (docs/proctor-api.md, "Inspector"): read routes only — there is nothing
// here that changes anything, by design. The replies' shapes are proctor's protocol
// (proctor/protocol.ts), which the server's routes answer with; HTTP itself is the web kit's.
import { call } from '../../../../web/http.ts';
import type { Recordings } from '../../../../media/protocol.ts';
import type { Alert, SessionDetail, Site } from '../../../protocol.ts';

export type { Camera, Incident, RecordedSource, SessionDetail, Site, SiteSession } from '../../../protocol.ts';
/** A source's recordings over a time range (media/routes.ts), in the shape the playback player takes. */
export type { Recordings };

export const sites = () => call<Site[]>('GET', '/api/inspector/sites');
export const session = (id: string) => call<SessionDetail>('GET', `/api/inspector/sessions/${encodeURIComponent(id)}`);

export const serverTime = async () => (await call<{ serverTime: number }>('GET', '/api/site')).serverTime;
export const recordings = (sourceId: string, from: number, to: number) =>
  call<Recordings>('GET', `/api/media/sources/${encodeURIComponent(sourceId)}/recordings?from=${from}&to=${to}`);
/** The room's alerts over a range (camera alerts belong to the room, not to a session). */
export const roomAlerts = (room: string, since: number, until: number) =>
  call<Alert[]>('GET', `/api/proctor/alerts?room=${encodeURIComponent(room)}&since=${since}&until=${until}&limit=500`);
