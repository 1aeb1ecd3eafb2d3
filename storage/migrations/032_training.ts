// Training classes as the regulations run them (issue 25, written only by training/): a class gets its
// personnel category, operation item, room, required hours and 班主任; the site keeps a list of teachers;
// each class has a timetable of lessons; a trainee signs in and out of each lesson at the kiosk, and
// those events — like the 班主任's corrections and justified absences — are append-only: a correction is
// a new row with its reason and actor, never an edited time. Credited hours are computed from them.
//
// Day-level sittings of migration 008 (training_attendance) become events of one lesson of kind 'day'
// per class day, which keeps their old rule (check-out − check-in, at most the day's hours), and the old
// table goes: every column of it is in training_events and training_lessons. A migrated day's bounds
// assume China Standard Time (UTC+8): they only bound the day; the credit is the sitting's length.
//
// The users table is rebuilt for the new role 'headteacher' (班主任): SQLite cannot change a CHECK in place.
// Log-in sessions, the one table that references users, are set aside first and put back after, so
// dropping the old users table cascades into nothing.
export const sql = `
CREATE TABLE sessions_before_032 AS SELECT * FROM sessions;
DROP TABLE sessions;
CREATE TABLE users_next (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name  TEXT,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'invigilator', 'inspector', 'headteacher')),
  password_hash TEXT NOT NULL,
  rooms         TEXT NOT NULL DEFAULT '[]',
  jurisdiction_level TEXT CHECK (jurisdiction_level IN ('province', 'city', 'site')),
  jurisdiction_code  TEXT,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
) STRICT;
INSERT INTO users_next (id, username, display_name, role, password_hash, rooms, jurisdiction_level, jurisdiction_code, disabled, created_at, updated_at)
  SELECT id, username, display_name, role, password_hash, rooms, jurisdiction_level, jurisdiction_code, disabled, created_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE users_next RENAME TO users;
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  ip         TEXT,
  user_agent TEXT
) STRICT;
INSERT INTO sessions (token_hash, user_id, created_at, expires_at, ip, user_agent)
  SELECT token_hash, user_id, created_at, expires_at, ip, user_agent FROM sessions_before_032;
DROP TABLE sessions_before_032;
CREATE INDEX sessions_by_user ON sessions(user_id);

-- The class: what the rules and the report need. kind 'daily' = a class of migration 008 (one sitting a
-- day); 'timetable' = lessons. category/operation_item pick the rule (config rules:); required_hours is
-- fixed when the class is made (the rule may change later; the class keeps what it promised).
ALTER TABLE training_classes ADD COLUMN kind TEXT NOT NULL DEFAULT 'daily' CHECK (kind IN ('daily', 'timetable'));
ALTER TABLE training_classes ADD COLUMN category TEXT CHECK (category IS NULL OR category IN ('principal', 'safety_manager', 'special_operation'));
-- 作业类别 for special operations, the industry code for principals and safety managers.
ALTER TABLE training_classes ADD COLUMN operation_item TEXT;
ALTER TABLE training_classes ADD COLUMN training_type TEXT NOT NULL DEFAULT 'initial' CHECK (training_type IN ('initial', 'refresher'));
ALTER TABLE training_classes ADD COLUMN room_id TEXT;
ALTER TABLE training_classes ADD COLUMN required_hours REAL CHECK (required_hours IS NULL OR (required_hours > 0 AND required_hours <= 2000));
-- Where required_hours came from: the rule's path (rules.principal.training.classHours) or 'set' (typed in).
ALTER TABLE training_classes ADD COLUMN required_hours_source TEXT;
-- The 班主任: a user name (role headteacher, or an admin), who manages this class and confirms decliners.
ALTER TABLE training_classes ADD COLUMN headteacher TEXT;
ALTER TABLE training_classes ADD COLUMN updated_at INTEGER;
UPDATE training_classes
   SET required_hours = daily_hours * (julianday(ends_on) - julianday(starts_on) + 1), required_hours_source = 'dailyHours × days', updated_at = created_at;
CREATE INDEX training_classes_by_headteacher ON training_classes(headteacher, starts_on);
CREATE INDEX training_classes_by_dates ON training_classes(starts_on, ends_on);

-- The site's teachers (师资). Never deleted once a lesson names them: retired_at hides them from new lessons.
CREATE TABLE training_teachers (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  title         TEXT NOT NULL DEFAULT '',
  qualification TEXT NOT NULL DEFAULT '',
  -- 注册安全工程师
  registered_safety_engineer INTEGER NOT NULL DEFAULT 0 CHECK (registered_safety_engineer IN (0, 1)),
  created_at    INTEGER NOT NULL,
  created_by    TEXT NOT NULL,
  updated_at    INTEGER NOT NULL,
  retired_at    INTEGER
) STRICT;

-- The timetable. Times are instants (UTC ms); day is the site-calendar date of the start. hours = 学时
-- credited to someone present throughout. A lesson with sign-ins is never deleted: cancelled_at instead.
CREATE TABLE training_lessons (
  id            TEXT PRIMARY KEY,
  class_id      TEXT NOT NULL REFERENCES training_classes(id),
  kind          TEXT NOT NULL DEFAULT 'lesson' CHECK (kind IN ('lesson', 'day')),
  day           TEXT NOT NULL,
  starts_at     INTEGER NOT NULL,
  ends_at       INTEGER NOT NULL,
  topic         TEXT NOT NULL,
  teacher_id    TEXT REFERENCES training_teachers(id),
  hours         REAL NOT NULL CHECK (hours > 0 AND hours <= 24),
  -- NULL: the class's room.
  room_id       TEXT,
  created_at    INTEGER NOT NULL,
  created_by    TEXT NOT NULL,
  updated_at    INTEGER NOT NULL,
  cancelled_at  INTEGER,
  cancelled_by  TEXT,
  cancel_reason TEXT,
  CHECK (ends_at > starts_at)
) STRICT;
CREATE INDEX training_lessons_by_class ON training_lessons(class_id, starts_at);
CREATE INDEX training_lessons_by_time ON training_lessons(starts_at, ends_at);
CREATE INDEX training_lessons_by_teacher ON training_lessons(teacher_id, starts_at);

-- Members: as exam rosters carry them (ID number, name, photo, employer).
ALTER TABLE training_members ADD COLUMN employer TEXT;
CREATE INDEX training_members_by_person ON training_members(id_number, class_id);

-- Per-lesson sign-in and sign-out: one of each per person per lesson. via: face (a verified face), staff
-- (the 班主任 confirmed someone who declined face recognition), legacy (migrated from 008).
CREATE TABLE training_events (
  id            INTEGER PRIMARY KEY,
  class_id      TEXT NOT NULL,
  lesson_id     TEXT NOT NULL REFERENCES training_lessons(id),
  id_number     TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('sign_in', 'sign_out')),
  at            INTEGER NOT NULL,
  attempt_id    TEXT,
  via           TEXT NOT NULL CHECK (via IN ('face', 'staff', 'legacy')),
  actor         TEXT NOT NULL,
  FOREIGN KEY (class_id, id_number) REFERENCES training_members(class_id, id_number)
) STRICT;
CREATE UNIQUE INDEX training_events_once ON training_events(lesson_id, id_number, kind);
CREATE INDEX training_events_by_class ON training_events(class_id, lesson_id);
CREATE INDEX training_events_by_person ON training_events(id_number, at);
CREATE TRIGGER training_events_no_update BEFORE UPDATE ON training_events
  BEGIN SELECT RAISE(ABORT, 'training_events is append-only: enter a correction instead'); END;
CREATE TRIGGER training_events_no_delete BEFORE DELETE ON training_events
  BEGIN SELECT RAISE(ABORT, 'training_events is append-only: enter a correction instead'); END;

-- The 班主任's word on one person's lesson, with a reason (at least 4 characters) and who said it. The
-- newest row per (lesson, person) is in force; 'withdrawn' takes back the one before.
--   presence:          present from in_at to out_at (the kiosk was down, the person was seen)
--   justified_absence: absent with a reason (请假): no hours, but not reported as missing
--   withdrawn:         the recorded events stand again
CREATE TABLE training_corrections (
  id            INTEGER PRIMARY KEY,
  class_id      TEXT NOT NULL,
  lesson_id     TEXT NOT NULL REFERENCES training_lessons(id),
  id_number     TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('presence', 'justified_absence', 'withdrawn')),
  in_at         INTEGER,
  out_at        INTEGER,
  reason        TEXT NOT NULL CHECK (length(trim(reason)) >= 4),
  actor         TEXT NOT NULL,
  at            INTEGER NOT NULL,
  FOREIGN KEY (class_id, id_number) REFERENCES training_members(class_id, id_number),
  CHECK ((kind = 'presence') = (in_at IS NOT NULL AND out_at IS NOT NULL)),
  CHECK (out_at IS NULL OR out_at > in_at)
) STRICT;
CREATE INDEX training_corrections_by_lesson ON training_corrections(lesson_id, id_number, id);
CREATE INDEX training_corrections_by_class ON training_corrections(class_id, id);
CREATE TRIGGER training_corrections_no_update BEFORE UPDATE ON training_corrections
  BEGIN SELECT RAISE(ABORT, 'training_corrections is append-only: enter a new correction'); END;
CREATE TRIGGER training_corrections_no_delete BEFORE DELETE ON training_corrections
  BEGIN SELECT RAISE(ABORT, 'training_corrections is append-only: enter a new correction'); END;

-- An exam session names the class held here that its candidates come from (one class per session).
CREATE TABLE training_class_sessions (
  session_id    TEXT PRIMARY KEY,
  class_id      TEXT NOT NULL REFERENCES training_classes(id),
  linked_at     INTEGER NOT NULL,
  linked_by     TEXT NOT NULL
) STRICT;
CREATE INDEX training_class_sessions_by_class ON training_class_sessions(class_id);

-- The lesson a kiosk attempt signs in or out of.
ALTER TABLE identity_attempts ADD COLUMN lesson_id TEXT;

-- 008's sittings: one 'day' lesson per class day (every day, so days nobody came stay absences).
INSERT INTO training_lessons (id, class_id, kind, day, starts_at, ends_at, topic, teacher_id, hours, room_id, created_at, created_by, updated_at)
WITH RECURSIVE days(class_id, day, last, hours, created_at, created_by) AS (
  SELECT id, starts_on, ends_on, daily_hours, created_at, created_by FROM training_classes
  UNION ALL
  SELECT class_id, date(day, '+1 day'), last, hours, created_at, created_by FROM days WHERE day < last
)
SELECT 'tl_' || class_id || '_' || day, class_id, 'day', day,
       (CAST(strftime('%s', day) AS INTEGER) - 8 * 3600) * 1000,
       (CAST(strftime('%s', day) AS INTEGER) + 16 * 3600) * 1000,
       '全天培训', NULL, hours, NULL, created_at, created_by, created_at
  FROM days;
INSERT INTO training_events (class_id, lesson_id, id_number, kind, at, attempt_id, via, actor)
SELECT t.class_id, 'tl_' || t.class_id || '_' || t.day, t.id_number, 'sign_in', t.check_in_at, t.check_in_attempt,
       CASE WHEN a.decision = 'overridden' THEN 'staff' ELSE 'legacy' END,
       COALESCE(CASE WHEN a.decision = 'overridden' THEN a.override_by END, 'device:' || a.kiosk_id, 'migration:032')
  FROM training_attendance t LEFT JOIN identity_attempts a ON a.id = t.check_in_attempt;
INSERT INTO training_events (class_id, lesson_id, id_number, kind, at, attempt_id, via, actor)
SELECT t.class_id, 'tl_' || t.class_id || '_' || t.day, t.id_number, 'sign_out', t.check_out_at, t.check_out_attempt,
       CASE WHEN a.decision = 'overridden' THEN 'staff' ELSE 'legacy' END,
       COALESCE(CASE WHEN a.decision = 'overridden' THEN a.override_by END, 'device:' || a.kiosk_id, 'migration:032')
  FROM training_attendance t LEFT JOIN identity_attempts a ON a.id = t.check_out_attempt
 WHERE t.check_out_at IS NOT NULL;
UPDATE identity_attempts SET lesson_id = (
  SELECT l.id FROM training_lessons l
   WHERE l.class_id = identity_attempts.class_id AND identity_attempts.started_at >= l.starts_at AND identity_attempts.started_at < l.ends_at
)
 WHERE class_id IS NOT NULL;
DROP TABLE training_attendance;
`;
