// Pulling the newest package from the central bank (bank.centralUrl) with conditional GETs, on demand
// (`examroom bank sync`, POST /api/bank/sync) and, when configured, on a timer in the server.
// A failed pull installs nothing; what happened is kept in bank_sync_state for the admin page.
import { DomainError, ValidationError, type Clock } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import type { Db } from '../../storage/index.ts';
import { MAX_PACKAGE_BYTES, PackageAlreadyInstalled, type InstalledPackage, type PackageService } from './packages.ts';
import type { BankStore } from './store.ts';

/** The central bank could not be reached or did not answer with a package. */
export class SyncFailed extends DomainError {
  override readonly code = 'sync_failed';
  constructor(message: string) {
    super(message);
    this.name = 'SyncFailed';
  }
}

export interface SyncState {
  url: string;
  etag: string | null;
  lastModified: string | null;
  checkedAt: number | null;
  lastVersion: string | null;
  lastError: string | null;
}

export type SyncResult = { status: 'up_to_date'; version: string | null } | ({ status: 'installed' } & InstalledPackage);

/** The part of a pino logger the timer uses (Fastify's app.log fits). */
export interface SyncLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface BankSyncDeps {
  db: Db;
  clock: Clock;
  config: Config;
  bank: BankStore;
  packages: PackageService;
  /** For the whole exchange, body included; a national bank over a slow county line takes a while. */
  timeoutMs?: number;
}

/** Userinfo is never echoed into messages, logs or the audit log. */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) (u.username = '***'), (u.password = '');
    return u.toString();
  } catch {
    return url;
  }
}

function whyUnreachable(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no complete answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`;
  const cause = e?.cause;
  if (cause?.message) return cause.code && !cause.message.includes(cause.code) ? `${cause.message} (${cause.code})` : cause.message;
  return e?.message ?? String(err);
}

export function createBankSync(deps: BankSyncDeps) {
  const { db, clock, config, packages } = deps;
  const timeoutMs = deps.timeoutMs ?? 120_000;

  const getState = db.prepare<
    [string],
    { url: string; etag: string | null; last_modified: string | null; checked_at: number | null; last_version: string | null; last_error: string | null }
  >('SELECT * FROM bank_sync_state WHERE url = ?');
  const saveSuccess = db.prepare(
    `INSERT INTO bank_sync_state (url, etag, last_modified, checked_at, last_version, last_error) VALUES (@url, @etag, @lastModified, @checkedAt, @lastVersion, NULL)
     ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, checked_at = excluded.checked_at,
       last_version = COALESCE(excluded.last_version, bank_sync_state.last_version), last_error = NULL`,
  );
  const saveUnchanged = db.prepare(
    `INSERT INTO bank_sync_state (url, checked_at) VALUES (?, ?) ON CONFLICT(url) DO UPDATE SET checked_at = excluded.checked_at, last_error = NULL`,
  );
  const saveFailure = db.prepare(
    `INSERT INTO bank_sync_state (url, checked_at, last_error) VALUES (?, ?, ?) ON CONFLICT(url) DO UPDATE SET checked_at = excluded.checked_at, last_error = excluded.last_error`,
  );
  // A refused package forgets the validators: otherwise the next pull would get 304 and never look
  // at that package again, even after the operator adds the missing key to the config.
  const saveRefusal = db.prepare(
    `INSERT INTO bank_sync_state (url, checked_at, last_error) VALUES (?, ?, ?)
     ON CONFLICT(url) DO UPDATE SET etag = NULL, last_modified = NULL, checked_at = excluded.checked_at, last_error = excluded.last_error`,
  );

  let running: Promise<SyncResult> | null = null;
  let inFlight: AbortController | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;

  function requireUrl(): string {
    const url = config.bank.centralUrl;
    if (!url)
      throw new ValidationError([
        { path: 'bank.centralUrl', problem: `not set in the config${config.file ? ` ${config.file}` : ''}: there is no central bank to sync from` },
      ]);
    return url;
  }

  async function readBody(res: Response, url: string): Promise<Buffer> {
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > MAX_PACKAGE_BYTES)
      throw new SyncFailed(
        `the central bank at ${shownUrl(url)} offers ${declared} bytes, more than the ${MAX_PACKAGE_BYTES / 1024 / 1024} MiB a package may be`,
      );
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_PACKAGE_BYTES) {
        await reader.cancel();
        throw new SyncFailed(`the central bank at ${shownUrl(url)} sent more than the ${MAX_PACKAGE_BYTES / 1024 / 1024} MiB a package may be`);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks);
  }

  async function pull(by: { actor: string; ip?: string | null }): Promise<SyncResult> {
    const url = requireUrl();
    const prev = getState.get(url);
    const headers: Record<string, string> = { accept: 'application/json, application/gzip;q=0.9, */*;q=0.1', 'user-agent': `examroom (${config.site.id})` };
    if (prev?.etag) headers['if-none-match'] = prev.etag;
    if (prev?.last_modified) headers['if-modified-since'] = prev.last_modified;
    const controller = new AbortController();
    inFlight = controller;
    const fail = (message: string) => {
      saveFailure.run(url, clock.now(), message);
      return new SyncFailed(message);
    };
    let body: Buffer;
    let res: Response;
    // A timer we hold, not AbortSignal.timeout inside AbortSignal.any: on Node 20 that composed signal can be
    // collected before it fires, and a silent central bank then hung a sync for minutes (seen in CI).
    const deadline = new AbortController();
    const deadlineTimer = setTimeout(() => deadline.abort(new DOMException('timed out', 'TimeoutError')), timeoutMs);
    try {
      res = await fetch(url, { headers, signal: AbortSignal.any([controller.signal, deadline.signal]), redirect: 'follow' });
      if (res.status === 304) {
        await res.body?.cancel();
        saveUnchanged.run(url, clock.now());
        return { status: 'up_to_date', version: prev?.last_version ?? deps.bank.latest()?.id ?? null };
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new SyncFailed(`the central bank at ${shownUrl(url)} answered ${res.status} ${res.statusText}`.trimEnd());
      }
      body = await readBody(res, url);
    } catch (err) {
      // Abandoned by stop(): the database is about to close, and a shutdown is not the central bank's failure.
      if (controller.signal.aborted) throw new SyncFailed('the sync was stopped before it finished (shutting down)');
      if (err instanceof SyncFailed) throw fail(err.message);
      throw fail(`cannot reach the central bank at ${shownUrl(url)}: ${whyUnreachable(err, timeoutMs)}`);
    } finally {
      clearTimeout(deadlineTimer);
      inFlight = null;
    }
    const validators = { url, etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified'), checkedAt: clock.now() };
    try {
      const installed = await packages.acceptInSteps(body, { actor: by.actor, ip: by.ip ?? null, source: 'sync' });
      saveSuccess.run({ ...validators, lastVersion: installed.version.id });
      return { status: 'installed', ...installed };
    } catch (err) {
      if (err instanceof PackageAlreadyInstalled) {
        saveSuccess.run({ ...validators, lastVersion: err.installed.id });
        return { status: 'up_to_date', version: err.installed.id };
      }
      // Only a refusal forgets the validators; a local fault (a locked database, say) leaves them be.
      if (err instanceof DomainError) saveRefusal.run(url, clock.now(), `package from ${shownUrl(url)} refused: ${err.message}`);
      else saveFailure.run(url, clock.now(), `installing the package from ${shownUrl(url)} failed: ${(err as Error)?.message ?? String(err)}`);
      throw err;
    }
  }

  const sync = {
    /** The central bank this site pulls from (credentials masked), or null. */
    url: (): string | null => (config.bank.centralUrl ? shownUrl(config.bank.centralUrl) : null),

    state(): SyncState | null {
      const url = config.bank.centralUrl;
      const r = url ? getState.get(url) : undefined;
      if (!r) return null;
      return {
        url: shownUrl(r.url),
        etag: r.etag,
        lastModified: r.last_modified,
        checkedAt: r.checked_at,
        lastVersion: r.last_version,
        lastError: r.last_error,
      };
    },

    /**
     * Pulls now. Concurrent callers (the timer, an admin's button, a retry) share one exchange, so a
     * package is never downloaded twice at once. Throws SyncFailed when the central bank cannot be
     * reached, and the package's own refusal (PackageRefused, ValidationError, Conflict) when it is refused.
     */
    syncNow(by: { actor: string; ip?: string | null } = { actor: 'system' }): Promise<SyncResult> {
      running ??= pull(by).finally(() => {
        running = null;
      });
      return running;
    },

    /**
     * Starts pulling every bank.syncIntervalMinutes (first after firstDelayMs), when both centralUrl
     * and the interval are configured; returns whether it started. The timer is unref'd, so it never
     * keeps a process alive; call stop() before closing the database. `when` may veto a tick: installing
     * a national bank holds the event loop for about a second, which the server may not want while
     * candidates are saving answers; a vetoed tick waits for the next interval.
     */
    start(opts: { log?: SyncLog; firstDelayMs?: number; intervalMs?: number; when?: () => boolean } = {}): boolean {
      const minutes = config.bank.syncIntervalMinutes;
      const every = opts.intervalMs ?? (minutes ? minutes * 60_000 : null);
      if (!config.bank.centralUrl || !every) return false;
      if (!stopped) return true;
      stopped = false;
      const schedule = (ms: number) => {
        timer = setTimeout(tick, ms);
        timer.unref();
      };
      const tick = () => {
        timer = null;
        if (opts.when && !opts.when()) return void schedule(every);
        sync
          .syncNow({ actor: 'system' })
          .then(
            (r) => {
              if (r.status === 'installed')
                opts.log?.info(
                  { version: r.version.id, questions: r.version.questionCount, templates: r.version.templateCount, publisher: r.publisher },
                  'bank package installed',
                );
            },
            (err: unknown) => {
              if (!stopped) opts.log?.warn({ error: (err as Error)?.message ?? String(err) }, 'bank sync failed');
            },
          )
          .finally(() => {
            if (!stopped) schedule(every);
          });
      };
      schedule(opts.firstDelayMs ?? 10_000);
      return true;
    },

    /** Stops the timer and abandons a pull in progress; resolves when nothing touches the database any more. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      inFlight?.abort();
      await running?.catch(() => {});
    },
  };
  return sync;
}

export type BankSync = ReturnType<typeof createBankSync>;
