// What records/ reads of media for a session's room log: the outages of given sources (a room's
// cameras) that overlap a time range. A read; the ingest supervisor alone writes outages.
import { redactText } from '../core/index.ts';
import { createMediaStore, type Db } from '../storage/index.ts';
import { GAP_TOLERANCE_MS } from './playback.ts';

export interface OutageRecord {
  sourceId: string;
  startMs: number;
  /** null while the source is still down. */
  endMs: number | null;
  reason: string;
}

/** Outages of these sources overlapping [from, to), oldest first. */
export function outagesOfSources(db: Db, sourceIds: readonly string[], from: number, to: number): OutageRecord[] {
  if (sourceIds.length === 0) return [];
  return db
    .prepare(
      `SELECT source_id AS sourceId, start_ms AS startMs, end_ms AS endMs, reason FROM media_outages
        WHERE source_id IN (${sourceIds.map(() => '?').join(',')}) AND start_ms < ? AND (end_ms IS NULL OR end_ms > ?)
        ORDER BY start_ms, id`,
    )
    .all(...sourceIds, to, from)
    .map((r) => {
      const o = r as OutageRecord;
      // Rows written before reasons were redacted (core/redact.ts) are hidden on the way out.
      return { ...o, reason: redactText(o.reason) };
    });
}

/**
 * The recorded segments of one source in [start, end) with the gaps between them (longer than
 * GAP_TOLERANCE_MS, each with the reason of an overlapping outage, or "no recording"): the video index
 * of a session archive and of a training class file, computed one way.
 */
export function segmentIndexOf(db: Db, sourceId: string, start: number, end: number) {
  const store = createMediaStore(db);
  // Rows are small (a few hundred bytes): even 2-s segments over a long session are a few MB.
  const segments = store.segments(sourceId, start, end, 10_000_000);
  const outages = store.outages(sourceId, start, end);
  const gaps: { start: number; end: number; reason: string }[] = [];
  const reasonFor = (a: number, b: number) => outages.find((o) => o.start < b && (o.end === null || o.end > a))?.reason ?? 'no recording';
  let cursor = start;
  for (const seg of segments) {
    if (seg.start - cursor > GAP_TOLERANCE_MS) gaps.push({ start: cursor, end: seg.start, reason: reasonFor(cursor, seg.start) });
    cursor = Math.max(cursor, seg.end);
  }
  if (end - cursor > GAP_TOLERANCE_MS) gaps.push({ start: cursor, end, reason: reasonFor(cursor, end) });
  return { segments, outages, gaps };
}
