// Checking a backup the only way that proves it restores: unpack it into a scratch folder, open the
// database there, run PRAGMA integrity_check and the audit chain's verify, and compare the audit head
// with the one its header promises. The scratch folder is removed whatever happens.
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '../../core/index.ts';
import type { AuditKey } from '../audit-key.ts';
import { verifyAuditChain } from '../audit.ts';
import { DB_MEMBER, fileSha256, openBackup, readBackupHeader, type BackupHeader } from './format.ts';
import type { BackupKey } from './key.ts';

export { DB_MEMBER };

export interface BackupCheck {
  ok: boolean;
  /** What failed, in words; empty when ok. */
  problems: string[];
  header: BackupHeader | null;
  checksum: 'match' | 'mismatch' | 'none';
  integrity: string | null;
  audit: { ok: boolean; checked: number; problem?: string } | null;
}

/**
 * Checks the backup file `file`. `sha256` is the checksum recorded beside it (null when missing);
 * `auditKey` keys the chain check (null checks the hashes only, and says so).
 */
export async function checkBackupFile(
  file: string,
  opts: { key: BackupKey; auditKey: AuditKey | null; sha256: string | null; scratchIn: string },
): Promise<BackupCheck> {
  const r: BackupCheck = { ok: false, problems: [], header: null, checksum: 'none', integrity: null, audit: null };
  if (opts.sha256) {
    const got = await fileSha256(file);
    r.checksum = got === opts.sha256 ? 'match' : 'mismatch';
    if (got !== opts.sha256) r.problems.push(`its SHA-256 is ${got}, not ${opts.sha256} as recorded when it was written: the file was altered or damaged`);
  } else {
    r.problems.push('no checksum file (NAME.sha256) beside it: it was never finished, or the checksum was removed');
  }
  const scratch = await mkdtemp(join(opts.scratchIn, `.work-${process.pid}-verify-`));
  try {
    try {
      r.header = (await readBackupHeader(file)).header;
      const { files } = await openBackup(file, opts.key, scratch);
      const dbFile = files[DB_MEMBER];
      if (!dbFile) throw new Error(`it holds no ${DB_MEMBER}`);
      const db = new Database(dbFile);
      try {
        const rows = db.pragma('integrity_check') as { integrity_check: string }[];
        r.integrity = rows.map((x) => x.integrity_check).join('; ');
        if (r.integrity !== 'ok') r.problems.push(`PRAGMA integrity_check: ${r.integrity}`);
        const v = verifyAuditChain(db, opts.auditKey);
        r.audit = v.ok ? { ok: true, checked: v.checked } : { ok: false, checked: v.checked, problem: `entry ${v.seq}: ${v.problem}` };
        if (!v.ok) r.problems.push(`the audit chain is broken at entry ${v.seq}: ${v.problem}`);
        const head = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
        const want = r.header.auditHead;
        if ((head?.seq ?? 0) !== want.seq || (head?.hash ?? '0'.repeat(64)) !== want.hash)
          r.problems.push(`its audit head is entry ${head?.seq ?? 0}, but its header promises entry ${want.seq} (${want.hash.slice(0, 12)}…)`);
      } finally {
        db.close();
      }
    } catch (err) {
      r.problems.push(err instanceof DomainError ? err.message : `it cannot be opened: ${(err as Error).message}`);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  r.ok = r.problems.length === 0;
  return r;
}
