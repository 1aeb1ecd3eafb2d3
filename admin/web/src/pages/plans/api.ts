// The plans page's calls. Contracts: exam/protocol.ts ("Plans, sessions, rosters, seats, admission
// tickets"); jobs: documents/protocol.ts; rooms: proctor/protocol.ts.
import { HttpError, NetworkError, call } from '../../../../../web/http.ts';
import type { JobView } from '../../../../../documents/protocol.ts';
import type {
  AddCandidate,
  AddCandidateReply,
  FreeSeats,
  GeneratedPapersView,
  NewPlan,
  NewSession,
  PlanView,
  RosterEntryView,
  RosterImportReply,
  SeatsDrawn,
  SessionView,
} from '../../../../../exam/protocol.ts';
import type { RoomListItem } from '../../../../../proctor/protocol.ts';

const enc = encodeURIComponent;

export interface TemplateItem {
  id: string;
  name: string;
  durationMinutes: number;
  category: string;
}

/** One of the kiosk's enrolments (GET /api/kiosk/enrolments?sessionId=): is the roster photo usable for the face check? */
export interface Enrolment {
  ticketNo: string;
  /** erased / deleted: the descriptor went at the person's request / by the retention rule (storage/face-retention.ts). */
  status: 'ok' | 'refused' | 'pending' | 'no_photo' | 'erased' | 'deleted';
  reason: string | null;
  detail: string | null;
  warnings: string[];
}

/** A refusal with every problem listed (a roster import): where (row, column) and why. */
export class Refused extends HttpError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly problems: { path: string; problem: string; got?: unknown }[],
  ) {
    super(status, code, message);
  }
}

export const plans = () => call<PlanView[]>('GET', '/api/exam/plans');
export const createPlan = (p: NewPlan) => call<PlanView>('POST', '/api/exam/plans', p);
export const planWithSessions = (id: string) => call<{ plan: PlanView; sessions: SessionView[] }>('GET', `/api/exam/plans/${enc(id)}`);
export const sessionOf = (id: string) =>
  call<{ session: SessionView; summary: Record<string, number | string | null> }>('GET', `/api/exam/sessions/${enc(id)}`);
export const createSession = (s: NewSession) => call<SessionView>('POST', '/api/exam/sessions', s);
export const rooms = () => call<RoomListItem[]>('GET', '/api/proctor/rooms');
export const templates = () => call<{ version: string | null; templates: TemplateItem[] }>('GET', '/api/templates');
export const site = () => call<{ site: { name: string; timezone: string } }>('GET', '/api/site');
export const roster = (sessionId: string) => call<RosterEntryView[]>('GET', `/api/exam/sessions/${enc(sessionId)}/roster`);
export const enrolments = (sessionId: string) => call<Enrolment[]>('GET', `/api/kiosk/enrolments?sessionId=${enc(sessionId)}`);
export const drawSeats = (sessionId: string) => call<SeatsDrawn>('POST', `/api/exam/sessions/${enc(sessionId)}/seats`);
export const freeSeats = (sessionId: string) => call<FreeSeats>('GET', `/api/exam/sessions/${enc(sessionId)}/free-seats`);
export const reseat = (sessionId: string, idNumber: string, seat: string, reason: string) =>
  call<RosterEntryView>('PUT', `/api/exam/sessions/${enc(sessionId)}/seats/${enc(idNumber)}`, { seat, ...(reason ? { reason } : {}) });
export const startPapers = (sessionId: string) => call<JobView>('POST', `/api/exam/sessions/${enc(sessionId)}/papers/job`);
export const photoUrl = (sessionId: string, ticketNo: string) => `/api/proctor/sessions/${enc(sessionId)}/photos/${enc(ticketNo)}`;
export type { GeneratedPapersView };

/** Sends the roster file (or the zip of roster and photos) as it is; a refusal keeps its list of problems. */
export const importRoster = (sessionId: string, file: File): Promise<RosterImportReply> =>
  withProblems(`/api/exam/sessions/${enc(sessionId)}/roster?filename=${enc(file.name)}`, 'application/octet-stream', file);

/** One candidate, checked as a roster row; a refusal keeps its problems, each named by the field. */
export const addCandidate = (sessionId: string, c: AddCandidate): Promise<AddCandidateReply> =>
  withProblems(`/api/exam/sessions/${enc(sessionId)}/candidates`, 'application/json', JSON.stringify(c));

async function withProblems<T>(url: string, type: string, body: BodyInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': type }, body });
  } catch (err) {
    throw new NetworkError((err as Error).message);
  }
  const data = (await res.json().catch(() => null)) as
    | (T & { error?: string; message?: string; problems?: { path: string; problem: string; got?: unknown }[] })
    | null;
  if (!res.ok) {
    if (res.status === 502 || res.status === 503 || res.status === 504) throw new NetworkError(`HTTP ${res.status}`);
    throw new Refused(res.status, data?.error ?? 'error', data?.message ?? `HTTP ${res.status}`, data?.problems ?? []);
  }
  return data!;
}
