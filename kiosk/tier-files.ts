// Kiosk captures as the object-store tier sees them (storage/tier/): a copy of each capture goes to the
// store after hotDays, sealed as it is on disk (face data never leaves in plain form), locked until its
// face-data retention ends (capture_expires_at), and the local copy stays: face retention
// (storage/face-retention.ts) deletes it on its own schedule, and then the tier deletes every version of
// the object (`released`). A capture is written only as its attempt is decided, so every one named is closed.
import { statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Db, TierProvider } from '../storage/index.ts';
import { indexedTierFiles, statementCache } from '../storage/index.ts';

const DAY = 86_400_000;

/**
 * `retentionDays`: the captures' expiry is set to capture time + retention.days (kiosk/service/verify.ts),
 * so the worker's end-time ranges are asked of the indexed capture_expires_at shifted by it.
 */
export function captureTierFiles(db: Db, o: { capturesDir: string; retentionDays: number }): TierProvider {
  const st = statementCache(db);
  const shift = o.retentionDays * DAY;
  const size = (rel: string) => {
    try {
      return statSync(join(o.capturesDir, rel)).size;
    } catch {
      return 0;
    }
  };
  return indexedTierFiles(db, {
    kind: 'capture',
    keepLocal: true,
    table: 'identity_attempts',
    where: 'capture IS NOT NULL',
    endColumn: 'capture_expires_at',
    shift,
    // Capture sizes are not indexed: counted as files, their bytes left out of the backlog's figure and
    // read from disk for an upload.
    columns: { path: 'capture', source: 'kiosk_id', start: 'started_at', bytes: null, sha256: 'capture_sha256' },
    // Locked until the capture expires (capture time + retention).
    retainFor: shift,
    finish: (c) => ({ ...c, start: Math.min(c.start, c.end), bytes: size(c.path) }),
    setSha256(path, sha256) {
      st('UPDATE identity_attempts SET capture_sha256 = ? WHERE id = ? AND capture = ? AND capture_sha256 IS NULL').run(sha256, attemptIdOf(path), path);
    },
    released(paths) {
      const q = st('SELECT capture FROM identity_attempts WHERE id = ?');
      return paths.filter((p) => (q.get(attemptIdOf(p)) as { capture: string | null } | undefined)?.capture !== p);
    },
  });
}

/** kiosk/<date>/<attempt id>.jpg (kiosk/service/verify.ts) → the attempt id. */
const attemptIdOf = (path: string) => basename(path, extname(path));
