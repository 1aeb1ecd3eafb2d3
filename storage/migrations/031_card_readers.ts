// The ID-card reader bridge on a kiosk PC pairs as a device of its own kind, `reader` (id `K1.reader`
// for kiosk K1), with its own token: it must not hold the kiosk page's token, nor may it call the
// kiosk's routes. SQLite cannot change a CHECK, so both device tables are rebuilt with every column
// and index they have had since 002/023/026. The reader's state (SAM id, connected, last card) is its
// part of the one device-health report and lives in device_health like every device's.
export const sql = `
CREATE TABLE devices_new (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('kiosk', 'terminal', 'reader')),
  token_hash  TEXT UNIQUE,
  paired_at   INTEGER,
  approved_by TEXT,
  revoked_at  INTEGER,
  revoked_by  TEXT,
  last_seen_at INTEGER,
  last_ip     TEXT,
  token_issued_at INTEGER,
  token_used_at INTEGER,
  prev_token_hash TEXT,
  prev_token_until INTEGER,
  token_expired_at INTEGER
) STRICT;
INSERT INTO devices_new (id, kind, token_hash, paired_at, approved_by, revoked_at, revoked_by, last_seen_at, last_ip,
    token_issued_at, token_used_at, prev_token_hash, prev_token_until, token_expired_at)
  SELECT id, kind, token_hash, paired_at, approved_by, revoked_at, revoked_by, last_seen_at, last_ip,
    token_issued_at, token_used_at, prev_token_hash, prev_token_until, token_expired_at FROM devices;
DROP TABLE devices;
ALTER TABLE devices_new RENAME TO devices;
CREATE INDEX devices_by_prev_token ON devices(prev_token_hash) WHERE prev_token_hash IS NOT NULL;

CREATE TABLE device_pairings_new (
  id               TEXT PRIMARY KEY,
  kind             TEXT NOT NULL CHECK (kind IN ('kiosk', 'terminal', 'reader')),
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
  decided_at       INTEGER,
  polled_at        INTEGER
) STRICT;
INSERT INTO device_pairings_new (id, kind, code, claimed_id, poll_secret_hash, requested_at, expires_at, ip, user_agent, status,
    device_id, decided_by, decided_at, polled_at)
  SELECT id, kind, code, claimed_id, poll_secret_hash, requested_at, expires_at, ip, user_agent, status,
    device_id, decided_by, decided_at, polled_at FROM device_pairings;
DROP TABLE device_pairings;
ALTER TABLE device_pairings_new RENAME TO device_pairings;
CREATE INDEX pairings_by_code ON device_pairings(code, status);
`;
