// What records/ reads of media for a session's room log: the outages of given sources (a room's
// cameras) that overlap a time range. A read; the ingest supervisor alone writes outages.
import { redactText } from '../core/index.ts';
import type { Db } from '../storage/index.ts';

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
