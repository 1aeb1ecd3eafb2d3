// Every kiosk attempt ends with an outcome (kiosk/): besides admitted, refused and overridden, an attempt
// the person left at the notice or the face guide is `cancelled` (the kiosk says so on 取消) and one nobody
// finished is `expired` (marked by the kiosk service's sweep after its expiry). SQLite cannot widen a
// CHECK in place, so identity_attempts is copied into a table with the wider one: every column of 006,
// 008, 032 and 037 in their order, every row unchanged, the same indexes, and one more for the sweep.
export const sql = `
CREATE TABLE identity_attempts_038 (
  id              TEXT PRIMARY KEY,
  kiosk_id        TEXT NOT NULL,
  session_id      TEXT,
  id_number       TEXT NOT NULL,
  source          TEXT NOT NULL CHECK (source IN ('typed', 'card')),
  challenge       TEXT NOT NULL,
  roster_photo    TEXT,
  card_photo      TEXT,
  card            TEXT,
  started_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  decided_at      INTEGER,
  decision        TEXT CHECK (decision IN ('admitted', 'refused', 'overridden', 'cancelled', 'expired')),
  reason          TEXT,
  detail          TEXT,
  liveness        TEXT,
  distance        REAL,
  card_distance   REAL,
  threshold       REAL,
  seat            TEXT,
  capture         TEXT,
  capture_expires_at INTEGER,
  probe_descriptor BLOB,
  override_by     TEXT,
  override_reason TEXT,
  class_id        TEXT,
  action          TEXT CHECK (action IS NULL OR action IN ('check_in', 'check_out')),
  lesson_id       TEXT,
  capture_sha256  TEXT CHECK (capture_sha256 IS NULL OR length(capture_sha256) = 64),
  CHECK ((decision IS NULL) = (decided_at IS NULL))
) STRICT;
INSERT INTO identity_attempts_038 (id, kiosk_id, session_id, id_number, source, challenge, roster_photo, card_photo, card, started_at, expires_at,
  decided_at, decision, reason, detail, liveness, distance, card_distance, threshold, seat, capture, capture_expires_at, probe_descriptor,
  override_by, override_reason, class_id, action, lesson_id, capture_sha256)
SELECT id, kiosk_id, session_id, id_number, source, challenge, roster_photo, card_photo, card, started_at, expires_at,
  decided_at, decision, reason, detail, liveness, distance, card_distance, threshold, seat, capture, capture_expires_at, probe_descriptor,
  override_by, override_reason, class_id, action, lesson_id, capture_sha256
FROM identity_attempts;
DROP TABLE identity_attempts;
ALTER TABLE identity_attempts_038 RENAME TO identity_attempts;
CREATE INDEX identity_attempts_by_session ON identity_attempts(session_id, id_number, started_at);
CREATE INDEX identity_attempts_by_person ON identity_attempts(id_number, started_at);
CREATE INDEX identity_attempts_by_class ON identity_attempts(class_id, id_number, started_at);
CREATE INDEX identity_attempts_with_descriptor ON identity_attempts(session_id, class_id) WHERE probe_descriptor IS NOT NULL;
CREATE INDEX identity_attempts_with_pictures ON identity_attempts(capture_expires_at, started_at) WHERE capture IS NOT NULL OR card_photo IS NOT NULL;
CREATE INDEX identity_attempts_by_card_photo ON identity_attempts(card_photo) WHERE card_photo IS NOT NULL;
-- The sweep finds the attempts left open without reading the decided ones.
CREATE INDEX identity_attempts_undecided ON identity_attempts(expires_at) WHERE decided_at IS NULL;
`;
