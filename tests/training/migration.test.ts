// Migration 032 on a database of the old day-level attendance (008): every sitting becomes a sign-in and a
// sign-out of that day's whole-day lesson, with its times, attempts and who confirmed it; the hours come
// out as the old rule credited them; users and their log-in sessions survive the users table's rebuild.
import t from 'tap';
import { join } from 'node:path';
import { migrate, openDatabase } from '../../storage/index.ts';
import { trainingAttendanceOf } from '../../training/index.ts';
import { scratchDir } from '../helpers.ts';
import { idn } from '../exam/plans-fixture.ts';

const at = (s: string) => Date.parse(`${s}+08:00`);

t.test('032 turns each day sitting into a sign-in and sign-out of a whole-day lesson, keeping every column', async (t) => {
  const db = openDatabase(join(scratchDir(t), 'db.sqlite'), { migrate: false });
  t.teardown(() => db.close());
  migrate(db, { to: 31 });
  db.prepare("INSERT INTO users (username, role, password_hash, created_at, updated_at) VALUES ('invig', 'invigilator', 'x', 1, 1)").run();
  db.prepare("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('h', 1, 1, 2)").run();
  db.prepare(
    "INSERT INTO training_classes (id, name, institution, starts_on, ends_on, daily_hours, created_at, created_by) VALUES ('C', '叉车', '中心', '2026-03-09', '2026-03-11', 6, 1, 'user:admin')",
  ).run();
  const A = idn(1);
  const B = idn(2);
  for (const id of [A, B]) db.prepare("INSERT INTO training_members (class_id, id_number, name, added_at) VALUES ('C', ?, 'x', 1)").run(id);
  const attempt = db.prepare(
    `INSERT INTO identity_attempts (id, kiosk_id, id_number, source, challenge, started_at, expires_at, decided_at, decision, class_id, action, override_by)
     VALUES (?, 'K1', ?, 'typed', 'blink', ?, ?, ?, ?, 'C', ?, ?)`,
  );
  attempt.run('a1', A, at('2026-03-10T08:00'), at('2026-03-10T08:05'), at('2026-03-10T08:00'), 'admitted', 'check_in', null);
  attempt.run('a2', A, at('2026-03-10T12:00'), at('2026-03-10T12:05'), at('2026-03-10T12:00'), 'admitted', 'check_out', null);
  attempt.run('a3', B, at('2026-03-10T08:10'), at('2026-03-10T08:15'), at('2026-03-10T08:10'), 'overridden', 'check_in', 'user:invig');
  const sit = db.prepare(
    "INSERT INTO training_attendance (class_id, id_number, day, check_in_at, check_in_attempt, check_out_at, check_out_attempt) VALUES ('C', ?, ?, ?, ?, ?, ?)",
  );
  sit.run(A, '2026-03-10', at('2026-03-10T08:00'), 'a1', at('2026-03-10T12:00'), 'a2');
  sit.run(A, '2026-03-11', at('2026-03-11T08:00'), 'x1', at('2026-03-11T17:00'), 'x2');
  sit.run(B, '2026-03-10', at('2026-03-10T08:10'), 'a3', null, null);
  const before = db.prepare('SELECT * FROM training_attendance ORDER BY id_number, day').all();

  migrate(db);
  t.same(
    db.prepare("SELECT day, kind, hours FROM training_lessons WHERE class_id = 'C' ORDER BY day").all(),
    ['2026-03-09', '2026-03-10', '2026-03-11'].map((day) => ({ day, kind: 'day', hours: 6 })),
    'one whole-day lesson per class day, nobody came on the first',
  );
  const events = db.prepare('SELECT lesson_id AS l, id_number AS i, kind, at, attempt_id AS a, via, actor FROM training_events ORDER BY i, at').all() as {
    l: string;
    i: string;
    kind: string;
    at: number;
    a: string;
    via: string;
    actor: string;
  }[];
  t.equal(events.length, 5, 'three sign-ins and two sign-outs');
  // Every column of every old row is in the events.
  for (const r of before as {
    id_number: string;
    day: string;
    check_in_at: number;
    check_in_attempt: string;
    check_out_at: number | null;
    check_out_attempt: string | null;
  }[]) {
    t.ok(events.some((e) => e.i === r.id_number && e.l === `tl_C_${r.day}` && e.kind === 'sign_in' && e.at === r.check_in_at && e.a === r.check_in_attempt));
    if (r.check_out_at !== null)
      t.ok(
        events.some((e) => e.i === r.id_number && e.l === `tl_C_${r.day}` && e.kind === 'sign_out' && e.at === r.check_out_at && e.a === r.check_out_attempt),
      );
  }
  t.match(
    events.find((e) => e.a === 'a3'),
    { via: 'staff', actor: 'user:invig' },
    'a staff override stays the staff member’s',
  );
  t.match(
    events.find((e) => e.a === 'a1'),
    { via: 'legacy', actor: 'device:K1' },
  );
  t.equal(db.prepare("SELECT lesson_id FROM identity_attempts WHERE id = 'a1'").pluck().get(), 'tl_C_2026-03-10');
  t.equal(db.prepare("SELECT required_hours FROM training_classes WHERE id = 'C'").pluck().get(), 18);
  t.equal(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'training_attendance'").pluck().get(), 0, 'the old table is gone');
  // 4 h on the 10th, 9 h on the 11th capped at 6: 10, as the old rule credited.
  t.match(trainingAttendanceOf(db, A, at('2026-03-12T09:00')), [{ classId: 'C', attendedHours: 10, daysAttended: 2, daysWithoutCheckOut: 0 }]);
  t.match(trainingAttendanceOf(db, B, at('2026-03-12T09:00')), [{ attendedHours: 0, daysWithoutCheckOut: 1 }]);
  t.same(db.prepare('SELECT username, role FROM users').all(), [{ username: 'invig', role: 'invigilator' }]);
  t.equal(db.prepare('SELECT COUNT(*) FROM sessions').pluck().get(), 1, 'log-in sessions survive the users table rebuild');
  db.prepare("INSERT INTO users (username, role, password_hash, created_at, updated_at) VALUES ('head', 'headteacher', 'x', 1, 1)").run();
  t.throws(() => db.prepare("UPDATE training_events SET at = 0 WHERE attempt_id = 'a1'").run(), /append-only/);
});
