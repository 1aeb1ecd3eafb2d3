// HTTP of the reports part (docs/records.md "Reports and the room log"): score reports, the results
// sheet, the room log with its sign-off and notes. Admins and the invigilators of the session's room
// (exam/plans' rule, assertRoomVisible); the sign-off is the invigilators' own. Each printed document
// that names candidates is audited, as a recording's excerpt is: who took which personal data, when.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorReply, Forbidden } from '../../core/index.ts';
import { assertRoomVisible } from '../../exam/index.ts';
import { auditFaceView } from '../../storage/index.ts';
import type { RecordsService } from '../service.ts';
import { RoomLogNoteBodyT, RoomLogReplyT, SessionReportsT, type RoomLogNoteBody } from '../protocol.ts';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };
const SessionId = Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }) });
const CandidateParams = Type.Object({
  sessionId: Type.String({ minLength: 1, maxLength: 64 }),
  candidate: Type.String({ minLength: 1, maxLength: 64, description: 'ticket number or ID number' }),
});

/** A PDF shown in the browser; the file name in ASCII for old clients and in UTF-8 for the rest. */
function sendPdf(reply: FastifyReply, pdf: Buffer, asciiName: string, name: string) {
  return reply
    .type('application/pdf')
    .header('cache-control', 'no-store')
    .header('content-disposition', `inline; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`)
    .send(pdf);
}

export const reportRoutes: FastifyPluginAsync<{ records: RecordsService }> = async (app, { records }) => {
  const { exam, config, audit } = records.deps;
  const reports = records.reports;
  const tags = ['records'];
  const staff = { roles: ['admin' as const, 'invigilator' as const] };
  /** 404 for an unknown session, then 403 outside the caller's rooms. */
  const sessionFor = (request: FastifyRequest, sessionId: string) => {
    const s = exam.plans.session(sessionId);
    assertRoomVisible(request, config, s.roomId);
    return s;
  };
  const person = (request: FastifyRequest) => {
    const p = request.principal;
    if (p?.kind !== 'user') throw new Forbidden('the room log is signed by staff');
    return { username: p.user.username, displayName: p.user.displayName };
  };
  const sid = (request: FastifyRequest) => (request.params as { sessionId: string }).sessionId;

  app.get(
    '/api/records/sessions/:sessionId/reports',
    {
      config: staff,
      schema: {
        tags,
        summary: "Where a session's score reports, results sheet and room log are",
        params: SessionId,
        response: { 200: SessionReportsT, ...errors },
      },
    },
    async (request) => reports.index(sessionFor(request, sid(request)).id),
  );

  app.get(
    '/api/records/sessions/:sessionId/candidates/:candidate/report.pdf',
    {
      config: staff,
      schema: {
        tags,
        summary: "A candidate's score report (成绩单), A4 PDF; once the session has ended. Audited: it carries personal data and photos",
        params: CandidateParams,
        response: { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply },
      },
    },
    async (request, reply) => {
      const s = sessionFor(request, sid(request));
      const { pdf, entry } = await reports.scoreReport(s.id, (request.params as { candidate: string }).candidate);
      audit.append({
        actor: request.actor,
        action: 'records.score_report.print',
        target: s.id,
        detail: { ticketNo: entry.ticketNo, bytes: pdf.length },
        ip: request.ip,
      });
      // It shows the roster photo and the kiosk capture in plain form: a view of a face (storage/face-vault.ts).
      auditFaceView(audit, { actor: request.actor, ip: request.ip, idNumber: entry.idNumber, kind: 'score report', sessionId: s.id, ref: entry.ticketNo });
      return sendPdf(reply, pdf, `score-report-${entry.ticketNo}.pdf`, `成绩单-${entry.ticketNo}-${entry.name}.pdf`);
    },
  );

  app.get(
    '/api/records/sessions/:sessionId/results.pdf',
    {
      config: staff,
      schema: {
        tags,
        summary: "The session's results sheet (成绩汇总表), A4 PDF; once the session has ended. Audited",
        params: SessionId,
        response: { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply },
      },
    },
    async (request, reply) => {
      const s = sessionFor(request, sid(request));
      const { pdf, sheet } = await reports.resultsSheet(s.id);
      audit.append({
        actor: request.actor,
        action: 'records.results_sheet.print',
        target: s.id,
        detail: { candidates: sheet.rows.length, bytes: pdf.length },
        ip: request.ip,
      });
      return sendPdf(reply, pdf, `results-${s.id}.pdf`, `成绩汇总表-${s.roomId}-${s.id}.pdf`);
    },
  );

  app.get(
    '/api/records/sessions/:sessionId/room-log',
    {
      config: staff,
      schema: {
        tags,
        summary: 'The room log (考场记录): live until signed off, then the frozen log with its SHA-256, signatures and appended notes',
        params: SessionId,
        response: { 200: RoomLogReplyT, ...errors },
      },
    },
    async (request) => reports.roomLogs.get(sessionFor(request, sid(request)).id),
  );

  app.get(
    '/api/records/sessions/:sessionId/room-log.pdf',
    {
      config: staff,
      schema: {
        tags,
        summary: 'The room log as an A4 PDF',
        params: SessionId,
        response: { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply },
      },
    },
    async (request, reply) => {
      const s = sessionFor(request, sid(request));
      const { pdf, reply: log } = await reports.roomLogPdf(s.id);
      audit.append({
        actor: request.actor,
        action: 'records.room_log.print',
        target: s.id,
        detail: { state: log.state, sha256: log.sha256, bytes: pdf.length },
        ip: request.ip,
      });
      return sendPdf(reply, pdf, `room-log-${s.id}.pdf`, `考场记录-${s.roomId}-${s.id}.pdf`);
    },
  );

  app.post(
    '/api/records/sessions/:sessionId/room-log/sign-off',
    {
      config: { roles: ['invigilator' as const] },
      schema: {
        tags,
        summary:
          'An invigilator of the room signs the room log of an ended session (409 session_not_ended before). The first sign-off freezes it; later ones co-sign the same text (409 already_signed for a second signature of one person). Audited',
        params: SessionId,
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: { 200: RoomLogReplyT, ...errors },
      },
    },
    async (request) => reports.roomLogs.signOff(sessionFor(request, sid(request)).id, person(request), request.ip),
  );

  app.post(
    '/api/records/sessions/:sessionId/room-log/notes',
    {
      config: staff,
      schema: {
        tags,
        summary: 'Appends a note to the room log; before a sign-off it becomes part of what is signed, after it it is shown as appended. Never edited. Audited',
        params: SessionId,
        body: RoomLogNoteBodyT,
        response: { 200: RoomLogReplyT, ...errors },
      },
    },
    async (request) => reports.roomLogs.addNote(sessionFor(request, sid(request)).id, person(request), (request.body as RoomLogNoteBody).text, request.ip),
  );
};
