// Migration 031 rebuilds the device tables so a kiosk's ID-card reader can pair as kind `reader`: a
// site upgraded in the field keeps every paired kiosk and terminal, token and pending request.
import t from 'tap';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { migrate } from '../../storage/index.ts';
import { scratchDir } from '../helpers.ts';

t.test('031 keeps every device and pairing row and admits kind reader', async (t) => {
  const db = new Database(join(scratchDir(t), 'examroom.sqlite'));
  t.teardown(() => db.close());
  db.pragma('foreign_keys = ON');
  migrate(db as never, { to: 28 });
  db.prepare(
    `INSERT INTO devices (id, kind, token_hash, paired_at, approved_by, last_seen_at, last_ip, token_issued_at, token_used_at, prev_token_hash, prev_token_until)
     VALUES ('T1', 'terminal', 'h1', 1, 'user:admin', 2, '10.0.0.5', 3, 4, 'h0', 5), ('K1', 'kiosk', 'h2', 1, 'user:admin', NULL, NULL, 1, 1, NULL, NULL)`,
  ).run();
  db.prepare(
    `INSERT INTO device_pairings (id, kind, code, claimed_id, poll_secret_hash, requested_at, expires_at, ip, user_agent, polled_at)
     VALUES ('p1', 'terminal', '123456', 'T2', 's', 10, 20, '10.0.0.6', 'Chromium', 15)`,
  ).run();
  const before = {
    devices: db.prepare('SELECT * FROM devices ORDER BY id').all(),
    pairings: db.prepare('SELECT * FROM device_pairings ORDER BY id').all(),
  };
  const r = migrate(db as never);
  t.ok(r.applied.includes('031_card_readers'));
  t.same(db.prepare('SELECT * FROM devices ORDER BY id').all(), before.devices, 'devices kept, column for column');
  t.same(db.prepare('SELECT * FROM device_pairings ORDER BY id').all(), before.pairings, 'pairings kept');
  db.prepare("INSERT INTO devices (id, kind) VALUES ('K1.reader', 'reader')").run();
  db.prepare("INSERT INTO device_pairings (id, kind, code, poll_secret_hash, requested_at, expires_at) VALUES ('p2', 'reader', '654321', 's', 1, 2)").run();
  t.throws(() => db.prepare("INSERT INTO devices (id, kind) VALUES ('X', 'printer')").run(), /CHECK constraint failed/);
  t.throws(() => db.prepare("INSERT INTO devices (id, kind, token_hash) VALUES ('T9', 'terminal', 'h1')").run(), /UNIQUE/, 'a token hash is still unique');
  const indexes = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('devices_by_prev_token', 'pairings_by_code')").all() as { name: string }[]
  )
    .map((x) => x.name)
    .sort();
  t.same(indexes, ['devices_by_prev_token', 'pairings_by_code']);
});
