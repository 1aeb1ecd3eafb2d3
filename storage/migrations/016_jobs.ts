// Long tasks the server runs for a person (archive exports, report batches, verifications), owned by
// documents/jobs.ts: a page that reloads finds its job again here, a cancel from another process is a
// flag the job reads, and a job whose process died is marked interrupted at the next start.
export const sql = `
CREATE TABLE jobs (
  id               TEXT PRIMARY KEY,
  kind             TEXT NOT NULL,
  params           TEXT NOT NULL CHECK (json_valid(params)),
  status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
  created_by       TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER,
  -- Which process runs it: "pid:instance". A start-up marks interrupted the jobs whose process is gone.
  runner           TEXT NOT NULL,
  progress_done    REAL NOT NULL DEFAULT 0,
  progress_total   REAL,
  progress_note    TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
  cancelled_by     TEXT,
  result           TEXT CHECK (result IS NULL OR json_valid(result)),
  error            TEXT,
  updated_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX jobs_by_status ON jobs (status, created_at);
CREATE INDEX jobs_by_kind ON jobs (kind, created_at);
`;
