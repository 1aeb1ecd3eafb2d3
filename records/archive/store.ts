// The session archives' index (storage/migrations/020_archives.ts), through documents' archive index:
// one row per archive file, written once after the file is complete, never updated or deleted.
// Versions count up per session.
import { createArchiveIndex, type OwnedArchive } from '../../documents/index.ts';
import type { AuditLog, Db } from '../../storage/index.ts';

export type SessionArchive = OwnedArchive<'sessionId'>;

export function createArchiveStore(db: Db, audit: AuditLog, root: string) {
  return createArchiveIndex({
    db,
    audit,
    table: 'session_archives',
    ownerColumn: 'session_id',
    ownerKey: 'sessionId',
    root,
    auditPrefix: 'records.archive',
    words: { ownerNoun: 'exam session', archiveNoun: 'session archive', thing: 'archive' },
  });
}

export type ArchiveStore = ReturnType<typeof createArchiveStore>;
