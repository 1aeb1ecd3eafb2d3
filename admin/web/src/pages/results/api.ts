// The results page's calls: the exam's sessions and results (exam/plans/routes.ts) and the records
// module's documents, certificates, archives and reporting (records/protocol.ts for their shapes).
import { call, HttpError } from '../../../../../web/http.ts';
import type { ArchiveView, CertificateView, ReportsReply, RoomLogReply, SessionReports, ReportingStatus } from '../../../../../records/protocol.ts';
import { enc } from './refusal.ts';

export interface SessionItem {
  id: string;
  planId: string;
  roomId: string;
  roomName: string;
  startsAt: string;
  endsAt: string;
  templateName: string;
  status: string;
}

export interface ResultsReply {
  summary: {
    roster: number;
    admitted: number;
    absent: number;
    graded: number;
    passed: number;
    failed: number;
    passRate: number | null;
    averageScore: number | null;
  };
  candidates: {
    ticketNo: string;
    name: string;
    idNumber: string;
    attempt: number;
    status: string;
    score: number | null;
    total: number | null;
    passed: boolean | null;
    gradedAt: string | null;
    validUntil: string | null;
  }[];
}

export const api = {
  site: () => call<{ site: { timezone: string } }>('GET', '/api/site'),
  sessions: () => call<SessionItem[]>('GET', '/api/exam/sessions'),
  results: (id: string) => call<ResultsReply>('GET', `/api/exam/sessions/${enc(id)}/results`),
  reports: (id: string) => call<SessionReports>('GET', `/api/records/sessions/${enc(id)}/reports`),
  roomLog: (id: string) => call<RoomLogReply>('GET', `/api/records/sessions/${enc(id)}/room-log`),
  certificates: (id: string) => call<{ certificates: CertificateView[] }>('GET', `/api/records/certificates?sessionId=${enc(id)}`),
  revoke: (number: string, reason: string) => call<CertificateView>('POST', `/api/records/certificates/${enc(number)}/revoke`, { reason }),
  certificateExport: (id: string, format: 'xlsx' | 'json') => `/api/records/certificates/export?sessionId=${enc(id)}&format=${format}`,
  archives: (id: string) => call<ArchiveView[]>('GET', `/api/records/archives?sessionId=${enc(id)}`),
  startArchive: (id: string, withMedia: boolean) =>
    call<import('../../../../../web/job.ts').JobView>('POST', `/api/records/sessions/${enc(id)}/archive`, { withMedia }),
  archiveFile: (archiveId: string) => `/api/records/archives/${enc(archiveId)}/file`,
  /** The plain copy as a blob: fetched (not a link) so a refusal comes back as words, not a JSON download. */
  async archivePlain(archiveId: string): Promise<Blob> {
    const res = await fetch(`/api/records/archives/${enc(archiveId)}/plain`, { credentials: 'same-origin' });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string; params?: Record<string, string | number> };
      throw new HttpError(res.status, body.error ?? 'http', body.message ?? res.statusText, body.params ?? {});
    }
    return res.blob();
  },
  reporting: () => call<ReportsReply>('GET', '/api/records/reports'),
  reportingStatus: () => call<ReportingStatus>('GET', '/api/records/reports/status'),
  retryReport: (id: string) => call<unknown>('POST', `/api/records/reports/${enc(id)}/retry`),
};

/** Sessions whose results exist come first (graded, archived), then the others, newest first within each. */
export function orderSessions(list: SessionItem[]): SessionItem[] {
  const rank = (s: SessionItem) => (s.status === 'graded' || s.status === 'archived' ? 0 : s.status === 'ended' ? 1 : 2);
  return [...list].sort((a, b) => rank(a) - rank(b) || b.startsAt.localeCompare(a.startsAt));
}
