// `examroom backup now|list|verify|restore`. Nothing here prints a key or a passphrase: a backup is
// named by its file, a key by its id.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DomainError, ValidationError, localDateTime, tableLines, type Clock } from '../core/index.ts';
import type { Config } from '../config/index.ts';
import {
  BACKUP_KEY_FILE,
  AUDIT_KEY_FILE,
  auditKeyOf,
  bundleHeader,
  checkBackupFile,
  createAuditLog,
  dataPaths,
  ensureKeysFolder,
  loadAuditKey,
  loadBackupKey,
  openDatabase,
  openKeyBundle,
  parseBackupKey,
  parseChecksum,
  readBackupHeader,
  restoreBackup,
  restoreKeyBundle,
  stagingDirOf,
  type AuditLog,
  type BackupCheck,
  type BackupService,
  type Db,
} from '../storage/index.ts';
import { backupDestinationOf } from './backup.ts';
import type { ObjectStore } from '../storage/object-store/index.ts';

export class BackupUsageError extends DomainError {
  override readonly code = 'usage';
}

export const BACKUP_USAGE =
  'usage: examroom backup now | backup list | backup verify NAME|FILE | backup restore NAME|FILE --bundle KEYS.bundle [--force]   (restore: onto a fresh data folder; passphrase from --passphrase-file FILE, $EXAMROOM_KEYS_PASSPHRASE or the terminal)';

export interface BackupCliContext {
  config: Config;
  clock: Clock;
  actor: string;
  args: string[];
  values: { 'passphrase-file'?: string; bundle?: string; force?: boolean };
  out(line: string): void;
  err(line: string): void;
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

function describeCheck(name: string, r: BackupCheck, out: (l: string) => void): number {
  if (r.ok) {
    out(
      `backup ${name}: good — checksum matches, PRAGMA integrity_check ok, audit chain intact (${r.audit?.checked ?? 0} entries, head entry ${r.header?.auditHead.seq})`,
    );
    return 0;
  }
  out(`backup ${name}: FAILED`);
  for (const p of r.problems) out(`  ${p}`);
  return 1;
}

/** The commands that work on a site's database (it is open, migrated, audited). */
export async function backupCommand(sub: string | undefined, ctx: BackupCliContext & { db: Db; audit: AuditLog; service: BackupService }): Promise<number> {
  const { out, config } = ctx;
  const tz = config.site.timezone;
  if (sub === 'now') {
    const r = await ctx.service.take('manual', ctx.actor);
    const dest = ctx.service.status().destination;
    out(`backup ${r.name}: ${mib(r.bytes)} in ${(r.ms / 1000).toFixed(1)} s, SHA-256 ${r.sha256}`);
    out(
      r.shipped
        ? `copied to ${dest.where} and verified there`
        : dest.offDisk
          ? `kept in ${ctx.service.stagingDir} for now: copying to ${dest.where} failed (${ctx.service.status().lastError?.message ?? 'see the log'}); the server retries`
          : `kept on this disk only (${ctx.service.stagingDir}): configure backup.path or objectStore so a copy leaves this disk`,
    );
    return 0;
  }
  if (sub === 'list') {
    const rows = await ctx.service.list();
    const s = ctx.service.status();
    out(`destination: ${s.destination.offDisk ? `${s.destination.kind} ${s.destination.where}` : `none — copies stay on this disk (${s.destination.where})`}`);
    if (rows.length === 0) out('no backups yet (examroom backup now takes one)');
    else
      out(
        tableLines(
          rows.map((b) => ({
            backup: b.name,
            taken: localDateTime(b.takenAt, tz),
            reason: b.reason,
            size: mib(b.bytes),
            where: b.at === 'destination' ? s.destination.kind : 'this disk',
            checksum: b.sha256 ? 'yes' : 'MISSING',
          })),
        ).join('\n'),
      );
    for (const w of s.warnings) out(`warning: ${WARNING_WORDS[w] ?? w}`);
    return 0;
  }
  if (sub === 'verify') {
    const target = ctx.args[0];
    if (!target) throw new BackupUsageError(BACKUP_USAGE);
    if (existsSync(target) && statSync(target).isFile()) {
      const k = loadBackupKey(config.paths.keys, { create: false });
      if (!k) throw new BackupUsageError(`there is no backup key in ${config.paths.keys}: import the key bundle first (examroom keys import)`);
      let sha: string | null = null;
      try {
        sha = parseChecksum(readFileSync(`${target}.sha256`, 'utf8'));
      } catch {
        sha = null;
      }
      const scratchIn = stagingDirOf(dataPaths(config.paths.data));
      await mkdir(scratchIn, { recursive: true, mode: 0o750 });
      const r = await checkBackupFile(target, { key: k.key, auditKey: loadAuditKey(config.paths.keys, { create: false }), sha256: sha, scratchIn });
      ctx.audit.append({ actor: ctx.actor, action: 'backup.verified', target: resolve(target), detail: { ok: r.ok, problems: r.problems } });
      return describeCheck(basename(target), r, out);
    }
    const r = await ctx.service.verify(target, ctx.actor);
    return describeCheck(target, r, out);
  }
  throw new BackupUsageError(BACKUP_USAGE);
}

export const WARNING_WORDS: Record<string, string> = {
  'no-destination': 'no backup destination is configured (backup.path or objectStore): the database has no copy off this disk',
  'no-copy-off-disk': 'no backup has reached the destination yet: the database has no copy off this disk',
  stale: 'the newest copy off this disk is more than two days old',
  'keys-not-exported': 'no key bundle holding the backup key has been exported (examroom keys export): without it no backup can be opened',
  'last-failed': 'the last backup action failed (see examroom backup list and the log)',
};

/**
 * `backup restore`: onto a fresh data folder (the config's, or --data), given the backup (a file, or a
 * name at the configured destination) and the key bundle. The bundle's keys go into the keys folder
 * first (refused when the folder holds other keys, unless --force), then the backup is opened with its
 * backup key, checked, and moved into place; the restore is the first entry after the restored head.
 */
export async function restoreCommand(ctx: BackupCliContext & { store?: ObjectStore | null }): Promise<number> {
  const { config, out } = ctx;
  const target = ctx.args[0];
  const bundleFile = ctx.values.bundle;
  if (!target || !bundleFile) throw new BackupUsageError(BACKUP_USAGE);
  const paths = dataPaths(config.paths.data);
  if (existsSync(paths.dbFile) && statSync(paths.dbFile).size > 0)
    throw new BackupUsageError(
      `${paths.dbFile} already exists: restore onto a fresh data folder (give --data NEW_FOLDER, or move the old one aside; it may be evidence)`,
    );
  let text: string;
  try {
    text = readFileSync(bundleFile, 'utf8');
  } catch (err) {
    throw new ValidationError([{ path: '--bundle', problem: `cannot read (${(err as Error).message})`, got: bundleFile }]);
  }
  const header = bundleHeader(text, bundleFile);
  if (!header.keys.includes('backup'))
    throw new BackupUsageError(
      `${bundleFile} holds no backup key (it has ${header.keys.join(', ')}): export the bundle again on the old server, or find a newer one`,
    );
  const { readPassphrase } = await import('./tls/cli.ts');
  const { files } = openKeyBundle(text, await readPassphrase(ctx, false), bundleFile);
  const backupKeyFile = files.find((f) => f.name === BACKUP_KEY_FILE)!;
  const key = parseBackupKey(backupKeyFile.data, `${bundleFile} (${BACKUP_KEY_FILE})`);
  const auditFile = files.find((f) => f.name === AUDIT_KEY_FILE);
  const auditKey = auditFile ? auditKeyOf(Buffer.from(auditFile.data.toString('utf8').trim(), 'hex')) : null;

  let file = target;
  let fetched: string | null = null;
  if (!(existsSync(target) && statSync(target).isFile())) {
    const dest = backupDestinationOf(config, ctx.store);
    if (!dest) throw new BackupUsageError(`${target} is not a file, and no backup destination is configured to fetch it from`);
    await mkdir(paths.root, { recursive: true, mode: 0o750 });
    fetched = join(paths.root, `.fetch-${randomBytes(6).toString('hex')}.erbk`);
    await dest.fetch(target, fetched);
    file = fetched;
  }
  try {
    const { header: bh } = await readBackupHeader(file);
    if (bh.site !== config.site.id && !ctx.values.force)
      throw new BackupUsageError(
        `${target} is a backup of site ${bh.site}, but this config is site ${config.site.id}; give --force if this server takes over that site`,
      );
    // The key and the backup belong together: refuse before any key is written to the folder.
    if (bh.keyId !== key.id)
      throw new BackupUsageError(
        `${target} was sealed with backup key ${bh.keyId}, but ${bundleFile} holds key ${key.id}: find the bundle exported with this backup's key`,
      );
    const dir = ensureKeysFolder(config.paths.keys);
    const r = restoreKeyBundle(dir, files, { force: ctx.values.force ?? false, now: ctx.clock.now() });
    if (r.differing.length > 0 && r.written.length === 0)
      throw new BackupUsageError(
        `the keys folder ${dir} already holds other ${r.differing.join(', ')}; give --force to replace them with the bundle's (the current ones are kept as NAME.replaced-TIME)`,
      );
    const outcome = await restoreBackup(file, { key, auditKey, paths });
    const db = openDatabase(paths.dbFile, { migrate: false });
    try {
      const audit = createAuditLog(db, ctx.clock, { key: loadAuditKey(config.paths.keys, { create: false }) });
      const before = audit.head().seq;
      audit.append({
        actor: ctx.actor,
        action: 'backup.restored',
        target: basename(target),
        detail: { takenAt: bh.takenAt, site: bh.site, auditHead: outcome.auditHead.seq, keysWritten: r.written, keysReplaced: r.differing },
      });
      // An anchor over the restored head and the restore itself, signed with the restored site key: the
      // anchors in the backup end before its head, and a keyed log with no anchor reads as tampered.
      if (audit.keyId && audit.head().seq > before) {
        const { createAuditAnchors } = await import('../documents/index.ts');
        createAuditAnchors({ db, audit, dir: paths.anchors, keysDir: config.paths.keys, clock: ctx.clock, siteId: config.site.id }).write('cli');
      }
    } finally {
      db.close();
    }
    out(`restored ${basename(target)} (taken ${localDateTime(bh.takenAt, config.site.timezone)}, ${bh.reason}) into ${paths.root}`);
    out(
      `audit log: ${outcome.auditEntries} entries intact, head entry ${outcome.auditHead.seq} (${outcome.auditHead.hash.slice(0, 16)}…) as when the backup was taken; the restore is entry ${outcome.auditHead.seq + 1}`,
    );
    out(`keys: ${r.written.length ? `restored ${r.written.join(', ')}` : 'already in place'} in ${dir}`);
    out('start the service (systemctl start examroom); it applies any newer migrations after taking its own copy');
    return 0;
  } finally {
    if (fetched) await rm(fetched, { force: true });
  }
}
