// What the records module's routes answer and its console parts read: types both the server and the web
// apps import. Each part of records keeps its own section.

// ── Reporting to the provincial exam platform (records/reporting, GET /api/records/reports) ──

/** One delivery attempt of a results package. */
export interface ReportAttemptView {
  n: number;
  startedAt: string;
  finishedAt: string | null;
  /** The platform's HTTP status; null when no reply came (refused connection, timeout, the process ended). */
  statusCode: number | null;
  /** What went wrong, in words; null for the attempt that delivered. */
  error: string | null;
  /** When the next attempt was scheduled after this one; null once delivered. */
  nextAttemptAt: string | null;
}

/** The platform's receipt: its reply to the delivery it accepted (docs/reporting.md). */
export interface ReportReceipt {
  packageId: string;
  receiptId: string;
  receivedAt: string;
}

export interface ReportPackageView {
  id: string;
  sessionId: string;
  version: number;
  createdAt: string;
  /** pending: not yet accepted (being retried); sent: the platform's receipt is stored. */
  state: 'pending' | 'sent';
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  receipt: ReportReceipt | null;
  sentAt: string | null;
  auditAnchor: { seq: number; hash: string };
  /** The latest attempts, newest first (at most 20; `attempts` counts them all). */
  recentAttempts: ReportAttemptView[];
}

export interface ReportingStatus {
  /** false: reporting.url is not set; nothing is packaged or sent. */
  configured: boolean;
  /** The platform's address (scheme, host, port, path), for the operator; never a credential. */
  target: string | null;
  pending: number;
  /** Failed attempts of the packages still pending. */
  failedAttempts: number;
  oldestPendingAt: string | null;
  lastSentAt: string | null;
  lastError: string | null;
}

export interface ReportsReply {
  status: ReportingStatus;
  packages: ReportPackageView[];
}
