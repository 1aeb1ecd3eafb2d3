// The tier's index (tier_objects, migration 036): where a file of the media, captures or archives folder
// lives once it has been moved to the object store. Readers ask `locate`; only the tier worker writes.
import type { Db } from '../db.ts';
import { statementCache } from '../db.ts';

/** Which data folder a path is relative to: segments live under media/, snapshots and captures under captures/, archives under archives/. */
export type TierArea = 'media' | 'captures' | 'archives';
export type TierKind = 'segment' | 'archive' | 'capture' | 'snapshot';
export type TierCheckResult = 'ok' | 'mismatch' | 'missing' | 'newer_version' | 'error';

export const AREA_OF_KIND: Record<TierKind, TierArea> = { segment: 'media', archive: 'archives', capture: 'captures', snapshot: 'captures' };

/** What a reader needs to read a tiered file from the store (ranged GETs of exactly this version). */
export interface TierLocation {
  key: string;
  /** The version written; null only on a store without versioning. */
  versionId: string | null;
  bytes: number;
  sha256: string;
  /** The local copy has been deleted: the store is the only copy. False = the local file may still be read. */
  localGone: boolean;
}

export interface TierRow {
  area: TierArea;
  path: string;
  kind: TierKind;
  source: string;
  start: number;
  end: number;
  bytes: number;
  sha256: string;
  key: string;
  versionId: string | null;
  retainUntil: number | null;
  verifiedBy: 'checksum' | 'readback';
  verifiedAt: number;
  localDeletedAt: number | null;
  checkedAt: number | null;
  checkResult: TierCheckResult | null;
  checkDetail: string | null;
  remoteDeletedAt: number | null;
}

export type NewTierRow = Omit<TierRow, 'localDeletedAt' | 'checkedAt' | 'checkResult' | 'checkDetail' | 'remoteDeletedAt'>;

export interface TierTotals {
  /** Files and bytes held in the store (remote copy not yet deleted). */
  objects: number;
  bytes: number;
  /** Of those bytes, the ones whose local copy is gone. */
  localGoneBytes: number;
}

export interface TierRows {
  /** Null: the file is on the local disk only (or was never known). Otherwise where it lives in the store. */
  locate(relPath: string, area?: TierArea): TierLocation | null;
  get(area: TierArea, relPath: string): TierRow | null;
  /** Written only after the upload was verified. A second row for the same file is refused (primary key). */
  record(row: NewTierRow): TierRow;
  markLocalDeleted(area: TierArea, relPath: string, at: number): void;
  markChecked(area: TierArea, relPath: string, at: number, result: TierCheckResult, detail: string | null): void;
  markRemoteDeleted(area: TierArea, relPath: string, at: number): void;
  /** Verified remote but the local copy is still there (a crash between row and unlink): the worker finishes the job. Kinds whose local copy stays are left out. */
  localPending(limit: number, keepLocal?: readonly TierKind[]): TierRow[];
  /** The least recently checked objects still in the store: the integrity sample. */
  leastRecentlyChecked(limit: number): TierRow[];
  /** Objects whose recording ended before `cutoff` and whose lock has run out by `now`, oldest first; `skip`: kinds another rule deletes. */
  expired(cutoff: number, now: number, limit: number, skip?: readonly TierKind[]): TierRow[];
  /** Objects of a kind still in the store, by path after `afterPath`: the walk that finds files their owner has released. */
  inStore(kind: TierKind, afterPath: string, limit: number): TierRow[];
  /** Per kind, kept by triggers (tier_usage): cheap at any archive size. */
  totals(): Record<TierKind, TierTotals>;
  /** Files of a kind ending in [since, before) already in the store: the part of a range that is not backlog. */
  sumRange(kind: TierKind, since: number, before: number): { files: number; bytes: number };
  lastUpload(): { at: number; key: string } | null;
  floor(kind: TierKind): number | null;
  setFloor(kind: TierKind, ms: number): void;
}

interface Raw {
  area: TierArea;
  path: string;
  kind: TierKind;
  source: string;
  start_ms: number;
  end_ms: number;
  bytes: number;
  sha256: string;
  object_key: string;
  version_id: string | null;
  retain_until: number | null;
  verified_by: 'checksum' | 'readback';
  verified_at: number;
  local_deleted_at: number | null;
  checked_at: number | null;
  check_result: TierCheckResult | null;
  check_detail: string | null;
  remote_deleted_at: number | null;
}

const toRow = (r: Raw): TierRow => ({
  area: r.area,
  path: r.path,
  kind: r.kind,
  source: r.source,
  start: r.start_ms,
  end: r.end_ms,
  bytes: r.bytes,
  sha256: r.sha256,
  key: r.object_key,
  versionId: r.version_id,
  retainUntil: r.retain_until,
  verifiedBy: r.verified_by,
  verifiedAt: r.verified_at,
  localDeletedAt: r.local_deleted_at,
  checkedAt: r.checked_at,
  checkResult: r.check_result,
  checkDetail: r.check_detail,
  remoteDeletedAt: r.remote_deleted_at,
});

export function createTierRows(db: Db): TierRows {
  const st = statementCache(db);
  const one = (area: TierArea, path: string) => st('SELECT * FROM tier_objects WHERE area = ? AND path = ?').get(area, path) as Raw | undefined;
  return {
    locate(relPath, area = 'media') {
      const r = one(area, relPath);
      // Deleted from the store after retention: nothing to read anywhere (the owning index lost its row too).
      if (!r || r.remote_deleted_at !== null) return null;
      return { key: r.object_key, versionId: r.version_id, bytes: r.bytes, sha256: r.sha256, localGone: r.local_deleted_at !== null };
    },
    get(area, relPath) {
      const r = one(area, relPath);
      return r ? toRow(r) : null;
    },
    record(row) {
      const r = st(
        `INSERT INTO tier_objects (area, path, kind, source, start_ms, end_ms, bytes, sha256, object_key, version_id, retain_until, verified_by, verified_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ).get(
        row.area,
        row.path,
        row.kind,
        row.source,
        Math.round(row.start),
        Math.round(Math.max(row.end, row.start)),
        row.bytes,
        row.sha256,
        row.key,
        row.versionId,
        row.retainUntil,
        row.verifiedBy,
        row.verifiedAt,
      ) as Raw;
      return toRow(r);
    },
    markLocalDeleted(area, path, at) {
      st('UPDATE tier_objects SET local_deleted_at = ? WHERE area = ? AND path = ? AND local_deleted_at IS NULL').run(at, area, path);
    },
    markChecked(area, path, at, result, detail) {
      st('UPDATE tier_objects SET checked_at = ?, check_result = ?, check_detail = ? WHERE area = ? AND path = ?').run(at, result, detail, area, path);
    },
    markRemoteDeleted(area, path, at) {
      st('UPDATE tier_objects SET remote_deleted_at = ? WHERE area = ? AND path = ? AND remote_deleted_at IS NULL').run(at, area, path);
    },
    localPending(limit, keepLocal = []) {
      return (
        st(
          'SELECT * FROM tier_objects WHERE local_deleted_at IS NULL AND remote_deleted_at IS NULL AND kind NOT IN (SELECT value FROM json_each(?)) ORDER BY verified_at LIMIT ?',
        ).all(JSON.stringify(keepLocal), limit) as Raw[]
      ).map(toRow);
    },
    leastRecentlyChecked(limit) {
      // Never-checked first (NULLs sort first in SQLite's ascending order), then the oldest check.
      return (st('SELECT * FROM tier_objects WHERE remote_deleted_at IS NULL ORDER BY checked_at, verified_at LIMIT ?').all(limit) as Raw[]).map(toRow);
    },
    expired(cutoff, now, limit, skip = []) {
      return (
        st(
          'SELECT * FROM tier_objects WHERE remote_deleted_at IS NULL AND end_ms < ? AND (retain_until IS NULL OR retain_until <= ?) AND kind NOT IN (SELECT value FROM json_each(?)) ORDER BY end_ms LIMIT ?',
        ).all(cutoff, now, JSON.stringify(skip), limit) as Raw[]
      ).map(toRow);
    },
    inStore(kind, afterPath, limit) {
      return (
        st('SELECT * FROM tier_objects WHERE kind = ? AND remote_deleted_at IS NULL AND path > ? ORDER BY path LIMIT ?').all(kind, afterPath, limit) as Raw[]
      ).map(toRow);
    },
    totals() {
      const out = {} as Record<TierKind, TierTotals>;
      for (const k of ['segment', 'archive', 'capture', 'snapshot'] as const) out[k] = { objects: 0, bytes: 0, localGoneBytes: 0 };
      const rows = st('SELECT kind, objects, bytes, local_gone_bytes FROM tier_usage').all() as {
        kind: TierKind;
        objects: number;
        bytes: number;
        local_gone_bytes: number;
      }[];
      for (const r of rows) out[r.kind] = { objects: r.objects, bytes: r.bytes, localGoneBytes: r.local_gone_bytes };
      return out;
    },
    sumRange(kind, since, before) {
      const r = st('SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM tier_objects WHERE kind = ? AND end_ms >= ? AND end_ms < ?').get(
        kind,
        since,
        before,
      ) as { n: number; b: number };
      return { files: r.n, bytes: r.b };
    },
    floor(kind) {
      return (st('SELECT floor_ms FROM tier_cursors WHERE kind = ?').get(kind) as { floor_ms: number } | undefined)?.floor_ms ?? null;
    },
    setFloor(kind, ms) {
      st('INSERT INTO tier_cursors (kind, floor_ms) VALUES (?, ?) ON CONFLICT (kind) DO UPDATE SET floor_ms = excluded.floor_ms').run(kind, Math.round(ms));
    },
    lastUpload() {
      const r = st('SELECT verified_at, object_key FROM tier_objects ORDER BY verified_at DESC LIMIT 1').get() as
        | { verified_at: number; object_key: string }
        | undefined;
      return r ? { at: r.verified_at, key: r.object_key } : null;
    },
  };
}
