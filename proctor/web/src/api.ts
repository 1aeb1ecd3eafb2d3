// The console's calls, as documented in docs/proctor-api.md (room view, alerts, incidents, session
// control) and terminal/routes.ts (seat and room commands). The replies' shapes are proctor's protocol
// (proctor/protocol.ts), which the server's routes answer with; HTTP itself is the web kit's.
import { call } from '../../../web/http.ts';
import type { Recordings } from '../../../media/protocol.ts';
import type { DeviceWarning } from '../../../terminal/protocol.ts';
import type { Gb28181Summary } from '../../../media/gb28181/protocol.ts';
import type {
  AckManyBody,
  AckManyReply,
  Alert,
  ConfirmSeatCheckBody,
  IncidentCategoryView,
  NotThePersonBody,
  NotThePersonReply,
  RoomListItem,
  SeatIdentityCheck,
  Summary,
} from '../../protocol.ts';

export type { Alert, FeedMessage, RoomListItem, RoomSource as Source, RoomView, Seat, Summary } from '../../protocol.ts';
export type Category = IncidentCategoryView;
/** A source's recordings over a time range (media/routes.ts), in the shape the playback player takes. */
export type { Recordings };

const enc = encodeURIComponent;
export const site = () => call<{ site: { id: string; name: string; timezone: string } }>('GET', '/api/site');
/** The GB/T 28181 platforms' one-line status (media/gb28181/routes.ts). */
export const gb28181 = () => call<Gb28181Summary>('GET', '/api/gb28181/summary');
export const rooms = () => call<RoomListItem[]>('GET', '/api/proctor/rooms');
export const summary = (sessionId: string) => call<Summary>('GET', `/api/proctor/sessions/${enc(sessionId)}/summary`);
export const categories = () => call<Category[]>('GET', '/api/proctor/incident-categories');
export const alertsOf = (room: string, since: number, until: number) =>
  call<Alert[]>('GET', `/api/proctor/alerts?room=${enc(room)}&since=${since}&until=${until}&limit=500`);
export const ack = (alertId: string, note: string) => call<Alert>('POST', `/api/proctor/alerts/${enc(alertId)}/ack`, { note });
/** The person at the seat of a candidate who declined face recognition is who the ID card says (one click, audited). */
export const confirmSeatCheck = (checkId: string, note?: string) =>
  call<SeatIdentityCheck>('POST', `/api/proctor/seat-checks/${enc(checkId)}/confirm`, (note ? { note } : {}) satisfies ConfirmSeatCheckBody);
/** The person at the seat is not the candidate: incident, the paper stopped, the chief examiner alerted (audited). */
export const notThePerson = (checkId: string, note: string) =>
  call<NotThePersonReply>('POST', `/api/proctor/seat-checks/${enc(checkId)}/not-the-person`, { note } satisfies NotThePersonBody);
export const ackMany = (ids: string[], note: string) => call<AckManyReply>('POST', '/api/proctor/alerts/ack', { ids, note } satisfies AckManyBody);
export const setStatus = (sessionId: string, status: 'checkin' | 'in_progress' | 'ended') =>
  call<unknown>('POST', `/api/proctor/sessions/${enc(sessionId)}/status`, { status });
export const recordIncident = (sessionId: string, body: { category: string; note: string; candidate?: string; seat?: string }) =>
  call<unknown>('POST', `/api/proctor/sessions/${enc(sessionId)}/incidents`, body);
export const reseat = (sessionId: string, candidate: string, seat: string, reason: string) =>
  call<unknown>('POST', `/api/proctor/sessions/${enc(sessionId)}/candidates/${enc(candidate)}/reseat`, { seat, reason });
/** The room's terminals (and the site's kiosks) whose last device-health report shows a problem (server/routes/devices.ts). */
export const readiness = (roomId: string) => call<{ warnings: DeviceWarning[] }>('GET', `/api/devices/readiness?roomId=${enc(roomId)}`);
export type { DeviceWarning };
export const recordings = (sourceId: string, from: number, to: number) =>
  call<Recordings>('GET', `/api/media/sources/${enc(sourceId)}/recordings?from=${from}&to=${to}`);
export const excerptUrl = (sourceId: string, from: number, to: number) => `/api/media/sources/${enc(sourceId)}/excerpt?from=${from}&to=${to}`;

/** A candidate's request to continue at the terminal they logged in at (terminal/routes.ts). */
export const moves = {
  /** `strong`: what a contested move needs (the candidate's own terminal is answering): their seat or ID's last 4, and a reason. */
  approve: (moveId: string, strong?: { confirm: string; reason: string }) =>
    call<{ status: string }>('POST', `/api/terminal/moves/${enc(moveId)}/approve`, strong),
  reject: (moveId: string) => call<{ status: string }>('POST', `/api/terminal/moves/${enc(moveId)}/reject`),
};

/** Lets a terminal accept log-ins again after it locked itself on repeated failures. */
export const unlockLogin = (terminalId: string, reason: string) =>
  call<{ locked: boolean }>('POST', `/api/terminal/terminals/${enc(terminalId)}/unlock-login`, reason ? { reason } : {});

const t = (sessionId: string) => `/api/terminal/sessions/${enc(sessionId)}`;
/** Seat and room commands; `candidate` null acts on the whole room where the route allows it. */
export const commands = {
  pause: (s: string, candidate: string | null, reason: string) =>
    call<unknown>('POST', `${t(s)}/pause`, { ...(candidate ? { candidate } : {}), ...(reason ? { reason } : {}) }),
  resume: (s: string, candidate: string | null) => call<unknown>('POST', `${t(s)}/resume`, candidate ? { candidate } : {}),
  addTime: (s: string, candidate: string | null, minutes: number, reason: string) =>
    call<unknown>('POST', `${t(s)}/time`, { ...(candidate ? { candidate } : {}), minutes, reason }),
  submit: (s: string, candidate: string, reason: string) => call<unknown>('POST', `${t(s)}/candidates/${enc(candidate)}/submit`, { reason }),
  lock: (s: string, candidate: string, locked: boolean, reason: string) =>
    call<unknown>('POST', `${t(s)}/candidates/${enc(candidate)}/${locked ? 'lock' : 'unlock'}`, reason ? { reason } : {}),
};
