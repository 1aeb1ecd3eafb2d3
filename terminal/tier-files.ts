// Seat snapshots as the object-store tier sees them (storage/tier/): a copy of each goes to the store after
// hotDays, sealed as it is on disk, locked until its face-data retention ends (taken + retention.days, the
// rule storage/face-retention.ts deletes by), and the local copy stays; once face retention has deleted
// the file and its row, the tier deletes every version of the object (`released`). Snapshots are written
// whole before their row (terminal/service/snapshots.ts), so every indexed one is closed.
import { basename, extname } from 'node:path';
import type { Db, TierProvider } from '../storage/index.ts';
import { indexedTierFiles, statementCache } from '../storage/index.ts';

const DAY = 86_400_000;

export function snapshotTierFiles(db: Db, o: { retentionDays: number }): TierProvider {
  const st = statementCache(db);
  return indexedTierFiles(db, {
    kind: 'snapshot',
    keepLocal: true,
    table: 'terminal_snapshots',
    // terminal_snapshots_by_time keeps each range a range scan; a snapshot is an instant (start = end).
    endColumn: 'at',
    columns: { path: 'file', source: 'terminal_id', start: 'at', bytes: 'bytes', sha256: 'sha256' },
    retainFor: o.retentionDays * DAY,
    setSha256(path, sha256) {
      st('UPDATE terminal_snapshots SET sha256 = ? WHERE id = ? AND file = ? AND sha256 IS NULL').run(sha256, snapshotIdOf(path), path);
    },
    released(paths) {
      const q = st('SELECT file FROM terminal_snapshots WHERE id = ?');
      return paths.filter((p) => (q.get(snapshotIdOf(p)) as { file: string } | undefined)?.file !== p);
    },
  });
}

/** terminal/<session>/<id number>/<ms>-<snapshot id>.jpg (terminal/service/snapshots.ts) → the snapshot id. */
const snapshotIdOf = (path: string) => {
  const name = basename(path, extname(path));
  return name.slice(name.indexOf('-') + 1);
};
