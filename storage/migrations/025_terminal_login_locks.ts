// A terminal that refused log-ins after too many failures (issue 16, item 4): locked until an
// invigilator unlocks it from the console, so a restart or a reconnecting page does not unlock it.
// One row per locked terminal; unlocking deletes it (the audit log keeps both moments).
export const sql = `
CREATE TABLE terminal_login_locks (
  terminal_id TEXT PRIMARY KEY,
  locked_at INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  session_id TEXT
) STRICT;
`;
