// Session archives (一期一档, records/archive/): one row per archive file written under
// <data>/archives/. A new archive of the same session is a new version beside the old one; a row is
// never updated or deleted, so the index tells what was handed over when, and which exact manifest.
export const sql = `
CREATE TABLE session_archives (
  id              TEXT PRIMARY KEY,
  session_id      TEXT NOT NULL REFERENCES exam_sessions(id),
  version         INTEGER NOT NULL CHECK (version >= 1),
  -- Relative to the data folder's archives/.
  file            TEXT NOT NULL UNIQUE,
  bytes           INTEGER NOT NULL CHECK (bytes > 0),
  members         INTEGER NOT NULL CHECK (members >= 0),
  -- SHA-256 of manifest.json: names this exact archive in a report or a receipt.
  manifest_sha256 TEXT NOT NULL CHECK (length(manifest_sha256) = 64),
  with_media      INTEGER NOT NULL CHECK (with_media IN (0, 1)),
  -- The parts it holds, in order (JSON array of part ids).
  parts           TEXT NOT NULL CHECK (json_valid(parts)),
  created_by      TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  -- created_at + retention.days: kept at least until then (nothing deletes it automatically).
  retention_until INTEGER NOT NULL,
  UNIQUE (session_id, version)
) STRICT;
CREATE INDEX session_archives_by_time ON session_archives (created_at);
`;
