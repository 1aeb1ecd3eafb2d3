// The demo site's training class (npm start): two days, 8 lessons of 2 学时, six members with the demo's
// LFW photos (exam/demo/faces), the 班主任 `banzhuren` of config/demo.yaml, and yesterday already held —
// four on time, one 20 minutes late to the first lesson and leaving the last an hour early, one who never
// came — so the live attendance, the hours and the absence list can be opened at once. The held day's
// sign-ins are written by the seed (via 'staff', actor 'system:demo'): no face was checked for them.
// Today's lessons are signed in at the kiosk as any class's are. Seeds once: a site with a class keeps it.
// Held in R101, so its lessons are recording windows of R101's camera and each lesson's video opens from the
// timetable. Not R102: the exam demo walks R102's candidates through the entrance kiosk, whose check-in
// must stay the kiosk's screen (the kiosk shows training only while no exam check-in is open).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDigitOf, localDate } from '../core/index.ts';
import type { TrainingService } from './service.ts';

export const DEMO_CLASS_NAME = '2026年第11期 主要负责人安全生产培训班（示范）';
export const DEMO_CLASS_ROOM = 'R101';
const SLOTS = [
  ['08:30', '10:30', '安全生产法律法规'],
  ['10:40', '12:40', '安全生产管理制度'],
  ['14:00', '16:00', '事故案例分析'],
  ['16:10', '18:10', '应急管理与救援'],
] as const;
const PEOPLE = [
  ['张伟', 'Alejandro_Toledo_0023.jpg'],
  ['王芳', 'Carolyn_Dawn_Johnson_0001.jpg'],
  ['李强', 'Dick_Cheney_0003.jpg'],
  ['刘静', 'Heidi_Klum_0004.jpg'],
  ['陈敏', 'Hillary_Clinton_0003.jpg'],
  ['杨军', 'John_Abizaid_0003.jpg'],
] as const;

const idOf = (n: number) => {
  const first17 = `44010619800101${String(700 + n).padStart(3, '0')}`;
  return first17 + checkDigitOf(first17);
};

export interface TrainingDemoSummary {
  classId: string;
  created: boolean;
  headteacher: string;
  members: { idNumber: string; name: string }[];
}

export function seedTrainingDemo(training: TrainingService, opts: { now: number; facesDir: string }): TrainingDemoSummary {
  const { model, classes, timetable, members } = training;
  const admin = training.system;
  const actor = 'system:demo';
  const existing = classes.list(admin).find((c) => c.name === DEMO_CLASS_NAME);
  const people = PEOPLE.map(([name], i) => ({ idNumber: idOf(i), name }));
  if (existing) {
    // A demo seeded before the class had a room gets it now: until then it was never recorded.
    if (!existing.roomId) classes.patch(admin, existing.id, { roomId: DEMO_CLASS_ROOM }, actor);
    return { classId: existing.id, created: false, headteacher: 'banzhuren', members: people };
  }
  const tz = model.tz;
  const today = localDate(opts.now, tz);
  const yesterday = localDate(opts.now - 86_400_000, tz);
  const t1 = classes.addTeacher(
    { name: '李建国', title: '高级工程师', qualification: '安全工程硕士，从事安全培训12年', registeredSafetyEngineer: true },
    actor,
  );
  const t2 = classes.addTeacher({ name: '陈红', title: '讲师', qualification: '应急管理专业', registeredSafetyEngineer: false }, actor);
  const c = classes.create(
    {
      name: DEMO_CLASS_NAME,
      institution: '广州市安全生产培训中心',
      category: 'principal',
      operationItem: 'general',
      startsOn: yesterday,
      endsOn: today,
      roomId: DEMO_CLASS_ROOM,
      headteacher: 'banzhuren',
    },
    actor,
  );
  for (const day of [yesterday, today])
    for (const [i, [start, end, topic]] of SLOTS.entries())
      timetable.add(admin, c.id, { day, start, end, topic, teacherId: i % 2 ? t2.id : t1.id, hours: 2 }, actor);
  members.add(
    admin,
    c.id,
    PEOPLE.map(([name, photo], i) => ({
      idNumber: idOf(i),
      name,
      employer: '广州示范机械有限公司',
      photo: readFileSync(join(opts.facesDir, photo)),
      where: `demo ${i + 1}`,
    })),
    actor,
  );
  // Yesterday, held: everyone but the last signs in 10 minutes early and out a minute after the end;
  // the fifth is 20 minutes late to the first lesson and leaves the last an hour early.
  const db = training.model.db;
  const put = db.prepare(
    "INSERT INTO training_events (class_id, lesson_id, id_number, kind, at, attempt_id, via, actor) VALUES (?, ?, ?, ?, ?, NULL, 'staff', ?)",
  );
  const held = model.lessonsOf(c.id).filter((l) => l.day === yesterday);
  db.transaction(() => {
    for (const [n, l] of held.entries())
      for (let p = 0; p < PEOPLE.length - 1; p++) {
        const late = p === 4 && n === 0 ? 20 * 60_000 : -10 * 60_000;
        const out = p === 4 && n === held.length - 1 ? -60 * 60_000 : 60_000;
        put.run(c.id, l.id, idOf(p), 'sign_in', l.startsAt + late, actor);
        put.run(c.id, l.id, idOf(p), 'sign_out', l.endsAt + out, actor);
      }
  }).immediate();
  return { classId: c.id, created: true, headteacher: 'banzhuren', members: people };
}
