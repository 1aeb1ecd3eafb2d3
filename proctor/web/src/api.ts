// The console's calls, as documented in docs/proctor-api.md (room view, alerts, incidents, session
// control) and terminal/routes.ts (seat and room commands). Types mirror the doc.
import { call } from './http.ts';
import type { PlaybackRecordings as Recordings } from '../../../media/web/src/playback-view.tsx';

export interface Me {
  kind: 'user' | 'device';
  user?: { username: string; displayName: string | null; role: string; rooms: string[] };
}

export interface SessionBrief {
  id: string;
  name: string;
  status: string;
  startsAt: number;
  endsAt: number;
}

export interface RoomListItem {
  id: string;
  name: string;
  rows: number;
  columns: number;
  session: SessionBrief | null;
}

export interface SeatCandidate {
  ticketNo: string;
  name: string;
  idNumber: string;
  seat: string | null;
  rosterStatus: string;
  photoUrl: string | null;
}

export interface Seat {
  seat: string;
  row: number;
  column: number;
  terminal: { id: string; online: boolean; since: number | null } | null;
  candidate: SeatCandidate | null;
  state: string;
  answered: number | null;
  questions: number | null;
  remainingMs: number | null;
  deadline: number | null;
  paused: boolean;
  locked: boolean;
  offlineSince: number | null;
  submittedAt: number | null;
  submittedBy: string | null;
  incidents: number;
  openAlerts: number;
  /** A move request waiting for an invigilator: 'out' on the candidate's own seat, 'in' where they logged in. */
  pendingMove?: { moveId: string; side: 'out' | 'in'; ticketNo: string; name: string; fromSeat: string | null; fromTerminal: string | null; toSeat: string; toTerminal: string; requestedAt: number } | null;
}

export interface Source {
  id: string;
  name: string;
  kind: string;
  state: string;
  ws: string;
  subWs: string | null;
  terminalId: string | null;
  seat: string | null;
  recording?: boolean;
}

export interface RoomView {
  serverTime: number;
  room: { id: string; name: string; rows: number; columns: number };
  session: (SessionBrief & { durationMinutes: number; startedAt: number | null; roomPaused: boolean }) | null;
  sessions: SessionBrief[];
  seats: Seat[];
  unseated: SeatCandidate[];
  sources: Source[];
  openAlerts: number;
}

export interface Alert {
  id: string;
  at: number;
  lastAt: number;
  repeats: number;
  roomId: string | null;
  sessionId: string | null;
  seat: string | null;
  terminalId: string | null;
  sourceId: string | null;
  /** The candidate's ID number, masked for invigilators. */
  idNumber: string | null;
  kind: string;
  severity: 'critical' | 'warning' | 'info';
  text: { zh: string; en: string };
  /** Kind-specific facts; move_requested: moveId, fromSeat, fromTerminal, toSeat, toTerminal, decision, decidedBy. */
  params?: Record<string, unknown>;
  clearedAt: number | null;
  acknowledged: { by: string; at: number; note: string } | null;
}

export interface Summary {
  sessionId: string;
  status: string;
  roster: number;
  admitted: number;
  absent: number;
  notArrived: number;
  loggedIn: number;
  submitted: number;
  incidents: number;
  integrity: number;
  openAlerts: number;
}

export interface Category {
  code: string;
  zh: string;
  en: string;
}

export type FeedMessage =
  | { type: 'snapshot'; serverTime: number; room: RoomView; alerts: Alert[] }
  | { type: 'alert.new' | 'alert.update' | 'alert.ack'; serverTime: number; alert: Alert }
  | { type: 'seat'; serverTime: number; seat: Seat }
  | { type: 'room'; serverTime: number; room: RoomView }
  | { type: 'incident.new'; serverTime: number; incident: unknown }
  | { type: 'pong'; serverTime: number };

/** A source's recordings over a time range (media/routes.ts), in the shape the playback player takes. */
export type { Recordings };

export async function whoAmI(): Promise<Me | null> {
  try {
    return await call<Me>('GET', '/api/auth/me');
  } catch (err) {
    if ((err as { status?: number }).status === 401) return null;
    throw err;
  }
}

const enc = encodeURIComponent;
export const login = (username: string, password: string) => call<unknown>('POST', '/api/auth/login', { username, password });
export const logout = () => call<unknown>('POST', '/api/auth/logout');
export const site = () => call<{ site: { id: string; name: string; timezone: string } }>('GET', '/api/site');
export const rooms = () => call<RoomListItem[]>('GET', '/api/proctor/rooms');
export const summary = (sessionId: string) => call<Summary>('GET', `/api/proctor/sessions/${enc(sessionId)}/summary`);
export const categories = () => call<Category[]>('GET', '/api/proctor/incident-categories');
export const alertsOf = (room: string, since: number, until: number) => call<Alert[]>('GET', `/api/proctor/alerts?room=${enc(room)}&since=${since}&until=${until}&limit=500`);
export const ack = (alertId: string, note: string) => call<Alert>('POST', `/api/proctor/alerts/${enc(alertId)}/ack`, { note });
export const setStatus = (sessionId: string, status: 'checkin' | 'in_progress' | 'ended') => call<unknown>('POST', `/api/proctor/sessions/${enc(sessionId)}/status`, { status });
export const recordIncident = (sessionId: string, body: { category: string; note: string; candidate?: string; seat?: string }) =>
  call<unknown>('POST', `/api/proctor/sessions/${enc(sessionId)}/incidents`, body);
export const reseat = (sessionId: string, candidate: string, seat: string, reason: string) =>
  call<unknown>('POST', `/api/proctor/sessions/${enc(sessionId)}/candidates/${enc(candidate)}/reseat`, { seat, reason });
export const recordings = (sourceId: string, from: number, to: number) => call<Recordings>('GET', `/api/media/sources/${enc(sourceId)}/recordings?from=${from}&to=${to}`);
export const excerptUrl = (sourceId: string, from: number, to: number) => `/api/media/sources/${enc(sourceId)}/excerpt?from=${from}&to=${to}`;

/** A candidate's request to continue at the terminal they logged in at (terminal/routes.ts). */
export const moves = {
  approve: (moveId: string) => call<{ status: string }>('POST', `/api/terminal/moves/${enc(moveId)}/approve`),
  reject: (moveId: string) => call<{ status: string }>('POST', `/api/terminal/moves/${enc(moveId)}/reject`),
};

const t = (sessionId: string) => `/api/terminal/sessions/${enc(sessionId)}`;
/** Seat and room commands; `candidate` null acts on the whole room where the route allows it. */
export const commands = {
  pause: (s: string, candidate: string | null, reason: string) => call<unknown>('POST', `${t(s)}/pause`, { ...(candidate ? { candidate } : {}), ...(reason ? { reason } : {}) }),
  resume: (s: string, candidate: string | null) => call<unknown>('POST', `${t(s)}/resume`, candidate ? { candidate } : {}),
  addTime: (s: string, candidate: string | null, minutes: number, reason: string) => call<unknown>('POST', `${t(s)}/time`, { ...(candidate ? { candidate } : {}), minutes, reason }),
  submit: (s: string, candidate: string, reason: string) => call<unknown>('POST', `${t(s)}/candidates/${enc(candidate)}/submit`, { reason }),
  lock: (s: string, candidate: string, locked: boolean, reason: string) => call<unknown>('POST', `${t(s)}/candidates/${enc(candidate)}/${locked ? 'lock' : 'unlock'}`, reason ? { reason } : {}),
};
