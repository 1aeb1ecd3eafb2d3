// Face data at the size of the filing threshold: 100,000 people over three years and a month (one exam
// each, graded sessions without result rows, so grading time falls back to the end; registration photo, kiosk capture with its descriptor, the photo's enrolment, N seat snapshots).
// How long the count of people (the System page's figure, computed per request) and the retention sweep
// take — both run on the server's one thread (better-sqlite3 is synchronous), so this is how long they
// hold every other request. Figures are CPU time of the one thread (the machine may be busy). Files are not made (the sweep's unlink of a missing file is a no-op); the
// figures are the database's part.
// Usage: node --import tsx bench/run.ts face-retention [PEOPLE] [SNAPSHOTS_PER_PERSON]   (default 100000, 5)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../core/index.ts';
import { createFaceRetention, DAY_MS, openDatabase } from '../storage/index.ts';

const PEOPLE = Number(process.argv[2] ?? 100_000);
const SHOTS = Number(process.argv[3] ?? 5);
const PER_SESSION = 50;
const SESSIONS = Math.ceil(PEOPLE / PER_SESSION);
const start = Date.UTC(2023, 10, 1);
// Sessions spread evenly over 37 months, so the first month's are past evidence retention at "now".
const span = 37 * 30 * DAY_MS;
const now = start + span;
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'examroom-bench-face-'));

try {
  const db = openDatabase(join(dir, 'examroom.sqlite'));
  db.pragma('synchronous = OFF');
  const t0 = performance.now();
  db.transaction(() => {
    db.prepare(
      "INSERT INTO exam_plans (id, name, starts_on, ends_on, created_at, created_by) VALUES ('P', 'bench', '2023-11-01', '2026-12-31', 0, 'bench')",
    ).run();
    const session = db.prepare(
      "INSERT INTO exam_sessions (id, plan_id, room_id, starts_at, duration_minutes, template_id, template, status, ended_at, created_at, updated_at) VALUES (?, 'P', 'R1', ?, 90, 'T', '{}', 'graded', ?, 0, 0)",
    );
    const person = db.prepare('INSERT INTO candidates (id_number, name, photo, created_at, updated_at) VALUES (?, ?, ?, 0, 0)');
    const entry = db.prepare(
      "INSERT INTO roster_entries (session_id, id_number, ticket_no, name, category, industry, photo, status) VALUES (?, ?, ?, 'x', 'principal', 'general', ?, 'submitted')",
    );
    const attempt = db.prepare(
      `INSERT INTO identity_attempts (id, kiosk_id, session_id, id_number, source, challenge, roster_photo, started_at, expires_at, decided_at, decision, capture, capture_expires_at, probe_descriptor)
       VALUES (?, 'K1', ?, ?, 'card', 'blink', ?, ?, ?, ?, 'admitted', ?, ?, ?)`,
    );
    const enrol = db.prepare("INSERT INTO face_enrolments (photo, status, descriptor, enrolled_at) VALUES (?, 'ok', ?, ?)");
    const shot = db.prepare(
      "INSERT INTO terminal_snapshots (id, at, session_id, id_number, terminal_id, file, bytes, identity) VALUES (?, ?, ?, ?, 'T1', ?, 20000, 'match')",
    );
    const descriptor = Buffer.alloc(512, 1);
    let n = 0;
    for (let s = 0; s < SESSIONS; s++) {
      const sid = `S${s}`;
      const at = start + Math.floor((s / SESSIONS) * span);
      session.run(sid, at, at + 90 * 60_000);
      for (let i = 0; i < PER_SESSION && n < PEOPLE; i++, n++) {
        const id = `11${String(n).padStart(16, '0')}`;
        const photo = `roster/${id}-abc.jpg`;
        person.run(id, 'x', photo);
        entry.run(sid, id, `${sid}-${i}`, photo);
        attempt.run(`A${n}`, sid, id, photo, at - 1800_000, at, at - 1780_000, `kiosk/x/A${n}.jpg`, at - 1780_000 + 1096 * DAY_MS, descriptor);
        enrol.run(photo, descriptor, at - DAY_MS);
        for (let k = 0; k < SHOTS; k++) shot.run(`${sid}-${i}-${k}`, at + k * 60_000, sid, id, `terminal/${sid}/${id}/${k}.jpg`);
      }
    }
  })();
  db.pragma('synchronous = FULL');
  const buildS = (performance.now() - t0) / 1000;
  console.log(`built ${PEOPLE} people, ${SESSIONS} sessions, ${PEOPLE * SHOTS} snapshots in ${buildS.toFixed(1)} s`);

  const retention = createFaceRetention({
    db,
    clock: fixedClock(now),
    capturesDir: join(dir, 'captures'),
    evidenceDays: 1096,
    descriptorDays: 30,
    timezone: 'Asia/Shanghai',
  });
  // CPU time of this thread (user + system): what the work costs, whatever else the machine runs.
  const time = <T>(fn: () => T): [T, number] => {
    const t = process.cpuUsage();
    const r = fn();
    const d = process.cpuUsage(t);
    return [r, (d.user + d.system) / 1000];
  };
  const [c, countMs] = time(() => retention.count());
  console.log(`count: ${c.total} people (local ${c.local}, archived ${c.archived}) in ${countMs.toFixed(0)} ms`);
  const [first, firstMs] = time(() => retention.sweep());
  const d = first.descriptors;
  const e = first.evidence;
  console.log(
    `first sweep (three years of backlog): ${d.descriptors + d.enrolments} descriptors, ${e.captures} captures, ${e.snapshots} snapshots, ${e.rosterPhotos} photos in ${firstMs.toFixed(0)} ms`,
  );
  const [, steadyMs] = time(() => retention.sweep());
  console.log(`steady sweep (nothing due): ${steadyMs.toFixed(0)} ms`);
  const [c2, count2Ms] = time(() => retention.count());
  console.log(`count after: ${c2.total} people in ${count2Ms.toFixed(0)} ms`);
  db.close();
  console.log(
    `face-retention: count ${countMs.toFixed(0)} ms CPU, first sweep ${firstMs.toFixed(0)} ms CPU, steady sweep ${steadyMs.toFixed(0)} ms CPU, people ${PEOPLE}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
