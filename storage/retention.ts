// The retention sweeper: deletes recordings whose whole span lies before now − retention days, and
// nothing else. Its cost per run does not grow with the archive: it walks the end-time index from the
// oldest row, a bounded batch at a time, and stops at the first row still inside retention.
import { rmdirSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { Clock } from '../core/index.ts';
import type { Db } from './db.ts';
import { statementCache } from './db.ts';

export interface SweepResult {
  /** Everything ending before this instant was eligible. */
  cutoff: number;
  deleted: number;
  bytes: number;
  /** True when the batch limit stopped the run; the next run continues. */
  more: boolean;
}

export interface RetentionSweeper {
  sweepExpiredSegments(opts?: { maxRows?: number }): SweepResult;
}

export interface SweeperDeps {
  db: Db;
  /** The sweeper's own clock: tests move time here and only here. */
  clock: Clock;
  mediaDir: string;
  retentionDays: number;
  /** Rows per transaction (default 500). */
  batch?: number;
}

export const DAY_MS = 86_400_000;

export function createRetentionSweeper(deps: SweeperDeps): RetentionSweeper {
  const st = statementCache(deps.db);
  const batch = deps.batch ?? 500;
  const root = resolve(deps.mediaDir);
  const del = deps.db.transaction((ids: number[]) => {
    const stmt = st('DELETE FROM media_segments WHERE id = ?');
    for (const id of ids) stmt.run(id);
  });
  return {
    sweepExpiredSegments(opts = {}) {
      const maxRows = opts.maxRows ?? 5000;
      // The cutoff is computed from the retention setting every run; a config of fewer days than the
      // regulation is refused by the config schema, so a typo cannot shorten it below three years.
      const cutoff = deps.clock.now() - deps.retentionDays * DAY_MS;
      let deleted = 0;
      let bytes = 0;
      let more = false;
      const dirs = new Set<string>();
      while (deleted < maxRows) {
        const rows = st('SELECT id, path, bytes FROM media_segments WHERE end_ms < ? ORDER BY end_ms LIMIT ?').all(
          cutoff,
          Math.min(batch, maxRows - deleted),
        ) as {
          id: number;
          path: string;
          bytes: number;
        }[];
        if (rows.length === 0) break;
        // Files first, then rows: a crash in between leaves rows for files already gone (expired anyway,
        // and the next run deletes them) rather than files no index knows about.
        for (const r of rows) {
          const file = resolve(root, r.path);
          if (!file.startsWith(root + sep)) continue;
          try {
            unlinkSync(file);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          }
          dirs.add(dirname(file));
          bytes += r.bytes;
        }
        del(rows.map((r) => r.id));
        deleted += rows.length;
        if (deleted >= maxRows) more = Boolean(st('SELECT 1 FROM media_segments WHERE end_ms < ? LIMIT 1').get(cutoff));
      }
      // Day folders emptied by the sweep go too; a folder still holding anything is left alone.
      for (const d of dirs) {
        try {
          if (d !== root) rmdirSync(d);
        } catch {
          /* not empty */
        }
      }
      return { cutoff, deleted, bytes, more };
    },
  };
}

/** Where a segment of `sourceId` started at `startMs` lives, relative to the media folder: one folder per source per UTC day. */
export function segmentFolder(sourceId: string, startMs: number): string {
  const d = new Date(startMs);
  const day = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  return join(sourceId, day);
}
