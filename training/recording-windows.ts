// Training lessons as recording windows (core/recording-windows.ts): the class room's cameras record each
// lesson by the timetable (培训过程影像资料, kept with the class file), with the same margins as an exam
// session: [earlier of the planned start and the first sign-in, minus the margin] to [later of the
// planned end and the last sign-out, plus the margin]. Read from the tables each time it is asked.
import { SESSION_RECORDING_MARGIN_MS, type EventBus, type RecordingWindow, type WindowSource } from '../core/index.ts';
import type { Db } from '../storage/index.ts';

interface Row {
  id: string;
  classId: string;
  topic: string;
  roomId: string | null;
  startsAt: number;
  endsAt: number;
  firstIn: number | null;
  lastOut: number | null;
}

export interface LessonWindows extends WindowSource {
  /** One lesson's window (its room may be null: a class without a room is not recorded). */
  windowOf(lessonId: string): { room: string | null; start: number; end: number } | null;
  /**
   * The recording windows, in `room`, of the lessons of the classes whose 班主任 is `username`: the only
   * footage a 班主任 may play (media/routes.ts). Cancelled lessons and day sittings are not recorded.
   */
  ofHeadteacher(username: string, room: string): { lessonId: string; start: number; end: number }[];
}

export function createLessonWindows(deps: { db: Db; bus: EventBus; marginMs?: number }): LessonWindows {
  const { db } = deps;
  const margin = deps.marginMs ?? SESSION_RECORDING_MARGIN_MS;
  const cols = `l.id, l.class_id AS classId, l.topic, COALESCE(l.room_id, c.room_id) AS roomId, l.starts_at AS startsAt, l.ends_at AS endsAt,
    (SELECT MIN(at) FROM training_events e WHERE e.lesson_id = l.id AND e.kind = 'sign_in') AS firstIn,
    (SELECT MAX(at) FROM training_events e WHERE e.lesson_id = l.id AND e.kind = 'sign_out') AS lastOut`;
  // A sign-in opens at most a few hours early: the margin plus 4 h bounds the search by the index on starts_at.
  const overlapping = db.prepare<[number, number], Row>(
    `SELECT ${cols} FROM training_lessons l JOIN training_classes c ON c.id = l.class_id
      WHERE l.kind = 'lesson' AND l.cancelled_at IS NULL AND l.starts_at < ? AND l.ends_at > ?`,
  );
  const one = db.prepare<[string], Row>(`SELECT ${cols} FROM training_lessons l JOIN training_classes c ON c.id = l.class_id WHERE l.id = ?`);
  const windowOfRow = (r: Row) => ({
    start: Math.min(r.startsAt, r.firstIn ?? r.startsAt) - margin,
    end: Math.max(r.endsAt, r.lastOut ?? r.endsAt) + margin,
  });
  const mine = db.prepare<[string, string], Row>(
    `SELECT ${cols} FROM training_lessons l JOIN training_classes c ON c.id = l.class_id
      WHERE c.headteacher = ? COLLATE NOCASE AND COALESCE(l.room_id, c.room_id) = ? AND l.kind = 'lesson' AND l.cancelled_at IS NULL`,
  );
  const reach = margin + 4 * 3_600_000;
  return {
    name: 'training lessons',
    windows(from, to) {
      const out: RecordingWindow[] = [];
      for (const r of overlapping.all(to + reach, from - reach)) {
        if (!r.roomId) continue;
        const w = windowOfRow(r);
        if (w.start < to && w.end > from) out.push({ room: r.roomId, start: w.start, end: w.end, what: `training lesson ${r.id} (${r.topic})` });
      }
      return out;
    },
    onChange(fn) {
      const offs = [deps.bus.on('training.timetable', () => fn()), deps.bus.on('training.attendance', () => fn())];
      return () => {
        for (const off of offs) off();
      };
    },
    windowOf(lessonId) {
      const r = one.get(lessonId);
      return r ? { room: r.roomId, ...windowOfRow(r) } : null;
    },
    ofHeadteacher(username, room) {
      return mine.all(username, room).map((r) => ({ lessonId: r.id, ...windowOfRow(r) }));
    },
  };
}
