// What records/ reads of training for the person file (一人一档) and the archives: the classes a person
// was a member of, with the 学时 credited by the same rule as the class view (credit.ts). Read only.
import type { Db } from '../storage/index.ts';
import { presenceOf, type CorrectionRow, type EventRow, type LessonRow } from './credit.ts';
import { roundSum } from './model.ts';

export interface TrainingAttendanceRecord {
  classId: string;
  /** The name the class's member list gives. */
  memberName: string;
  name: string;
  institution: string;
  category: string | null;
  operationItem: string | null;
  startsOn: string;
  endsOn: string;
  /** A day-sitting class's hours per day (kind daily); a timetable class's average day. */
  dailyHours: number;
  requiredHours: number;
  /** 学时 credited (docs/training.md "Credited time"). */
  attendedHours: number;
  lessons: number;
  lessonsAttended: number;
  /** Site-calendar days with some credited time. */
  daysAttended: number;
  /** Lessons signed in to and never out (no 学时 until the 班主任 corrects them). */
  daysWithoutCheckOut: number;
}

export function trainingAttendanceOf(db: Db, idNumber: string, now: number = Date.now()): TrainingAttendanceRecord[] {
  const classes = db
    .prepare(
      `SELECT c.id AS classId, m.name AS memberName, c.name, c.institution, c.category, c.operation_item AS operationItem, c.starts_on AS startsOn,
              c.ends_on AS endsOn, c.daily_hours AS dailyHours, c.required_hours AS requiredHours
         FROM training_members m JOIN training_classes c ON c.id = m.class_id WHERE m.id_number = ? ORDER BY c.starts_on, c.id`,
    )
    .all(idNumber) as Omit<TrainingAttendanceRecord, 'attendedHours' | 'lessons' | 'lessonsAttended' | 'daysAttended' | 'daysWithoutCheckOut'>[];
  const lessonsQ = db.prepare(
    `SELECT id, class_id AS classId, kind, day, starts_at AS startsAt, ends_at AS endsAt, hours, cancelled_at AS cancelledAt
       FROM training_lessons WHERE class_id = ? AND cancelled_at IS NULL ORDER BY starts_at`,
  );
  const eventsQ = db.prepare('SELECT lesson_id AS lessonId, id_number AS idNumber, kind, at, via FROM training_events WHERE class_id = ? AND id_number = ?');
  const corrQ = db.prepare(
    'SELECT id, lesson_id AS lessonId, id_number AS idNumber, kind, in_at AS inAt, out_at AS outAt FROM training_corrections WHERE class_id = ? AND id_number = ?',
  );
  const settings = { lateGraceMinutes: 5, signOutClosesMinutes: 30 };
  return classes.map((c) => {
    const lessons = lessonsQ.all(c.classId) as LessonRow[];
    const events = eventsQ.all(c.classId, idNumber) as EventRow[];
    const corr = corrQ.all(c.classId, idNumber) as CorrectionRow[];
    const ps = lessons.map((l) =>
      presenceOf(
        l,
        events.filter((e) => e.lessonId === l.id),
        corr.filter((x) => x.lessonId === l.id),
        now,
        settings,
      ),
    );
    const days = new Set(lessons.filter((_, i) => ps[i]!.credited > 0).map((l) => l.day));
    return {
      ...c,
      attendedHours: roundSum(ps.reduce((s, p) => s + p.credited, 0)),
      lessons: lessons.length,
      lessonsAttended: ps.filter((p) => p.credited > 0).length,
      daysAttended: days.size,
      daysWithoutCheckOut: ps.filter((p) => p.state === 'no_sign_out').length,
    };
  });
}
