// The exam engine: question bank with versions, templates, per-candidate papers, plans, sessions,
// rosters and results. Questions are content-addressed and never deleted once used in a paper.
export const sql = `
CREATE TABLE questions (
  id              TEXT PRIMARY KEY,
  external_id     TEXT,
  type            TEXT NOT NULL CHECK (type IN ('judge', 'single', 'multiple')),
  stem            TEXT NOT NULL,
  options         TEXT NOT NULL,
  answer          TEXT NOT NULL,
  images          TEXT NOT NULL DEFAULT '[]',
  industry        TEXT NOT NULL,
  category        TEXT NOT NULL,
  operation_class TEXT,
  knowledge_point TEXT NOT NULL,
  difficulty      INTEGER NOT NULL CHECK (difficulty BETWEEN 1 AND 5),
  explanation     TEXT,
  tier            TEXT NOT NULL CHECK (tier IN ('national', 'provincial', 'local')),
  fingerprint     TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  retired_at      INTEGER,
  retired_by      TEXT,
  used_in_papers  INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX questions_by_fingerprint ON questions(fingerprint);
CREATE INDEX questions_by_pool ON questions(industry, category, type, difficulty);

-- A bank version is a snapshot: the set of questions (and templates) a paper may draw from.
CREATE TABLE bank_versions (
  id             TEXT PRIMARY KEY,
  parent         TEXT REFERENCES bank_versions(id),
  kind           TEXT NOT NULL CHECK (kind IN ('package', 'import', 'shipped')),
  label          TEXT,
  published_at   INTEGER,
  received_at    INTEGER NOT NULL,
  signed_by      TEXT,
  sha256         TEXT,
  question_count INTEGER NOT NULL DEFAULT 0,
  template_count INTEGER NOT NULL DEFAULT 0,
  seq            INTEGER NOT NULL UNIQUE
) STRICT;

CREATE TABLE bank_version_questions (
  version_id  TEXT NOT NULL REFERENCES bank_versions(id),
  question_id TEXT NOT NULL REFERENCES questions(id),
  PRIMARY KEY (version_id, question_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE templates (
  id         TEXT NOT NULL,
  version_id TEXT NOT NULL REFERENCES bank_versions(id),
  name       TEXT NOT NULL,
  body       TEXT NOT NULL,
  PRIMARY KEY (id, version_id)
) STRICT;

-- The central bank's package feed: what we last fetched, for conditional GETs.
CREATE TABLE bank_sync_state (
  url           TEXT PRIMARY KEY,
  etag          TEXT,
  last_modified TEXT,
  checked_at    INTEGER,
  last_version  TEXT,
  last_error    TEXT
) STRICT;

CREATE TABLE exam_plans (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  starts_on  TEXT NOT NULL,
  ends_on    TEXT NOT NULL,
  status     TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'active', 'closed', 'archived')),
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL
) STRICT;

CREATE TABLE exam_sessions (
  id               TEXT PRIMARY KEY,
  plan_id          TEXT NOT NULL REFERENCES exam_plans(id),
  room_id          TEXT NOT NULL,
  starts_at        INTEGER NOT NULL,
  duration_minutes INTEGER NOT NULL,
  template_id      TEXT NOT NULL,
  template         TEXT NOT NULL,
  bank_version     TEXT REFERENCES bank_versions(id),
  status           TEXT NOT NULL DEFAULT 'scheduled'
                   CHECK (status IN ('scheduled', 'papers_ready', 'checkin', 'in_progress', 'ended', 'graded', 'archived')),
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_time ON exam_sessions(starts_at);

-- 一人一档: one row per person ever registered, keyed by the 18-digit ID number.
CREATE TABLE candidates (
  id_number   TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  photo       TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE roster_entries (
  session_id      TEXT NOT NULL REFERENCES exam_sessions(id),
  id_number       TEXT NOT NULL REFERENCES candidates(id_number),
  ticket_no       TEXT NOT NULL,
  name            TEXT NOT NULL,
  category        TEXT NOT NULL,
  operation_class TEXT,
  industry        TEXT NOT NULL,
  institution     TEXT,
  photo           TEXT,
  seat            TEXT,
  attempt         INTEGER NOT NULL DEFAULT 1 CHECK (attempt IN (1, 2)),
  status          TEXT NOT NULL DEFAULT 'registered'
                  CHECK (status IN ('registered', 'admitted', 'absent', 'in_exam', 'submitted')),
  PRIMARY KEY (session_id, id_number),
  UNIQUE (session_id, ticket_no)
) STRICT;
CREATE UNIQUE INDEX roster_seat ON roster_entries(session_id, seat) WHERE seat IS NOT NULL;

CREATE TABLE papers (
  id           TEXT PRIMARY KEY,
  session_id   TEXT REFERENCES exam_sessions(id),
  id_number    TEXT,
  bank_version TEXT NOT NULL REFERENCES bank_versions(id),
  template_id  TEXT NOT NULL,
  seed         TEXT NOT NULL,
  items        TEXT NOT NULL,
  generated_at INTEGER NOT NULL,
  UNIQUE (session_id, id_number)
) STRICT;

CREATE TABLE results (
  id           TEXT PRIMARY KEY,
  session_id   TEXT NOT NULL REFERENCES exam_sessions(id),
  id_number    TEXT NOT NULL REFERENCES candidates(id_number),
  paper_id     TEXT NOT NULL REFERENCES papers(id),
  category     TEXT NOT NULL,
  operation_class TEXT,
  industry     TEXT NOT NULL,
  attempt      INTEGER NOT NULL,
  score        REAL NOT NULL,
  total        REAL NOT NULL,
  passed       INTEGER NOT NULL,
  breakdown    TEXT NOT NULL,
  graded_at    INTEGER NOT NULL,
  valid_until  INTEGER,
  UNIQUE (session_id, id_number)
) STRICT;
CREATE INDEX results_by_person ON results(id_number, category, graded_at);
`;
