// Proctor console (proctor/): alerts raised from the event bus and the incidents (违纪) invigilators
// record. An alert is never deleted: acknowledging it adds who, when and a note; a condition that
// ends by itself (terminal back online, camera up) adds cleared_at. Incidents are append-only.
export const sql = `
CREATE TABLE proctor_alerts (
  id            TEXT PRIMARY KEY,
  at            INTEGER NOT NULL,
  last_at       INTEGER NOT NULL,
  repeats       INTEGER NOT NULL DEFAULT 1,
  -- NULL: site-wide (the media disk), shown in every room.
  room_id       TEXT,
  session_id    TEXT,
  seat          TEXT,
  terminal_id   TEXT,
  source_id     TEXT,
  id_number     TEXT,
  kind          TEXT NOT NULL,
  severity      TEXT NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
  params        TEXT NOT NULL DEFAULT '{}',
  text_zh       TEXT NOT NULL,
  text_en       TEXT NOT NULL,
  event         TEXT NOT NULL,
  -- One open alert per condition: a repeat of the same key while unacknowledged only counts up.
  dedupe_key    TEXT NOT NULL,
  cleared_at    INTEGER,
  acked_by      TEXT,
  acked_at      INTEGER,
  ack_note      TEXT,
  CHECK ((acked_by IS NULL) = (acked_at IS NULL))
) STRICT;
CREATE INDEX proctor_alerts_room_at ON proctor_alerts (room_id, at);
CREATE INDEX proctor_alerts_open ON proctor_alerts (dedupe_key) WHERE acked_at IS NULL;
CREATE INDEX proctor_alerts_session ON proctor_alerts (session_id);

CREATE TABLE proctor_incidents (
  id            TEXT PRIMARY KEY,
  at            INTEGER NOT NULL,
  session_id    TEXT NOT NULL REFERENCES exam_sessions(id),
  room_id       TEXT NOT NULL,
  seat          TEXT,
  id_number     TEXT,
  category      TEXT NOT NULL CHECK (category IN ('impersonation', 'crib_notes', 'talking', 'copying', 'communication_device', 'leaving_seat', 'other')),
  note          TEXT NOT NULL,
  recorded_by   TEXT NOT NULL
) STRICT;
CREATE INDEX proctor_incidents_session ON proctor_incidents (session_id, at);
`;
