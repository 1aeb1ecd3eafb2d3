// The district report (培训班缺勤/未完成学时报告) as the server answers it and the web apps read it:
// TypeBox schemas of its routes, shared by the server and the admin console, so it imports nothing but
// 'typebox'. Routes (all under /api/training/classes/:classId/):
//   GET  report            DistrictReportReplyT   admin, the class's 班主任
//   GET  report.pdf        A4 PDF (CJK)           admin, the class's 班主任 (audited as a print)
//   GET  report.xlsx       .xlsx                  admin, the class's 班主任 (audited as a print)
//   POST report/sign-off   (no body) → DistrictReportReplyT   the class's 班主任 only; once the class has ended
//   POST report/notes      ReportNoteBodyT → DistrictReportReplyT   admin, the class's 班主任; appended, never edited
// Refusals: 404 unknown class, 403 not this class's 班主任, 409 `class_not_ended` (sign-off before the last
// lesson has ended), 409 `already_signed` (the report is frozen once signed).
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const REPORT_FORMAT = 'examroom-training-report/1';

/** A trainee who came but was credited fewer hours than the class requires. */
export const ReportShortT = Type.Object({
  idNumber: Type.String({ description: 'the whole ID number: the district office must be able to identify the person' }),
  name: Type.String(),
  employer: nullable(Type.String()),
  creditedHours: Type.Number(),
  requiredHours: Type.Number(),
  missingHours: Type.Number(),
  lessonsAttended: Type.Integer({ description: 'lessons with any credited time' }),
  lessonsMissed: Type.Array(Type.String({ description: 'YYYY-MM-DD HH:mm topic of each lesson with no credited time' })),
  /** Lessons credited in part (late, left early): 'YYYY-MM-DD HH:mm topic (credited/hours)'. */
  lessonsPartial: Type.Array(Type.String()),
  /** Lessons excused by the 班主任 (请假), same wording as lessonsMissed. */
  lessonsExcused: Type.Array(Type.String()),
});
export type ReportShort = Static<typeof ReportShortT>;

/** A trainee registered in the class who never signed in to any lesson. */
export const ReportAbsentT = Type.Object({
  idNumber: Type.String(),
  name: Type.String(),
  employer: nullable(Type.String()),
  requiredHours: Type.Number(),
});
export type ReportAbsent = Static<typeof ReportAbsentT>;

export const DistrictReportT = Type.Object({
  format: Type.Literal(REPORT_FORMAT),
  class: Type.Object({
    id: Type.String(),
    name: Type.String(),
    institution: Type.String(),
    category: nullable(Type.String({ description: 'personnel category code' })),
    categoryLabel: nullable(Type.String()),
    room: nullable(Type.String()),
    startsOn: Type.String({ description: 'YYYY-MM-DD' }),
    endsOn: Type.String({ description: 'YYYY-MM-DD' }),
    requiredHours: Type.Number(),
    headTeacher: nullable(Type.Object({ username: Type.String(), displayName: Type.String() })),
  }),
  site: Type.Object({ id: Type.String(), name: Type.String() }),
  /** Site-local end of the last lesson, ISO 8601; the report is final only after it. */
  endsAt: nullable(Type.String()),
  counts: Type.Object({
    members: Type.Integer(),
    completed: Type.Integer({ description: 'credited at least the required hours' }),
    short: Type.Integer(),
    neverCame: Type.Integer(),
    lessons: Type.Integer(),
    scheduledHours: Type.Number(),
  }),
  short: Type.Array(ReportShortT),
  neverCame: Type.Array(ReportAbsentT),
  /** Server time the figures were read, ISO 8601 (for a signed report: the sign-off). */
  asOf: Type.String(),
});
export type DistrictReport = Static<typeof DistrictReportT>;

export const ReportNoteT = Type.Object({
  id: Type.String(),
  at: Type.String({ description: 'ISO 8601' }),
  author: Type.Object({ username: Type.String(), displayName: Type.String() }),
  text: Type.String(),
  /** Written after the sign-off: shown apart, outside what was signed. */
  afterSignOff: Type.Boolean(),
});
export type ReportNote = Static<typeof ReportNoteT>;

export const DistrictReportReplyT = Type.Object({
  /** open: rebuilt at each read; signed: frozen at the sign-off, byte for byte. */
  state: Type.Union([Type.Literal('open'), Type.Literal('signed')]),
  /** The class's last lesson has ended: the 班主任 may sign. */
  ended: Type.Boolean(),
  report: DistrictReportT,
  /** SHA-256 (hex) of the frozen text once signed. */
  sha256: nullable(Type.String()),
  signedBy: nullable(Type.Object({ username: Type.String(), displayName: Type.String(), signedAt: Type.String() })),
  notes: Type.Array(ReportNoteT),
  pdfUrl: Type.String(),
  xlsxUrl: Type.String(),
});
export type DistrictReportReply = Static<typeof DistrictReportReplyT>;

export const ReportNoteBodyT = Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
export type ReportNoteBody = Static<typeof ReportNoteBodyT>;
