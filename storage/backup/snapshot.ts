// The online snapshot: `VACUUM INTO` on a second, read-only connection. It runs in one read transaction,
// which under WAL pins one consistent state of the database while the server's own connection goes on
// committing answers: the copy is the database as it was when the copy began, however many saves land
// meanwhile. The copy is scratch (sealed, then deleted), so it is written with synchronous=OFF: SQLite's
// backup API, used before, ended with an fsync of the whole database-sized copy — 1 GiB sent to the disk
// at once, behind which every save's own fsync queued (docs/backup.md "Saves during a backup").
import Database from 'better-sqlite3';
import { copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';

export interface SnapshotResult {
  schemaVersion: number;
  auditHead: { seq: number; hash: string };
  pages: number;
  ms: number;
}

/**
 * Copies `dbFile` into `outFile` (which must not exist) consistently. `before` runs just before the
 * snapshot is pinned, so side files copied there (the audit anchors) are never newer than the database
 * copy: an anchor naming an entry the copy lacks would read as a removed entry after a restore.
 * The copy is one SQLite call that holds the thread: run it where nothing else waits (the backup child,
 * or start-up before anything is served).
 */
export async function snapshotDatabase(
  dbFile: string,
  outFile: string,
  opts: { before?: () => Promise<void>; clock?: () => number } = {},
): Promise<SnapshotResult> {
  const now = opts.clock ?? Date.now;
  const started = now();
  const src = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    src.pragma('busy_timeout = 5000');
    // Per connection: VACUUM INTO syncs its output as the source connection's setting says.
    src.pragma('synchronous = OFF');
    await opts.before?.();
    src.prepare('VACUUM INTO ?').run(outFile);
  } finally {
    src.close();
  }
  backfillWal(dbFile);
  // What the copy holds is read from the copy itself: the schema version and audit head it restores to.
  const copy = new Database(outFile, { readonly: true, fileMustExist: true });
  try {
    const schemaVersion = copy.pragma('user_version', { simple: true }) as number;
    const pages = copy.pragma('page_count', { simple: true }) as number;
    const head = hasTable(copy, 'audit_log')
      ? ((copy.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined) ?? null)
      : null;
    return { schemaVersion, auditHead: head ?? { seq: 0, hash: '0'.repeat(64) }, pages, ms: now() - started };
  } finally {
    copy.close();
  }
}

/**
 * The saves made while the copy ran piled up in the WAL: its read transaction kept them from being
 * checkpointed. Left alone, the first save to commit after it ends pays for backfilling all of them
 * (tens of MiB and an fsync of the database) inside its commit, on the server's event loop, and every
 * answer behind it waits. Done here, in the backup's own low-priority process, the server's automatic
 * checkpoints find the work done (or the checkpoint lock taken, and skip without waiting).
 */
export function backfillWal(dbFile: string): void {
  let db: Database.Database | null = null;
  try {
    db = new Database(dbFile, { fileMustExist: true });
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or not in WAL mode: the server's own automatic checkpoints remain, as without a backup.
  } finally {
    db?.close();
  }
}

function hasTable(db: Database.Database, name: string): boolean {
  return Boolean(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name));
}

/** Copies a side file when it exists; false when there is none. */
export async function copyIfPresent(from: string, to: string): Promise<boolean> {
  if (!existsSync(from)) return false;
  await copyFile(from, to);
  return true;
}
