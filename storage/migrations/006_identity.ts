// Identity checks (kiosk/): every verification attempt at the entrance kiosk with its scores, decision and
// capture, and the face descriptors of enrolled photos (roster and ID-card photos), so a photo is run
// through the face engine once, not once per candidate per day.
export const sql = `
CREATE TABLE identity_attempts (
  id              TEXT PRIMARY KEY,
  kiosk_id        TEXT NOT NULL,
  -- The exam session the ID was looked up for (NULL for a training check, see migration 008).
  session_id      TEXT,
  id_number       TEXT NOT NULL,
  source          TEXT NOT NULL CHECK (source IN ('typed', 'card')),
  challenge       TEXT NOT NULL,
  -- The reference photos: the roster's (relative to captures/) and the ID card's when a reader gave one.
  roster_photo    TEXT,
  card_photo      TEXT,
  card            TEXT,
  started_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  decided_at      INTEGER,
  decision        TEXT CHECK (decision IN ('admitted', 'refused', 'overridden')),
  reason          TEXT,
  detail          TEXT,
  liveness        TEXT,
  distance        REAL,
  card_distance   REAL,
  threshold       REAL,
  seat            TEXT,
  -- The best frame, kept as long as video (retention.days): capture_expires_at records until when.
  capture         TEXT,
  capture_expires_at INTEGER,
  -- The capture's descriptor: the seat re-check compares a terminal snapshot with the face that entered.
  probe_descriptor BLOB,
  override_by     TEXT,
  override_reason TEXT,
  CHECK ((decision IS NULL) = (decided_at IS NULL))
) STRICT;
CREATE INDEX identity_attempts_by_session ON identity_attempts(session_id, id_number, started_at);
CREATE INDEX identity_attempts_by_person ON identity_attempts(id_number, started_at);

-- One row per photo file (content-addressed names, so a changed photo is a new row): its descriptor,
-- or the engine's refusal so staff can replace the photo before the exam day.
CREATE TABLE face_enrolments (
  photo        TEXT PRIMARY KEY,
  status       TEXT NOT NULL CHECK (status IN ('ok', 'refused')),
  descriptor   BLOB,
  reason       TEXT,
  detail       TEXT,
  quality      TEXT,
  enrolled_at  INTEGER NOT NULL,
  CHECK ((status = 'ok') = (descriptor IS NOT NULL))
) STRICT;
`;
