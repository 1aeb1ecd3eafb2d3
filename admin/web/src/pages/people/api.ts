// The people page's calls: users (server/routes/users.ts, user-password.ts) and the person file
// (records/people/routes.ts). The shapes are the routes' response schemas.
import { call } from '../../../../../web/http.ts';
import { enc } from '../results/refusal.ts';
import type { RoleName } from './words.ts';

export interface Jurisdiction {
  level: 'province' | 'city' | 'site';
  code: string;
}
export interface UserView {
  username: string;
  displayName: string | null;
  role: RoleName;
  rooms: string[];
  jurisdiction: Jurisdiction | null;
  disabled: boolean;
  lockedUntil: number | null;
}
export interface NewUser {
  username: string;
  displayName?: string;
  role: RoleName;
  password: string;
  rooms?: string[];
  jurisdiction?: Jurisdiction;
}
export interface UserChange {
  displayName?: string | null;
  role?: RoleName;
  rooms?: string[];
  jurisdiction?: Jurisdiction | null;
  disabled?: boolean;
}
export interface SiteInfo {
  site: { id: string; name: string; province: string; city: string; timezone: string };
  serverTime: number;
  rooms: { id: string; name: string }[];
}

export const api = {
  site: () => call<SiteInfo>('GET', '/api/site'),
  users: () => call<UserView[]>('GET', '/api/users'),
  add: (u: NewUser) => call<UserView>('POST', '/api/users', u),
  change: (username: string, patch: UserChange) => call<UserView>('PATCH', `/api/users/${enc(username)}`, patch),
  unlock: (username: string) => call<UserView>('POST', `/api/users/${enc(username)}/unlock`),
  resetPassword: (username: string, password?: string) =>
    call<{ user: UserView; password: string | null }>('POST', `/api/users/${enc(username)}/reset-password`, password === undefined ? {} : { password }),
  personFile: (idNumber: string) => call<PersonFileView>('GET', `/api/records/people/${enc(idNumber)}`),
  personPdf: (idNumber: string) => `/api/records/people/${enc(idNumber)}/file.pdf`,
};

/** What the page reads of the person file's JSON (records/people/file.ts, a published format; instants as ISO 8601 text). */
export interface PersonFileView {
  idNumber: string;
  name: string;
  exams: {
    sessionId: string;
    planName: string;
    roomId: string;
    roomName: string;
    startsAt: string;
    sessionStatus: string;
    templateName: string;
    ticketNo: string;
    seat: string | null;
    status: string;
    attempt: number;
    result: { score: number; total: number; passed: boolean; gradedAt: string; validUntil: string | null } | null;
  }[];
  validPasses: unknown[];
  training: { totalAttendedHours: number };
  certificates: {
    available: boolean;
    items: {
      number: string;
      sessionId: string;
      category: string;
      issuedAt: string;
      validUntil: string;
      revokedAt: string | null;
      revokedReason: string | null;
    }[];
  };
  identityChecks: { id: string; action: string; startedAt: string; decision: string | null; reason: string | null; sessionId: string | null }[];
  incidents: { category?: string; note?: string; sessionId?: string }[];
  /** Issue 23: the face-recognition choice per exam session, and the seat checks by staff of one who declined. */
  faceConsents?: { sessionId: string; decision: 'accepted' | 'declined'; decidedAt: string; noticeVersion: string }[];
  seatConfirmations?: {
    id: string;
    sessionId: string;
    seat: string | null;
    reason: 'login' | 'alert';
    dueAt: string;
    confirmedAt: string | null;
    confirmedBy: string | null;
    /** not_the_person: someone else was at the seat (an incident was recorded). */
    outcome?: 'confirmed' | 'not_the_person' | null;
  }[];
}

/** Mirrors the server's rules (server/auth/passwords.ts, users.ts) so the form says no before sending. */
export const passwordOk = (p: string) => p.length >= 10 && p.length <= 256 && /[A-Za-z]/.test(p) && /[0-9]/.test(p);
export const usernameOk = (u: string) => /^[A-Za-z0-9_.@-]{2,64}$/.test(u);
export const idNumberOk = (id: string) => /^[0-9]{17}[0-9Xx]$/.test(id.trim());
