// A candidate who declined face recognition (issue 23) is confirmed at the seat by an invigilator, by eye
// against the ID card: once after log-in, and again on any alert of that seat. One row per such to-do,
// due when it is opened and done when the invigilator confirms it (a click, audited). Rows are never
// deleted: together with face_consents they are the record, for the room log, the person file and the
// session archive, that the person was checked without their face. Written only by proctor/.
export const sql = `
CREATE TABLE seat_identity_confirmations (
  id            TEXT PRIMARY KEY,
  session_id    TEXT NOT NULL,
  room_id       TEXT NOT NULL,
  id_number     TEXT NOT NULL,
  -- The seat (and its terminal) where the person is to be seen, as it was when the check fell due.
  seat          TEXT,
  terminal_id   TEXT,
  -- 'login': after the candidate logged in at a terminal; 'alert': an alert was raised about the seat.
  reason        TEXT NOT NULL CHECK (reason IN ('login', 'alert')),
  alert_id      TEXT,
  due_at        INTEGER NOT NULL,
  -- Alerts raised while the check was already due: it stays one to-do, counting them.
  alerts        INTEGER NOT NULL DEFAULT 0,
  confirmed_at  INTEGER,
  confirmed_by  TEXT,
  note          TEXT,
  CHECK ((confirmed_at IS NULL) = (confirmed_by IS NULL))
) STRICT;
CREATE INDEX seat_identity_by_session ON seat_identity_confirmations(session_id, id_number, due_at);
CREATE INDEX seat_identity_open ON seat_identity_confirmations(room_id) WHERE confirmed_at IS NULL;
CREATE INDEX seat_identity_by_person ON seat_identity_confirmations(id_number, due_at);
`;
