// Seat snapshots as the object-store tier sees them (storage/tier/): a copy of each goes to the store after
// hotDays, sealed as it is on disk, locked until its face-data retention ends (taken + retention.days, the
// rule storage/face-retention.ts deletes by), and the local copy stays; once face retention has deleted
// the file and its row, the tier deletes every version of the object (`released`). Snapshots are written
// whole before their row (terminal/service/snapshots.ts), so every indexed one is closed.
import { basename, extname } from 'node:path';
import type { Db, TierProvider } from '../storage/index.ts';
import { statementCache } from '../storage/index.ts';

const DAY = 86_400_000;

export function snapshotTierFiles(db: Db, o: { retentionDays: number }): TierProvider {
  const st = statementCache(db);
  const keep = o.retentionDays * DAY;
  return {
    kind: 'snapshot',
    keepLocal: true,
    candidates(since, before, limit) {
      // terminal_snapshots_by_time keeps this a range scan.
      const rows = st('SELECT terminal_id, file, at, bytes, sha256 FROM terminal_snapshots WHERE at >= ? AND at < ? ORDER BY at, id LIMIT ?').all(
        since,
        before,
        limit,
      ) as { terminal_id: string; file: string; at: number; bytes: number; sha256: string | null }[];
      return rows.map((r) => ({
        kind: 'snapshot',
        path: r.file,
        source: r.terminal_id,
        start: r.at,
        end: r.at,
        bytes: r.bytes,
        sha256: r.sha256,
        retainUntil: r.at + keep,
      }));
    },
    sum(since, before) {
      const r = st('SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM terminal_snapshots WHERE at >= ? AND at < ?').get(since, before) as {
        n: number;
        b: number;
      };
      return { files: r.n, bytes: r.b };
    },
    total() {
      const r = st('SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM terminal_snapshots').get() as { n: number; b: number };
      return { files: r.n, bytes: r.b };
    },
    setSha256(path, sha256) {
      st('UPDATE terminal_snapshots SET sha256 = ? WHERE id = ? AND file = ? AND sha256 IS NULL').run(sha256, snapshotIdOf(path), path);
    },
    released(paths) {
      const q = st('SELECT file FROM terminal_snapshots WHERE id = ?');
      return paths.filter((p) => (q.get(snapshotIdOf(p)) as { file: string } | undefined)?.file !== p);
    },
  };
}

/** terminal/<session>/<id number>/<ms>-<snapshot id>.jpg (terminal/service/snapshots.ts) → the snapshot id. */
const snapshotIdOf = (path: string) => {
  const name = basename(path, extname(path));
  return name.slice(name.indexOf('-') + 1);
};
