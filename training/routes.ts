// HTTP routes of training (docs/training.md): thin handlers over the service — who is calling, the call,
// the reply by training/protocol.ts. Admin: everything; headteacher (班主任): only their own classes, which
// the service checks on every call (another's class is "no such class"); invigilator: reads.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorReply, Forbidden, NOT_AN_EVENT_STREAM, ValidationError, openEventStream, wantsEventStream } from '../core/index.ts';
import {
  AbsencesT,
  AnnualHoursT,
  AttendanceViewT,
  ClassDetailT,
  ClassHoursT,
  ClassParamsT,
  ClassPatchT,
  ClassT,
  CorrectionT,
  EligibilityT,
  KioskClassesT,
  LessonCancelT,
  LessonParamsT,
  LessonPatchT,
  LessonT,
  LessonVideoT,
  MemberParamsT,
  MembersImportQueryT,
  MembersImportReplyT,
  MemberT,
  NewClassT,
  NewCorrectionT,
  NewLessonT,
  NewMemberT,
  NewTeacherT,
  PersonParamsT,
  SessionClassReplyT,
  SessionClassT,
  SessionParamsT,
  TeacherParamsT,
  TeacherPatchT,
  TeacherT,
  TimetableImportQueryT,
  TimetableImportReplyT,
  TrainingLookupBodyT,
  TrainingLookupReplyT,
  type ClassPatch,
  type LessonPatch,
  type NewClass,
  type NewCorrection,
  type NewLesson,
  type NewMember,
  type NewTeacher,
  type TeacherPatch,
  type TrainingLookupBody,
} from './protocol.ts';
import type { Viewer } from './model.ts';
import type { TrainingService } from './service.ts';

const closed = { additionalProperties: false } as const;
const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };
const tags = ['training'];
const admin = { roles: ['admin' as const] };
const managers = { roles: ['admin' as const, 'headteacher' as const] };
const readers = { roles: ['admin' as const, 'headteacher' as const, 'invigilator' as const] };
const kioskOnly = { roles: ['kiosk' as const] };

function viewer(request: FastifyRequest): Viewer {
  const p = request.principal;
  return p?.kind === 'user' ? { role: p.role, username: p.user.username } : { role: p?.role ?? 'anonymous', username: null };
}

function kioskOf(request: FastifyRequest): string {
  const p = request.principal;
  if (p?.kind !== 'device' || p.role !== 'kiosk') throw new Forbidden('kiosk routes are for a paired kiosk');
  return p.device.id;
}

/** What the exam engine says of a session: that it exists and when it starts, and its roster for the hours check. */
export interface SessionLookup {
  session(sessionId: string): { id: string; startsAt: number } | null;
  roster(sessionId: string): {
    row: null;
    idNumber: string;
    name: string;
    category: 'principal' | 'safety_manager' | 'special_operation';
    operationClass: string | null;
    industry: string;
    institution: string | null;
    hours: null;
  }[];
  /** The recorded sources of a room and how much of [from, to) they hold (media/). */
  recordings(roomId: string, from: number, to: number): { id: string; name: string; segments: number; seconds: number }[];
}

export const trainingRoutes: FastifyPluginAsync<{ training: TrainingService; sessions: SessionLookup }> = async (app, { training: t, sessions }) => {
  const body = <T>(r: FastifyRequest) => r.body as T;
  const params = <T>(r: FastifyRequest) => r.params as T;

  // ---- classes --------------------------------------------------------------------------------------

  app.get(
    '/api/training/classes',
    { config: readers, schema: { tags, summary: 'Training classes (a 班主任 sees only their own)', response: { 200: Type.Array(ClassT), ...errors } } },
    async (request) => t.classes.list(viewer(request)),
  );

  app.post(
    '/api/training/classes',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create a training class (培训班): category, operation item, room, dates, required hours (from the rules unless given), 班主任',
        body: NewClassT,
        response: { 201: ClassT, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(t.classes.create(body<NewClass>(request), request.actor, request.ip)),
  );

  app.get(
    '/api/training/classes/:classId',
    {
      config: readers,
      schema: {
        tags,
        summary: 'A class with its timetable, exam sessions and open problems',
        params: ClassParamsT,
        response: { 200: ClassDetailT, ...errors },
      },
    },
    async (request) => t.detail(viewer(request), params<{ classId: string }>(request).classId),
  );

  app.patch(
    '/api/training/classes/:classId',
    { config: admin, schema: { tags, summary: 'Change a class', params: ClassParamsT, body: ClassPatchT, response: { 200: ClassT, ...errors } } },
    async (request) => t.classes.patch(viewer(request), params<{ classId: string }>(request).classId, body<ClassPatch>(request), request.actor, request.ip),
  );

  // ---- teachers -------------------------------------------------------------------------------------

  app.get(
    '/api/training/teachers',
    {
      config: readers,
      schema: {
        tags,
        summary: "The site's teachers (师资); ?all=1 includes retired ones",
        querystring: Type.Object({ all: Type.Optional(Type.Union([Type.Literal('0'), Type.Literal('1')])) }, closed),
        response: { 200: Type.Array(TeacherT), ...errors },
      },
    },
    async (request) => t.classes.teachers({ all: (request.query as { all?: string }).all === '1' }),
  );

  app.post(
    '/api/training/teachers',
    { config: managers, schema: { tags, summary: 'Add a teacher', body: NewTeacherT, response: { 201: TeacherT, ...errors } } },
    async (request, reply) => reply.status(201).send(t.classes.addTeacher(body<NewTeacher>(request), request.actor, request.ip)),
  );

  app.patch(
    '/api/training/teachers/:teacherId',
    {
      config: managers,
      schema: { tags, summary: 'Change or retire a teacher', params: TeacherParamsT, body: TeacherPatchT, response: { 200: TeacherT, ...errors } },
    },
    async (request) => t.classes.patchTeacher(params<{ teacherId: string }>(request).teacherId, body<TeacherPatch>(request), request.actor, request.ip),
  );

  // ---- timetable ------------------------------------------------------------------------------------

  app.get(
    '/api/training/classes/:classId/lessons',
    {
      config: readers,
      schema: {
        tags,
        summary: "A class's timetable (cancelled lessons included, marked)",
        params: ClassParamsT,
        response: { 200: Type.Array(LessonT), ...errors },
      },
    },
    async (request) => t.timetable.views(t.model.classFor(viewer(request), params<{ classId: string }>(request).classId)),
  );

  app.post(
    '/api/training/classes/:classId/lessons',
    { config: managers, schema: { tags, summary: 'Add a lesson', params: ClassParamsT, body: NewLessonT, response: { 201: LessonT, ...errors } } },
    async (request, reply) =>
      reply
        .status(201)
        .send(t.timetable.add(viewer(request), params<{ classId: string }>(request).classId, body<NewLesson>(request), request.actor, request.ip)),
  );

  app.patch(
    '/api/training/classes/:classId/lessons/:lessonId',
    {
      config: managers,
      schema: {
        tags,
        summary: 'Change a lesson (its times only while nobody has signed in)',
        params: LessonParamsT,
        body: LessonPatchT,
        response: { 200: LessonT, ...errors },
      },
    },
    async (request) => {
      const p = params<{ classId: string; lessonId: string }>(request);
      return t.timetable.update(viewer(request), p.classId, p.lessonId, body<LessonPatch>(request), request.actor, request.ip);
    },
  );

  app.delete(
    '/api/training/classes/:classId/lessons/:lessonId',
    {
      config: managers,
      schema: {
        tags,
        summary: 'Remove a lesson nobody signed in to, or cancel (keep) one with sign-ins; the reason is audited',
        params: LessonParamsT,
        body: LessonCancelT,
        response: { 200: Type.Object({ lessonId: Type.String(), removed: Type.Boolean(), cancelled: Type.Boolean() }), ...errors },
      },
    },
    async (request) => {
      const p = params<{ classId: string; lessonId: string }>(request);
      return t.timetable.remove(viewer(request), p.classId, p.lessonId, body<{ reason: string }>(request).reason, request.actor, request.ip);
    },
  );

  app.addContentTypeParser(
    ['text/csv', 'application/octet-stream', 'application/zip', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    { parseAs: 'buffer', bodyLimit: 50 * 1024 * 1024 },
    (_req, b, done) => done(null, b),
  );
  const bytesOf = (b: unknown) => (Buffer.isBuffer(b) ? b : Buffer.from(typeof b === 'string' ? b : JSON.stringify(b ?? '')));

  app.post(
    '/api/training/classes/:classId/timetable',
    {
      config: managers,
      bodyLimit: 10 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Import the timetable: the body is an .xlsx or .csv (日期, 开始, 结束, 课程, 教师, 学时, 教室); every bad row named; all or nothing',
        params: ClassParamsT,
        querystring: TimetableImportQueryT,
        response: { 200: TimetableImportReplyT, ...errors },
      },
    },
    async (request) => {
      const q = request.query as { filename: string; replace?: string; dryRun?: string };
      return t.timetable.importFile(
        viewer(request),
        params<{ classId: string }>(request).classId,
        { bytes: bytesOf(request.body), filename: q.filename },
        { replace: q.replace === '1', dryRun: q.dryRun === '1' },
        request.actor,
        request.ip,
      );
    },
  );

  // ---- members --------------------------------------------------------------------------------------

  app.get(
    '/api/training/classes/:classId/members',
    {
      config: readers,
      schema: { tags, summary: "A class's members with their photos' enrolment", params: ClassParamsT, response: { 200: Type.Array(MemberT), ...errors } },
    },
    async (request) => t.members.list(viewer(request), params<{ classId: string }>(request).classId),
  );

  app.post(
    '/api/training/classes/:classId/members',
    {
      config: managers,
      bodyLimit: 50 * 1024 * 1024,
      schema: {
        tags,
        summary:
          'Import members: the body is an .xlsx, .csv, .json (身份证号, 姓名, 工作单位, 照片) or a .zip of one with the photos; checked as rosters are; all or nothing',
        params: ClassParamsT,
        querystring: MembersImportQueryT,
        response: { 200: MembersImportReplyT, ...errors },
      },
    },
    async (request) => {
      const q = request.query as { filename: string; photos?: string };
      // A photo folder on the server is for admins' scripts (the old route); a 班主任 uploads a zip.
      if (q.photos && viewer(request).role !== 'admin')
        throw new Forbidden('a photo folder on the server is for admins; upload the members and photos as one .zip');
      const dir = q.photos ? resolve(q.photos) : null;
      if (dir && !(existsSync(dir) && statSync(dir).isDirectory())) throw new ValidationError([{ path: 'photos', problem: 'is not a folder', got: q.photos }]);
      const inputs = await t.members.parseFile(bytesOf(request.body), q.filename, dir);
      return t.members.add(viewer(request), params<{ classId: string }>(request).classId, inputs, request.actor, request.ip);
    },
  );

  app.post(
    '/api/training/classes/:classId/members/one',
    {
      config: managers,
      bodyLimit: 10 * 1024 * 1024,
      schema: { tags, summary: 'Add one member (photo as base64)', params: ClassParamsT, body: NewMemberT, response: { 201: MemberT, ...errors } },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(t.members.addOne(viewer(request), params<{ classId: string }>(request).classId, body<NewMember>(request), request.actor, request.ip)),
  );

  app.get(
    '/api/training/classes/:classId/members/:idNumber/photo',
    { config: readers, schema: { tags, summary: "A member's registration photo", params: MemberParamsT } },
    async (request, reply) => {
      const p = params<{ classId: string; idNumber: string }>(request);
      const photo = t.members.photo(viewer(request), p.classId, p.idNumber);
      if (!photo) return reply.status(404).send({ error: 'not_found', message: 'no photo for this member' });
      return reply.header('content-type', photo.type).header('cache-control', 'private, no-store').send(photo.bytes);
    },
  );

  // ---- attendance, corrections, hours ---------------------------------------------------------------

  app.get(
    '/api/training/classes/:classId/attendance',
    {
      config: readers,
      schema: {
        tags,
        summary: 'Live attendance of one lesson (default: the one running now): who is in, late, missing; ?since=VERSION answers 304 when unchanged',
        params: ClassParamsT,
        querystring: Type.Object({ lessonId: Type.Optional(Type.String({ maxLength: 64 })), since: Type.Optional(Type.String({ maxLength: 100 })) }, closed),
        response: { 200: AttendanceViewT, ...errors },
      },
    },
    async (request, reply) => {
      const { classId } = params<{ classId: string }>(request);
      const q = request.query as { lessonId?: string; since?: string };
      const v = viewer(request);
      t.model.classFor(v, classId);
      if (q.since && q.since === t.attendance.version(classId)) return reply.status(304).send();
      return t.attendance.attendanceView(v, classId, q.lessonId);
    },
  );

  app.get(
    '/api/training/classes/:classId/attendance/stream',
    {
      config: readers,
      schema: { tags, summary: 'Server-sent events: `change` { version } at every sign-in, sign-out, correction or timetable change', params: ClassParamsT },
    },
    async (request, reply) => {
      const { classId } = params<{ classId: string }>(request);
      t.model.classFor(viewer(request), classId);
      if (!wantsEventStream(request.headers.accept)) return reply.status(406).send(NOT_AN_EVENT_STREAM);
      reply.hijack();
      const stream = openEventStream(request.raw, reply.raw);
      const send = () => stream.send('change', { version: t.attendance.version(classId) });
      const offs = [
        t.bus.on('training.attendance', (e) => e.classId === classId && send()),
        t.bus.on('training.timetable', (e) => e.classId === classId && send()),
      ];
      stream.onEnd(() => {
        for (const off of offs) off();
      });
      send();
    },
  );

  app.get(
    '/api/training/classes/:classId/corrections',
    {
      config: readers,
      schema: {
        tags,
        summary: 'Corrections and justified absences, oldest first',
        params: ClassParamsT,
        response: { 200: Type.Array(CorrectionT), ...errors },
      },
    },
    async (request) => t.attendance.corrections(viewer(request), params<{ classId: string }>(request).classId),
  );

  app.post(
    '/api/training/classes/:classId/corrections',
    {
      config: managers,
      schema: {
        tags,
        summary: 'Enter a presence, a justified absence (请假) or withdraw the last correction, with a reason (audited; sign-ins are never changed)',
        params: ClassParamsT,
        body: NewCorrectionT,
        response: { 201: CorrectionT, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(t.attendance.correct(viewer(request), params<{ classId: string }>(request).classId, body<NewCorrection>(request), request.actor, request.ip)),
  );

  app.get(
    '/api/training/classes/:classId/hours',
    {
      config: readers,
      schema: { tags, summary: 'Credited 学时 per trainee per lesson and for the class', params: ClassParamsT, response: { 200: ClassHoursT, ...errors } },
    },
    async (request) => t.attendance.classHours(viewer(request), params<{ classId: string }>(request).classId),
  );

  app.get(
    '/api/training/classes/:classId/absences',
    {
      config: readers,
      schema: {
        tags,
        summary: 'Who did not attend in full, per lesson held (missing, late, left early, no sign-out, excused)',
        params: ClassParamsT,
        response: { 200: AbsencesT, ...errors },
      },
    },
    async (request) => t.attendance.absences(viewer(request), params<{ classId: string }>(request).classId),
  );

  app.get(
    '/api/training/classes/:classId/absences.csv',
    { config: readers, schema: { tags, summary: 'The same as a CSV download (UTF-8 with BOM, opens in Excel)', params: ClassParamsT } },
    async (request, reply) => {
      const { classId } = params<{ classId: string }>(request);
      const csv = t.attendance.absencesCsv(viewer(request), classId);
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="absences-${classId}.csv"`).send(csv);
    },
  );

  app.get(
    '/api/training/people/:idNumber/hours',
    {
      config: readers,
      schema: {
        tags,
        summary: 'Annual 学时 of one ID number across the classes held here (calendar year of the lessons)',
        params: PersonParamsT,
        querystring: Type.Object({ year: Type.Optional(Type.String({ pattern: '^\\d{4}$' })) }, closed),
        response: { 200: AnnualHoursT, ...errors },
      },
    },
    async (request) => {
      const y = (request.query as { year?: string }).year;
      return t.attendance.annualHours(viewer(request), params<{ idNumber: string }>(request).idNumber, y ? Number(y) : t.thisYear());
    },
  );

  app.get(
    '/api/training/classes/:classId/lessons/:lessonId/video',
    {
      config: readers,
      schema: {
        tags,
        summary: "A lesson's recording window and the room's recorded sources",
        params: LessonParamsT,
        response: { 200: LessonVideoT, ...errors },
      },
    },
    async (request) => {
      const p = params<{ classId: string; lessonId: string }>(request);
      const c = t.model.classFor(viewer(request), p.classId);
      t.timetable.lessonOf(c, p.lessonId);
      const w = t.windows.windowOf(p.lessonId)!;
      return {
        lessonId: p.lessonId,
        roomId: w.room,
        from: new Date(w.start).toISOString(),
        to: new Date(w.end).toISOString(),
        sources: w.room ? sessions.recordings(w.room, w.start, w.end) : [],
      };
    },
  );

  // ---- from training to the exam --------------------------------------------------------------------

  app.put(
    '/api/training/sessions/:sessionId/class',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Name the class held here that an exam session’s candidates come from (null: none)',
        params: SessionParamsT,
        body: SessionClassT,
        response: { 200: SessionClassReplyT, ...errors },
      },
    },
    async (request) => {
      const { sessionId } = params<{ sessionId: string }>(request);
      return t.eligibility.linkSession(
        sessionId,
        body<{ classId: string | null }>(request).classId,
        sessions.session(sessionId) !== null,
        request.actor,
        request.ip,
      );
    },
  );

  app.get(
    '/api/training/sessions/:sessionId/eligibility',
    {
      config: { roles: ['admin' as const, 'invigilator' as const] },
      schema: {
        tags,
        summary: "Each candidate's training hours against the rule; who falls short",
        params: SessionParamsT,
        response: { 200: EligibilityT, ...errors },
      },
    },
    async (request) => {
      const { sessionId } = params<{ sessionId: string }>(request);
      const s = sessions.session(sessionId);
      if (!s) throw new ValidationError([{ path: 'sessionId', problem: 'no such exam session', got: sessionId }]);
      return t.eligibility.ofSession(s, sessions.roster(sessionId));
    },
  );

  // ---- the kiosk ------------------------------------------------------------------------------------

  app.get(
    '/api/kiosk/training',
    {
      config: kioskOnly,
      schema: {
        tags,
        summary: "Today's classes in this kiosk's rooms, with today's lessons and the one sign-in is open for",
        response: { 200: KioskClassesT, ...errors },
      },
    },
    async (request) => t.signIn.todaysClasses(kioskOf(request)),
  );

  app.post(
    '/api/kiosk/training/:classId/lookup',
    {
      config: kioskOnly,
      schema: {
        tags,
        summary:
          'Sign in to or out of a lesson: look the member up; accepted → an attempt and its liveness challenge (then the kiosk’s consent, verify, give-up, override)',
        params: ClassParamsT,
        body: TrainingLookupBodyT,
        response: { 200: TrainingLookupReplyT, ...errors },
      },
    },
    async (request) => t.signIn.lookup(kioskOf(request), params<{ classId: string }>(request).classId, body<TrainingLookupBody>(request)),
  );
};
