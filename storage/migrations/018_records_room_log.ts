// The room log (考场记录, records/reports): the invigilators' sign-off freezes the log as it stood — its
// JSON exactly as signed and that text's SHA-256 — and later notes are appended, never edited. Triggers
// refuse UPDATE and DELETE on all three tables, so "frozen" and "appended" hold below the code as well.
export const sql = `
CREATE TABLE records_room_logs (
  session_id  TEXT PRIMARY KEY REFERENCES exam_sessions(id),
  frozen_at   INTEGER NOT NULL,
  frozen_by   TEXT NOT NULL,
  -- The log as signed, byte for byte what sha256 covers.
  snapshot    TEXT NOT NULL CHECK (json_valid(snapshot)),
  sha256      TEXT NOT NULL CHECK (length(sha256) = 64)
) STRICT;

-- One row per invigilator who signed; the first one froze the log, the others co-sign the same text.
CREATE TABLE records_room_log_signatures (
  session_id   TEXT NOT NULL REFERENCES records_room_logs(session_id),
  username     TEXT NOT NULL,
  display_name TEXT NOT NULL,
  signed_at    INTEGER NOT NULL,
  sha256       TEXT NOT NULL,
  PRIMARY KEY (session_id, username)
) STRICT;

CREATE TABLE records_room_log_notes (
  id         TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES exam_sessions(id),
  at         INTEGER NOT NULL,
  author     TEXT NOT NULL,
  author_name TEXT NOT NULL,
  text       TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000)
) STRICT;
CREATE INDEX records_room_log_notes_by_session ON records_room_log_notes(session_id, at);

CREATE TRIGGER records_room_logs_frozen BEFORE UPDATE ON records_room_logs
  BEGIN SELECT RAISE(ABORT, 'a signed room log is frozen'); END;
CREATE TRIGGER records_room_logs_kept BEFORE DELETE ON records_room_logs
  BEGIN SELECT RAISE(ABORT, 'a signed room log is kept'); END;
CREATE TRIGGER records_room_log_signatures_frozen BEFORE UPDATE ON records_room_log_signatures
  BEGIN SELECT RAISE(ABORT, 'a room log signature is never changed'); END;
CREATE TRIGGER records_room_log_signatures_kept BEFORE DELETE ON records_room_log_signatures
  BEGIN SELECT RAISE(ABORT, 'a room log signature is kept'); END;
CREATE TRIGGER records_room_log_notes_frozen BEFORE UPDATE ON records_room_log_notes
  BEGIN SELECT RAISE(ABORT, 'room log notes are appended, never edited'); END;
CREATE TRIGGER records_room_log_notes_kept BEFORE DELETE ON records_room_log_notes
  BEGIN SELECT RAISE(ABORT, 'room log notes are appended, never deleted'); END;
`;
