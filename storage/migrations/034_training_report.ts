// The district report of a training class (training/report) and the class file's index (training/archive).
// The 班主任's sign-off freezes the report as it stood — its JSON exactly as signed and that text's SHA-256 —
// and later notes are appended, never edited; triggers refuse UPDATE and DELETE so "frozen" and
// "appended" hold below the code as well. The class archives index mirrors session_archives (020): one row
// per archive file, written once the file is complete, never changed; versions count up per class.
export const sql = `
CREATE TABLE training_reports (
  class_id     TEXT PRIMARY KEY REFERENCES training_classes(id),
  signed_at    INTEGER NOT NULL,
  -- The 班主任 who signed: user name and display name as they were.
  signed_by    TEXT NOT NULL,
  signer_name  TEXT NOT NULL,
  -- The report as signed, byte for byte what sha256 covers.
  snapshot     TEXT NOT NULL CHECK (json_valid(snapshot)),
  sha256       TEXT NOT NULL CHECK (length(sha256) = 64)
) STRICT;

CREATE TABLE training_report_notes (
  id          TEXT PRIMARY KEY,
  class_id    TEXT NOT NULL REFERENCES training_classes(id),
  at          INTEGER NOT NULL,
  author      TEXT NOT NULL,
  author_name TEXT NOT NULL,
  text        TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000)
) STRICT;
CREATE INDEX training_report_notes_by_class ON training_report_notes(class_id, at);

CREATE TRIGGER training_reports_frozen BEFORE UPDATE ON training_reports
  BEGIN SELECT RAISE(ABORT, 'a signed district report is frozen'); END;
CREATE TRIGGER training_reports_kept BEFORE DELETE ON training_reports
  BEGIN SELECT RAISE(ABORT, 'a signed district report is kept'); END;
CREATE TRIGGER training_report_notes_frozen BEFORE UPDATE ON training_report_notes
  BEGIN SELECT RAISE(ABORT, 'district report notes are appended, never edited'); END;
CREATE TRIGGER training_report_notes_kept BEFORE DELETE ON training_report_notes
  BEGIN SELECT RAISE(ABORT, 'district report notes are appended, never deleted'); END;

CREATE TABLE training_class_archives (
  id              TEXT PRIMARY KEY,
  class_id        TEXT NOT NULL REFERENCES training_classes(id),
  version         INTEGER NOT NULL CHECK (version >= 1),
  -- Relative to the data folder's archives/.
  file            TEXT NOT NULL UNIQUE,
  bytes           INTEGER NOT NULL CHECK (bytes > 0),
  members         INTEGER NOT NULL CHECK (members >= 0),
  manifest_sha256 TEXT NOT NULL CHECK (length(manifest_sha256) = 64),
  with_media      INTEGER NOT NULL CHECK (with_media IN (0, 1)),
  parts           TEXT NOT NULL CHECK (json_valid(parts)),
  created_by      TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  -- created_at + retention.days: kept at least until then (nothing deletes it automatically).
  retention_until INTEGER NOT NULL,
  UNIQUE (class_id, version)
) STRICT;
CREATE INDEX training_class_archives_by_time ON training_class_archives (created_at);
`;
