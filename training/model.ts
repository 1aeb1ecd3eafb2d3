// What every part of training/ shares: its dependencies, the class row and its view, who may see a class
// (the 班主任 only their own, server-enforced), and the lesson's view with its sign-in window.
import { NotFound, localDate, localTime, type Clock, type EventBus } from '../core/index.ts';
import type { Config } from '../config/index.ts';
import type { AuditLog, DataPaths, Db, FaceVault } from '../storage/index.ts';
import type { IdentityService } from '../kiosk/index.ts';
import type { ClassView, LessonView, TrainingCategory, TrainingType } from './protocol.ts';
import type { LessonRow } from './credit.ts';

export interface TrainingDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  config: Config;
  audit: AuditLog;
  paths: DataPaths;
  identity: IdentityService;
  faceVault: FaceVault;
}

/** Who is asking: routes pass the principal's role and user name; the CLI and the demo pass admin. */
export interface Viewer {
  role: string;
  username: string | null;
}
export const SYSTEM: Viewer = { role: 'admin', username: null };

export interface ClassRow {
  id: string;
  name: string;
  institution: string;
  kind: 'daily' | 'timetable';
  category: TrainingCategory | null;
  operationItem: string | null;
  trainingType: TrainingType;
  roomId: string | null;
  startsOn: string;
  endsOn: string;
  dailyHours: number;
  requiredHours: number;
  requiredHoursSource: string | null;
  headteacher: string | null;
  createdAt: number;
  createdBy: string;
  updatedAt: number | null;
}

export const CLASS_COLS = `id, name, institution, kind, category, operation_item AS operationItem, training_type AS trainingType, room_id AS roomId,
  starts_on AS startsOn, ends_on AS endsOn, daily_hours AS dailyHours, required_hours AS requiredHours, required_hours_source AS requiredHoursSource, headteacher, created_at AS createdAt,
  created_by AS createdBy, updated_at AS updatedAt`;

export interface StoredLesson extends LessonRow {
  topic: string;
  teacherId: string | null;
  teacherName: string | null;
  roomId: string | null;
  cancelReason: string | null;
}

export const LESSON_COLS = `l.id, l.class_id AS classId, l.kind, l.day, l.starts_at AS startsAt, l.ends_at AS endsAt, l.topic, l.teacher_id AS teacherId,
  t.name AS teacherName, l.hours, l.room_id AS roomId, l.cancelled_at AS cancelledAt, l.cancel_reason AS cancelReason`;
export const LESSON_FROM = 'training_lessons l LEFT JOIN training_teachers t ON t.id = l.teacher_id';

export const iso = (ms: number) => new Date(ms).toISOString();
export const round1 = (x: number) => Math.round(x * 10 + 1e-9) / 10;
/** Sums of credited 学时: lessons credit in 0.1, migrated day sittings in 0.01, so a sum keeps 0.01. */
export const roundSum = (x: number) => Math.round(x * 100 + 1e-9) / 100;

export function createModel(deps: TrainingDeps) {
  const { db, clock, config } = deps;
  const tz = config.site.timezone;
  const s = config.training;

  function classRow(id: string): ClassRow | null {
    return (db.prepare(`SELECT ${CLASS_COLS} FROM training_classes WHERE id = ?`).get(id) as ClassRow | undefined) ?? null;
  }

  /** A class's visibility is its existence: a 班主任 asking for another's class hears "no such class". */
  function canSee(v: Viewer, c: ClassRow): boolean {
    if (v.role === 'admin' || v.role === 'invigilator') return true;
    if (v.role === 'headteacher') return v.username !== null && c.headteacher !== null && c.headteacher.toLowerCase() === v.username.toLowerCase();
    return false;
  }

  function classFor(v: Viewer, id: string): ClassRow {
    const c = classRow(id);
    if (!c || !canSee(v, c)) throw new NotFound(`no training class ${JSON.stringify(id)}`);
    return c;
  }

  /** Changing a class (its timetable, members, attendance) is for admins and the class's own 班主任; invigilators only read. */
  function classToManage(v: Viewer, id: string): ClassRow {
    const c = classFor(v, id);
    if (v.role !== 'admin' && v.role !== 'headteacher') throw new NotFound(`no training class ${JSON.stringify(id)} you may change`);
    return c;
  }

  function roomName(roomId: string | null): string | null {
    if (!roomId) return null;
    return config.rooms.find((r) => r.id === roomId)?.name ?? roomId;
  }

  function lessonState(l: { startsAt: number; endsAt: number }, now: number): LessonView['state'] {
    if (now < l.startsAt - s.signInOpensMinutes * 60_000) return 'upcoming';
    if (now < l.startsAt) return 'open';
    if (now < l.endsAt) return 'running';
    if (now <= l.endsAt + s.signOutClosesMinutes * 60_000) return 'ended';
    return 'closed';
  }

  function lessonView(l: StoredLesson, c: Pick<ClassRow, 'roomId'>, signedIn: number, now = clock.now()): LessonView {
    return {
      id: l.id,
      classId: l.classId,
      kind: l.kind,
      day: l.day,
      start: localTime(l.startsAt, tz),
      end: l.kind === 'day' ? '24:00' : localTime(l.endsAt, tz),
      startsAt: iso(l.startsAt),
      endsAt: iso(l.endsAt),
      topic: l.topic,
      teacherId: l.teacherId,
      teacherName: l.teacherName,
      hours: l.hours,
      roomId: l.roomId ?? c.roomId,
      signInOpensAt: iso(l.startsAt - s.signInOpensMinutes * 60_000),
      signOutClosesAt: iso(l.endsAt + s.signOutClosesMinutes * 60_000),
      state: lessonState(l, now),
      signedIn,
      cancelled: l.cancelledAt !== null,
      cancelReason: l.cancelReason,
    };
  }

  function lessonsOf(classId: string, opts: { withCancelled?: boolean } = {}): StoredLesson[] {
    return db
      .prepare(
        `SELECT ${LESSON_COLS} FROM ${LESSON_FROM} WHERE l.class_id = ? ${opts.withCancelled ? '' : 'AND l.cancelled_at IS NULL'} ORDER BY l.starts_at, l.id`,
      )
      .all(classId) as StoredLesson[];
  }

  function signedInCounts(classId: string): Map<string, number> {
    const rows = db
      .prepare("SELECT lesson_id AS lessonId, COUNT(*) AS n FROM training_events WHERE class_id = ? AND kind = 'sign_in' GROUP BY lesson_id")
      .all(classId) as { lessonId: string; n: number }[];
    return new Map(rows.map((r) => [r.lessonId, r.n]));
  }

  function classState(c: Pick<ClassRow, 'startsOn' | 'endsOn'>, now = clock.now()): ClassView['state'] {
    const today = localDate(now, tz);
    return today < c.startsOn ? 'planned' : today > c.endsOn ? 'ended' : 'running';
  }

  function displayName(username: string | null): string | null {
    if (!username) return null;
    const u = db.prepare('SELECT display_name AS d FROM users WHERE username = ?').get(username) as { d: string | null } | undefined;
    return u?.d ?? username;
  }

  function classView(c: ClassRow): ClassView {
    const agg = db
      .prepare('SELECT COUNT(*) AS n, COALESCE(SUM(hours), 0) AS h FROM training_lessons WHERE class_id = ? AND cancelled_at IS NULL')
      .get(c.id) as { n: number; h: number };
    const members = (db.prepare('SELECT COUNT(*) AS n FROM training_members WHERE class_id = ?').get(c.id) as { n: number }).n;
    return {
      id: c.id,
      name: c.name,
      institution: c.institution,
      kind: c.kind,
      category: c.category,
      operationItem: c.operationItem,
      trainingType: c.trainingType,
      roomId: c.roomId,
      roomName: roomName(c.roomId),
      startsOn: c.startsOn,
      endsOn: c.endsOn,
      requiredHours: c.requiredHours,
      requiredHoursSource: c.requiredHoursSource ?? 'set',
      headteacher: c.headteacher,
      headteacherName: displayName(c.headteacher),
      scheduledHours: round1(agg.h),
      lessons: agg.n,
      members,
      state: classState(c),
      createdAt: iso(c.createdAt),
      createdBy: c.createdBy,
      updatedAt: iso(c.updatedAt ?? c.createdAt),
    };
  }

  return {
    db,
    tz,
    classRow,
    canSee,
    classFor,
    classToManage,
    roomName,
    lessonState,
    lessonView,
    lessonsOf,
    signedInCounts,
    classState,
    classView,
    displayName,
  };
}

export type Model = ReturnType<typeof createModel>;
