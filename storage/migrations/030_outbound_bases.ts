// Where face images may leave the appliance in plain form (issue 23): only to a destination for which an
// admin has named the legal basis (free text naming the law or rule), and every setting is kept. A row is
// never updated or deleted — a change or a withdrawal (basis NULL) is a new row, the newest in force — so
// who allowed what, when, stays on record beside the audit entry. Written only by records/privacy.
export const sql = `
CREATE TABLE outbound_legal_bases (
  id           INTEGER PRIMARY KEY,
  -- reporting: results packages to the provincial platform; archive-export: an archive handed out with plain face images.
  destination  TEXT NOT NULL CHECK (destination IN ('reporting', 'archive-export')),
  basis        TEXT CHECK (basis IS NULL OR length(basis) BETWEEN 4 AND 500),
  set_by       TEXT NOT NULL,
  set_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX outbound_legal_bases_by_destination ON outbound_legal_bases(destination, id);
-- The face-data retention sweep (storage/face-retention.ts) runs on the server's one thread every hour: it
-- finds what is due through these indexes instead of scanning every attempt, snapshot and roster row
-- (bench/face-retention.ts: 100,000 people). Partial indexes hold only the rows still carrying face data.
CREATE INDEX terminal_snapshots_by_time ON terminal_snapshots(at);
CREATE INDEX identity_attempts_with_descriptor ON identity_attempts(session_id, class_id) WHERE probe_descriptor IS NOT NULL;
CREATE INDEX identity_attempts_with_pictures ON identity_attempts(capture_expires_at, started_at) WHERE capture IS NOT NULL OR card_photo IS NOT NULL;
CREATE INDEX identity_attempts_by_card_photo ON identity_attempts(card_photo) WHERE card_photo IS NOT NULL;
CREATE INDEX roster_entries_by_photo ON roster_entries(photo) WHERE photo IS NOT NULL;
CREATE INDEX training_members_by_photo ON training_members(photo) WHERE photo IS NOT NULL;
CREATE TRIGGER outbound_legal_bases_no_update BEFORE UPDATE ON outbound_legal_bases
  BEGIN SELECT RAISE(ABORT, 'outbound_legal_bases is append-only'); END;
CREATE TRIGGER outbound_legal_bases_no_delete BEFORE DELETE ON outbound_legal_bases
  BEGIN SELECT RAISE(ABORT, 'outbound_legal_bases is append-only'); END;
`;
