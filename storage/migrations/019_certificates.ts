// Result certificates (考试合格证明), owned by records/certificates: one per passed result, numbered by a
// site serial per year. What the certificate states is copied here when it is issued, so the verify page
// and a re-printed PDF read one frozen record and never a roster that was corrected later.
export const sql = `
CREATE TABLE certificates (
  number          TEXT PRIMARY KEY,
  year            INTEGER NOT NULL,
  seq             INTEGER NOT NULL CHECK (seq BETWEEN 1 AND 999999),
  result_id       TEXT NOT NULL UNIQUE,
  session_id      TEXT NOT NULL,
  id_number       TEXT NOT NULL,
  name            TEXT NOT NULL,
  category        TEXT NOT NULL,
  operation_class TEXT,
  industry        TEXT NOT NULL,
  -- YYYY-MM-DD on the site calendar: the day of the session (the checker's "date").
  session_date    TEXT NOT NULL,
  score           REAL NOT NULL,
  total           REAL NOT NULL,
  issued_at       INTEGER NOT NULL,
  valid_until     INTEGER NOT NULL,
  -- Relative to the data folder's captures/ (the roster photo), as the roster had it at issue.
  photo           TEXT,
  key_id          TEXT NOT NULL,
  -- The QR's signed payload (base64url), kept so a re-printed certificate carries the same code.
  payload         TEXT NOT NULL,
  revoked_at      INTEGER,
  revoked_by      TEXT,
  revoked_reason  TEXT,
  CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL)),
  UNIQUE (year, seq)
) STRICT;
CREATE INDEX certificates_by_session ON certificates (session_id);
CREATE INDEX certificates_by_person ON certificates (id_number, issued_at);
`;
