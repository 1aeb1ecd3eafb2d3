// The exam-terminal gateway: attempts (one per candidate per session, bound to the terminal that
// holds it), every save received and the newest answer per question, the clock's inputs (when the
// session started, pauses, added time), integrity incidents, webcam snapshots and terminal moves.
// Everything the timer and resume need is here, so a server restart loses nothing that was acked.
export const sql = `
-- When the session's exam actually started (it moved to in_progress): the zero of every candidate's clock.
CREATE TABLE terminal_session_clocks (
  session_id TEXT PRIMARY KEY REFERENCES exam_sessions(id),
  started_at INTEGER NOT NULL
) STRICT;

CREATE TABLE terminal_attempts (
  session_id      TEXT NOT NULL,
  id_number       TEXT NOT NULL,
  -- The terminal that holds the attempt; NULL once another candidate was attached there (re-seat).
  terminal_id     TEXT,
  status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'submitted')),
  locked          INTEGER NOT NULL DEFAULT 0,
  lock_reason     TEXT,
  logged_in_at    INTEGER NOT NULL,
  last_seq        INTEGER NOT NULL DEFAULT 0,
  submitted_at    INTEGER,
  submitted_by    TEXT CHECK (submitted_by IN ('candidate', 'auto', 'invigilator')),
  submitted_actor TEXT,
  PRIMARY KEY (session_id, id_number),
  FOREIGN KEY (session_id, id_number) REFERENCES roster_entries(session_id, id_number)
) STRICT;
CREATE INDEX attempts_by_terminal ON terminal_attempts(terminal_id, status);
CREATE INDEX attempts_by_status ON terminal_attempts(status, session_id);

-- Every save as received (the answer history, for disputes); seq is unique per attempt.
CREATE TABLE terminal_saves (
  session_id  TEXT NOT NULL,
  id_number   TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  no          INTEGER NOT NULL,
  choice      TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  terminal_id TEXT NOT NULL,
  PRIMARY KEY (session_id, id_number, seq)
) STRICT, WITHOUT ROWID;

-- The answer per question that counts: the save with the highest seq.
CREATE TABLE terminal_answers (
  session_id TEXT NOT NULL,
  id_number  TEXT NOT NULL,
  no         INTEGER NOT NULL,
  choice     TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  saved_at   INTEGER NOT NULL,
  PRIMARY KEY (session_id, id_number, no)
) STRICT, WITHOUT ROWID;

-- A pause of one candidate (id_number) or of the whole room (id_number NULL); open while ended_at is NULL.
CREATE TABLE terminal_pauses (
  id         TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES exam_sessions(id),
  id_number  TEXT,
  started_at INTEGER NOT NULL,
  ended_at   INTEGER,
  reason     TEXT,
  started_by TEXT NOT NULL,
  ended_by   TEXT
) STRICT;
CREATE INDEX pauses_by_session ON terminal_pauses(session_id, id_number);

-- Time added for one candidate (id_number) or everyone in the session (NULL).
CREATE TABLE terminal_time_added (
  id         TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES exam_sessions(id),
  id_number  TEXT,
  ms         INTEGER NOT NULL CHECK (ms > 0),
  reason     TEXT NOT NULL,
  added_by   TEXT NOT NULL,
  added_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX time_added_by_session ON terminal_time_added(session_id, id_number);

-- Integrity incidents: what the terminal reported (focus lost, copy/paste …) and what the server saw
-- (a second connection, a move to another terminal, a message flood).
CREATE TABLE terminal_incidents (
  id          TEXT PRIMARY KEY,
  at          INTEGER NOT NULL,
  session_id  TEXT,
  id_number   TEXT,
  terminal_id TEXT NOT NULL,
  kind        TEXT NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('terminal', 'server')),
  detail      TEXT
) STRICT;
CREATE INDEX incidents_by_session ON terminal_incidents(session_id, at);

CREATE TABLE terminal_snapshots (
  id          TEXT PRIMARY KEY,
  at          INTEGER NOT NULL,
  session_id  TEXT NOT NULL,
  id_number   TEXT NOT NULL,
  terminal_id TEXT NOT NULL,
  -- Relative to the data folder's captures/.
  file        TEXT NOT NULL,
  bytes       INTEGER NOT NULL,
  identity    TEXT NOT NULL DEFAULT 'unchecked' CHECK (identity IN ('unchecked', 'match', 'mismatch', 'no_face'))
) STRICT;
CREATE INDEX snapshots_by_candidate ON terminal_snapshots(session_id, id_number, at);

-- A candidate asking to continue (or start) at a terminal other than their seat's: an invigilator decides.
CREATE TABLE terminal_moves (
  id            TEXT PRIMARY KEY,
  session_id    TEXT NOT NULL REFERENCES exam_sessions(id),
  id_number     TEXT NOT NULL,
  from_terminal TEXT,
  to_terminal   TEXT NOT NULL,
  to_seat       TEXT NOT NULL,
  requested_at  INTEGER NOT NULL,
  status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
  decided_by    TEXT,
  decided_at    INTEGER
) STRICT;
CREATE INDEX moves_by_session ON terminal_moves(session_id, status);
`;
