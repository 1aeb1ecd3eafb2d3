// The reporting service: packages each graded session (at the graded event, and at start for any the
// last process did not get to), keeps them in the outbox, and sends them in the background until the
// platform gives a receipt. Retries never stop; the wait between them grows to reporting.maxBackoffMinutes.
import { statSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { Conflict, NotFound, iso, type Clock, type EventBus } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import { createAuditAnchors, loadSiteSigner, type AuditAnchors, type SentAnchor, type SiteSigner } from '../../documents/index.ts';
import type { ExamService } from '../../exam/index.ts';
import type { AuditLog, DataPaths, Db } from '../../storage/index.ts';
import type { ReportingStatus, ReportsReply } from '../protocol.ts';
import { backoffMs, deliver, type DeliveryTarget } from './deliver.ts';
import { createOutbox, type OutboxRow } from './outbox.ts';
import { packageContent, signPackage } from './package.ts';

export interface ReportingDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  config: Config;
  audit: AuditLog;
  paths: DataPaths;
  exam: ExamService;
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** The app's metrics registry: the outbox's gauges join /metrics. */
  registry?: Registry;
  /** The legal basis for sending face images (records/privacy); without one, packages carry no image. */
  faceImagesTo?: (destination: 'reporting') => string | null;
  /** Every package carries the newest audit anchor (documents/audit-anchors.ts); made here when not given. */
  anchors?: AuditAnchors;
}

/** The sender looks at the outbox at least this often, so a retry asked for from another process is not missed. */
const MAX_IDLE_MS = 60_000;

export function createReporting(deps: ReportingDeps) {
  const { db, clock, bus, config, audit, log } = deps;
  const outbox = createOutbox(db);
  const anchors =
    deps.anchors ??
    createAuditAnchors({ db, audit, dir: deps.paths.anchors, keysDir: config.paths.keys, clock, siteId: config.site.id, ...(log ? { log } : {}) });
  const settings = config.reporting;
  const configured = settings.url !== null;
  const target: DeliveryTarget | null = configured
    ? {
        url: settings.url!,
        caFile: settings.caFile,
        tokenFile: settings.tokenFile,
        timeoutMs: settings.timeoutSeconds * 1000,
        siteId: config.site.id,
      }
    : null;
  const capMs = settings.maxBackoffMinutes * 60_000;
  let signer: SiteSigner | null = null;
  const signerOf = () => (signer ??= loadSiteSigner(config.paths.keys));

  let timer: NodeJS.Timeout | null = null;
  let poll: NodeJS.Timeout | null = null;
  let started = false;
  let stopping = false;
  let running: Promise<void> | null = null;
  let inflight: AbortController | null = null;
  const offs: (() => void)[] = [];

  if (deps.registry) registerGauges(deps.registry);

  /**
   * Makes a new version of the session's package when what it reports differs from the last version
   * (first grading, or a regrade); otherwise nothing. Returns the package id, new or current.
   */
  function packageSession(sessionId: string): { id: string; created: boolean } {
    if (!configured) throw new Conflict('reporting is not configured (reporting.url is not set)');
    const content = packageContent(deps, sessionId);
    // Written (when the log moved) before the transaction: an anchor names only committed entries.
    const anchor = anchors.current('package');
    const made = db
      .transaction(() => {
        const latest = outbox.latestOf(sessionId);
        const version = (latest?.version ?? 0) + 1;
        const now = clock.now();
        const pkg = signPackage(content, { version, now, anchor, signer: signerOf() });
        if (latest && latest.content_sha256 === pkg.contentSha256) return { id: latest.id, created: false };
        outbox.add(sessionId, pkg, now);
        audit.append({ actor: 'system', action: 'records.report.package', target: sessionId, detail: { packageId: pkg.id, version } });
        return { id: pkg.id, created: true };
      })
      .immediate();
    if (made.created) {
      log?.info({ packageId: made.id, sessionId }, 'results package stored for reporting');
      kick();
    }
    return made;
  }

  /**
   * At start every graded or archived session is compared with its last package (a regrade while the
   * service was down makes a new version); the periodic pass only looks for sessions with no package,
   * e.g. one marked graded by the CLI, whose event this process never heard.
   */
  function catchUp(onlyMissing: boolean): void {
    for (const status of ['graded', 'archived'] as const) {
      for (const s of deps.exam.plans.listSessions({ status })) {
        if (onlyMissing && outbox.latestOf(s.id)) continue;
        try {
          packageSession(s.id);
        } catch (err) {
          log?.error({ err, sessionId: s.id }, 'results package could not be made');
        }
      }
    }
  }

  function kick(delayMs = 0): void {
    if (!started || stopping) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      // A running drain re-reads the due packages after each send, so it also picks up what this kick was for.
      if (!running) running = drain().finally(() => (running = null));
    }, delayMs);
  }

  async function drain(): Promise<void> {
    while (!stopping) {
      const row = outbox.due(clock.now());
      if (!row) break;
      await sendOne(row);
    }
    if (stopping) return;
    const next = outbox.nextDueAt();
    if (next !== null) kick(Math.min(Math.max(0, next - clock.now()), MAX_IDLE_MS));
    else kick(MAX_IDLE_MS);
  }

  async function sendOne(row: OutboxRow): Promise<void> {
    const n = outbox.beginAttempt(row.id, clock.now());
    inflight = new AbortController();
    const outcome = await deliver(target!, { id: row.id, body: row.body, signature: row.signature, keyId: row.key_id }, inflight.signal);
    inflight = null;
    const now = clock.now();
    if (outcome.ok) {
      outbox.succeeded(row.id, n, outcome.statusCode, outcome.receipt, now);
      audit.append({
        actor: 'system',
        action: 'records.report.sent',
        target: row.session_id,
        detail: { packageId: row.id, receiptId: outcome.receipt.receiptId, anchor: { seq: row.audit_seq, hash: row.audit_hash } },
      });
      log?.info({ packageId: row.id, receiptId: outcome.receipt.receiptId }, 'results package delivered');
      return;
    }
    const failures = (outbox.get(row.id)?.attempts ?? n) as number;
    const nextAt = stopping ? now : now + backoffMs(failures, capMs);
    outbox.failed(row.id, n, outcome, nextAt, now);
    log?.warn(
      { packageId: row.id, attempt: n, statusCode: outcome.statusCode, error: outcome.error, nextAttemptAt: iso(nextAt) },
      'results package not delivered; will retry',
    );
  }

  /** The token is a credential for the platform: a file other users can read is worth a line in the log (its path, never its content). */
  function warnIfTokenExposed(): void {
    if (!settings.tokenFile) return;
    try {
      if ((statSync(settings.tokenFile).mode & 0o077) !== 0)
        log?.warn({ tokenFile: settings.tokenFile }, 'reporting.tokenFile can be read by other users; make it 0600 and owned by the service user');
    } catch {
      // Unreadable now: each attempt records that as its error.
    }
  }

  function status(): ReportingStatus {
    const c = outbox.counts();
    return {
      configured,
      target: target ? displayUrl(target.url) : null,
      pending: c.pending,
      failedAttempts: c.failedAttempts,
      oldestPendingAt: iso(c.oldestPendingAt),
      lastSentAt: iso(c.lastSentAt),
      lastError: c.lastError,
    };
  }

  function registerGauges(registry: Registry): void {
    new Gauge({
      name: 'examroom_reporting_pending_packages',
      help: 'Results packages stored and not yet accepted by the exam platform',
      registers: [registry],
      collect() {
        this.set(outbox.counts().pending);
      },
    });
    new Gauge({
      name: 'examroom_reporting_failed_attempts',
      help: 'Failed delivery attempts of the results packages still pending',
      registers: [registry],
      collect() {
        this.set(outbox.counts().failedAttempts);
      },
    });
    new Gauge({
      name: 'examroom_reporting_oldest_pending_seconds',
      help: 'Age of the oldest results package not yet accepted (0 when none)',
      registers: [registry],
      collect() {
        const oldest = outbox.counts().oldestPendingAt;
        this.set(oldest === null ? 0 : Math.max(0, (clock.now() - oldest) / 1000));
      },
    });
  }

  return {
    configured,
    packageSession,
    status,
    /** The audit anchor of the newest package the platform acknowledged: what `audit verify` holds the log against. */
    lastSentAnchor: (): SentAnchor | null => outbox.lastSentAnchor(),
    list(): ReportsReply {
      return { status: status(), packages: outbox.list() };
    },
    /** An admin's "try now" for a package still pending (audited). */
    retry(id: string, actor: string, ip: string | null = null): void {
      const row = outbox.get(id);
      if (!row) throw new NotFound(`no results package ${JSON.stringify(id)}`);
      if (!configured) throw new Conflict('reporting is not configured (reporting.url is not set); nothing can be sent');
      if (row.state === 'sent')
        throw new Conflict(`results package ${id} was already accepted by the platform (receipt ${JSON.parse(row.receipt!).receiptId})`);
      outbox.retryNow(id, clock.now());
      audit.append({ actor, action: 'records.report.retry', target: row.session_id, detail: { packageId: id, attempts: row.attempts }, ip });
      kick();
    },
    async start(): Promise<void> {
      if (!configured || started) return;
      started = true;
      stopping = false;
      warnIfTokenExposed();
      const interrupted = outbox.closeInterrupted(clock.now());
      if (interrupted) log?.warn({ interrupted }, 'delivery attempts interrupted by the last stop; resending');
      offs.push(
        bus.on('session.status', (e) => {
          if (e.to !== 'graded') return;
          try {
            packageSession(e.sessionId);
          } catch (err) {
            log?.error({ err, sessionId: e.sessionId }, 'results package could not be made');
          }
        }),
      );
      catchUp(false);
      poll = setInterval(() => catchUp(true), MAX_IDLE_MS);
      poll.unref();
      kick();
    },
    async stop(): Promise<void> {
      stopping = true;
      for (const off of offs.splice(0)) off();
      if (timer) clearTimeout(timer);
      timer = null;
      if (poll) clearInterval(poll);
      poll = null;
      inflight?.abort();
      await running;
      started = false;
    },
  };
}

export type Reporting = ReturnType<typeof createReporting>;

/** The URL without query or credentials: what an operator needs to recognise the target. */
function displayUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}
