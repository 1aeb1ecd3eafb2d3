// Log-in locks per account and client address (issue 16): a lock on the account itself let anyone on the
// LAN lock the admin out by typing wrong passwords, and told them which names exist (unknown names never
// locked). A row counts the failures of one typed name from one address, known name or not.
export const sql = `
CREATE TABLE login_locks (
  username     TEXT NOT NULL COLLATE NOCASE,
  address      TEXT NOT NULL,
  failures     INTEGER NOT NULL,
  locked_until INTEGER,
  last_failure INTEGER NOT NULL,
  PRIMARY KEY (username, address)
) STRICT;
CREATE INDEX login_locks_by_last_failure ON login_locks(last_failure);
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
`;
