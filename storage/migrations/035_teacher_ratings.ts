// Teacher ratings (training/ratings): each trainee rates each teacher of a class once, 1–5 with an
// optional comment, spending a one-time token made for that trainee and teacher only after the trainee
// was credited time in one of the teacher's lessons. The token is stored only as its SHA-256. A rating is
// never changed or removed (triggers); UNIQUE (class, teacher, trainee) is "once" below the code.
export const sql = `
CREATE TABLE training_rating_tokens (
  token_hash  TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
  class_id    TEXT NOT NULL,
  id_number   TEXT NOT NULL,
  teacher_id  TEXT NOT NULL REFERENCES training_teachers(id),
  issued_at   INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  -- device:KIOSK after a sign-out (attempt_id names it), or user:NAME for a token staff handed out.
  issued_by   TEXT NOT NULL,
  attempt_id  TEXT,
  used_at     INTEGER,
  FOREIGN KEY (class_id, id_number) REFERENCES training_members(class_id, id_number),
  CHECK (expires_at > issued_at)
) STRICT;
CREATE INDEX training_rating_tokens_by_person ON training_rating_tokens(class_id, id_number, teacher_id);

CREATE TABLE training_ratings (
  id          INTEGER PRIMARY KEY,
  class_id    TEXT NOT NULL,
  teacher_id  TEXT NOT NULL REFERENCES training_teachers(id),
  id_number   TEXT NOT NULL,
  score       INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment     TEXT CHECK (comment IS NULL OR length(comment) BETWEEN 1 AND 500),
  at          INTEGER NOT NULL,
  via         TEXT NOT NULL CHECK (via IN ('kiosk', 'phone')),
  token_hash  TEXT NOT NULL REFERENCES training_rating_tokens(token_hash),
  FOREIGN KEY (class_id, id_number) REFERENCES training_members(class_id, id_number),
  UNIQUE (class_id, teacher_id, id_number)
) STRICT;
CREATE INDEX training_ratings_by_teacher ON training_ratings(teacher_id, class_id);
CREATE TRIGGER training_ratings_no_update BEFORE UPDATE ON training_ratings
  BEGIN SELECT RAISE(ABORT, 'a rating is never changed'); END;
CREATE TRIGGER training_ratings_no_delete BEFORE DELETE ON training_ratings
  BEGIN SELECT RAISE(ABORT, 'a rating is never removed'); END;
`;
