// Hours a roster import brought for candidates trained elsewhere (考培分离: the 培训机构 and 培训学时 columns),
// kept by training/ beside the check it made, so the session's eligibility can be shown again later. Written
// in the import's own transaction: a refused import leaves none. Later imports of the same person add a row.
export const sql = `
CREATE TABLE training_roster_hours (
  id            INTEGER PRIMARY KEY,
  session_id    TEXT NOT NULL,
  id_number     TEXT NOT NULL,
  institution   TEXT NOT NULL,
  hours         REAL NOT NULL CHECK (hours >= 0 AND hours <= 2000),
  recorded_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX training_roster_hours_by_session ON training_roster_hours(session_id, id_number, id);
`;
