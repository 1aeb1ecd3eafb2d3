// Separate consent to face recognition (issue 23; 人脸识别技术应用安全管理办法): asked once per exam
// session or training class at the kiosk, before any capture. A row is never updated: a later decision of
// the same person for the same session or class is a new row, and the newest row is the one in force, so
// the history of what the person was told and what they chose stays whole. Written only by kiosk/.
export const sql = `
CREATE TABLE face_consents (
  id              INTEGER PRIMARY KEY,
  id_number       TEXT NOT NULL,
  -- Exactly one of session_id (exam admission) and class_id (training sign-in).
  session_id      TEXT,
  class_id        TEXT,
  decision        TEXT NOT NULL CHECK (decision IN ('accepted', 'declined')),
  -- The notice the person saw: the site's version label and the SHA-256 of the exact text shown.
  notice_version  TEXT NOT NULL,
  notice_sha256   TEXT NOT NULL,
  notice_lang     TEXT NOT NULL,
  -- The kiosk it was given at (device id), and the identity attempt it preceded, when there was one.
  device_id       TEXT,
  attempt_id      TEXT,
  -- Server time, ms since the epoch.
  decided_at      INTEGER NOT NULL,
  CHECK ((session_id IS NULL) <> (class_id IS NULL))
) STRICT;
CREATE INDEX face_consents_by_session ON face_consents(session_id, id_number, id);
CREATE INDEX face_consents_by_class ON face_consents(class_id, id_number, id);
CREATE INDEX face_consents_by_person ON face_consents(id_number, id);
`;
