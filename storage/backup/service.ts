// The backup service: takes backups (nightly, before migrations, on demand), ships them from this disk's
// staging folder to the destination, prunes by the keep rule, verifies, and says where the site stands:
// when the last good copy off this disk was made, and whether the key bundle holding the backup key has
// been exported. One backup at a time; every action is audited.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Conflict, NotFound, localDate, parseInstant, type Clock } from '../../core/index.ts';
import { loadAuditKey } from '../audit-key.ts';
import type { AuditLog } from '../audit.ts';
import type { Db } from '../db.ts';
import type { DataPaths } from '../paths.ts';
import { checkBackupFile, type BackupCheck } from './check.ts';
import { checksumLine, folderDestination, leftovers, partialName, workName, type BackupDestination, type StoredBackup } from './destination.ts';
import { backupFileName, type BackupReason } from './format.ts';
import { keepHorizon, keptAs, type KeepRule } from './keep.ts';
import { loadBackupKey } from './key.ts';
import { snapshotAndSealInChild } from './off-loop.ts';
import { snapshotAndSeal, type SealJob } from './seal-job.ts';

export interface BackupSettings {
  /** HH:MM on the site clock, or null. */
  at: string | null;
  keep: KeepRule;
}

export interface BackupDeps {
  db: Db;
  paths: DataPaths;
  keysDir: string;
  site: { id: string; timezone: string };
  settings: BackupSettings;
  audit: AuditLog;
  clock: Clock;
  /** The configured destination; null = none (copies stay on this disk, and status says so). */
  destination: BackupDestination | null;
  /** Shipping waits while this says no (an exam running): the upload can wait, the answers cannot. */
  quiet?: () => boolean;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
  /**
   * Snapshot and seal on this process's event loop instead of the low-priority child (off-loop.ts):
   * only for the backup before migrations at start-up, when no terminal is served yet.
   */
  inProcess?: boolean;
}

export interface BackupListing extends StoredBackup {
  /** 'destination' = off this disk (folder or object store); 'this-disk' = the staging folder. */
  at: 'destination' | 'this-disk';
}

export interface BackupStatus {
  destination: { kind: BackupDestination['kind']; where: string; offDisk: boolean };
  /** The newest backup off this disk; null when there is none. */
  lastOffDisk: { name: string; takenAt: number } | null;
  lastAny: { name: string; takenAt: number; at: BackupListing['at'] } | null;
  waitingToShip: number;
  running: { reason: BackupReason; since: number } | null;
  lastError: { at: number; message: string } | null;
  nextNightlyAt: number | null;
  /** A key bundle holding the backup key has been exported (examroom keys export). */
  keysExported: boolean;
  /** What an admin must hear: 'no-destination', 'no-copy-off-disk', 'stale' (no copy off disk for 2 days), 'keys-not-exported', 'last-failed'. */
  warnings: string[];
}

export interface BackupService {
  take(
    reason: BackupReason,
    actor: string,
    opts?: { ship?: boolean; prune?: boolean },
  ): Promise<{ name: string; bytes: number; sha256: string; ms: number; shipped: boolean }>;
  ship(actor?: string): Promise<string[]>;
  prune(actor?: string): Promise<string[]>;
  list(): Promise<BackupListing[]>;
  verify(name: string, actor: string): Promise<BackupCheck & { name: string }>;
  /** A local copy of a backup by name (from staging or the destination), for restore; remove it after. */
  fetch(name: string, to: string): Promise<StoredBackup>;
  status(): BackupStatus;
  /** Re-reads the listings behind status(). */
  refresh(): Promise<void>;
  /** The scheduler's check: the nightly backup when due, shipping when quiet. */
  tick(): Promise<void>;
  start(everyMs?: number): void;
  stop(): Promise<void>;
  readonly stagingDir: string;
}

const DAY = 86_400_000;

/** The staging folder: every backup is written here first, on this disk, then shipped. */
export const stagingDirOf = (paths: DataPaths) => join(paths.root, 'backups');

/** True when some `keys export` carried the backup key (the export is audited with the kinds it held). */
export function keyBundleExported(db: Db): boolean {
  let rows: { detail: string }[];
  try {
    rows = db.prepare("SELECT detail FROM audit_log WHERE action = 'keys.export' ORDER BY seq DESC LIMIT 50").all() as { detail: string }[];
  } catch {
    // A database that cannot answer (health reports that itself) has told us nothing about exports.
    return false;
  }
  return rows.some((r) => {
    try {
      return ((JSON.parse(r.detail) as { keys?: string[] }).keys ?? []).includes('backup');
    } catch {
      return false;
    }
  });
}

export function createBackupService(deps: BackupDeps): BackupService {
  const { paths, clock, audit } = deps;
  const stagingDir = stagingDirOf(paths);
  const staging = folderDestination(stagingDir, 'this-disk');
  const dest = deps.destination;
  let running: { reason: BackupReason; since: number } | null = null;
  let lastError: { at: number; message: string } | null = null;
  let cache: { staged: StoredBackup[]; stored: StoredBackup[] } = { staged: [], stored: [] };
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  let shipping: Promise<string[]> | null = null;
  let nightlyTriedAt: number | null = null;

  const fail = (what: string, err: unknown) => {
    lastError = { at: clock.now(), message: `${what}: ${(err as Error).message}` };
    deps.log?.error({ err }, `backup: ${what} failed`);
  };

  async function refresh(): Promise<void> {
    const staged = await staging.list();
    let stored: StoredBackup[] = [];
    if (dest) {
      try {
        stored = await dest.list();
      } catch (err) {
        fail(`listing ${dest.where}`, err);
        stored = cache.stored;
      }
    }
    cache = { staged, stored };
  }

  async function cleanLeftovers(): Promise<void> {
    for (const n of await leftovers(stagingDir)) await rm(join(stagingDir, n), { recursive: true, force: true });
  }

  async function take(reason: BackupReason, actor: string, opts: { ship?: boolean; prune?: boolean } = {}) {
    if (running)
      throw new Conflict(`a ${running.reason} backup is running since ${new Date(running.since).toISOString()}; wait for it to finish`, 'backup_running');
    running = { reason, since: clock.now() };
    let partialFile: string | null = null;
    try {
      const k = loadBackupKey(deps.keysDir, { create: true })!;
      if (k.created) audit.append({ actor: 'system', action: 'backup.key.created', target: k.key.id });
      await mkdir(stagingDir, { recursive: true, mode: 0o750 });
      await cleanLeftovers();
      const work = join(stagingDir, workName());
      await mkdir(work, { mode: 0o700 });
      try {
        const takenAt = clock.now();
        const name = backupFileName(deps.site.id, takenAt, reason);
        const partial = join(stagingDir, partialName(name));
        partialFile = partial;
        const job: SealJob = {
          dbFile: paths.dbFile,
          root: paths.root,
          anchors: paths.anchors,
          work,
          partial,
          site: deps.site.id,
          takenAt,
          reason,
        };
        // The server only waits for the child's answer; the start-up backup may run here (nothing else does then).
        const sealed = deps.inProcess ? await snapshotAndSeal(job, k.key) : await snapshotAndSealInChild(job, deps.keysDir, k.key.id);
        // The checksum first, then the rename: a backup is listed only once both are in place.
        await writeFile(join(stagingDir, `${name}.sha256`), checksumLine(sealed.sha256, name), { mode: 0o640 });
        await rename(partial, join(stagingDir, name));
        const ms = clock.now() - running.since;
        audit.append({
          actor,
          action: 'backup.taken',
          target: name,
          detail: { reason, bytes: sealed.bytes, sha256: sealed.sha256, auditHead: sealed.auditHead.seq, schemaVersion: sealed.schemaVersion, ms },
        });
        deps.log?.info({ name, bytes: sealed.bytes, ms }, 'backup taken');
        lastError = null;
        running = null;
        let shipped = false;
        if (opts.ship !== false && dest) shipped = (await ship(actor)).includes(name);
        // The backup is taken and good; a destination that cannot be listed for pruning only waits.
        if (opts.prune !== false) await prune(actor).catch((err: unknown) => fail(`pruning ${(dest ?? staging).where}`, err));
        return { name, bytes: sealed.bytes, sha256: sealed.sha256, ms, shipped };
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    } catch (err) {
      fail(`the ${reason} backup`, err);
      if (partialFile) await rm(partialFile, { force: true });
      audit.append({ actor, action: 'backup.failed', detail: { reason, error: (err as Error).message } });
      throw err;
    } finally {
      running = null;
      await refresh().catch(() => {});
    }
  }

  async function shipNow(actor: string): Promise<string[]> {
    if (!dest) return [];
    const done: string[] = [];
    for (const b of await staging.list()) {
      if (!b.sha256) continue;
      try {
        const r = await dest.put(join(stagingDir, b.name), b.name, b.sha256);
        audit.append({
          actor,
          action: 'backup.shipped',
          target: b.name,
          detail: { to: dest.kind, where: dest.where, bytes: b.bytes, verifiedBy: r.verifiedBy },
        });
        // Only now, verified off this disk, does the local copy go.
        await staging.remove(b.name);
        done.push(b.name);
      } catch (err) {
        fail(`copying ${b.name} to ${dest.where}`, err);
        audit.append({ actor, action: 'backup.ship.failed', target: b.name, detail: { where: dest.where, error: (err as Error).message } });
        return done;
      }
    }
    // Everything waiting is off this disk: an earlier failed copy is no longer the news.
    if (done.length > 0 && lastError?.message.startsWith('copying ')) lastError = null;
    return done;
  }

  async function ship(actor = 'system'): Promise<string[]> {
    // One shipping at a time: the nightly tick and a manual backup must not upload the same file twice.
    while (shipping) await shipping.catch(() => {});
    shipping = shipNow(actor);
    try {
      return await shipping;
    } finally {
      shipping = null;
      await refresh().catch(() => {});
    }
  }

  async function prune(actor = 'system'): Promise<string[]> {
    const where = dest ?? staging;
    const items = await where.list();
    const keep = keptAs(items, deps.settings.keep, deps.site.timezone);
    // A past week's or month's newest is locked as long as the rule keeps it (at write time it got the
    // daily count only): lengthened before anything is removed, so a failure here removes nothing.
    if (where.hold) {
      const held: { name: string; until: string }[] = [];
      for (const b of items) {
        const roles = keep.get(b.name);
        if (!roles || !(roles.has('weekly') || roles.has('monthly'))) continue;
        const until = await where.hold(b.name, keepHorizon(b.takenAt, roles, deps.settings.keep, { now: clock.now(), tz: deps.site.timezone }));
        if (until !== null) held.push({ name: b.name, until: new Date(until).toISOString() });
      }
      if (held.length) audit.append({ actor, action: 'backup.lock.extended', target: where.where, detail: { held, rule: deps.settings.keep } });
    }
    const removed: string[] = [];
    for (const b of items) {
      if (keep.has(b.name)) continue;
      if (await where.remove(b.name)) removed.push(b.name);
    }
    if (removed.length) audit.append({ actor, action: 'backup.pruned', target: where.where, detail: { removed, rule: deps.settings.keep } });
    await refresh().catch(() => {});
    return removed;
  }

  async function list(): Promise<BackupListing[]> {
    await refresh();
    return [...cache.stored.map((b) => ({ ...b, at: 'destination' as const })), ...cache.staged.map((b) => ({ ...b, at: 'this-disk' as const }))].sort(
      (a, b) => a.takenAt - b.takenAt,
    );
  }

  async function fetch(name: string, to: string): Promise<StoredBackup> {
    await refresh();
    const staged = cache.staged.find((b) => b.name === name);
    if (staged) {
      await staging.fetch(name, to);
      return staged;
    }
    const stored = cache.stored.find((b) => b.name === name);
    if (stored && dest) {
      await dest.fetch(name, to);
      return stored;
    }
    throw new NotFound(`no backup named ${name} on this disk (${stagingDir})${dest ? ` or in ${dest.where}` : ''}; examroom backup list shows them`);
  }

  async function verify(name: string, actor: string) {
    const k = loadBackupKey(deps.keysDir, { create: false });
    if (!k) throw new NotFound(`there is no backup key in ${deps.keysDir}: import the key bundle (examroom keys import) to verify backups`);
    await mkdir(stagingDir, { recursive: true, mode: 0o750 });
    const tmp = join(stagingDir, workName('.erbk'));
    try {
      const b = await fetch(name, tmp);
      const r = await checkBackupFile(tmp, { key: k.key, auditKey: loadAuditKey(deps.keysDir, { create: false }), sha256: b.sha256, scratchIn: stagingDir });
      audit.append({
        actor,
        action: 'backup.verified',
        target: name,
        detail: { ok: r.ok, problems: r.problems, integrity: r.integrity, auditEntries: r.audit?.checked ?? null },
      });
      return { ...r, name };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  function nextNightly(now: number): number | null {
    if (!deps.settings.at) return null;
    const today = parseInstant(`${localDate(now, deps.site.timezone)}T${deps.settings.at}`, deps.site.timezone)!;
    return today > now ? today : parseInstant(`${localDate(now + DAY, deps.site.timezone)}T${deps.settings.at}`, deps.site.timezone)!;
  }

  function status(): BackupStatus {
    const now = clock.now();
    const off = cache.stored.at(-1) ?? null;
    const all: BackupListing[] = [
      ...cache.stored.map((b) => ({ ...b, at: 'destination' as const })),
      ...cache.staged.map((b) => ({ ...b, at: 'this-disk' as const })),
    ].sort((a, b) => a.takenAt - b.takenAt);
    const last = all.at(-1) ?? null;
    const keysExported = keyBundleExported(deps.db);
    const warnings: string[] = [];
    if (!dest) warnings.push('no-destination');
    else if (!off) warnings.push('no-copy-off-disk');
    else if (now - off.takenAt > 2 * DAY) warnings.push('stale');
    if (!keysExported) warnings.push('keys-not-exported');
    if (lastError) warnings.push('last-failed');
    return {
      destination: dest ? { kind: dest.kind, where: dest.where, offDisk: true } : { kind: 'this-disk', where: stagingDir, offDisk: false },
      lastOffDisk: off ? { name: off.name, takenAt: off.takenAt } : null,
      lastAny: last ? { name: last.name, takenAt: last.takenAt, at: last.at } : null,
      waitingToShip: dest ? cache.staged.length : 0,
      running,
      lastError,
      nextNightlyAt: nextNightly(now),
      keysExported,
      warnings,
    };
  }

  async function tickOnce(): Promise<void> {
    const now = clock.now();
    if (deps.settings.at && !running) {
      // Due when today's time has passed and no nightly backup was taken since it.
      const todayAt = parseInstant(`${localDate(now, deps.site.timezone)}T${deps.settings.at}`, deps.site.timezone)!;
      const lastNightly = [...cache.stored, ...cache.staged].filter((b) => b.reason === 'nightly').reduce((m, b) => Math.max(m, b.takenAt), 0);
      // File names keep whole seconds: compare at that precision.
      // A failed attempt (a full disk) is tried again every half hour, not every minute.
      const retryDue = nightlyTriedAt === null || nightlyTriedAt < todayAt || now - nightlyTriedAt >= 30 * 60_000;
      if (now >= todayAt && lastNightly < Math.floor(todayAt / 1000) * 1000 && retryDue) {
        nightlyTriedAt = now;
        if (!dest) {
          deps.log?.warn({}, 'backup: no destination is configured (backup.path or objectStore): the database has no copy off this disk');
        }
        await take('nightly', 'system', { ship: deps.quiet?.() ?? true }).catch(() => {});
        return;
      }
    }
    if (dest && cache.staged.length > 0 && (deps.quiet?.() ?? true)) await ship('system').catch(() => []);
  }

  return {
    stagingDir,
    take,
    ship,
    prune,
    list,
    verify,
    fetch,
    status,
    refresh,
    async tick() {
      if (ticking) return ticking;
      ticking = tickOnce().finally(() => {
        ticking = null;
      });
      return ticking;
    },
    start(everyMs = 60_000) {
      void refresh()
        .then(() => cleanLeftovers())
        .then(() => this.tick())
        .catch((err: unknown) => fail('starting', err));
      timer = setInterval(() => void this.tick(), everyMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await ticking?.catch(() => {});
    },
  };
}
