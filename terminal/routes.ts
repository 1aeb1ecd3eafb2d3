// HTTP and WebSocket routes of the terminal gateway. Handlers are thin: check that an invigilator
// is bound to the session's room, call the service, shape the reply. Every command is audited by
// the service and pushed to the terminal over its socket.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { RawData, WebSocket } from 'ws';
import { ErrorReply, Forbidden, NotFound } from '../core/index.ts';
import { maskIdNumber, type TerminalService } from './service/index.ts';
import { WS_PATH } from './protocol.ts';

/** Where the gateway registers its sockets so that revocation and shutdown can close them (server/websocket.ts). */
export interface SocketRegistrar {
  add(entry: { socket: WebSocket; owner: string; kind: string }): () => void;
}

export interface TerminalRouteOptions {
  terminal: TerminalService;
  hub: SocketRegistrar;
  exam: { plans: { session(id: string): { roomId: string } } };
  /** Counts open sockets (the app's examroom_websocket_connections gauge). */
  gauge?: { inc(labels: { kind: string }): void; dec(labels: { kind: string }): void };
}

const closed = { additionalProperties: false } as const;
const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };
const SessionId = Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }) });
const SessionCandidate = Type.Object({
  sessionId: Type.String({ minLength: 1, maxLength: 64 }),
  candidate: Type.String({ minLength: 1, maxLength: 32, description: 'ticket number or ID number' }),
});
const Candidate = Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'ticket number or ID number; leave out for the whole room' }));
const Reason = Type.String({ minLength: 1, maxLength: 200 });

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export const terminalRoutes: FastifyPluginAsync<TerminalRouteOptions> = async (app, { terminal, hub, exam, gauge }) => {
  const staff = { roles: ['admin' as const, 'invigilator' as const] };
  const tags = ['terminals'];

  /** Admins act anywhere; an invigilator only in the rooms they are bound to. Looked up first, so an unknown session is 404. */
  const roomOf = (request: FastifyRequest, sessionId: string): string => mayActIn(request, exam.plans.session(sessionId).roomId);
  const mayActIn = (request: FastifyRequest, roomId: string): string => {
    const p = request.principal;
    if (!p || p.kind !== 'user') throw new Forbidden('exam-room commands are for staff');
    if (p.role === 'admin') return roomId;
    if (p.role === 'invigilator' && p.user.rooms.includes(roomId)) return roomId;
    throw new Forbidden(`this session is in room ${roomId}; you invigilate ${p.user.rooms.length ? p.user.rooms.join(', ') : 'no rooms'}`);
  };
  const masked = (request: FastifyRequest) => request.principal?.role !== 'admin';
  // The console posts these without a body when it has nothing to add; the schema then checks {}.
  const emptyBodyIsObject = async (request: FastifyRequest) => {
    if (request.body === undefined || request.body === null) request.body = {};
  };

  app.get(
    WS_PATH,
    { websocket: true, config: { roles: ['terminal'] }, schema: { tags, summary: 'Exam terminal WebSocket (docs/terminal-protocol.md)' } },
    (socket, request) => {
      const p = request.principal;
      if (p?.kind !== 'device') return socket.close(1008, 'device token required');
      const remove = hub.add({ socket, owner: `device:${p.device.id}`, kind: 'terminal' });
      gauge?.inc({ kind: 'terminal' });
      const conn = terminal.connect(p.device.id, socket, request.ip);
      socket.on('close', () => {
        remove();
        gauge?.dec({ kind: 'terminal' });
        if (conn) terminal.disconnect(conn);
      });
      if (!conn) return;
      socket.on('message', (data, isBinary) => terminal.receive(conn, toBuffer(data), isBinary));
      socket.on('error', () => socket.terminate());
    },
  );

  app.post(
    '/api/exam/sessions/:sessionId/admit/:idNumber',
    {
      config: staff,
      schema: {
        tags,
        summary: 'Admit a candidate at the entrance (identity checked): roster status admitted, so they can log in at their seat',
        params: Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }), idNumber: Type.String({ minLength: 1, maxLength: 32 }) }),
        response: {
          200: Type.Object({
            ticketNo: Type.String(),
            idNumber: Type.String(),
            name: Type.String(),
            seat: Type.Union([Type.String(), Type.Null()]),
            status: Type.String(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { sessionId, idNumber } = request.params as { sessionId: string; idNumber: string };
      roomOf(request, sessionId);
      const e = terminal.admitCandidate(sessionId, idNumber, request.actor, request.ip);
      return { ticketNo: e.ticketNo, idNumber: masked(request) ? maskIdNumber(e.idNumber) : e.idNumber, name: e.name, seat: e.seat, status: e.status };
    },
  );

  app.get(
    '/api/terminal/sessions/:sessionId',
    {
      config: staff,
      schema: {
        tags,
        summary: 'The room at a glance: every candidate’s attempt, terminal presence, remaining time, incidents, pending moves',
        params: SessionId,
      },
    },
    async (request) => {
      const { sessionId } = request.params as { sessionId: string };
      roomOf(request, sessionId);
      const state = terminal.sessionState(sessionId);
      if (!masked(request)) return state;
      return {
        ...state,
        candidates: state.candidates.map((c) => ({ ...c, idNumber: maskIdNumber(c.idNumber) })),
        pendingMoves: state.pendingMoves.map((m) => ({ ...m, idNumber: maskIdNumber(m.idNumber) })),
      };
    },
  );

  app.get(
    '/api/terminal/sessions/:sessionId/incidents',
    { config: staff, schema: { tags, summary: 'Integrity incidents of a session, oldest first', params: SessionId } },
    async (request) => {
      const { sessionId } = request.params as { sessionId: string };
      roomOf(request, sessionId);
      const list = terminal.incidents(sessionId);
      return masked(request) ? list.map((i) => ({ ...i, idNumber: i.idNumber ? maskIdNumber(i.idNumber) : null })) : list;
    },
  );

  app.post(
    '/api/terminal/sessions/:sessionId/pause',
    {
      config: staff,
      schema: {
        tags,
        summary: 'Stop the clock for one candidate, or for the whole room when no candidate is named',
        params: SessionId,
        body: Type.Object({ candidate: Candidate, reason: Type.Optional(Reason) }, closed),
        response: { ...errors },
      },
    },
    async (request) => {
      const { sessionId } = request.params as { sessionId: string };
      const b = (request.body ?? {}) as { candidate?: string; reason?: string };
      roomOf(request, sessionId);
      return terminal.pause(sessionId, b.candidate ?? null, b.reason ?? null, request.actor, request.ip);
    },
  );

  app.post(
    '/api/terminal/sessions/:sessionId/resume',
    {
      config: staff,
      schema: {
        tags,
        summary: 'Start the clock again for one candidate or the whole room',
        params: SessionId,
        body: Type.Object({ candidate: Candidate }, closed),
        response: { ...errors },
      },
    },
    async (request) => {
      const { sessionId } = request.params as { sessionId: string };
      const b = (request.body ?? {}) as { candidate?: string };
      roomOf(request, sessionId);
      return terminal.resume(sessionId, b.candidate ?? null, request.actor, request.ip);
    },
  );

  app.post(
    '/api/terminal/sessions/:sessionId/time',
    {
      config: staff,
      schema: {
        tags,
        summary: 'Add time, with a reason, for one candidate or the whole room',
        params: SessionId,
        body: Type.Object({ candidate: Candidate, minutes: Type.Integer({ minimum: 1, maximum: 180 }), reason: Reason }, closed),
        response: { ...errors },
      },
    },
    async (request) => {
      const { sessionId } = request.params as { sessionId: string };
      const b = request.body as { candidate?: string; minutes: number; reason: string };
      roomOf(request, sessionId);
      return terminal.addTime(sessionId, b.candidate ?? null, b.minutes, b.reason, request.actor, request.ip);
    },
  );

  app.post(
    '/api/terminal/sessions/:sessionId/candidates/:candidate/submit',
    {
      config: staff,
      schema: {
        tags,
        summary: 'Submit a candidate’s paper now (graded from the acked answers)',
        params: SessionCandidate,
        body: Type.Object({ reason: Reason }, closed),
        response: { ...errors },
      },
    },
    async (request) => {
      const { sessionId, candidate } = request.params as { sessionId: string; candidate: string };
      roomOf(request, sessionId);
      return terminal.forceSubmit(sessionId, candidate, (request.body as { reason: string }).reason, request.actor, request.ip);
    },
  );

  for (const [action, locked] of [
    ['lock', true],
    ['unlock', false],
  ] as const) {
    app.post(
      `/api/terminal/sessions/:sessionId/candidates/:candidate/${action}`,
      {
        config: staff,
        schema: {
          tags,
          summary: locked ? 'Lock the candidate’s screen (the clock runs on unless paused)' : 'Unlock the candidate’s screen',
          params: SessionCandidate,
          body: Type.Object({ reason: Type.Optional(Reason) }, closed),
          response: { ...errors },
        },
      },
      async (request) => {
        const { sessionId, candidate } = request.params as { sessionId: string; candidate: string };
        roomOf(request, sessionId);
        return terminal.setLock(sessionId, candidate, locked, (request.body as { reason?: string }).reason ?? null, request.actor, request.ip);
      },
    );
  }

  for (const action of ['approve', 'reject'] as const) {
    app.post(
      `/api/terminal/moves/:moveId/${action}`,
      {
        config: staff,
        preValidation: emptyBodyIsObject,
        schema: {
          tags,
          summary:
            action === 'approve'
              ? 'Let the candidate continue at the terminal they logged in at (re-seats them there). While the candidate’s own terminal is connected and answering, only with `confirm` (their seat or the last 4 characters of their ID number) and a `reason`: 409 move_contested without them'
              : 'Refuse a move request',
          params: Type.Object({ moveId: Type.String({ minLength: 1, maxLength: 64 }) }),
          ...(action === 'approve'
            ? {
                body: Type.Optional(
                  Type.Object(
                    {
                      confirm: Type.Optional(
                        Type.String({ minLength: 1, maxLength: 32, description: 'the candidate’s seat, or the last 4 characters of their ID number' }),
                      ),
                      reason: Type.Optional(Reason),
                    },
                    closed,
                  ),
                ),
              }
            : {}),
          response: { ...errors },
        },
      },
      async (request) => {
        const { moveId } = request.params as { moveId: string };
        roomOf(request, terminal.move(moveId).sessionId);
        const m =
          action === 'approve'
            ? terminal.approveMove(moveId, request.actor, request.ip, (request.body ?? {}) as { confirm?: string; reason?: string })
            : terminal.rejectMove(moveId, request.actor, request.ip);
        return masked(request) ? { ...m, idNumber: maskIdNumber(m.idNumber) } : m;
      },
    );
  }

  app.post(
    '/api/terminal/terminals/:terminalId/unlock-login',
    {
      config: staff,
      preValidation: emptyBodyIsObject,
      schema: {
        tags,
        summary: 'Let a terminal accept log-ins again after it locked itself on repeated failed log-ins (audited)',
        params: Type.Object({ terminalId: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object({ reason: Type.Optional(Reason) }, closed),
        response: {
          200: Type.Object({
            terminalId: Type.String(),
            room: Type.String(),
            seat: Type.String(),
            locked: Type.Boolean(),
            lockedAt: Type.Number(),
            failures: Type.Integer(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { terminalId } = request.params as { terminalId: string };
      const roomId = terminal.terminalRoom(terminalId);
      if (!roomId) throw new NotFound(`no terminal ${JSON.stringify(terminalId)} is configured`);
      mayActIn(request, roomId);
      return terminal.unlockLogin(terminalId, request.actor, (request.body as { reason?: string } | undefined)?.reason ?? null, request.ip);
    },
  );
};
