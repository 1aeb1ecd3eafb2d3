// The session archives' index (storage/migrations/020_archives.ts), through documents' archive index:
// one row per archive file, written once after the file is complete, never updated or deleted.
// Versions count up per session.
import { createArchiveIndex, type OwnedArchive } from '../../documents/index.ts';
import type { AuditLog, Db } from '../../storage/index.ts';

export type SessionArchive = OwnedArchive<'sessionId'>;

/** The index table and its owner column, for the index and for the tier (records/tier-files.ts). */
export const SESSION_ARCHIVES = { table: 'session_archives', ownerColumn: 'session_id' } as const;

export function createArchiveStore(db: Db, audit: AuditLog, root: string) {
  return createArchiveIndex({
    db,
    audit,
    ...SESSION_ARCHIVES,
    ownerKey: 'sessionId',
    root,
    auditPrefix: 'records.archive',
    words: { ownerNoun: 'exam session', archiveNoun: 'session archive', thing: 'archive' },
  });
}

export type ArchiveStore = ReturnType<typeof createArchiveStore>;
