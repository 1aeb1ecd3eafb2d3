// HTTP of the district report, the teacher ratings and the class file (contracts in training/report/,
// training/ratings/ and training/archive/protocol.ts, which list every route and who may call it). A
// 班主任 reaches only their own classes: another's answers 404, the core's rule (model.classFor).
import { createReadStream } from 'node:fs';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorReply, Forbidden } from '../../core/index.ts';
import { jobView } from '../../documents/index.ts';
import type { Viewer } from '../model.ts';
import { ClassParamsT, TeacherParamsT } from '../protocol.ts';
import { renderReportPdf, renderReportXlsx } from '../report/documents.ts';
import { DistrictReportReplyT, ReportNoteBodyT, type ReportNoteBody } from '../report/protocol.ts';
import {
  ClassRatingsT,
  IssueTokenBodyT,
  RateBodyT,
  RatingDoneT,
  RatingOfferBodyT,
  RatingOfferT,
  RatingTicketBodyT,
  RatingTicketT,
  RatingTokenT,
  TeacherRatingsQueryT,
  TeacherRatingsT,
  type IssueTokenBody,
  type RateBody,
  type RatingOfferBody,
  type RatingTicketBody,
  type TeacherRatingsQuery,
} from '../ratings/protocol.ts';
import type { ClassRecords } from './index.ts';
import { ClassArchiveViewT, JobViewT, StartClassArchiveBodyT, type ClassArchiveView, type StartClassArchiveBody } from './protocol.ts';
import type { ClassArchive } from './service.ts';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };
const tags = ['training'];
const admin = { roles: ['admin' as const] };
const managers = { roles: ['admin' as const, 'headteacher' as const] };
const kioskOnly = { roles: ['kiosk' as const] };
const open = { roles: ['public' as const] };

function viewer(request: FastifyRequest): Viewer {
  const p = request.principal;
  return p?.kind === 'user' ? { role: p.role, username: p.user.username } : { role: p?.role ?? 'anonymous', username: null };
}

function person(request: FastifyRequest) {
  const p = request.principal;
  if (p?.kind !== 'user') throw new Forbidden('the district report is signed and annotated by staff');
  return { username: p.user.username, displayName: p.user.displayName };
}

function kioskOf(request: FastifyRequest): string {
  const p = request.principal;
  if (p?.kind !== 'device' || p.role !== 'kiosk') throw new Forbidden('kiosk routes are for a paired kiosk');
  return p.device.id;
}

/** A file to download; the name in ASCII for old clients and in UTF-8 for the rest. */
function sendFile(reply: FastifyReply, bytes: Buffer, type: string, asciiName: string, name: string, disposition: 'inline' | 'attachment') {
  return reply
    .type(type)
    .header('cache-control', 'no-store')
    .header('content-disposition', `${disposition}; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`)
    .send(bytes);
}

export function classArchiveView(a: ClassArchive): ClassArchiveView {
  return { ...a, createdAt: new Date(a.createdAt).toISOString(), retentionUntil: new Date(a.retentionUntil).toISOString() };
}

export const classRecordsRoutes: FastifyPluginAsync<{ records: ClassRecords }> = async (app, { records }) => {
  const { reports, ratings, archives, training } = records;
  const { audit, config, clock } = records.deps;
  /** 404 for an unknown class or another 班主任's. */
  const classFor = (request: FastifyRequest) => training.model.classFor(viewer(request), (request.params as { classId: string }).classId);

  // ── The district report ─────────────────────────────────────────────────────────────────────
  app.get(
    '/api/training/classes/:classId/report',
    {
      config: managers,
      schema: {
        tags,
        summary: 'The district report: open (live) or as signed, with its notes',
        params: ClassParamsT,
        response: { 200: DistrictReportReplyT, ...errors },
      },
    },
    async (request) => reports.get(classFor(request).id),
  );

  for (const format of ['pdf', 'xlsx'] as const) {
    app.get(
      `/api/training/classes/:classId/report.${format}`,
      {
        config: managers,
        schema: {
          tags,
          summary: `The district report as ${format === 'pdf' ? 'an A4 PDF' : 'an .xlsx'} (names and ID numbers: each print is audited)`,
          params: ClassParamsT,
          response: errors,
        },
      },
      async (request, reply) => {
        const c = classFor(request);
        const r = reports.get(c.id);
        const o = { timezone: config.site.timezone, now: clock.now() };
        const bytes = format === 'pdf' ? await renderReportPdf(r, o) : await renderReportXlsx(r, o);
        audit.append({
          actor: request.actor,
          action: 'training.report.print',
          target: c.id,
          detail: { format, state: r.state, sha256: r.sha256, bytes: bytes.length },
          ip: request.ip,
        });
        const type = format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
        return sendFile(
          reply,
          bytes,
          type,
          `training-report-${c.id}.${format}`,
          `培训考勤报告-${c.name}.${format}`,
          format === 'pdf' ? 'inline' : 'attachment',
        );
      },
    );
  }

  app.post(
    '/api/training/classes/:classId/report/sign-off',
    {
      config: managers,
      schema: {
        tags,
        summary: "The class's 班主任 signs the district report once the last lesson has ended; it is frozen from then on (audited)",
        params: ClassParamsT,
        response: { 200: DistrictReportReplyT, ...errors },
      },
    },
    async (request) => reports.signOff(classFor(request).id, person(request), request.ip),
  );

  app.post(
    '/api/training/classes/:classId/report/notes',
    {
      config: managers,
      schema: {
        tags,
        summary: 'Append a note to the district report (never edited; after the sign-off shown apart; audited)',
        params: ClassParamsT,
        body: ReportNoteBodyT,
        response: { 200: DistrictReportReplyT, ...errors },
      },
    },
    async (request) => reports.addNote(classFor(request).id, person(request), (request.body as ReportNoteBody).text, request.ip),
  );

  // ── Teacher ratings ─────────────────────────────────────────────────────────────────────────
  app.post(
    '/api/kiosk/training/ratings/offer',
    {
      config: kioskOnly,
      schema: {
        tags,
        summary: 'After a sign-out at this kiosk: a one-time rating token for each teacher whose last lesson the trainee has left and attended',
        body: RatingOfferBodyT,
        response: { 200: RatingOfferT, ...errors },
      },
    },
    async (request) => ratings.offer(kioskOf(request), (request.body as RatingOfferBody).attemptId),
  );

  app.post(
    '/api/kiosk/training/ratings',
    {
      config: kioskOnly,
      schema: { tags, summary: 'Rate a teacher at the kiosk with a token it was offered', body: RateBodyT, response: { 200: RatingDoneT, ...errors } },
    },
    async (request) => {
      const b = request.body as RateBody;
      return ratings.rate(b.token, b.score, b.comment, 'kiosk', request.actor, request.ip);
    },
  );

  app.post(
    '/api/training/rate/ticket',
    {
      config: open,
      schema: {
        tags,
        summary: 'The phone rating page: what a rating code is for (no account; the code is the credential)',
        body: RatingTicketBodyT,
        response: { 200: RatingTicketT, ...errors },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return ratings.ticket((request.body as RatingTicketBody).token);
    },
  );

  app.post(
    '/api/training/rate',
    {
      config: open,
      schema: { tags, summary: 'Rate a teacher from the phone with a one-time rating code', body: RateBodyT, response: { 200: RatingDoneT, ...errors } },
    },
    async (request) => {
      const b = request.body as RateBody;
      return ratings.rate(b.token, b.score, b.comment, 'phone', 'anonymous', request.ip);
    },
  );

  app.get(
    '/api/training/classes/:classId/ratings',
    {
      config: managers,
      schema: {
        tags,
        summary: "The class's ratings per teacher: figures and comments, no rater named",
        params: ClassParamsT,
        response: { 200: ClassRatingsT, ...errors },
      },
    },
    async (request) => ratings.ofClass(classFor(request).id),
  );

  app.post(
    '/api/training/classes/:classId/ratings/tokens',
    {
      config: managers,
      schema: {
        tags,
        summary: 'A rating code for a trainee who attended the teacher’s lessons (refused for anyone who did not); audited',
        params: ClassParamsT,
        body: IssueTokenBodyT,
        response: { 200: RatingTokenT, ...errors },
      },
    },
    async (request) => {
      const c = training.model.classToManage(viewer(request), (request.params as { classId: string }).classId);
      const b = request.body as IssueTokenBody;
      return ratings.issue(c.id, b.idNumber, b.teacherId, request.actor, request.ip);
    },
  );

  app.get(
    '/api/training/teachers/:teacherId/ratings',
    {
      config: admin,
      schema: {
        tags,
        summary: "One teacher's ratings over time: per class and overall, no rater named",
        params: TeacherParamsT,
        querystring: TeacherRatingsQueryT,
        response: { 200: TeacherRatingsT, ...errors },
      },
    },
    async (request) => ratings.ofTeacher((request.params as { teacherId: string }).teacherId, request.query as TeacherRatingsQuery),
  );

  // ── The class file (一期一档) ────────────────────────────────────────────────────────────────
  app.post(
    '/api/training/classes/:classId/archive',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Make the class file (一期一档) as a job; answers the job id at once. A second one is a new version; the old one is kept',
        params: ClassParamsT,
        body: Type.Optional(StartClassArchiveBodyT),
        response: { 202: JobViewT, ...errors },
      },
    },
    async (request, reply) => {
      const c = classFor(request);
      const body = (request.body ?? {}) as StartClassArchiveBody;
      return reply.status(202).send(jobView(archives.start(c.id, { withMedia: body.withMedia === true }, request.actor)));
    },
  );

  app.get(
    '/api/training/archives',
    {
      config: managers,
      schema: {
        tags,
        summary: 'The class files made (a 班主任: their classes only)',
        querystring: Type.Object({ classId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }),
        response: { 200: Type.Array(ClassArchiveViewT), ...errors },
      },
    },
    async (request) => {
      const v = viewer(request);
      const { classId } = request.query as { classId?: string };
      if (classId) training.model.classFor(v, classId);
      return archives
        .list(classId)
        .filter((a) => {
          const c = training.model.classRow(a.classId);
          return c !== null && training.model.canSee(v, c);
        })
        .map(classArchiveView);
    },
  );

  app.get(
    '/api/training/archives/:archiveId/file',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Download a class file (each download is audited)',
        params: Type.Object({ archiveId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const { archive, file } = archives.openForDownload((request.params as { archiveId: string }).archiveId, request.actor, request.ip);
      return reply
        .type('application/zip')
        .header('content-length', archive.bytes)
        .header('content-disposition', `attachment; filename="${archive.file}"`)
        .send(createReadStream(file));
    },
  );
};
