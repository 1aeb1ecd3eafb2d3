// The training module's HTTP contract (docs/training.md): classes, teachers, the timetable, members, the
// kiosk's per-lesson sign-in and sign-out, the live attendance view, corrections, hours (per lesson, per
// class, per year) and the exam's training-hours check — as TypeBox schemas (the routes' request and
// response schemas) and the types made from them. Shared by the server, the admin console and the kiosk
// app, so it imports nothing but 'typebox'.
//
// Who may call: admin everything; headteacher (班主任) only the classes whose `headteacher` they are (the
// server checks every route: another's class answers 404 as if it did not exist); invigilator reads.
// Refusals are the ErrorReply of core/error-reply.ts: 400 validation (problems: path/problem/got — a
// timetable or member file names each bad row as `row 7, column 开始`), 403 forbidden, 404 not_found,
// 409 conflict (e.g. a lesson with sign-ins cannot be deleted; a second sign-in).
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const oneOf = <const T extends readonly string[]>(xs: T) => Type.Enum<[...T]>(xs);
const closed = { additionalProperties: false } as const;

const Id = Type.String({ minLength: 1, maxLength: 64 });
const DateT = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, site calendar' });
const TimeT = Type.String({ pattern: '^\\d{2}:\\d{2}$', description: 'HH:MM, site clock' });
/** ISO 8601 instants in replies (server time). */
const Instant = Type.String({ description: 'ISO 8601' });
const Hours = Type.Number({ description: '学时' });

export const TRAINING_CATEGORIES = ['principal', 'safety_manager', 'special_operation'] as const;
export type TrainingCategory = (typeof TRAINING_CATEGORIES)[number];
export const TRAINING_TYPES = ['initial', 'refresher'] as const;
export type TrainingType = (typeof TRAINING_TYPES)[number];

// ── Params ──────────────────────────────────────────────────────────────────────────────────────

export const ClassParamsT = Type.Object({ classId: Id }, closed);
export const LessonParamsT = Type.Object({ classId: Id, lessonId: Id }, closed);
export const TeacherParamsT = Type.Object({ teacherId: Id }, closed);
export const MemberParamsT = Type.Object({ classId: Id, idNumber: Type.String({ minLength: 15, maxLength: 18 }) }, closed);
export const PersonParamsT = Type.Object({ idNumber: Type.String({ minLength: 15, maxLength: 18 }) }, closed);
export const SessionParamsT = Type.Object({ sessionId: Id }, closed);

// ── Classes ─────────────────────────────────────────────────────────────────────────────────────

/**
 * GET /api/training/classes (each), GET /api/training/classes/:classId (`class`).
 * kind 'daily': a class from before the timetable (one sitting a day, migration 032 made each day a lesson).
 */
export const ClassT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  institution: Type.String(),
  kind: oneOf(['daily', 'timetable'] as const),
  category: nullable(oneOf(TRAINING_CATEGORIES)),
  /** 作业类别 (special operations) or industry code (principals, safety managers). */
  operationItem: nullable(Type.String()),
  trainingType: oneOf(TRAINING_TYPES),
  roomId: nullable(Type.String()),
  roomName: nullable(Type.String()),
  startsOn: DateT,
  endsOn: DateT,
  requiredHours: Hours,
  /** Where requiredHours came from when the class was made: `rules.principal.training.requiredHours`, or `set` (typed in). */
  requiredHoursSource: Type.String(),
  /** The 班主任's user name, and display name. */
  headteacher: nullable(Type.String()),
  headteacherName: nullable(Type.String()),
  /** Hours of the timetable (lessons not cancelled): equal to requiredHours when the timetable is complete. */
  scheduledHours: Hours,
  lessons: Type.Integer(),
  members: Type.Integer(),
  /** planned: before its first day; running: between; ended: after its last day (site calendar). */
  state: oneOf(['planned', 'running', 'ended'] as const),
  createdAt: Instant,
  createdBy: Type.String(),
  updatedAt: Instant,
});
export type ClassView = Static<typeof ClassT>;

/**
 * POST /api/training/classes (admin). requiredHours absent: the rule's (config `rules:`, per category and
 * operation item; 16 for principals and safety managers by default). headteacher: a user of role
 * headteacher (or admin). dailyHours: the old day-sitting class of docs/kiosk-api.md (kind 'daily'),
 * still accepted from scripts; without it the class has a timetable.
 */
export const NewClassT = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    institution: Type.String({ minLength: 1, maxLength: 100 }),
    category: Type.Optional(oneOf(TRAINING_CATEGORIES)),
    operationItem: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    trainingType: Type.Optional(oneOf(TRAINING_TYPES)),
    roomId: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    startsOn: Type.String({ maxLength: 10, description: 'YYYY-MM-DD' }),
    endsOn: Type.String({ maxLength: 10, description: 'YYYY-MM-DD, inclusive' }),
    requiredHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 2000 })),
    headteacher: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    dailyHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 24 })),
  },
  closed,
);
export type NewClass = Static<typeof NewClassT>;

/** PATCH /api/training/classes/:classId (admin): any of the fields; dates may not leave a lesson outside them. */
export const ClassPatchT = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    institution: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    category: Type.Optional(oneOf(TRAINING_CATEGORIES)),
    operationItem: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    trainingType: Type.Optional(oneOf(TRAINING_TYPES)),
    roomId: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    startsOn: Type.Optional(Type.String({ maxLength: 10 })),
    endsOn: Type.Optional(Type.String({ maxLength: 10 })),
    requiredHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 2000 })),
    headteacher: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 64 }))),
  },
  closed,
);
export type ClassPatch = Static<typeof ClassPatchT>;

// ── Teachers ────────────────────────────────────────────────────────────────────────────────────

/** GET /api/training/teachers (each; ?all=1 includes retired ones). */
export const TeacherT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  title: Type.String(),
  qualification: Type.String(),
  /** 注册安全工程师 */
  registeredSafetyEngineer: Type.Boolean(),
  retired: Type.Boolean(),
  createdAt: Instant,
  updatedAt: Instant,
});
export type TeacherView = Static<typeof TeacherT>;

/** POST /api/training/teachers (admin, headteacher). */
export const NewTeacherT = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 50 }),
    title: Type.Optional(Type.String({ maxLength: 50 })),
    qualification: Type.Optional(Type.String({ maxLength: 200 })),
    registeredSafetyEngineer: Type.Optional(Type.Boolean()),
  },
  closed,
);
export type NewTeacher = Static<typeof NewTeacherT>;

/** PATCH /api/training/teachers/:teacherId (admin, headteacher); retired: true hides them from new lessons. */
export const TeacherPatchT = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    title: Type.Optional(Type.String({ maxLength: 50 })),
    qualification: Type.Optional(Type.String({ maxLength: 200 })),
    registeredSafetyEngineer: Type.Optional(Type.Boolean()),
    retired: Type.Optional(Type.Boolean()),
  },
  closed,
);
export type TeacherPatch = Static<typeof TeacherPatchT>;

// ── Timetable ───────────────────────────────────────────────────────────────────────────────────

/** GET /api/training/classes/:classId/lessons (each, by start), and inside ClassDetail. */
export const LessonT = Type.Object({
  id: Type.String(),
  classId: Type.String(),
  /** 'day': a whole-day sitting migrated from the old attendance (credited as check-out − check-in, at most hours). */
  kind: oneOf(['lesson', 'day'] as const),
  day: DateT,
  start: TimeT,
  end: TimeT,
  startsAt: Instant,
  endsAt: Instant,
  topic: Type.String(),
  teacherId: nullable(Type.String()),
  teacherName: nullable(Type.String()),
  hours: Hours,
  /** The lesson's room: its own or the class's. */
  roomId: nullable(Type.String()),
  /** Sign-in opens `training.signInOpensMinutes` before the start; sign-out closes `training.signOutClosesMinutes` after the end. */
  signInOpensAt: Instant,
  signOutClosesAt: Instant,
  /** upcoming (sign-in not open), open (sign-in open, not started), running, ended (sign-out still possible), closed. */
  state: oneOf(['upcoming', 'open', 'running', 'ended', 'closed'] as const),
  signedIn: Type.Integer(),
  cancelled: Type.Boolean(),
  cancelReason: nullable(Type.String()),
});
export type LessonView = Static<typeof LessonT>;

/** POST /api/training/classes/:classId/lessons (admin, headteacher of the class): one lesson. */
export const NewLessonT = Type.Object(
  {
    day: Type.String({ maxLength: 10, description: 'YYYY-MM-DD' }),
    start: Type.String({ maxLength: 5, description: 'HH:MM' }),
    end: Type.String({ maxLength: 5, description: 'HH:MM' }),
    topic: Type.String({ minLength: 1, maxLength: 200 }),
    teacherId: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    hours: Type.Number({ exclusiveMinimum: 0, maximum: 24 }),
    roomId: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 64 }))),
  },
  closed,
);
export type NewLesson = Static<typeof NewLessonT>;

/** PATCH /api/training/classes/:classId/lessons/:lessonId: times may not change once someone signed in (409). */
export const LessonPatchT = Type.Partial(NewLessonT, closed);
export type LessonPatch = Static<typeof LessonPatchT>;

/** DELETE /api/training/classes/:classId/lessons/:lessonId: removed if nobody signed in, else cancelled (kept) with the reason. */
export const LessonCancelT = Type.Object({ reason: Type.String({ minLength: 4, maxLength: 200 }) }, closed);

/**
 * POST /api/training/classes/:classId/timetable?filename=NAME[&replace=1][&dryRun=1] (admin, headteacher):
 * the body is an .xlsx or .csv (UTF-8 or GB18030) with columns 日期, 开始, 结束, 课程 (or 内容/主题), 教师,
 * 学时, optional 教室. All or nothing: a refusal (400) names every bad row — a date outside the class's
 * dates, end before start, an unknown teacher, a teacher or a room booked twice at once (in this file or
 * by another class), and hours that do not add up to the class's required hours (path `学时`).
 * replace=1 replaces the lessons nobody has signed in to (409 if any has sign-ins); without it the class
 * must have no lessons yet. dryRun=1 checks and answers the lessons it would create, storing nothing.
 */
export const TimetableImportQueryT = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 255 }),
    replace: Type.Optional(oneOf(['0', '1'] as const)),
    dryRun: Type.Optional(oneOf(['0', '1'] as const)),
  },
  closed,
);
export const TimetableImportReplyT = Type.Object({
  classId: Type.String(),
  dryRun: Type.Boolean(),
  lessons: Type.Array(LessonT),
  totalHours: Hours,
  replaced: Type.Integer(),
});
export type TimetableImportReply = Static<typeof TimetableImportReplyT>;

// ── Members ─────────────────────────────────────────────────────────────────────────────────────

/** GET /api/training/classes/:classId/members (each). */
export const MemberT = Type.Object({
  idNumber: Type.String(),
  idNumberMasked: Type.String(),
  name: Type.String(),
  employer: nullable(Type.String()),
  /** GET /api/training/classes/:classId/members/:idNumber/photo, or null without a photo. */
  photoUrl: nullable(Type.String()),
  /** The face engine's enrolment of the photo: ok, pending, or its refusal code (no_face, several_faces …). */
  enrolment: nullable(Type.String()),
  addedAt: Instant,
});
export type MemberView = Static<typeof MemberT>;

/**
 * POST /api/training/classes/:classId/members?filename=NAME[&photos=DIR] (admin, headteacher): the body is
 * a .csv/.xlsx/.json members file (身份证号, 姓名, 工作单位/单位, 照片) or a .zip of one such file and the photos
 * it names (or photos named ID-NUMBER.jpg), checked as exam rosters are; all or nothing.
 */
export const MembersImportQueryT = Type.Object(
  { filename: Type.String({ minLength: 1, maxLength: 255 }), photos: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) },
  closed,
);
export const MembersImportReplyT = Type.Object({ classId: Type.String(), added: Type.Integer(), photos: Type.Integer(), total: Type.Integer() });
export type MembersImportReply = Static<typeof MembersImportReplyT>;

/** POST /api/training/classes/:classId/members/one (admin, headteacher): one member, photo as base64 JPEG/PNG. */
export const NewMemberT = Type.Object(
  {
    idNumber: Type.String({ minLength: 15, maxLength: 18 }),
    name: Type.String({ minLength: 1, maxLength: 50 }),
    employer: Type.Optional(nullable(Type.String({ maxLength: 100 }))),
    photoBase64: Type.Optional(Type.String({ maxLength: 8 * 1024 * 1024 })),
  },
  closed,
);
export type NewMember = Static<typeof NewMemberT>;

// ── Class detail ────────────────────────────────────────────────────────────────────────────────

/** GET /api/training/classes/:classId */
export const ClassDetailT = Type.Object({
  class: ClassT,
  lessons: Type.Array(LessonT),
  /** The exam sessions that name this class (PUT /api/training/sessions/:sessionId/class). */
  sessions: Type.Array(Type.String()),
  /** The timetable's problems as they stand (hours not adding up, a lesson outside the dates …), in words. */
  problems: Type.Array(Type.Object({ path: Type.String(), problem: Type.String() })),
});
export type ClassDetail = Static<typeof ClassDetailT>;

// ── Attendance: per lesson, live ────────────────────────────────────────────────────────────────

/**
 * One person's standing in one lesson:
 * - not_yet: no sign-in and the lesson has not started; in: signed in, not out (on time); late: signed in
 *   after the start + `training.lateGraceMinutes`; missing: started (or over) and no sign-in;
 * - left_early: signed out before the end − grace; present: signed out at or after it;
 * - no_sign_out: signed in, sign-out closed without one (no hours until the 班主任 corrects it);
 * - excused: a justified absence (请假); corrected: the 班主任 entered the presence.
 */
export const PRESENCE_STATES = ['not_yet', 'in', 'late', 'missing', 'left_early', 'present', 'no_sign_out', 'excused', 'corrected'] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];

export const LessonPresenceT = Type.Object({
  lessonId: Type.String(),
  state: oneOf(PRESENCE_STATES),
  signInAt: nullable(Instant),
  signOutAt: nullable(Instant),
  /** Minutes after the lesson's start, when signed in after it. */
  lateMinutes: nullable(Type.Integer()),
  /** Minutes before the lesson's end, when signed out before it. */
  earlyMinutes: nullable(Type.Integer()),
  /** The 学时 credited so far (0 until signed out, or corrected). */
  credited: Hours,
  /** via of the sign-in: face, staff (班主任 confirmed a decliner), legacy. */
  via: nullable(oneOf(['face', 'staff', 'legacy'] as const)),
  /** The correction in force, when there is one. */
  correctionId: nullable(Type.Integer()),
});
export type LessonPresence = Static<typeof LessonPresenceT>;

/**
 * GET /api/training/classes/:classId/attendance[?lessonId=L] (admin, headteacher of the class, invigilator):
 * the live view (poll it; `version` changes with every sign-in or correction, and `?since=VERSION`
 * answers 304 when nothing changed). Without lessonId: the lesson running now, else the next today,
 * else the last one held.
 */
export const AttendanceViewT = Type.Object({
  class: Type.Object({ id: Type.String(), name: Type.String() }),
  lesson: nullable(LessonT),
  now: Instant,
  version: Type.String(),
  counts: Type.Record(Type.String(), Type.Integer(), { description: 'members per PresenceState' }),
  members: Type.Array(
    Type.Object({
      idNumber: Type.String(),
      idNumberMasked: Type.String(),
      name: Type.String(),
      employer: nullable(Type.String()),
      photoUrl: nullable(Type.String()),
      presence: nullable(LessonPresenceT),
    }),
  ),
});
export type AttendanceView = Static<typeof AttendanceViewT>;

/** GET /api/training/classes/:classId/attendance/stream: server-sent events, `change` { version } on each sign-in or correction. */
export const ATTENDANCE_STREAM_EVENT = 'change';

// ── Corrections ─────────────────────────────────────────────────────────────────────────────────

export const CORRECTION_KINDS = ['presence', 'justified_absence', 'withdrawn'] as const;
export type CorrectionKind = (typeof CORRECTION_KINDS)[number];

/**
 * POST /api/training/classes/:classId/corrections (admin, headteacher of the class): never changes a
 * recorded sign-in; the newest correction per (lesson, person) is in force. presence needs inAt and outAt
 * (ISO, or HH:MM on the lesson's day); withdrawn takes back the correction in force. Audited.
 */
export const NewCorrectionT = Type.Object(
  {
    lessonId: Id,
    idNumber: Type.String({ minLength: 15, maxLength: 18 }),
    kind: oneOf(CORRECTION_KINDS),
    inAt: Type.Optional(Type.String({ maxLength: 40 })),
    outAt: Type.Optional(Type.String({ maxLength: 40 })),
    reason: Type.String({ minLength: 4, maxLength: 500 }),
  },
  closed,
);
export type NewCorrection = Static<typeof NewCorrectionT>;

/** GET /api/training/classes/:classId/corrections (each, oldest first) and the POST's reply. */
export const CorrectionT = Type.Object({
  id: Type.Integer(),
  classId: Type.String(),
  lessonId: Type.String(),
  idNumber: Type.String(),
  name: Type.String(),
  kind: oneOf(CORRECTION_KINDS),
  inAt: nullable(Instant),
  outAt: nullable(Instant),
  reason: Type.String(),
  actor: Type.String(),
  at: Instant,
});
export type CorrectionView = Static<typeof CorrectionT>;

// ── Hours ───────────────────────────────────────────────────────────────────────────────────────

/**
 * GET /api/training/classes/:classId/hours (admin, headteacher of the class, invigilator): credited 学时
 * per trainee per lesson and for the class. The rule (docs/training.md "Credited time"): the overlap of
 * [sign-in, sign-out] (or the correction's presence) with the lesson's [start, end], as a share of the
 * lesson's length, times its 学时, rounded half up to 0.1 学时; 'day' lessons keep the old rule
 * (check-out − check-in in hours, at most the day's hours, rounded to 0.01).
 */
export const ClassHoursT = Type.Object({
  class: ClassT,
  lessons: Type.Array(
    Type.Object({
      id: Type.String(),
      day: DateT,
      start: TimeT,
      end: TimeT,
      topic: Type.String(),
      hours: Hours,
      held: Type.Boolean(),
      /** Started and not ended, by the server's clock (进行中): neither held nor missed yet. */
      inProgress: Type.Boolean(),
    }),
  ),
  /** 学时 of the lessons held so far (ended: a lesson running now is in progress, not held), and of the whole timetable. */
  heldHours: Hours,
  /** 学时 of the lessons running now (进行中). */
  inProgressHours: Hours,
  scheduledHours: Hours,
  totalCreditedHours: Hours,
  members: Type.Array(
    Type.Object({
      idNumber: Type.String(),
      idNumberMasked: Type.String(),
      name: Type.String(),
      employer: nullable(Type.String()),
      creditedHours: Hours,
      requiredHours: Hours,
      /** Every lesson of the class, in the order of `lessons`. */
      lessons: Type.Array(LessonPresenceT),
      /** Lessons held with no hours and no justified absence. */
      missedLessons: Type.Integer(),
      /** Has the hours the class requires (credited ≥ required). */
      complete: Type.Boolean(),
      /** Signed in to no lesson at all (registered, never came). */
      neverCame: Type.Boolean(),
    }),
  ),
});
export type ClassHours = Static<typeof ClassHoursT>;

/**
 * GET /api/training/people/:idNumber/hours?year=YYYY (admin; headteacher sees only their classes'
 * lines): annual hours per ID number across the classes held here, by the lessons' site-calendar year.
 */
export const AnnualHoursT = Type.Object({
  idNumber: Type.String(),
  year: Type.Integer(),
  hours: Hours,
  classes: Type.Array(
    Type.Object({
      classId: Type.String(),
      name: Type.String(),
      institution: Type.String(),
      category: nullable(oneOf(TRAINING_CATEGORIES)),
      startsOn: DateT,
      endsOn: DateT,
      requiredHours: Hours,
      /** 学时 credited in this class by lessons of the year. */
      creditedHours: Hours,
    }),
  ),
});
export type AnnualHours = Static<typeof AnnualHoursT>;

/** GET /api/training/classes/:classId/absences (JSON; .csv the same as a download): who did not attend in full, per lesson. */
export const AbsencesT = Type.Object({
  class: ClassT,
  absences: Type.Array(
    Type.Object({
      lessonId: Type.String(),
      day: DateT,
      start: TimeT,
      end: TimeT,
      topic: Type.String(),
      idNumber: Type.String(),
      name: Type.String(),
      kind: oneOf(['missing', 'late', 'left_early', 'no_sign_out', 'excused'] as const),
      credited: Hours,
      hours: Hours,
    }),
  ),
});
export type Absences = Static<typeof AbsencesT>;

// ── From training to the exam ───────────────────────────────────────────────────────────────────

/** PUT /api/training/sessions/:sessionId/class (admin): the class held here that the session's candidates come from; null unlinks. */
export const SessionClassT = Type.Object({ classId: nullable(Id) }, closed);
export const SessionClassReplyT = Type.Object({ sessionId: Type.String(), classId: nullable(Type.String()) });

/** Where a candidate's hours came from: the session's class, the roster's columns (培训机构 + 培训学时), this site's classes in the year, or nothing known. */
export const HOURS_SOURCES = ['class', 'roster', 'annual', 'none'] as const;
export type HoursSource = (typeof HOURS_SOURCES)[number];

/** One candidate's training-hours check. */
export const HoursCheckT = Type.Object({
  idNumber: Type.String(),
  name: Type.String(),
  /** The roster file's row when the check ran at an import, else null. */
  row: nullable(Type.Integer()),
  hours: Hours,
  requiredHours: Hours,
  short: Type.Boolean(),
  source: oneOf(HOURS_SOURCES),
  /** The class (source class) or the institution (source roster) in words. */
  from: nullable(Type.String()),
  classId: nullable(Type.String()),
  /** The rule applied: its path in the config (rules.principal …) and what it does with a shortfall. */
  rule: Type.String(),
  action: oneOf(['refuse', 'warn', 'off'] as const),
});
export type HoursCheck = Static<typeof HoursCheckT>;

/**
 * GET /api/training/sessions/:sessionId/eligibility (admin, invigilator): every candidate of the session
 * with their hours; `short` lists those who fall short. A roster import (and adding one candidate) runs
 * the same check: with `refuse` the import is refused (400, a problem per short row: `row 4, column 培训学时:
 * 12 of 16 学时 (class 2026 第3期 …)`), with `warn` it succeeds and its reply's `trainingHours` names them.
 */
export const EligibilityT = Type.Object({
  sessionId: Type.String(),
  classId: nullable(Type.String()),
  checked: Type.Integer(),
  candidates: Type.Array(HoursCheckT),
  short: Type.Array(HoursCheckT),
});
export type Eligibility = Static<typeof EligibilityT>;

// ── Recording ───────────────────────────────────────────────────────────────────────────────────

/**
 * GET /api/training/classes/:classId/lessons/:lessonId/video (admin, headteacher of the class): the
 * lesson's recording window and the room's recorded sources, for the playback page (media's
 * /api/media/recordings/:source?from=&to= plays it).
 */
export const LessonVideoT = Type.Object({
  lessonId: Type.String(),
  roomId: nullable(Type.String()),
  from: Instant,
  to: Instant,
  sources: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), segments: Type.Integer(), seconds: Type.Number() })),
});
export type LessonVideo = Static<typeof LessonVideoT>;

// ── Kiosk: per-lesson sign-in and sign-out ──────────────────────────────────────────────────────

/**
 * GET /api/kiosk/training (kiosk): today's classes in this kiosk's rooms (all of today's classes when the
 * kiosk names no rooms), each with today's lessons. The first fields are the old day-class shape.
 */
export const KioskClassT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  institution: Type.String(),
  startsOn: DateT,
  endsOn: DateT,
  /** Old day-sitting classes: the day's hours; timetable classes: null. */
  dailyHours: nullable(Type.Number()),
  roomId: nullable(Type.String()),
  lessons: Type.Array(LessonT),
  /** The lesson a sign-in now would be for (its sign-in window is open), else null. */
  signInLessonId: nullable(Type.String()),
});
export const KioskClassesT = Type.Array(KioskClassT);
export type KioskClass = Static<typeof KioskClassT>;

export const SIGN_ACTIONS = ['check_in', 'check_out'] as const;
export type SignAction = (typeof SIGN_ACTIONS)[number];

/**
 * POST /api/kiosk/training/:classId/lookup (kiosk): `{ source:'typed', idNumber } | { source:'card', cardId }`
 * plus `action` and optionally `lessonId` (absent: a sign-in is for the lesson whose window is open, a
 * sign-out for the lesson the member is signed in to). Accepted → an attempt and its liveness challenge;
 * then the kiosk's own consent, verify, give-up and override calls (docs/kiosk-api.md).
 */
export const TrainingLookupBodyT = Type.Union([
  Type.Object(
    { source: Type.Literal('typed'), idNumber: Type.String({ minLength: 1, maxLength: 40 }), action: oneOf(SIGN_ACTIONS), lessonId: Type.Optional(Id) },
    closed,
  ),
  Type.Object(
    { source: Type.Literal('card'), cardId: Type.String({ minLength: 1, maxLength: 64 }), action: oneOf(SIGN_ACTIONS), lessonId: Type.Optional(Id) },
    closed,
  ),
]);
export type TrainingLookupBody = Static<typeof TrainingLookupBodyT>;

export const TRAINING_REFUSALS = [
  'bad_id_number',
  'unknown_card',
  'not_a_member',
  'class_not_today',
  /** No lesson's sign-in window is open now (too early, between lessons, or the day's lessons are over). */
  'no_lesson_open',
  /** The named lesson's window is not open (before signInOpensAt or after signOutClosesAt). */
  'window_closed',
  'already_checked_in',
  'not_checked_in',
  'already_checked_out',
  'excused',
] as const;
export type TrainingRefusal = (typeof TRAINING_REFUSALS)[number];

export const FaceNoticeLiteT = Type.Object({ version: Type.String(), sha256: Type.String(), text: Type.String() });

export const TrainingLookupReplyT = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    attemptId: Type.String(),
    expiresAt: Instant,
    action: oneOf(SIGN_ACTIONS),
    challenge: Type.String(),
    member: Type.Object({ name: Type.String(), idNumberMasked: Type.String(), photoUrl: nullable(Type.String()), hasPhoto: Type.Boolean() }),
    class: Type.Object({ id: Type.String(), name: Type.String(), institution: Type.String() }),
    lesson: LessonT,
    /** kiosk/protocol.ts ConsentAskT (asked once per class). */
    consent: Type.Unknown(),
  }),
  Type.Object({
    ok: Type.Literal(false),
    reason: oneOf(TRAINING_REFUSALS),
    detail: Type.String(),
    message: Type.String(),
    member: nullable(Type.Object({ name: Type.String(), idNumberMasked: Type.String() })),
    /** The next lesson whose sign-in opens later today, for "sign-in opens at 08:00". */
    nextLesson: Type.Optional(nullable(LessonT)),
  }),
]);
export type TrainingLookupReply = Static<typeof TrainingLookupReplyT>;

/**
 * A sign-in or sign-out recorded: POST /api/kiosk/attempts/:id/verify (face) or …/override (the class's
 * 班主任, or an admin, confirmed a member who declined face recognition; `by` is set). On a sign-out,
 * `teacherId` and `lastLessonOfTeacher` let the kiosk offer the rating of that teacher.
 */
export const TrainingSignedT = Type.Object({
  ok: Type.Literal(true),
  decision: oneOf(['checked_in', 'checked_out'] as const),
  attemptId: Type.String(),
  at: Instant,
  lessonId: Type.String(),
  topic: Type.String(),
  teacherId: nullable(Type.String()),
  teacherName: nullable(Type.String()),
  lastLessonOfTeacher: Type.Boolean(),
  lateMinutes: nullable(Type.Integer()),
  earlyMinutes: nullable(Type.Integer()),
  /** The 学时 this lesson credits: null on a sign-in, known at the sign-out. */
  hours: nullable(Type.Number()),
  /** The class's credited 学时 so far. */
  totalHours: Type.Number(),
  distance: Type.Optional(nullable(Type.Number())),
  threshold: Type.Optional(Type.Number()),
  by: Type.Optional(Type.String()),
});
export type TrainingSigned = Static<typeof TrainingSignedT>;
