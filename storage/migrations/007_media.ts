// Media: the index of recorded segments (one row per finished segment file, written after the file is
// fsynced — durable before acknowledged) and the outages that explain the holes between them.
// The index answers "what do we have for source S between A and B" (source_id, start_ms) and lets the
// retention sweeper take the oldest expired rows in batches (end_ms) at a cost independent of archive size.
export const sql = `
CREATE TABLE media_segments (
  id        INTEGER PRIMARY KEY,
  source_id TEXT NOT NULL,
  start_ms  INTEGER NOT NULL,
  end_ms    INTEGER NOT NULL CHECK (end_ms >= start_ms),
  bytes     INTEGER NOT NULL CHECK (bytes >= 0),
  -- Relative to the media folder: the data folder may move (restore onto another disk).
  path      TEXT NOT NULL,
  -- 1 = found on disk at start-up after a crash and indexed from ffprobe's duration and the file's mtime.
  recovered INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX media_segments_by_source ON media_segments(source_id, start_ms);
CREATE INDEX media_segments_by_end ON media_segments(end_ms);

-- Bytes and segments per source, kept by triggers: the disk forecast needs the archive's size without
-- summing 20 M rows.
CREATE TABLE media_usage (
  source_id TEXT PRIMARY KEY,
  bytes     INTEGER NOT NULL,
  segments  INTEGER NOT NULL
) STRICT;
CREATE TRIGGER media_usage_add AFTER INSERT ON media_segments BEGIN
  INSERT INTO media_usage (source_id, bytes, segments) VALUES (NEW.source_id, NEW.bytes, 1)
    ON CONFLICT (source_id) DO UPDATE SET bytes = bytes + excluded.bytes, segments = segments + 1;
END;
CREATE TRIGGER media_usage_remove AFTER DELETE ON media_segments BEGIN
  UPDATE media_usage SET bytes = bytes - OLD.bytes, segments = segments - 1 WHERE source_id = OLD.source_id;
END;

-- A source was down from start_ms to end_ms (NULL while it still is), and why: the reason shown on a gap.
CREATE TABLE media_outages (
  id        INTEGER PRIMARY KEY,
  source_id TEXT NOT NULL,
  start_ms  INTEGER NOT NULL,
  end_ms    INTEGER,
  reason    TEXT NOT NULL
) STRICT;
CREATE INDEX media_outages_by_source ON media_outages(source_id, start_ms);
`;
