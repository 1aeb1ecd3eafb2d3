// Recorded segments as the object-store tier sees them (storage/tier/): every indexed segment is closed
// (its row is written after the file was fsynced and hashed), so each one is offered once it is old enough.
// Old .ts segments and segments indexed before hashes were kept (migration 015) are offered the same way;
// the tier hashes those before upload and writes the hash back here.
import type { Db, TierProvider } from '../storage/index.ts';
import { indexedTierFiles, statementCache } from '../storage/index.ts';

export function segmentTierFiles(db: Db): TierProvider {
  const st = statementCache(db);
  return indexedTierFiles(db, {
    kind: 'segment',
    table: 'media_segments',
    // The end-time index (media_segments_by_end) keeps each range a range scan at any archive size.
    endColumn: 'end_ms',
    columns: { path: 'path', source: 'source_id', start: 'start_ms', bytes: 'bytes', sha256: 'sha256' },
    // media_usage sums the segments per source and day: the totals without a scan of every segment.
    totalSql: 'SELECT COALESCE(SUM(segments), 0) AS n, COALESCE(SUM(bytes), 0) AS b FROM media_usage',
    setSha256(path, sha256) {
      st('UPDATE media_segments SET sha256 = ? WHERE path = ? AND sha256 IS NULL').run(sha256, path);
    },
  });
}
