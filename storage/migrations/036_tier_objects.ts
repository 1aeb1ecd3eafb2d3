// The tier to an S3-compatible object store (storage/tier/): one row per file moved to the store, keyed by
// the folder it belongs to (media, captures, archives) and its path relative to that folder exactly as the
// owning index stores it (media_segments.path, terminal_snapshots.file, identity_attempts.capture,
// session_archives.file, training_class_archives.file). Storage owns this table, so the owning modules'
// tables need no location column: a file with no row here is on the local disk only.
// A row is written only after the upload was verified (the store's SHA-256 or a read-back), and the local
// copy is deleted only after the row is durable: local_deleted_at is set in the same step as the unlink.
export const sql = `
CREATE TABLE tier_objects (
  area              TEXT NOT NULL CHECK (area IN ('media', 'captures', 'archives')),
  path              TEXT NOT NULL CHECK (length(path) BETWEEN 1 AND 1024),
  kind              TEXT NOT NULL CHECK (kind IN ('segment', 'archive', 'capture', 'snapshot')),
  -- The camera or screen source of a segment, the terminal or kiosk of a snapshot or capture, the session or class of an archive.
  source            TEXT NOT NULL,
  start_ms          INTEGER NOT NULL,
  end_ms            INTEGER NOT NULL CHECK (end_ms >= start_ms),
  bytes             INTEGER NOT NULL CHECK (bytes >= 0),
  sha256            TEXT NOT NULL CHECK (length(sha256) = 64),
  object_key        TEXT NOT NULL UNIQUE,
  -- The version written: the integrity sample reads exactly it. NULL only on a store without versioning.
  version_id        TEXT,
  -- Object lock: nobody (the appliance included) can delete the object before this instant. NULL = no lock.
  retain_until      INTEGER,
  verified_by       TEXT NOT NULL CHECK (verified_by IN ('checksum', 'readback')),
  verified_at       INTEGER NOT NULL,
  local_deleted_at  INTEGER,
  checked_at        INTEGER,
  check_result      TEXT CHECK (check_result IN ('ok', 'mismatch', 'missing', 'newer_version', 'error')),
  check_detail      TEXT,
  -- Every version removed from the store after retention (audited as tier.object.deleted).
  remote_deleted_at INTEGER,
  PRIMARY KEY (area, path),
  CHECK ((checked_at IS NULL) = (check_result IS NULL))
) STRICT;
-- The retention sweep walks by end time; the integrity sample picks the least recently checked.
CREATE INDEX tier_objects_by_end ON tier_objects (end_ms) WHERE remote_deleted_at IS NULL;
CREATE INDEX tier_objects_by_check ON tier_objects (checked_at) WHERE remote_deleted_at IS NULL;
CREATE INDEX tier_objects_by_kind_end ON tier_objects (kind, end_ms);
CREATE INDEX tier_objects_by_verified ON tier_objects (verified_at);
-- Verified remote, local copy still there: what a crash between the row and the unlink leaves for the next pass.
CREATE INDEX tier_objects_local_pending ON tier_objects (verified_at) WHERE local_deleted_at IS NULL AND remote_deleted_at IS NULL;

-- Per kind, the end time before which every file has been tiered (or skipped for good): the worker's next
-- pass starts there, so a pass costs the backlog, not three years of index, also after a restart.
CREATE TABLE tier_cursors (
  kind     TEXT PRIMARY KEY CHECK (kind IN ('segment', 'archive', 'capture', 'snapshot')),
  floor_ms INTEGER NOT NULL
) STRICT;

-- Objects and bytes in the store per kind, and how many of those bytes left the local disk, kept by
-- triggers: the status page and /metrics need them without summing millions of rows.
CREATE TABLE tier_usage (
  kind             TEXT PRIMARY KEY,
  objects          INTEGER NOT NULL,
  bytes            INTEGER NOT NULL,
  local_gone_bytes INTEGER NOT NULL
) STRICT;
CREATE TRIGGER tier_usage_add AFTER INSERT ON tier_objects BEGIN
  INSERT INTO tier_usage (kind, objects, bytes, local_gone_bytes) VALUES (NEW.kind, 1, NEW.bytes, 0)
    ON CONFLICT (kind) DO UPDATE SET objects = objects + 1, bytes = bytes + excluded.bytes;
END;
CREATE TRIGGER tier_usage_local_gone AFTER UPDATE OF local_deleted_at ON tier_objects
  WHEN OLD.local_deleted_at IS NULL AND NEW.local_deleted_at IS NOT NULL AND NEW.remote_deleted_at IS NULL BEGIN
  UPDATE tier_usage SET local_gone_bytes = local_gone_bytes + NEW.bytes WHERE kind = NEW.kind;
END;
CREATE TRIGGER tier_usage_remote_gone AFTER UPDATE OF remote_deleted_at ON tier_objects
  WHEN OLD.remote_deleted_at IS NULL AND NEW.remote_deleted_at IS NOT NULL BEGIN
  UPDATE tier_usage SET objects = objects - 1, bytes = bytes - NEW.bytes,
    local_gone_bytes = local_gone_bytes - (CASE WHEN NEW.local_deleted_at IS NULL THEN 0 ELSE NEW.bytes END)
    WHERE kind = NEW.kind;
END;
`;
