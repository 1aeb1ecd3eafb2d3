// The today page's calls: the sessions, each session's checklist (one server answer), the status moves
// (the same call the CLI's `session status` makes) and the archive job (records').
import type { JobView } from '../../../../../documents/protocol.ts';
import type { SessionChecklist } from '../../../../../exam/protocol.ts';
import { call } from '../../../../../web/http.ts';

const enc = encodeURIComponent;

/** A session as GET /api/exam/sessions lists it: the fields this page shows. */
export interface TodaySession {
  id: string;
  planId: string;
  roomId: string;
  roomName: string;
  startsAt: string;
  endsAt: string;
  durationMinutes: number;
  templateId: string;
  templateName: string;
  status: string;
}

export const sessions = () => call<TodaySession[]>('GET', '/api/exam/sessions');
export const checklist = (id: string) => call<SessionChecklist>('GET', `/api/exam/sessions/${enc(id)}/checklist`);
export const site = () => call<{ site: { id: string; name: string; timezone: string }; serverTime: number }>('GET', '/api/site');
export const moveSession = (id: string, status: string) => call<TodaySession>('POST', `/api/exam/sessions/${enc(id)}/status`, { status });
export type JobStarted = JobView;
export const startArchive = (id: string) => call<JobView>('POST', `/api/records/sessions/${enc(id)}/archive`, {});
