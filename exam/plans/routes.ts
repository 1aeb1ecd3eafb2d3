// HTTP for exam plans and sessions. Handlers are thin: check who may see which room, call the
// service, shape the reply (instants as ISO text). Changes are admin-only; invigilators read the
// sessions of their rooms; inspectors read plans and sessions of a site in their jurisdiction.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Conflict, ErrorReply, ValidationError, maskIdNumber, iso } from '../../core/index.ts';
import { seatIds, type Config } from '../../config/index.ts';
import { SESSION_STATUSES, PLAN_STATUSES, type ExamSession, type Plan, type PlanStatus, type RosterEntry, type SessionStatus } from './model.ts';
import { assertRoomVisible, visibleRooms } from './access.ts';
import { seatListCsv, seatListHtml } from './seat-list.ts';
import type { PlanService } from './service.ts';
import type { ExamService } from '../index.ts';
import { jobView } from '../../documents/index.ts';
import { JobViewT } from '../../documents/protocol.ts';
import {
  FreeSeatsT,
  GeneratedPapersT,
  NewPlanT,
  NewSessionT,
  PLAN_STATUS_NAMES,
  PlanT,
  ReseatT,
  RosterEntryT,
  RosterImportReplyT,
  AddCandidateT,
  AddCandidateReplyT,
  type AddCandidate,
  type SESSION_STATUS_NAMES,
  SeatsDrawnT,
  SessionT,
} from '../protocol.ts';
import { admissionTicketsPdf, seatListPdf } from './admission-tickets.ts';

// The protocol's status lists are copies (it imports nothing but typebox); these fail to compile when they drift.
const samePlanStatuses: readonly PlanStatus[] = PLAN_STATUS_NAMES satisfies readonly PlanStatus[];
const sameSessionStatuses: readonly (typeof SESSION_STATUS_NAMES)[number][] = SESSION_STATUSES satisfies readonly (typeof SESSION_STATUS_NAMES)[number][];
void samePlanStatuses;
void sameSessionStatuses;

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const literals = (xs: readonly string[]) => Type.Union(xs.map((x) => Type.Literal(x)));

const SummaryT = Type.Object({
  sessionId: Type.String(),
  status: Type.String(),
  roster: Type.Integer(),
  retakes: Type.Integer(),
  seated: Type.Integer(),
  papers: Type.Integer(),
  admitted: Type.Integer(),
  absent: Type.Integer(),
  graded: Type.Integer(),
  passed: Type.Integer(),
  failed: Type.Integer(),
  passRate: Nullable(Type.Number()),
  averageScore: Nullable(Type.Number()),
});

const PlanId = Type.Object({ planId: Type.String({ minLength: 1, maxLength: 64 }) });
const SessionId = Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }) });
const closed = { additionalProperties: false } as const;

function planView(p: Plan & { sessions?: number }) {
  return {
    id: p.id,
    name: p.name,
    from: p.startsOn,
    to: p.endsOn,
    status: p.status,
    createdAt: iso(p.createdAt),
    createdBy: p.createdBy,
    ...(p.sessions === undefined ? {} : { sessions: p.sessions }),
  };
}

function sessionView(config: Config, s: ExamSession) {
  return {
    id: s.id,
    planId: s.planId,
    roomId: s.roomId,
    roomName: config.rooms.find((r) => r.id === s.roomId)?.name ?? s.roomId,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    durationMinutes: s.durationMinutes,
    templateId: s.templateId,
    templateName: s.template.name,
    category: s.template.category,
    operationClass: s.template.operationClass,
    industry: s.template.industry,
    bankVersion: s.bankVersion,
    status: s.status,
    seatSeed: s.seatSeed,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

function entryView(e: RosterEntry, masked: boolean) {
  const { sessionId: _, ...rest } = e;
  return masked ? { ...rest, idNumber: maskIdNumber(e.idNumber) } : rest;
}

/** Only admins see whole ID numbers; everyone else gets the masked form the seat list uses. */
const masks = (request: FastifyRequest) => request.principal?.role !== 'admin';

export const planRoutes: FastifyPluginAsync<{ exam: ExamService }> = async (app, { exam }) => {
  const plans: PlanService = exam.plans;
  const config: Config = exam.deps.config;
  const admin = { roles: ['admin' as const] };
  const planReaders = { roles: ['admin' as const, 'inspector' as const] };
  const sessionReaders = { roles: ['admin' as const, 'invigilator' as const, 'inspector' as const] };
  const rosterReaders = { roles: ['admin' as const, 'invigilator' as const] };
  const tags = ['exam plans'];

  // Rosters arrive as the raw file, like bank imports; a parent scope may have registered this already.
  if (!app.hasContentTypeParser('application/octet-stream')) {
    app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  }

  const sessionFor = (request: FastifyRequest, id: string) => {
    const s = plans.session(id);
    assertRoomVisible(request, config, s.roomId);
    return s;
  };

  app.get(
    '/api/exam/plans',
    { config: planReaders, schema: { tags, summary: 'List exam plans', response: { 200: Type.Array(PlanT), ...errors } } },
    async (request) => {
      visibleRooms(request, config);
      return plans.listPlans().map(planView);
    },
  );

  app.post(
    '/api/exam/plans',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create an exam plan (考试计划)',
        body: NewPlanT,
        response: { 201: PlanT, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(planView(plans.createPlan(request.body as { name: string; from: string; to: string }, request.actor, request.ip))),
  );

  app.get(
    '/api/exam/plans/:planId',
    {
      config: planReaders,
      schema: {
        tags,
        summary: 'An exam plan and its sessions',
        params: PlanId,
        response: { 200: Type.Object({ plan: PlanT, sessions: Type.Array(SessionT) }), ...errors },
      },
    },
    async (request) => {
      visibleRooms(request, config);
      const p = plans.plan((request.params as { planId: string }).planId);
      return { plan: planView(p), sessions: plans.listSessions({ planId: p.id }).map((s) => sessionView(config, s)) };
    },
  );

  app.post(
    '/api/exam/plans/:planId/status',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Move a plan on: scheduled → active → closed → archived',
        params: PlanId,
        body: Type.Object({ status: literals(PLAN_STATUSES) }, closed),
        response: { 200: PlanT, ...errors },
      },
    },
    async (request) =>
      planView(plans.setPlanStatus((request.params as { planId: string }).planId, (request.body as { status: PlanStatus }).status, request.actor, request.ip)),
  );

  app.get(
    '/api/exam/sessions',
    {
      config: sessionReaders,
      schema: {
        tags,
        summary: 'List exam sessions (invigilators see their rooms only)',
        querystring: Type.Object({ planId: Type.Optional(Type.String({ maxLength: 64 })), status: Type.Optional(literals(SESSION_STATUSES)) }, closed),
        response: { 200: Type.Array(SessionT), ...errors },
      },
    },
    async (request) => {
      const q = request.query as { planId?: string; status?: SessionStatus };
      const rooms = visibleRooms(request, config);
      return plans.listSessions({ ...q, ...(rooms ? { roomIds: rooms } : {}) }).map((s) => sessionView(config, s));
    },
  );

  app.post(
    '/api/exam/sessions',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create a session (场次) in a plan; the template is snapshotted into it',
        body: NewSessionT,
        response: { 201: SessionT, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(sessionView(config, plans.createSession(request.body as Parameters<PlanService['createSession']>[0], request.actor, request.ip))),
  );

  app.get(
    '/api/exam/sessions/:sessionId',
    {
      config: sessionReaders,
      schema: {
        tags,
        summary: 'A session with its counts',
        params: SessionId,
        response: { 200: Type.Object({ session: SessionT, summary: SummaryT }), ...errors },
      },
    },
    async (request) => {
      const s = sessionFor(request, (request.params as { sessionId: string }).sessionId);
      return { session: sessionView(config, s), summary: plans.sessionSummary(s.id) };
    },
  );

  app.post(
    '/api/exam/sessions/:sessionId/status',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Move a session on: papers_ready → checkin → in_progress → ended → graded → archived (papers_ready comes from generating papers)',
        params: SessionId,
        body: Type.Object({ status: literals(SESSION_STATUSES) }, closed),
        response: { 200: SessionT, ...errors },
      },
    },
    async (request) =>
      sessionView(
        config,
        plans.advanceSession(
          (request.params as { sessionId: string }).sessionId,
          (request.body as { status: SessionStatus }).status,
          request.actor,
          request.ip,
        ),
      ),
  );

  app.get(
    '/api/exam/sessions/:sessionId/roster',
    {
      config: rosterReaders,
      schema: {
        tags,
        summary: 'The roster of a session (ID numbers masked for invigilators)',
        params: SessionId,
        response: { 200: Type.Array(RosterEntryT), ...errors },
      },
    },
    async (request) => {
      const s = sessionFor(request, (request.params as { sessionId: string }).sessionId);
      return plans.roster(s.id).map((e) => entryView(e, masks(request)));
    },
  );

  app.post(
    '/api/exam/sessions/:sessionId/roster',
    {
      config: admin,
      // A zip carries the photos too: a 100-seat room's ID photos are a few MB; the zip reader bounds what it unzips.
      bodyLimit: 60 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Import a roster: the raw .csv/.xlsx/.json file, or a .zip of the roster file and its photos, as application/octet-stream; all rows or none',
        description:
          'Columns: 身份证号, 姓名, 人员类别 (required); 作业类别, 行业, 培训机构, 照片, 准考证号, 培训结业日期 (optional). ' +
          'A .zip (?filename=NAME.zip) holds one roster file and the photos (JPEG/PNG, any folders) the 照片 column names, or photos named ' +
          'ID-NUMBER.jpg; GBK names from Windows are read; limits: 2000 entries, 5 MB a photo, 10 MB the roster, 200 MB unzipped in all. ' +
          '`photos` names a folder on the server (e.g. a mounted USB stick) holding the files the 照片 column names.',
        params: SessionId,
        querystring: Type.Object(
          { filename: Type.String({ minLength: 1, maxLength: 255 }), photos: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) },
          closed,
        ),
        response: { 201: RosterImportReplyT, ...errors },
      },
    },
    async (request, reply) => {
      const { sessionId } = request.params as { sessionId: string };
      const q = request.query as { filename: string; photos?: string };
      plans.session(sessionId);
      if (!Buffer.isBuffer(request.body)) {
        throw new ValidationError([
          { path: 'body', problem: 'must be the roster file itself, sent as application/octet-stream with ?filename=NAME.csv|.xlsx|.json' },
        ]);
      }
      const r = await plans.importRoster(
        sessionId,
        { bytes: request.body, filename: q.filename, photosDir: q.photos ?? null, uploaded: true },
        request.actor,
        request.ip,
      );
      return reply.status(201).send({ ...r, entries: r.entries.map((e) => entryView(e, false)) });
    },
  );

  app.post(
    '/api/exam/sessions/:sessionId/candidates',
    {
      config: admin,
      // A base64 ID photo of up to 5 MB.
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags,
        summary:
          'Add one candidate to the roster: checked exactly as a row of a roster file (ID number, category, retake rules, training hours, photo, seats); audited',
        params: SessionId,
        body: AddCandidateT,
        response: { 201: AddCandidateReplyT, ...errors },
      },
    },
    async (request, reply) => {
      const { sessionId } = request.params as { sessionId: string };
      const { photoBase64, ...b } = request.body as AddCandidate;
      plans.session(sessionId);
      let photo: Buffer | null = null;
      if (photoBase64) {
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(photoBase64))
          throw new ValidationError([{ path: 'photo', problem: 'must be the image file in base64', got: `${photoBase64.slice(0, 20)}…` }]);
        photo = Buffer.from(photoBase64, 'base64');
      }
      const r = plans.addCandidate(sessionId, { ...b, photo }, request.actor, request.ip);
      return reply.status(201).send({ ...r, entry: entryView(r.entry, false), entries: r.entries.map((e) => entryView(e, false)) });
    },
  );

  app.post(
    '/api/exam/sessions/:sessionId/seats',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Draw every seat at random (seeded; the seed is stored)',
        params: SessionId,
        response: { 200: SeatsDrawnT, ...errors },
      },
    },
    async (request) => {
      const r = plans.assignSeats((request.params as { sessionId: string }).sessionId, request.actor, request.ip);
      return { ...r, entries: r.entries.map((e) => entryView(e, false)) };
    },
  );

  app.put(
    '/api/exam/sessions/:sessionId/seats/:idNumber',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Move one candidate to a free seat (audited)',
        params: Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }), idNumber: Type.String({ minLength: 1, maxLength: 32 }) }),
        body: ReseatT,
        response: { 200: RosterEntryT, ...errors },
      },
    },
    async (request) => {
      const { sessionId, idNumber } = request.params as { sessionId: string; idNumber: string };
      const b = request.body as { seat: string; reason?: string };
      return entryView(plans.reseat(sessionId, idNumber.toUpperCase(), b.seat, request.actor, { reason: b.reason ?? null, ip: request.ip }), false);
    },
  );

  app.get(
    '/api/exam/sessions/:sessionId/seat-list',
    {
      config: sessionReaders,
      schema: {
        tags,
        summary: 'The printable seat list: A4 HTML (default), PDF or CSV; ID numbers masked',
        params: SessionId,
        querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('csv'), Type.Literal('pdf')])) }, closed),
      },
    },
    async (request, reply) => {
      const s = sessionFor(request, (request.params as { sessionId: string }).sessionId);
      const list = plans.seatList(s.id);
      if ((request.query as { format?: string }).format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="seats-${s.roomId}-${list.date}-${s.id}.csv"`)
          .send(seatListCsv(list));
      }
      if ((request.query as { format?: string }).format === 'pdf') {
        const pdf = await seatListPdf(list, config.site.timezone, exam.deps.clock.now());
        return reply.type('application/pdf').header('content-disposition', `inline; filename="seats-${s.roomId}-${list.date}-${s.id}.pdf"`).send(pdf);
      }
      return reply.type('text/html; charset=utf-8').send(seatListHtml(list));
    },
  );

  app.post(
    '/api/exam/sessions/:sessionId/papers',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Generate every candidate’s paper (千人千卷) from the latest bank version; replaces them before check-in',
        params: SessionId,
        response: { 200: GeneratedPapersT, ...errors },
      },
    },
    async (request) => plans.generateSessionPapers((request.params as { sessionId: string }).sessionId, request.actor, request.ip),
  );

  app.post(
    '/api/exam/sessions/:sessionId/papers/job',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Generate every candidate’s paper as a job (progress at /api/jobs/:id/events); answers the job at once. Checked first: a refusal is a 4xx, not a failed job',
        params: SessionId,
        response: { 202: JobViewT, ...errors },
      },
    },
    async (request, reply) => {
      if (!exam.papersJob) throw new Conflict('this server runs no job runner');
      const job = exam.papersJob.start((request.params as { sessionId: string }).sessionId, request.actor, request.ip);
      return reply.status(202).send(jobView(job));
    },
  );

  app.get(
    '/api/exam/sessions/:sessionId/free-seats',
    {
      config: admin,
      schema: {
        tags,
        summary: "The room's seats, and those nobody of the session holds (for moving a candidate)",
        params: SessionId,
        response: { 200: FreeSeatsT, ...errors },
      },
    },
    async (request) => {
      const s = plans.session((request.params as { sessionId: string }).sessionId);
      const room = config.rooms.find((r) => r.id === s.roomId);
      return { seats: room ? seatIds(room) : [], free: plans.freeSeats(s.id) };
    },
  );

  app.get(
    '/api/exam/sessions/:sessionId/admission-tickets.pdf',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Admission tickets (准考证): an A4 PDF, one page per candidate with photo, masked ID number, room, seat and time (audited)',
        params: SessionId,
      },
    },
    async (request, reply) => {
      const s = plans.session((request.params as { sessionId: string }).sessionId);
      const entries = plans.roster(s.id);
      const pdf = await admissionTicketsPdf({
        config,
        captures: exam.deps.paths.captures,
        faceVault: exam.deps.faceVault,
        plan: plans.plan(s.planId),
        session: s,
        entries,
        now: exam.deps.clock.now(),
      });
      // Personal data leaves the server on paper: who printed whose tickets is on record.
      exam.deps.audit.append({
        actor: request.actor,
        action: 'exam.admission_tickets.print',
        target: s.id,
        detail: { candidates: entries.length },
        ip: request.ip,
      });
      return reply.type('application/pdf').header('content-disposition', `inline; filename="admission-tickets-${s.id}.pdf"`).send(pdf);
    },
  );

  app.get(
    '/api/exam/sessions/:sessionId/results',
    {
      config: planReaders,
      schema: { tags, summary: 'Results of a session, one row per roster entry', params: SessionId },
    },
    async (request) => {
      const s = sessionFor(request, (request.params as { sessionId: string }).sessionId);
      const masked = masks(request);
      return {
        summary: plans.sessionSummary(s.id),
        candidates: plans.roster(s.id).map((e) => {
          const r = plans.resultOf(s.id, e.idNumber);
          return {
            ticketNo: e.ticketNo,
            name: e.name,
            idNumber: masked ? maskIdNumber(e.idNumber) : e.idNumber,
            attempt: e.attempt,
            status: e.status,
            score: r?.score ?? null,
            total: r?.total ?? null,
            passed: r ? r.passed : null,
            gradedAt: iso(r?.gradedAt ?? null),
            validUntil: iso(r?.validUntil ?? null),
          };
        }),
      };
    },
  );

  app.get(
    '/api/exam/people/:idNumber',
    {
      config: admin,
      schema: {
        tags,
        summary: 'A person file (一人一档): every session, paper and result',
        params: Type.Object({ idNumber: Type.String({ minLength: 1, maxLength: 32 }) }),
      },
    },
    async (request) => {
      const rec = plans.personRecord((request.params as { idNumber: string }).idNumber.toUpperCase());
      const resultView = (r: NonNullable<(typeof rec.exams)[number]['result']>) => ({ ...r, gradedAt: iso(r.gradedAt), validUntil: iso(r.validUntil) });
      return {
        ...rec,
        createdAt: iso(rec.createdAt),
        updatedAt: iso(rec.updatedAt),
        exams: rec.exams.map((e) => ({ ...e, session: { ...e.session, startsAt: iso(e.session.startsAt) }, result: e.result ? resultView(e.result) : null })),
        valid: rec.valid.map(resultView),
      };
    },
  );
};
