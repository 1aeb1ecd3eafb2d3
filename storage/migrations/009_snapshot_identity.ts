// The identity re-check of terminal webcam snapshots answers with the face engine's verdict, its
// distance and a few words. SQLite cannot change a CHECK constraint in place, so the table is rebuilt
// (the documented 12-step ALTER procedure; nothing references it) with 'several_faces' allowed.
export const sql = `
CREATE TABLE terminal_snapshots_009 (
  id          TEXT PRIMARY KEY,
  at          INTEGER NOT NULL,
  session_id  TEXT NOT NULL,
  id_number   TEXT NOT NULL,
  terminal_id TEXT NOT NULL,
  -- Relative to the data folder's captures/.
  file        TEXT NOT NULL,
  bytes       INTEGER NOT NULL,
  identity    TEXT NOT NULL DEFAULT 'unchecked' CHECK (identity IN ('unchecked', 'match', 'mismatch', 'no_face', 'several_faces')),
  -- The face engine's distance to the roster photo (smaller = more alike); NULL when none was measured.
  distance    REAL,
  -- What the check said, or why there was none (no checker, the checker failed).
  detail      TEXT,
  checked_at  INTEGER
) STRICT;
INSERT INTO terminal_snapshots_009 (id, at, session_id, id_number, terminal_id, file, bytes, identity)
  SELECT id, at, session_id, id_number, terminal_id, file, bytes, identity FROM terminal_snapshots;
DROP TABLE terminal_snapshots;
ALTER TABLE terminal_snapshots_009 RENAME TO terminal_snapshots;
CREATE INDEX snapshots_by_candidate ON terminal_snapshots(session_id, id_number, at);
`;
