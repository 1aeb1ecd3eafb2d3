// Restoring a site onto a fresh data folder: the backup is unpacked and checked in a scratch folder on
// the same disk, then its files are moved into place. A data folder that already holds a database is
// refused: a restore replaces nothing by accident, and the old database may be the evidence.
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Conflict, DomainError } from '../../core/index.ts';
import type { AuditKey } from '../audit-key.ts';
import { verifyAuditChain } from '../audit.ts';
import { FACE_VAULT_MARKER } from '../face-vault.ts';
import { ensureDataFolders, type DataPaths } from '../paths.ts';
import { DB_MEMBER } from './check.ts';
import { openBackup, type BackupHeader } from './format.ts';
import type { BackupKey } from './key.ts';

export interface RestoreOutcome {
  header: BackupHeader;
  /** The restored audit log's newest entry: the same as the header's when nothing else was written. */
  auditHead: { seq: number; hash: string };
  auditEntries: number;
  files: string[];
}

/** The restored database is not whole: nothing was moved into place. */
export class RestoreError extends DomainError {
  override readonly code = 'restore';
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

export async function restoreBackup(file: string, opts: { key: BackupKey; auditKey: AuditKey | null; paths: DataPaths }): Promise<RestoreOutcome> {
  const { paths } = opts;
  if (existsSync(paths.dbFile) && statSync(paths.dbFile).size > 0)
    throw new Conflict(
      `${paths.dbFile} already exists: a backup is restored only onto a fresh data folder (move the old one aside first; it may be evidence)`,
      'restore_not_fresh',
    );
  ensureDataFolders(paths);
  const scratch = await mkdtemp(join(paths.root, '.restore-'));
  try {
    const { header, files } = await openBackup(file, opts.key, scratch);
    const dbFile = files[DB_MEMBER];
    if (!dbFile) throw new RestoreError(`${file} holds no ${DB_MEMBER}`);
    const db = new Database(dbFile);
    let head: { seq: number; hash: string };
    let entries: number;
    try {
      const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((x) => x.integrity_check).join('; ');
      if (integrity !== 'ok') throw new RestoreError(`${file}: the database fails PRAGMA integrity_check (${integrity}); nothing was restored`);
      const v = verifyAuditChain(db, opts.auditKey);
      if (!v.ok) throw new RestoreError(`${file}: the audit chain is broken at entry ${v.seq} (${v.problem}); nothing was restored`);
      entries = v.checked;
      head = (db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined) ?? {
        seq: 0,
        hash: '0'.repeat(64),
      };
    } finally {
      db.close();
    }
    const placed: string[] = [];
    await mkdir(paths.anchors, { recursive: true, mode: 0o750 });
    for (const name of Object.keys(files)) {
      if (name === DB_MEMBER) continue;
      const to = name === FACE_VAULT_MARKER ? join(paths.root, FACE_VAULT_MARKER) : name.startsWith('anchor.') ? join(paths.anchors, name.slice(7)) : null;
      if (!to) continue;
      await rename(files[name]!, to);
      placed.push(to);
    }
    // The database last: its arrival is what makes the folder a site.
    await rename(dbFile, paths.dbFile);
    placed.push(paths.dbFile);
    return { header, auditHead: head, auditEntries: entries, files: placed };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
