// The outbox's tables (migration 022): a package is stored whole, signature and all, before anything is
// sent; each attempt is a row written as it starts and completed as it ends. The database runs with
// synchronous=FULL (storage/db.ts), so a stored package survives a power cut, not only a crash.
import { iso } from '../../core/index.ts';
import type { Db } from '../../storage/index.ts';
import type { SentAnchor } from '../../documents/index.ts';
import type { ReportAttemptView, ReportPackageView, ReportReceipt } from '../protocol.ts';
import type { SignedPackage } from './package.ts';

export interface OutboxRow {
  id: string;
  session_id: string;
  version: number;
  body: Buffer;
  signature: string;
  key_id: string;
  content_sha256: string;
  audit_seq: number;
  audit_hash: string;
  created_at: number;
  state: 'pending' | 'sent';
  next_attempt_at: number;
  attempts: number;
  last_error: string | null;
  receipt: string | null;
  sent_at: number | null;
}

interface AttemptRow {
  package_id: string;
  n: number;
  started_at: number;
  finished_at: number | null;
  status_code: number | null;
  error: string | null;
  next_attempt_at: number | null;
}

export const INTERRUPTED = 'interrupted: the service stopped during this attempt (crash, kill or power cut); resent at the next start';

export function createOutbox(db: Db) {
  const latestOf = db.prepare<[string], OutboxRow>('SELECT * FROM report_packages WHERE session_id = ? ORDER BY version DESC LIMIT 1');
  const byId = db.prepare<[string], OutboxRow>('SELECT * FROM report_packages WHERE id = ?');
  const due = db.prepare<[number], OutboxRow>("SELECT * FROM report_packages WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY created_at, id LIMIT 1");
  const nextDue = db.prepare<[], { at: number | null }>("SELECT MIN(next_attempt_at) AS at FROM report_packages WHERE state = 'pending'");
  const insert = db.prepare(
    `INSERT INTO report_packages (id, session_id, version, body, signature, key_id, content_sha256, audit_seq, audit_hash, created_at, state, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
  );
  const attemptsOf = db.prepare<[string], AttemptRow>('SELECT * FROM report_attempts WHERE package_id = ? ORDER BY n DESC LIMIT 20');

  return {
    latestOf: (sessionId: string) => latestOf.get(sessionId) ?? null,
    get: (id: string) => byId.get(id) ?? null,

    /** Durable before sent: the package is on disk when this returns. */
    add(sessionId: string, p: SignedPackage, now: number): void {
      insert.run(p.id, sessionId, p.version, p.body, p.signature, p.keyId, p.contentSha256, p.auditAnchor.seq, p.auditAnchor.hash, now, now);
    },

    due: (now: number) => due.get(now) ?? null,
    nextDueAt: () => nextDue.get()?.at ?? null,

    /** The attempt's row exists before the first byte leaves, so a crash mid-send leaves a trace. */
    beginAttempt(id: string, now: number): number {
      return db
        .transaction(() => {
          const n = (db.prepare('SELECT COALESCE(MAX(n), 0) + 1 AS n FROM report_attempts WHERE package_id = ?').get(id) as { n: number }).n;
          db.prepare('INSERT INTO report_attempts (package_id, n, started_at) VALUES (?, ?, ?)').run(id, n, now);
          db.prepare('UPDATE report_packages SET attempts = attempts + 1 WHERE id = ?').run(id);
          return n;
        })
        .immediate();
    },

    succeeded(id: string, n: number, statusCode: number, receipt: ReportReceipt, now: number): void {
      db.transaction(() => {
        db.prepare('UPDATE report_attempts SET finished_at = ?, status_code = ? WHERE package_id = ? AND n = ?').run(now, statusCode, id, n);
        db.prepare("UPDATE report_packages SET state = 'sent', receipt = ?, sent_at = ?, last_error = NULL WHERE id = ?").run(JSON.stringify(receipt), now, id);
      }).immediate();
    },

    failed(id: string, n: number, outcome: { statusCode: number | null; error: string }, nextAt: number, now: number): void {
      db.transaction(() => {
        db.prepare('UPDATE report_attempts SET finished_at = ?, status_code = ?, error = ?, next_attempt_at = ? WHERE package_id = ? AND n = ?').run(
          now,
          outcome.statusCode,
          outcome.error,
          nextAt,
          id,
          n,
        );
        db.prepare('UPDATE report_packages SET last_error = ?, next_attempt_at = ? WHERE id = ?').run(outcome.error, nextAt, id);
      }).immediate();
    },

    /** At start-up: attempts the last process died in are recorded as such, and their packages are due at once. */
    closeInterrupted(now: number): number {
      return db
        .transaction(() => {
          const open = db.prepare('SELECT package_id, n FROM report_attempts WHERE finished_at IS NULL').all() as { package_id: string; n: number }[];
          for (const a of open) {
            db.prepare('UPDATE report_attempts SET finished_at = ?, error = ?, next_attempt_at = ? WHERE package_id = ? AND n = ?').run(
              now,
              INTERRUPTED,
              now,
              a.package_id,
              a.n,
            );
            db.prepare("UPDATE report_packages SET last_error = ?, next_attempt_at = ? WHERE id = ? AND state = 'pending'").run(INTERRUPTED, now, a.package_id);
          }
          return open.length;
        })
        .immediate();
    },

    /** An admin's "try now". */
    retryNow(id: string, now: number): void {
      db.prepare("UPDATE report_packages SET next_attempt_at = ? WHERE id = ? AND state = 'pending'").run(now, id);
    },

    list(limit = 200): ReportPackageView[] {
      const rows = db.prepare('SELECT * FROM report_packages ORDER BY created_at DESC, id DESC LIMIT ?').all(limit) as OutboxRow[];
      return rows.map((r) => ({
        id: r.id,
        sessionId: r.session_id,
        version: r.version,
        createdAt: iso(r.created_at),
        state: r.state,
        attempts: r.attempts,
        nextAttemptAt: r.state === 'pending' ? iso(r.next_attempt_at) : null,
        lastError: r.last_error,
        receipt: r.receipt ? (JSON.parse(r.receipt) as ReportReceipt) : null,
        sentAt: iso(r.sent_at),
        auditAnchor: { seq: r.audit_seq, hash: r.audit_hash },
        recentAttempts: attemptsOf.all(r.id).map(attemptView),
      }));
    },

    counts(): { pending: number; failedAttempts: number; oldestPendingAt: number | null; lastSentAt: number | null; lastError: string | null } {
      const p = db
        .prepare(
          `SELECT COUNT(*) AS pending, MIN(created_at) AS oldest,
             (SELECT COUNT(*) FROM report_attempts a JOIN report_packages q ON q.id = a.package_id WHERE q.state = 'pending' AND a.error IS NOT NULL) AS failed,
             (SELECT last_error FROM report_packages WHERE state = 'pending' AND last_error IS NOT NULL ORDER BY created_at LIMIT 1) AS lastError
           FROM report_packages WHERE state = 'pending'`,
        )
        .get() as { pending: number; oldest: number | null; failed: number; lastError: string | null };
      const sent = db.prepare("SELECT MAX(sent_at) AS at FROM report_packages WHERE state = 'sent'").get() as { at: number | null };
      return { pending: p.pending, failedAttempts: p.failed, oldestPendingAt: p.oldest, lastSentAt: sent.at, lastError: p.lastError };
    },

    /**
     * The audit anchor of the newest package the platform has acknowledged: what `audit verify` checks
     * against. Read from the package body as signed and sent, so the anchor comes with its signature.
     */
    lastSentAnchor(): SentAnchor | null {
      const r = db
        .prepare("SELECT id, body, sent_at AS sentAt FROM report_packages WHERE state = 'sent' ORDER BY audit_seq DESC, sent_at DESC LIMIT 1")
        .get() as { id: string; body: Buffer; sentAt: number } | undefined;
      if (!r) return null;
      const body = JSON.parse(r.body.toString('utf8')) as { auditAnchor: SentAnchor['anchor'] };
      return { anchor: body.auditAnchor, sentAt: r.sentAt, packageId: r.id };
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;

function attemptView(a: AttemptRow): ReportAttemptView {
  return {
    n: a.n,
    startedAt: iso(a.started_at),
    finishedAt: iso(a.finished_at),
    statusCode: a.status_code,
    error: a.error,
    nextAttemptAt: iso(a.next_attempt_at),
  };
}
