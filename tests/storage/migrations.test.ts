// The database outlives every release: an appliance upgraded in the field must come up with its
// users and audit history intact, and a failed or mismatched upgrade must leave the file as it was.
import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { Conflict, fixedClock } from '../../core/index.ts';
import { createAuditLog, createUserStore, migrate, migrations, MigrationError, openDatabase, schemaVersion, type Db, type Migration } from '../../storage/index.ts';
import { scratchDir } from '../helpers.ts';

const LATEST = migrations.at(-1)!.version;
// The foundation's tables and the exam engine's; a new migration adds its tables here.
const ALL_TABLES = [
  'audit_log', 'bank_sync_state', 'bank_version_questions', 'bank_versions', 'candidates', 'device_pairings', 'devices',
  'exam_plans', 'exam_sessions', 'papers', 'questions', 'results', 'roster_entries', 'sessions', 'templates',
  'terminal_answers', 'terminal_attempts', 'terminal_incidents', 'terminal_moves', 'terminal_pauses', 'terminal_saves',
  'terminal_session_clocks', 'terminal_snapshots', 'terminal_time_added', 'tls_ca_history', 'users', 'device_health',
  // identity (006), media (007), training attendance (008)
  'face_enrolments', 'identity_attempts', 'media_outages', 'media_segments', 'media_usage',
  'training_attendance', 'training_classes', 'training_members',
  // proctor (010)
  'proctor_alerts', 'proctor_incidents',
  // question images (011)
  'bank_images',
].sort();

function dbFile(t: Test): string {
  return join(scratchDir(t), 'db', 'examroom.sqlite');
}

function open(t: Test, file: string, opts: Parameters<typeof openDatabase>[1] = {}): Db {
  const db = openDatabase(file, opts);
  t.teardown(() => db.close());
  return db;
}

function tables(db: Db): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

/** This process's open file descriptors on the database file (Linux /proc). */
function openHandlesTo(file: string): string[] {
  const real = realpathSync(file);
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target === real ? [target] : [];
    } catch {
      return []; // the fd readdir itself used, already closed
    }
  });
}

function label(m: Migration): string {
  return `${String(m.version).padStart(3, '0')}_${m.name}`;
}

t.test('migrations are numbered 1, 2, 3 … without gaps', async (t) => {
  // migrate() applies them in list order and records only the number; a gap or a swap would skip one.
  t.same(
    migrations.map((m) => m.version),
    migrations.map((_, i) => i + 1),
  );
});

t.test('an empty database gets every migration', async (t) => {
  const db = open(t, dbFile(t));
  t.equal(schemaVersion(db), LATEST);
  t.same(tables(db), ALL_TABLES);
  const triggers = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  t.same(triggers, ['audit_log_no_delete', 'audit_log_no_update', 'media_usage_add', 'media_usage_remove']);
});

t.test('migrate reports what it applied', async (t) => {
  const db = open(t, dbFile(t), { migrate: false });
  t.same(migrate(db), { from: 0, to: LATEST, applied: migrations.map(label) });
  t.same(migrate(db), { from: LATEST, to: LATEST, applied: [] }, 'a second run applies nothing');
});

t.test('the database runs in WAL mode with synchronous FULL', async (t) => {
  const file = dbFile(t);
  const db = open(t, file);
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  // 2 = FULL: every commit is fsynced, so an acknowledged write survives a power cut.
  t.equal(db.pragma('synchronous', { simple: true }), 2);
  t.equal(db.pragma('foreign_keys', { simple: true }), 1);
  // WAL is a property of the file; a plain connection opened later must find it still set.
  const raw = new Database(file, { readonly: true });
  t.teardown(() => raw.close());
  t.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
});

t.test('an old database is brought to the latest version and keeps its data', async (t) => {
  const file = dbFile(t);
  const clock = fixedClock(1_700_000_000_000);
  const old = openDatabase(file, { migrate: false });
  t.same(migrate(old, { to: 1 }), { from: 0, to: 1, applied: [label(migrations[0]!)] });
  t.same(tables(old), ['audit_log', 'sessions', 'users'], 'version 1 has no device tables yet');
  createUserStore(old, clock).insert({ username: 'admin', role: 'admin', passwordHash: 'scrypt$old' });
  const entry = createAuditLog(old, clock).append({ actor: 'cli:root', action: 'user.create', target: 'admin' });
  old.close();

  // Reopening the file is what an upgraded server does at start-up.
  const db = openDatabase(file, { migrate: false });
  t.teardown(() => db.close());
  t.same(migrate(db), { from: 1, to: LATEST, applied: migrations.slice(1).map(label) });
  t.same(tables(db), ALL_TABLES);
  t.match(createUserStore(db, clock).byUsername('admin'), { username: 'admin', role: 'admin', passwordHash: 'scrypt$old' });
  const audit = createAuditLog(db, clock);
  t.same(audit.list(), [entry]);
  t.same(audit.verify(), { ok: true, checked: 1 }, 'the audit chain survives the upgrade');
});

t.test('a database newer than the software is refused, naming both versions, and left unchanged', async (t) => {
  const file = dbFile(t);
  const db = openDatabase(file);
  createUserStore(db, fixedClock(0)).insert({ username: 'admin', role: 'admin', passwordHash: 'scrypt$x' });
  db.exec('CREATE TABLE from_the_future (x INTEGER)');
  db.pragma(`user_version = ${LATEST + 5}`);
  db.close();

  const err = t.throws(() => openDatabase(file));
  t.ok(err instanceof Conflict, 'a Conflict error');
  // The caller got no handle to close; a handle left open would keep the file locked and busy.
  t.same(openHandlesTo(file), [], 'the refused database is not left open');
  t.equal(
    (err as Error).message,
    `database schema is version ${LATEST + 5}, newer than this software knows (${LATEST}); install the newer examroom or restore a matching backup`,
  );

  const after = new Database(file, { readonly: true });
  t.teardown(() => after.close());
  t.equal(after.pragma('user_version', { simple: true }), LATEST + 5);
  t.same(tables(after), [...ALL_TABLES, 'from_the_future'].sort());
  t.same(after.prepare('SELECT username FROM users').all(), [{ username: 'admin' }]);
});

const FAKE: Migration[] = [
  { version: 1, name: 'first', sql: 'CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);' },
  // The first two statements succeed before the third fails: the rollback must undo them too.
  { version: 2, name: 'second', sql: 'CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (2); CREATE TABEL c (x INTEGER);' },
  { version: 3, name: 'third', sql: 'CREATE TABLE d (x INTEGER);' },
];

t.test('a migration that fails part-way leaves the database at the previous version', async (t) => {
  const db = open(t, dbFile(t), { migrate: false });
  t.throws(() => migrate(db, { migrations: FAKE }));
  t.equal(schemaVersion(db), 1);
  t.same(tables(db), ['a'], 'neither the failed migration nor any later one left a table');
  t.same(db.prepare('SELECT x FROM a ORDER BY x').all(), [{ x: 1 }], 'the failed migration left no rows');
  t.notOk(db.inTransaction, 'no transaction is left open');

  // Once the broken file is fixed, the same database upgrades from where it stopped.
  const fixed = FAKE.map((m) => (m.version === 2 ? { ...m, sql: m.sql.replace('TABEL', 'TABLE') } : m));
  t.same(migrate(db, { migrations: fixed }), { from: 1, to: 3, applied: ['002_second', '003_third'] });
  t.same(tables(db), ['a', 'b', 'c', 'd']);
});

t.test('a failed migration is named in the error with the SQLite message', async (t) => {
  const db = open(t, dbFile(t), { migrate: false });
  const err = t.throws(() => migrate(db, { migrations: FAKE }));
  t.ok(err instanceof MigrationError, 'a MigrationError');
  t.equal((err as MigrationError).migration, '002_second');
  t.equal((err as Error).message, 'migration 002_second failed: near "TABEL": syntax error');
  t.equal(((err as Error).cause as { code?: string }).code, 'SQLITE_ERROR', 'the SQLite error is kept as the cause');
});
