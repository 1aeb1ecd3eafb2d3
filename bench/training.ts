// A training site's year: 300 classes × 50 trainees × 8 lessons, every trainee signed in and out of
// every lesson (some late, some leaving early, some absent), written straight into a scratch database.
// Then the two reads that must stay quick on the server's one thread: annual hours for every trainee
// (one pass over the year's lessons, events and corrections: what the person file and the exam check
// read) and the training-hours check of a 200-candidate roster (what a roster import adds).
// Figures are wall time of the one thread, median of 5 runs (the machine may be busy: the load average
// is printed with them).
// Usage: npm run bench -- training [CLASSES] [TRAINEES] [LESSONS]   (default 300 50 8)
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDigitOf, createEventBus, fixedClock } from '../core/index.ts';
import { parseConfig } from '../config/index.ts';
import { createAuditLog, openDatabase, type DataPaths } from '../storage/index.ts';
import { createTrainingService, type CandidateHours } from '../training/index.ts';

const CLASSES = Number(process.argv[2] ?? 300);
const TRAINEES = Number(process.argv[3] ?? 50);
const LESSONS = Number(process.argv[4] ?? 8);
const YEAR = 2026;
const HOUR = 3_600_000;
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'examroom-bench-training-'));

const idOf = (n: number) => {
  const first17 = `110101199001${String(n).padStart(5, '0')}`;
  return first17 + checkDigitOf(first17);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const db = openDatabase(join(dir, 'examroom.sqlite'));
  db.pragma('synchronous = OFF');
  const config = parseConfig(
    `site: { id: bench, name: 基准, province: "110000", city: "110100", timezone: Asia/Shanghai }
rooms: [{ id: R1, name: 一号教室, seats: { rows: 5, columns: 10 } }]
`,
    { dataDir: dir },
  );
  const t0 = performance.now();
  // A person takes 1–3 classes a year: 15,000 seats over 7,500 people.
  const people = Math.ceil((CLASSES * TRAINEES) / 2);
  let events = 0;
  db.transaction(() => {
    const cls = db.prepare(
      `INSERT INTO training_classes (id, name, institution, starts_on, ends_on, daily_hours, created_at, created_by, kind, category, operation_item, room_id, required_hours, required_hours_source, updated_at)
       VALUES (?, ?, '北京市安全培训中心', ?, ?, 8, 0, 'bench', 'timetable', 'principal', 'machinery', 'R1', ?, 'rules.principal.training.classHours', 0)`,
    );
    const lesson = db.prepare(
      `INSERT INTO training_lessons (id, class_id, kind, day, starts_at, ends_at, topic, hours, created_at, created_by, updated_at)
       VALUES (?, ?, 'lesson', ?, ?, ?, '安全生产法律法规', 2, 0, 'bench', 0)`,
    );
    const member = db.prepare('INSERT INTO training_members (class_id, id_number, name, photo, added_at, employer) VALUES (?, ?, ?, NULL, 0, ?)');
    const event = db.prepare(
      "INSERT INTO training_events (class_id, lesson_id, id_number, kind, at, attempt_id, via, actor) VALUES (?, ?, ?, ?, ?, NULL, 'face', 'device:K1')",
    );
    for (let c = 0; c < CLASSES; c++) {
      const cid = `C${c}`;
      // Classes spread over the year, two days each, four lessons a day.
      const d0 = Date.UTC(YEAR, 0, 5) + Math.floor((c / CLASSES) * 350) * 86_400_000;
      const day = (i: number) => new Date(d0 + Math.floor(i / 4) * 86_400_000).toISOString().slice(0, 10);
      cls.run(cid, `第${c + 1}期`, day(0), day(LESSONS - 1), LESSONS * 2);
      const lessons: { id: string; s: number }[] = [];
      for (let l = 0; l < LESSONS; l++) {
        const s = d0 + Math.floor(l / 4) * 86_400_000 + (l % 4) * 2.25 * HOUR;
        lessons.push({ id: `${cid}L${l}`, s });
        lesson.run(`${cid}L${l}`, cid, day(l), s, s + 2 * HOUR);
      }
      for (let p = 0; p < TRAINEES; p++) {
        const id = idOf((c * TRAINEES + p) % people);
        member.run(cid, id, `学员${p}`, '北京机械厂');
        if (p % 25 === 24) continue; // two of fifty never come
        for (const [i, l] of lessons.entries()) {
          if ((p + i) % 40 === 0) continue; // absent from a lesson
          const late = (p + i) % 7 === 0 ? 20 * 60_000 : -10 * 60_000;
          const early = (p + i) % 11 === 0 ? -30 * 60_000 : 60_000;
          event.run(cid, l.id, id, 'sign_in', l.s + late);
          event.run(cid, l.id, id, 'sign_out', l.s + 2 * HOUR + early);
          events += 2;
        }
      }
    }
  })();
  const built = performance.now() - t0;
  db.pragma('optimize');

  const clock = fixedClock(Date.UTC(YEAR, 11, 31));
  const bus = createEventBus();
  const audit = createAuditLog(db, clock);
  // The kiosk's identity service is not needed to read hours: the sign-in part only registers with it.
  const identity = { onComplete() {}, onStaffConfirm() {} } as never;
  const training = createTrainingService({
    db,
    clock,
    bus,
    config,
    audit,
    paths: { captures: join(dir, 'captures') } as DataPaths,
    identity,
    faceVault: null as never,
  });

  const annualRuns: number[] = [];
  let trainees = 0;
  let total = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const all = training.attendance.annualHoursAll(YEAR);
    annualRuns.push(performance.now() - t);
    trainees = all.size;
    total = [...all.values()].reduce((s, p) => s + p.hours, 0);
  }

  // The floor to compare with, in the same run: reading the year's events and nothing else.
  const floorRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    db.prepare('SELECT lesson_id, id_number, kind, at FROM training_events').raw().all();
    floorRuns.push(performance.now() - t);
  }

  // A 200-candidate roster of an exam session naming class C150, half its members and half from elsewhere.
  training.eligibility.linkSession('S1', `C${Math.floor(CLASSES / 2)}`, true, 'bench');
  const roster: CandidateHours[] = Array.from({ length: 200 }, (_, i) => ({
    row: i + 2,
    idNumber: idOf(i < 50 ? (Math.floor(CLASSES / 2) * TRAINEES + i) % people : (i * 37) % people),
    name: `考生${i}`,
    category: 'principal',
    operationClass: null,
    industry: 'machinery',
    institution: i % 10 === 9 ? '外省培训机构' : null,
    hours: i % 10 === 9 ? 16 : null,
  }));
  const rosterRuns: number[] = [];
  let short = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const checks = training.eligibility.check({ id: 'S1', startsAt: Date.UTC(YEAR, 11, 20) }, roster);
    rosterRuns.push(performance.now() - t);
    short = checks.filter((c) => c.short).length;
  }
  db.close();

  const H = median(annualRuns);
  const R = median(rosterRuns);
  process.stdout.write(
    `${CLASSES} classes × ${TRAINEES} trainees × ${LESSONS} lessons: ${events} sign-in/out events over ${trainees} people (built in ${(built / 1000).toFixed(1)} s)\n` +
      `annual hours of every trainee: runs ${annualRuns.map((x) => x.toFixed(0)).join(', ')} ms (total ${total.toFixed(1)} 学时)\n` +
      `reading the events alone (the floor, same run): runs ${floorRuns.map((x) => x.toFixed(0)).join(', ')} ms\n` +
      `roster check, 200 candidates: runs ${rosterRuns.map((x) => x.toFixed(1)).join(', ')} ms (${short} short of 16 学时)\n` +
      `load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}\n` +
      `training: annual hours ${H.toFixed(0)} ms, roster check ${R.toFixed(0)} ms\n`,
  );
} finally {
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}
