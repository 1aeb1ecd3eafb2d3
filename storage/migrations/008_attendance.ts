// Training attendance (培训考勤): classes run by a training institution, their members, and each
// member's check-in and check-out per day, verified by face at the kiosk like an exam admission.
// Attended hours are derived from the two times, so a correction is a new row, not an edited number.
export const sql = `
CREATE TABLE training_classes (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  institution   TEXT NOT NULL,
  -- Site-calendar dates, inclusive: the class meets every day in between.
  starts_on     TEXT NOT NULL,
  ends_on       TEXT NOT NULL,
  -- Scheduled hours of one day's sitting: attended time above it is not credited.
  daily_hours   REAL NOT NULL CHECK (daily_hours > 0 AND daily_hours <= 24),
  created_at    INTEGER NOT NULL,
  created_by    TEXT NOT NULL,
  CHECK (starts_on <= ends_on)
) STRICT;

CREATE TABLE training_members (
  class_id    TEXT NOT NULL REFERENCES training_classes(id),
  id_number   TEXT NOT NULL,
  name        TEXT NOT NULL,
  -- Relative to the data folder's captures/.
  photo       TEXT,
  added_at    INTEGER NOT NULL,
  PRIMARY KEY (class_id, id_number)
) STRICT;

-- One sitting per member per day: checked in, then checked out.
CREATE TABLE training_attendance (
  class_id          TEXT NOT NULL,
  id_number         TEXT NOT NULL,
  day               TEXT NOT NULL,
  check_in_at       INTEGER NOT NULL,
  check_in_attempt  TEXT NOT NULL,
  check_out_at      INTEGER,
  check_out_attempt TEXT,
  PRIMARY KEY (class_id, id_number, day),
  FOREIGN KEY (class_id, id_number) REFERENCES training_members(class_id, id_number),
  CHECK (check_out_at IS NULL OR check_out_at >= check_in_at)
) STRICT;

ALTER TABLE identity_attempts ADD COLUMN class_id TEXT;
ALTER TABLE identity_attempts ADD COLUMN action TEXT CHECK (action IS NULL OR action IN ('check_in', 'check_out'));
CREATE INDEX identity_attempts_by_class ON identity_attempts(class_id, id_number, started_at);
`;
