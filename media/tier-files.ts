// Recorded segments as the object-store tier sees them (storage/tier/): every indexed segment is closed
// (its row is written after the file was fsynced and hashed), so each one is offered once it is old enough.
// Old .ts segments and segments indexed before hashes were kept (migration 015) are offered the same way;
// the tier hashes those before upload and writes the hash back here.
import type { Db, TierProvider } from '../storage/index.ts';
import { statementCache } from '../storage/index.ts';

export function segmentTierFiles(db: Db): TierProvider {
  const st = statementCache(db);
  return {
    kind: 'segment',
    candidates(since, before, limit) {
      // The end-time index (media_segments_by_end) keeps this a range scan at any archive size.
      const rows = st(
        'SELECT source_id, path, start_ms, end_ms, bytes, sha256 FROM media_segments WHERE end_ms >= ? AND end_ms < ? ORDER BY end_ms, id LIMIT ?',
      ).all(since, before, limit) as { source_id: string; path: string; start_ms: number; end_ms: number; bytes: number; sha256: string | null }[];
      return rows.map((r) => ({ kind: 'segment', path: r.path, source: r.source_id, start: r.start_ms, end: r.end_ms, bytes: r.bytes, sha256: r.sha256 }));
    },
    sum(since, before) {
      const r = st('SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM media_segments WHERE end_ms >= ? AND end_ms < ?').get(since, before) as {
        n: number;
        b: number;
      };
      return { files: r.n, bytes: r.b };
    },
    total() {
      const r = st('SELECT COALESCE(SUM(segments), 0) AS n, COALESCE(SUM(bytes), 0) AS b FROM media_usage').get() as { n: number; b: number };
      return { files: r.n, bytes: r.b };
    },
    setSha256(path, sha256) {
      st('UPDATE media_segments SET sha256 = ? WHERE path = ? AND sha256 IS NULL').run(sha256, path);
    },
  };
}
