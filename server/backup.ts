// The site's backups, composed: the destination the config names (the object store, else backup.path,
// else none), the service, and the backup taken at start-up before an upgrade's migrations. The
// snapshot, sealing and keep rule themselves live in storage/backup/.
import type { Config } from '../config/index.ts';
import type { Clock } from '../core/index.ts';
import {
  createBackupService,
  folderDestination,
  loadBackupKey,
  migrations,
  schemaVersion,
  dataPaths,
  type AuditInput,
  type AuditLog,
  type BackupDestination,
  type BackupService,
  type Db,
} from '../storage/index.ts';
import { objectStoreDestination } from '../storage/backup/object-store-destination.ts';
import type { ObjectStore } from '../storage/object-store/index.ts';

/** The object store when one is configured (its client given by the caller), else backup.path, else none. */
export function backupDestinationOf(config: Config, store?: ObjectStore | null): BackupDestination | null {
  if (config.objectStore && store) return objectStoreDestination(store, config.site.id, { retainDays: config.backup.keep.daily });
  return config.backup.path ? folderDestination(config.backup.path) : null;
}

export function createSiteBackups(o: {
  config: Config;
  db: Db;
  audit: AuditLog;
  clock: Clock;
  log?: BackupServiceLog;
  quiet?: () => boolean;
  destination?: BackupDestination | null;
  store?: ObjectStore | null;
  inProcess?: boolean;
}): BackupService {
  return createBackupService({
    db: o.db,
    paths: dataPaths(o.config.paths.data),
    keysDir: o.config.paths.keys,
    site: { id: o.config.site.id, timezone: o.config.site.timezone },
    settings: { at: o.config.backup.at, keep: o.config.backup.keep },
    audit: o.audit,
    clock: o.clock,
    destination: o.destination === undefined ? backupDestinationOf(o.config, o.store) : o.destination,
    ...(o.quiet ? { quiet: o.quiet } : {}),
    ...(o.log ? { log: o.log } : {}),
    ...(o.inProcess ? { inProcess: true } : {}),
  });
}

type BackupServiceLog = { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };

/** Makes the backup key on the first start, so the first key bundle exported already carries it. */
export function ensureBackupKey(config: Config, audit: AuditLog): void {
  const k = loadBackupKey(config.paths.keys, { create: true });
  if (k?.created) audit.append({ actor: 'system', action: 'backup.key.created', target: k.key.id });
}

/**
 * Before an upgrade's migrations change the database (the version on disk is older than this software),
 * a local online copy in the staging folder — on this disk, fast, on what may be an exam morning; the
 * scheduler ships it off later. Its audit entries wait in `pending` until the migrated database (whose
 * audit tables may be older than this code) takes them. Null when nothing is to migrate.
 */
export async function backupBeforeMigrations(o: { config: Config; db: Db; clock: Clock; log?: BackupServiceLog }): Promise<{
  name: string | null;
  ms: number;
  pending: AuditInput[];
} | null> {
  const from = schemaVersion(o.db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (!o.config.backup.beforeMigrations || from === 0 || from >= latest) return null;
  const pending: AuditInput[] = [];
  const deferred = { append: (e: AuditInput) => void pending.push(e) } as unknown as AuditLog;
  // In-process: no terminal is served before the migrations, and a child's start would only delay the start.
  const service = createSiteBackups({
    config: o.config,
    db: o.db,
    audit: deferred,
    clock: o.clock,
    destination: null,
    inProcess: true,
    ...(o.log ? { log: o.log } : {}),
  });
  const started = o.clock.now();
  try {
    // No shipping and no pruning now: both wait for the running server's scheduler, past the start's rush.
    const r = await service.take('upgrade', 'system', { ship: false, prune: false });
    return { name: r.name, ms: r.ms, pending: pending.map((e) => ({ ...e, detail: { ...(e.detail as object), fromSchema: from, toSchema: latest } })) };
  } catch (err) {
    // A copy that cannot be made (a full disk) must not keep the exam room from starting: the start goes
    // on, loudly, and the audit log and the console say the migrations ran without it.
    o.log?.error({ err }, 'the backup before migrations failed; migrating without it');
    pending.push({
      actor: 'system',
      action: 'backup.failed',
      detail: { reason: 'upgrade', error: (err as Error).message, fromSchema: from, toSchema: latest },
    });
    return { name: null, ms: o.clock.now() - started, pending };
  }
}

/**
 * The backup part of /healthz's details. Degraded only when a destination is configured and the newest
 * copy there is missing, stale or the last attempt failed; a site with no destination is told in words
 * every day (console and health) but is not "unwell" by that alone: it is a choice the config states.
 */
export function backupHealthOf(backups: BackupService): { ok: boolean; warnings: string[]; lastOffDisk: string | null; destination: string } {
  const s = backups.status();
  const bad = s.warnings.some((w) => w === 'no-copy-off-disk' || w === 'stale' || w === 'last-failed');
  return {
    ok: !bad,
    warnings: s.warnings.map((w) => HEALTH_WORDS[w] ?? w),
    lastOffDisk: s.lastOffDisk ? new Date(s.lastOffDisk.takenAt).toISOString() : null,
    destination: s.destination.offDisk ? s.destination.kind : 'none',
  };
}

const HEALTH_WORDS: Record<string, string> = {
  'no-destination': 'the database has no copy off this disk: no backup destination is configured (backup.path or objectStore)',
  'no-copy-off-disk': 'the database has no copy off this disk yet: no backup has reached the destination',
  stale: 'the newest backup off this disk is more than two days old',
  'keys-not-exported': 'no key bundle with the backup key has been exported (examroom keys export)',
  'last-failed': 'the last backup action failed',
};
