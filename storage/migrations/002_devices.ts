// Kiosks and terminals. A device pairs once (a one-time code an admin approves) and then holds a
// token; only the token's hash is stored, so a copy of the database cannot impersonate a device.
export const sql = `
CREATE TABLE devices (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('kiosk', 'terminal')),
  token_hash  TEXT UNIQUE,
  paired_at   INTEGER,
  approved_by TEXT,
  revoked_at  INTEGER,
  revoked_by  TEXT,
  last_seen_at INTEGER,
  last_ip     TEXT
) STRICT;

CREATE TABLE device_pairings (
  id               TEXT PRIMARY KEY,
  kind             TEXT NOT NULL CHECK (kind IN ('kiosk', 'terminal')),
  code             TEXT NOT NULL,
  claimed_id       TEXT,
  poll_secret_hash TEXT NOT NULL,
  requested_at     INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL,
  ip               TEXT,
  user_agent       TEXT,
  status           TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'approved', 'collected', 'rejected')),
  device_id        TEXT,
  decided_by       TEXT,
  decided_at       INTEGER
) STRICT;
CREATE INDEX pairings_by_code ON device_pairings(code, status);
`;
