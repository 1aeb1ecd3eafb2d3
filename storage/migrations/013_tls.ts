// The site CAs this appliance has served, oldest first (owned by server/tls). The keys folder holds the
// CA itself; this row is how a start-up tells "first start" from "the CA was lost": the data folder
// remembers a CA the keys folder no longer has, and every PC that trusted it must trust the new one.
export const sql = `
CREATE TABLE tls_ca_history (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  fingerprint TEXT NOT NULL,
  since       INTEGER NOT NULL,
  reason      TEXT NOT NULL CHECK (reason IN ('first', 'lost', 'replaced', 'scope', 'restored'))
) STRICT;
`;
