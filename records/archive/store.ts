// The archives index (storage/migrations/020_archives.ts): one row per archive file, written once
// after the file is complete, never updated or deleted. Versions count up per session.
import type { Db } from '../../storage/index.ts';

export interface SessionArchive {
  id: string;
  sessionId: string;
  version: number;
  /** File name under the data folder's archives/. */
  file: string;
  bytes: number;
  members: number;
  manifestSha256: string;
  withMedia: boolean;
  parts: string[];
  createdBy: string;
  createdAt: number;
  retentionUntil: number;
}

interface Row {
  id: string;
  session_id: string;
  version: number;
  file: string;
  bytes: number;
  members: number;
  manifest_sha256: string;
  with_media: number;
  parts: string;
  created_by: string;
  created_at: number;
  retention_until: number;
}

const toArchive = (r: Row): SessionArchive => ({
  id: r.id,
  sessionId: r.session_id,
  version: r.version,
  file: r.file,
  bytes: r.bytes,
  members: r.members,
  manifestSha256: r.manifest_sha256,
  withMedia: r.with_media === 1,
  parts: JSON.parse(r.parts) as string[],
  createdBy: r.created_by,
  createdAt: r.created_at,
  retentionUntil: r.retention_until,
});

export function createArchiveStore(db: Db) {
  const q = {
    get: db.prepare<[string], Row>('SELECT * FROM session_archives WHERE id = ?'),
    latest: db.prepare<[string], Row>('SELECT * FROM session_archives WHERE session_id = ? ORDER BY version DESC LIMIT 1'),
    ofSession: db.prepare<[string], Row>('SELECT * FROM session_archives WHERE session_id = ? ORDER BY version'),
    all: db.prepare<[number], Row>('SELECT * FROM session_archives ORDER BY created_at DESC, session_id, version DESC LIMIT ?'),
    nextVersion: db.prepare<[string], { v: number }>('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM session_archives WHERE session_id = ?'),
    insert: db.prepare(
      `INSERT INTO session_archives (id, session_id, version, file, bytes, members, manifest_sha256, with_media, parts, created_by, created_at, retention_until)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
  };
  return {
    get: (id: string): SessionArchive | null => {
      const r = q.get.get(id);
      return r ? toArchive(r) : null;
    },
    latest: (sessionId: string): SessionArchive | null => {
      const r = q.latest.get(sessionId);
      return r ? toArchive(r) : null;
    },
    list: (sessionId?: string, limit = 1000): SessionArchive[] => (sessionId ? q.ofSession.all(sessionId) : q.all.all(limit)).map(toArchive),
    nextVersion: (sessionId: string): number => q.nextVersion.get(sessionId)!.v,
    insert(a: SessionArchive): void {
      q.insert.run(
        a.id,
        a.sessionId,
        a.version,
        a.file,
        a.bytes,
        a.members,
        a.manifestSha256,
        a.withMedia ? 1 : 0,
        JSON.stringify(a.parts),
        a.createdBy,
        a.createdAt,
        a.retentionUntil,
      );
    },
  };
}

export type ArchiveStore = ReturnType<typeof createArchiveStore>;
