// The reporting outbox (records/reporting/): each results package exactly as signed, stored before any
// send, so a crash or a platform down for days loses nothing; every delivery attempt with its outcome
// and next try; the platform's receipt once it has accepted a package.
export const sql = `
CREATE TABLE report_packages (
  -- "<site>:<session>:<version>": the receiver's idempotency key, stable across resends and restarts.
  id              TEXT PRIMARY KEY,
  session_id      TEXT NOT NULL,
  version         INTEGER NOT NULL CHECK (version >= 1),
  -- The package's JSON exactly as signed (the bytes sent), and the detached Ed25519 signature over them.
  body            BLOB NOT NULL,
  signature       TEXT NOT NULL,
  key_id          TEXT NOT NULL,
  -- SHA-256 of what the package reports (not when it was made, nor the audit anchor): a regrade that
  -- changes nothing makes no new version.
  content_sha256  TEXT NOT NULL,
  audit_seq       INTEGER NOT NULL,
  audit_hash      TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'sent')),
  next_attempt_at INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  receipt         TEXT CHECK (receipt IS NULL OR json_valid(receipt)),
  sent_at         INTEGER,
  CHECK ((state = 'sent') = (receipt IS NOT NULL)),
  UNIQUE (session_id, version)
) STRICT;
CREATE INDEX report_packages_due ON report_packages (state, next_attempt_at);

-- One row per delivery attempt, written when it starts: a row with no finished_at at start-up is an
-- attempt the process died in (kill -9, power cut), and is recorded as such before the package is resent.
CREATE TABLE report_attempts (
  package_id   TEXT NOT NULL REFERENCES report_packages(id),
  n            INTEGER NOT NULL,
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  status_code  INTEGER,
  error        TEXT,
  next_attempt_at INTEGER,
  PRIMARY KEY (package_id, n)
) STRICT;
`;
