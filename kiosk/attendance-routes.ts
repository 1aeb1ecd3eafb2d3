// HTTP routes of training attendance: admins create classes and import members; the kiosk checks members
// in and out (the face goes through /api/kiosk/attempts/:id/verify); staff read hours and absences.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { ValidationError } from '../core/index.ts';
import type { AttendanceService } from './attendance.ts';
import type { IdentityService } from './service/index.ts';
import { kioskOf } from './routes.ts';

const closed = { additionalProperties: false } as const;
const ClassId = Type.Object({ classId: Type.String({ minLength: 1, maxLength: 64 }) }, closed);
const IdNumber = Type.String({ minLength: 1, maxLength: 40 });
const Action = Type.Union([Type.Literal('check_in'), Type.Literal('check_out')]);

export const attendanceRoutes: FastifyPluginAsync<{ attendance: AttendanceService; identity: IdentityService }> = async (app, { attendance, identity }) => {
  const tags = ['training'];
  const admin = { roles: ['admin' as const] };
  const staff = { roles: ['admin' as const, 'invigilator' as const] };
  const kioskOnly = { roles: ['kiosk' as const] };

  app.post(
    '/api/training/classes',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create a training class (培训班): dates and the scheduled hours of each day',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            institution: Type.String({ minLength: 1, maxLength: 100 }),
            startsOn: Type.String({ maxLength: 10, description: 'YYYY-MM-DD' }),
            endsOn: Type.String({ maxLength: 10, description: 'YYYY-MM-DD, inclusive' }),
            dailyHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 }),
          },
          closed,
        ),
      },
    },
    async (request, reply) =>
      reply.status(201).send(attendance.createClass(request.body as Parameters<AttendanceService['createClass']>[0], request.actor, request.ip)),
  );

  app.get('/api/training/classes', { config: staff, schema: { tags, summary: 'Training classes' } }, async () => attendance.listClasses());

  app.get('/api/training/classes/:classId/members', { config: staff, schema: { tags, summary: "A class's members", params: ClassId } }, async (request) =>
    attendance
      .members((request.params as { classId: string }).classId)
      .map((m) => ({ ...m, idNumber: `${m.idNumber.slice(0, 6)}********${m.idNumber.slice(-4)}` })),
  );

  app.addContentTypeParser(
    ['text/csv', 'application/octet-stream', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    { parseAs: 'buffer', bodyLimit: 50 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  app.post(
    '/api/training/classes/:classId/members',
    {
      config: admin,
      bodyLimit: 50 * 1024 * 1024,
      schema: {
        tags,
        summary:
          'Import members: the body is an .xlsx, .csv (UTF-8 or GB18030) or .json file with 身份证号, 姓名 and optionally 照片 (a file in the `photos` folder on the server); all or nothing',
        params: ClassId,
        querystring: Type.Object(
          { filename: Type.String({ minLength: 1, maxLength: 255 }), photos: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) },
          closed,
        ),
      },
    },
    async (request) => {
      const { classId } = request.params as { classId: string };
      const q = request.query as { filename: string; photos?: string };
      const body = request.body;
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? ''));
      const dir = q.photos ? resolve(q.photos) : null;
      if (dir && !(existsSync(dir) && statSync(dir).isDirectory())) throw new ValidationError([{ path: 'photos', problem: 'is not a folder', got: q.photos }]);
      const readPhoto = (name: string): Buffer | string => {
        if (!dir) return 'names a photo, but no photo folder was given (?photos=DIR)';
        if (name !== basename(name)) return 'must be a file name in the photo folder, without a path';
        const file = join(dir, name);
        if (!existsSync(file)) return `no such file in the photo folder ${dir}`;
        return readFileSync(file);
      };
      return attendance.addMembers(classId, await attendance.parseMembersFile(bytes, q.filename, readPhoto), request.actor, request.ip);
    },
  );

  app.get(
    '/api/training/classes/:classId/hours',
    { config: staff, schema: { tags, summary: 'Attended hours per member and for the class', params: ClassId } },
    async (request) => attendance.hours((request.params as { classId: string }).classId),
  );

  app.get(
    '/api/training/classes/:classId/absences',
    { config: staff, schema: { tags, summary: 'Absences per day (JSON), for the district-office report', params: ClassId } },
    async (request) => attendance.absences((request.params as { classId: string }).classId),
  );

  app.get(
    '/api/training/classes/:classId/absences.csv',
    { config: staff, schema: { tags, summary: 'Absences per day as a CSV download (UTF-8 with BOM, opens in Excel)', params: ClassId } },
    async (request, reply) => {
      const { classId } = request.params as { classId: string };
      const csv = attendance.absencesCsv(classId);
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="absences-${classId}.csv"`).send(csv);
    },
  );

  // ---- kiosk ------------------------------------------------------------------------------------------

  app.get(
    '/api/kiosk/training',
    { config: kioskOnly, schema: { tags, summary: "Today's training classes, for the kiosk's attendance screen" } },
    async (request) => {
      kioskOf(request);
      return attendance.todaysClasses();
    },
  );

  app.post(
    '/api/kiosk/training/:classId/lookup',
    {
      config: kioskOnly,
      schema: {
        tags,
        summary: 'Check-in or check-out: look the member up; accepted → an attempt and its liveness challenge (verify with /api/kiosk/attempts/:id/verify)',
        params: ClassId,
        body: Type.Union([
          Type.Object({ source: Type.Literal('typed'), idNumber: IdNumber, action: Action }, closed),
          Type.Object({ source: Type.Literal('card'), cardId: Type.String({ minLength: 1, maxLength: 64 }), action: Action }, closed),
        ]),
      },
    },
    async (request) => {
      const { classId } = request.params as { classId: string };
      return attendance.lookup(kioskOf(request), classId, request.body as Parameters<AttendanceService['lookup']>[2]);
    },
  );
  void identity;
};
