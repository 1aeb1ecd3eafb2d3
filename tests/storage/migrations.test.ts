// The database outlives every release: an appliance upgraded in the field must come up with its
// users and audit history intact, and a failed or mismatched upgrade must leave the file as it was.
import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { Conflict, fixedClock } from '../../core/index.ts';
import {
  createAuditLog,
  createUserStore,
  migrate,
  migrations,
  MigrationError,
  openDatabase,
  schemaVersion,
  type Db,
  type Migration,
} from '../../storage/index.ts';
import { scratchDir } from '../helpers.ts';

const LATEST = migrations.at(-1)!.version;
// The foundation's tables and the exam engine's; a new migration adds its tables here.
const ALL_TABLES = [
  'audit_log',
  'bank_sync_state',
  'bank_version_questions',
  'bank_versions',
  'candidates',
  'device_pairings',
  'devices',
  'exam_plans',
  'exam_sessions',
  'papers',
  'questions',
  'results',
  'roster_entries',
  'sessions',
  'templates',
  'terminal_answers',
  'terminal_attempts',
  'terminal_incidents',
  'terminal_moves',
  'terminal_pauses',
  'terminal_saves',
  'terminal_session_clocks',
  'terminal_snapshots',
  'terminal_time_added',
  'tls_ca_history',
  'users',
  'device_health',
  // identity (006), media (007), training attendance (008)
  'face_consents',
  'face_enrolments',
  'identity_attempts',
  'media_outages',
  'media_segments',
  'media_usage',
  'training_classes',
  'training_members',
  // training (032, training/): teachers, timetable, per-lesson sign-ins, corrections, exam sessions' classes
  // (008's training_attendance became events of 'day' lessons)
  'training_class_sessions',
  'training_corrections',
  'training_events',
  'training_lessons',
  'training_roster_hours',
  'training_teachers',
  // 034–035 (training/report, training/archive, training/ratings): the district report and its notes, the
  // class file's index, rating tokens and ratings
  'training_reports',
  'training_report_notes',
  'training_class_archives',
  'training_rating_tokens',
  'training_ratings',
  // proctor (010)
  'proctor_alerts',
  'proctor_incidents',
  // question images (011)
  'bank_images',
  // long jobs (016, documents/jobs.ts)
  'jobs',
  // session archives (020, records/archive)
  'session_archives',
  // result certificates (019, records/certificates)
  'certificates',
  // the reporting outbox (022, records/reporting)
  'report_attempts',
  'report_packages',
  // the room log's sign-off and notes (018, records/reports)
  'records_room_log_notes',
  'records_room_log_signatures',
  'records_room_logs',
  // log-in locks per account × address (issue 16, server/auth/users.ts)
  'login_locks',
  // terminals locked after failed log-ins (025, terminal/service/login-lock.ts)
  'terminal_login_locks',
  // the audit log's keyed chain and the bank package high-water marks (024)
  'audit_chain',
  'bank_package_marks',
  // invigilators' seat confirmations of candidates who declined face recognition (029, proctor/seat-identity.ts)
  'seat_identity_confirmations',
  // where face images may leave in plain form, and on what legal basis (030, records/privacy)
  'outbound_legal_bases',
  // files moved to the object store (036, storage/tier)
  'tier_cursors',
  'tier_objects',
  'tier_usage',
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
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );
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
  t.same(
    triggers,
    [
      // 024: the switch-over points of the keyed chain are as append-only as the log.
      'audit_chain_no_delete',
      'audit_chain_no_update',
      'audit_log_no_delete',
      'audit_log_no_update',
      'media_usage_add',
      'media_usage_remove',
      // 030: who allowed face images out, on what basis, stays on record.
      'outbound_legal_bases_no_delete',
      'outbound_legal_bases_no_update',
      // 018: a signed room log, its signatures and its notes are never edited or removed.
      'records_room_log_notes_frozen',
      'records_room_log_notes_kept',
      'records_room_log_signatures_frozen',
      'records_room_log_signatures_kept',
      'records_room_logs_frozen',
      'records_room_logs_kept',
      // 032: sign-ins and the 班主任's corrections are never edited or removed.
      'training_corrections_no_delete',
      'training_corrections_no_update',
      'training_events_no_delete',
      'training_events_no_update',
      // 035: a rating is never changed or removed; 034: nor is a signed district report or its notes.
      'training_ratings_no_delete',
      'training_ratings_no_update',
      'training_report_notes_frozen',
      'training_report_notes_kept',
      'training_reports_frozen',
      'training_reports_kept',
      // 036: the tier's totals per kind.
      'tier_usage_add',
      'tier_usage_local_gone',
      'tier_usage_remote_gone',
    ].sort(),
  );
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
  // As version 1 wrote it: today's store reads tables of later versions (login_locks).
  old.prepare("INSERT INTO users (username, role, password_hash, created_at, updated_at) VALUES ('admin', 'admin', 'scrypt$old', 1, 1)").run();
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

t.test("012 moves session starts and admission times out of the audit JSON into columns, keeping an old database's", async (t) => {
  const file = dbFile(t);
  const clock = fixedClock(1_700_000_000_000);
  const old = openDatabase(file, { migrate: false });
  migrate(old, { to: 11 });
  old.exec(`
    INSERT INTO exam_plans (id, name, starts_on, ends_on, created_at, created_by) VALUES ('p1', 'plan', '2026-03-01', '2026-03-31', 0, 'user:admin');
    INSERT INTO exam_sessions (id, plan_id, room_id, starts_at, duration_minutes, template_id, template, status, created_at, updated_at) VALUES
      ('s1', 'p1', 'R1', 0, 90, 't', '{}', 'ended', 0, 0),
      ('s2', 'p1', 'R2', 0, 90, 't', '{}', 'checkin', 0, 0);
    INSERT INTO candidates (id_number, name, created_at, updated_at) VALUES ('A', 'a', 0, 0), ('B', 'b', 0, 0), ('C', 'c', 0, 0);
    INSERT INTO roster_entries (session_id, id_number, ticket_no, name, category, industry, status) VALUES
      ('s1', 'A', 'T-001', 'a', 'principal', 'general', 'in_exam'),
      ('s1', 'B', 'T-002', 'b', 'principal', 'general', 'registered'),
      ('s2', 'A', 'T-001', 'a', 'principal', 'general', 'admitted'),
      ('s2', 'C', 'T-003', 'c', 'principal', 'general', 'registered');
  `);
  const audit = createAuditLog(old, clock);
  const at = (ms: number, action: string, target: string, detail: Record<string, unknown>) => {
    clock.set(ms);
    audit.append({ actor: 'user:admin', action, target, detail });
  };
  at(1_000, 'exam.session.status', 's1', { from: 'papers_ready', to: 'checkin' });
  at(2_000, 'exam.candidate.admit', 's1', { ticketNo: 'T-001', seat: '01' });
  at(3_000, 'exam.session.status', 's1', { from: 'checkin', to: 'in_progress' });
  at(4_000, 'exam.candidate.admit', 's2', { ticketNo: 'T-001', seat: '02' });
  // Not in the schema's rules, but an audit log may hold it (a restored copy): the first start counts.
  at(5_000, 'exam.session.status', 's1', { from: 'checkin', to: 'in_progress' });
  at(6_000, 'exam.session.status', 's1', { from: 'in_progress', to: 'ended' });
  // The same ticket admitted twice in a session: the kiosk showed the last one, so the column keeps it.
  at(7_000, 'exam.candidate.admit', 's2', { ticketNo: 'T-001', seat: '02' });
  old.close();

  const db = open(t, file, { migrate: false });
  t.same(migrate(db).applied, migrations.slice(11).map(label));
  t.same(db.prepare('SELECT id, started_at AS startedAt FROM exam_sessions ORDER BY id').all(), [
    { id: 's1', startedAt: 3_000 },
    { id: 's2', startedAt: null },
  ]);
  t.same(db.prepare('SELECT session_id AS s, id_number AS id, admitted_at AS admittedAt FROM roster_entries ORDER BY s, id').all(), [
    { s: 's1', id: 'A', admittedAt: 2_000 },
    { s: 's1', id: 'B', admittedAt: null },
    { s: 's2', id: 'A', admittedAt: 7_000 },
    { s: 's2', id: 'C', admittedAt: null },
  ]);
  t.same(createAuditLog(db, clock).verify(), { ok: true, checked: 7 }, 'the audit log itself is untouched');
});

t.test('024 moves the bank package high-water mark out of the audit JSON into its own row per publisher', async (t) => {
  const file = dbFile(t);
  const clock = fixedClock(1_700_000_000_000);
  const old = openDatabase(file, { migrate: false });
  migrate(old, { to: 23 });
  const audit = createAuditLog(old, clock);
  const accepted = (ms: number, publisher: string, version: string, sequence: number) => {
    clock.set(ms);
    audit.append({ actor: 'user:admin', action: 'bank.package.accepted', target: version, detail: { publisher, version, sequence } });
  };
  accepted(1_000, 'national', '2026.1', 1);
  accepted(2_000, 'national', '2026.3', 3);
  accepted(3_000, 'gd', 'gd-7', 7);
  old.close();

  const db = open(t, file, { migrate: false });
  t.same(migrate(db).applied, migrations.slice(23).map(label));
  t.same(db.prepare('SELECT publisher, sequence, version, accepted_at AS at, mac FROM bank_package_marks ORDER BY publisher').all(), [
    { publisher: 'gd', sequence: 7, version: 'gd-7', at: 3_000, mac: null },
    { publisher: 'national', sequence: 3, version: '2026.3', at: 2_000, mac: null },
  ]);
  t.same(db.prepare('SELECT COUNT(*) AS n FROM audit_chain').get(), { n: 0 }, 'the chain is not keyed until a key is given');
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
