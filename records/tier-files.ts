// Session archives (一期一档) as the object-store tier sees them (storage/tier/): a row is written only once
// its file is complete, and never changed, so every archive is closed. Its time is when it was made; the
// file's own SHA-256 is not kept in the index (the manifest's is), so the tier hashes the file before upload.
import type { Db, TierProvider } from '../storage/index.ts';
import { statementCache } from '../storage/index.ts';

export function archiveTierFiles(db: Db, table: 'session_archives' | 'training_class_archives'): TierProvider {
  const st = statementCache(db);
  const owner = table === 'session_archives' ? 'session_id' : 'class_id';
  return {
    kind: 'archive',
    candidates(since, before, limit) {
      const rows = st(
        `SELECT ${owner} AS owner, file, created_at, bytes FROM ${table} WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id LIMIT ?`,
      ).all(since, before, limit) as { owner: string; file: string; created_at: number; bytes: number }[];
      return rows.map((r) => ({ kind: 'archive', path: r.file, source: r.owner, start: r.created_at, end: r.created_at, bytes: r.bytes, sha256: null }));
    },
    sum(since, before) {
      const r = st(`SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM ${table} WHERE created_at >= ? AND created_at < ?`).get(since, before) as {
        n: number;
        b: number;
      };
      return { files: r.n, bytes: r.b };
    },
    total() {
      const r = st(`SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM ${table}`).get() as { n: number; b: number };
      return { files: r.n, bytes: r.b };
    },
  };
}
