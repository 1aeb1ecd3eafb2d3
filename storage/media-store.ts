// The recording index: one row per finished segment file and one per outage. It stores and answers;
// media/ decides what to record and storage/retention.ts what may be deleted.
import { redactText } from '../core/index.ts';
import type { Db } from './db.ts';
import { statementCache } from './db.ts';

export interface SegmentRow {
  id: number;
  sourceId: string;
  start: number;
  end: number;
  bytes: number;
  /** Relative to the media folder. */
  path: string;
  recovered: boolean;
  /** SHA-256 of the file as closed (hex), for the archives' manifests; null for segments indexed before it was kept. */
  sha256: string | null;
}

export interface OutageRow {
  id: number;
  sourceId: string;
  start: number;
  end: number | null;
  reason: string;
}

export interface MediaStore {
  addSegment(s: Omit<SegmentRow, 'id' | 'recovered' | 'sha256'> & { recovered?: boolean; sha256?: string | null }): SegmentRow;
  segment(id: number): SegmentRow | null;
  /** Segments of a source that overlap [from, to), oldest first. */
  segments(sourceId: string, from: number, to: number, limit?: number): SegmentRow[];
  /** Paths (relative) of a source's segments that start at or after `since`: to spot unindexed files. */
  pathsSince(sourceId: string, since: number): Set<string>;
  lastSegmentEnd(sourceId: string): number | null;
  openOutage(sourceId: string, start: number, reason: string): void;
  closeOutage(sourceId: string, end: number): void;
  outages(sourceId: string, from: number, to: number): OutageRow[];
  /** Bytes and recorded milliseconds per source among segments that end after `since`: the recording rate. */
  ratesSince(since: number): { sourceId: string; bytes: number; ms: number }[];
  /** When the oldest indexed segment began (null: nothing recorded yet): how long the site has a history. */
  firstSegmentStart(): number | null;
  totalBytes(): number;
}

interface SegRow {
  id: number;
  source_id: string;
  start_ms: number;
  end_ms: number;
  bytes: number;
  path: string;
  recovered: number;
  sha256: string | null;
}

const toSegment = (r: SegRow): SegmentRow => ({
  id: r.id,
  sourceId: r.source_id,
  start: r.start_ms,
  end: r.end_ms,
  bytes: r.bytes,
  path: r.path,
  recovered: r.recovered === 1,
  sha256: r.sha256,
});

/** Longest segment we expect; bounds the backwards look for segments that started before `from` and overlap it. */
export const MAX_SEGMENT_MS = 2 * 3600_000;

export function createMediaStore(db: Db): MediaStore {
  const st = statementCache(db);
  return {
    addSegment(s) {
      const r = st('INSERT INTO media_segments (source_id, start_ms, end_ms, bytes, path, recovered, sha256) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *').get(
        s.sourceId,
        Math.round(s.start),
        Math.round(Math.max(s.end, s.start)),
        s.bytes,
        s.path,
        s.recovered ? 1 : 0,
        s.sha256 ?? null,
      ) as SegRow;
      return toSegment(r);
    },
    segment(id) {
      const r = st('SELECT * FROM media_segments WHERE id = ?').get(id) as SegRow | undefined;
      return r ? toSegment(r) : null;
    },
    segments(sourceId, from, to, limit = 10_000) {
      // A range on start_ms alone keeps this an index range scan (source_id, start_ms): a segment that
      // overlaps `from` started at most MAX_SEGMENT_MS before it.
      const rows = st('SELECT * FROM media_segments WHERE source_id = ? AND start_ms >= ? AND start_ms < ? AND end_ms > ? ORDER BY start_ms LIMIT ?').all(
        sourceId,
        from - MAX_SEGMENT_MS,
        to,
        from,
        limit,
      ) as SegRow[];
      return rows.map(toSegment);
    },
    pathsSince(sourceId, since) {
      const rows = st('SELECT path FROM media_segments WHERE source_id = ? AND start_ms >= ?').all(sourceId, since) as { path: string }[];
      return new Set(rows.map((r) => r.path));
    },
    lastSegmentEnd(sourceId) {
      const r = st('SELECT end_ms FROM media_segments WHERE source_id = ? ORDER BY start_ms DESC LIMIT 1').get(sourceId) as { end_ms: number } | undefined;
      return r?.end_ms ?? null;
    },
    openOutage(sourceId, start, reason) {
      const open = st('SELECT id FROM media_outages WHERE source_id = ? AND end_ms IS NULL').get(sourceId);
      if (open) return;
      // The reason is ffmpeg's words: a URL's password never reaches the index (nor the archives built from it).
      st('INSERT INTO media_outages (source_id, start_ms, reason) VALUES (?, ?, ?)').run(sourceId, start, redactText(reason));
    },
    closeOutage(sourceId, end) {
      st('UPDATE media_outages SET end_ms = MAX(start_ms, ?) WHERE source_id = ? AND end_ms IS NULL').run(end, sourceId);
    },
    outages(sourceId, from, to) {
      const rows = st('SELECT * FROM media_outages WHERE source_id = ? AND start_ms < ? AND (end_ms IS NULL OR end_ms > ?) ORDER BY start_ms').all(
        sourceId,
        to,
        from,
      ) as {
        id: number;
        source_id: string;
        start_ms: number;
        end_ms: number | null;
        reason: string;
      }[];
      // Rows written before reasons were redacted are hidden on the way out.
      return rows.map((r) => ({ id: r.id, sourceId: r.source_id, start: r.start_ms, end: r.end_ms, reason: redactText(r.reason) }));
    },
    ratesSince(since) {
      const rows = st('SELECT source_id, SUM(bytes) AS bytes, SUM(end_ms - start_ms) AS ms FROM media_segments WHERE end_ms > ? GROUP BY source_id').all(
        since,
      ) as {
        source_id: string;
        bytes: number;
        ms: number;
      }[];
      return rows.map((r) => ({ sourceId: r.source_id, bytes: r.bytes, ms: r.ms }));
    },
    firstSegmentStart() {
      return (st('SELECT MIN(start_ms) AS s FROM media_segments').get() as { s: number | null }).s;
    },
    totalBytes() {
      return (st('SELECT COALESCE(SUM(bytes), 0) AS b FROM media_usage').get() as { b: number }).b;
    },
  };
}
