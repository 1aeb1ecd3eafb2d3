// HTTP of the proctor console (docs/proctor-api.md). Handlers are thin: decide who may see the room,
// call the proctor service, mask ID numbers for everyone but admins. Commands that change an exam go
// through the owning module's functions (terminal, exam plans), which audit them.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorReply, Forbidden, NotFound, ValidationError, siteInJurisdiction, OUTSIDE_JURISDICTION } from '../core/index.ts';
import type { Config } from '../config/index.ts';
import { maskIdNumber, protocol as terminalProtocol, type TerminalService } from '../terminal/index.ts';
type DeviceWarning = terminalProtocol.DeviceWarning;
import { CONSOLE_STATUSES, type ProctorService } from './service.ts';
import { INCIDENT_CATEGORIES } from './incidents.ts';
import { assertRoomWatcher, maskAlert, maskIncident } from './feed.ts';
import {
  AckManyBodyT,
  AckManyReplyT,
  AlertT,
  ConfirmSeatCheckBodyT,
  IncidentCategoryT,
  IncidentListT,
  IncidentT,
  NotThePersonBodyT,
  NotThePersonReplyT,
  ReseatReplyT,
  RoomListItemT,
  RoomViewT,
  SessionBriefT,
  SeatIdentityCheckT,
  SummaryT,
  type AckManyBody,
  type ConfirmSeatCheckBody,
  type NotThePersonBody,
} from './protocol.ts';
import { seatCheckView } from './seat-identity.ts';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };
const closed = { additionalProperties: false } as const;
const SessionId = Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }) });

export interface ProctorRouteOptions {
  proctor: ProctorService;
  terminal: TerminalService;
  config: Config;
  deviceWarnings?: (roomId: string) => DeviceWarning[];
}

/** Rooms the caller may read: null = all. Inspectors read every room of a site in their jurisdiction. */
export function readableRooms(request: FastifyRequest, config: Config): string[] | null {
  const p = request.principal;
  if (!p || p.kind !== 'user') throw new Forbidden('the proctor console is for staff');
  if (p.role === 'admin') return null;
  if (p.role === 'invigilator') return p.user.rooms;
  if (p.role === 'inspector') {
    if (!siteInJurisdiction(config.site, p.user.jurisdiction)) throw new Forbidden(`site ${config.site.id} is outside your jurisdiction`, OUTSIDE_JURISDICTION);
    return null;
  }
  throw new Forbidden(`${p.role} may not read the proctor console`);
}

export function assertRoomReadable(request: FastifyRequest, config: Config, roomId: string): void {
  const rooms = readableRooms(request, config);
  if (rooms && !rooms.includes(roomId)) throw new Forbidden(`room ${roomId}: you invigilate ${rooms.length ? rooms.join(', ') : 'no rooms'}`);
}

const masks = (request: FastifyRequest) => request.principal?.role !== 'admin';

export const proctorRoutes: FastifyPluginAsync<ProctorRouteOptions> = async (app, o) => {
  const { proctor, terminal, config } = o;
  const tags = ['proctor'];
  const staff = { roles: ['admin' as const, 'invigilator' as const] };
  const readers = { roles: ['admin' as const, 'invigilator' as const, 'inspector' as const] };

  /** The session, once the caller may act in its room (admin or its invigilator). 404 first for an unknown one. */
  const roomOf = (sessionId: string): string => {
    const roomId = proctor.roomOfSession(sessionId);
    if (!roomId) throw new NotFound(`no exam session ${JSON.stringify(sessionId)}`);
    return roomId;
  };
  const actingOn = (request: FastifyRequest, sessionId: string) => {
    const roomId = roomOf(sessionId);
    assertRoomWatcher(request, roomId);
    return { id: sessionId, roomId };
  };
  const readingOf = (request: FastifyRequest, sessionId: string) => {
    const roomId = roomOf(sessionId);
    assertRoomReadable(request, config, roomId);
    return { id: sessionId, roomId };
  };

  app.get(
    '/api/proctor/rooms',
    { config: staff, schema: { tags, summary: 'Rooms the caller may watch, each with its current session', response: { 200: Type.Array(RoomListItemT) } } },
    async (request) => {
      const p = request.principal!;
      const rooms = p.kind === 'user' && p.role === 'invigilator' ? config.rooms.filter((r) => p.user.rooms.includes(r.id)) : config.rooms;
      return rooms.map((r) => {
        const s = proctor.rooms.currentSession(r.id);
        return { id: r.id, name: r.name, rows: r.seats.rows, columns: r.seats.columns, session: s ? proctor.rooms.brief(s) : null };
      });
    },
  );

  app.get(
    '/api/proctor/rooms/:roomId',
    {
      config: staff,
      schema: {
        tags,
        summary: 'The room view: seat map with live seat states, candidates, cameras and screens, the current session',
        params: Type.Object({ roomId: Type.String({ minLength: 1, maxLength: 64 }) }),
        querystring: Type.Object({ session: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, closed),
        response: { 200: RoomViewT, ...errors },
      },
    },
    async (request) => {
      const { roomId } = request.params as { roomId: string };
      proctor.rooms.room(roomId);
      assertRoomWatcher(request, roomId);
      return proctor.rooms.view(roomId, { sessionId: (request.query as { session?: string }).session ?? null, masked: masks(request) });
    },
  );

  app.get(
    '/api/proctor/sessions/:sessionId/photos/:ticketNo',
    {
      config: staff,
      schema: {
        tags,
        summary: 'A candidate’s roster photo (the caller must watch the session’s room)',
        params: Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }), ticketNo: Type.String({ minLength: 1, maxLength: 64 }) }),
      },
    },
    async (request, reply) => {
      const { sessionId, ticketNo } = request.params as { sessionId: string; ticketNo: string };
      actingOn(request, sessionId);
      const photo = proctor.photo(sessionId, ticketNo, { actor: request.actor, ip: request.ip });
      return reply.type(photo.type).header('cache-control', 'no-store').send(photo.bytes);
    },
  );

  app.get(
    '/api/proctor/alerts',
    {
      config: readers,
      schema: {
        tags,
        summary: 'Alerts, newest first: by room, session, time range, open (unacknowledged) or not',
        querystring: Type.Object(
          {
            room: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            session: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            since: Type.Optional(Type.Integer({ minimum: 0 })),
            until: Type.Optional(Type.Integer({ minimum: 0 })),
            open: Type.Optional(Type.Boolean()),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          closed,
        ),
        response: { 200: Type.Array(AlertT), ...errors },
      },
    },
    async (request) => {
      const q = request.query as { room?: string; session?: string; since?: number; until?: number; open?: boolean; limit?: number };
      let rooms = readableRooms(request, config);
      if (q.room) {
        proctor.rooms.room(q.room);
        assertRoomReadable(request, config, q.room);
        rooms = [q.room];
      }
      if (q.session) readingOf(request, q.session);
      const list = proctor.alerts.list({
        rooms,
        ...(q.since !== undefined ? { since: q.since } : {}),
        ...(q.until !== undefined ? { until: q.until } : {}),
        ...(q.open !== undefined ? { open: q.open } : {}),
        ...(q.session ? { sessionId: q.session } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      });
      return list.map((a) => maskAlert(a, masks(request)));
    },
  );

  app.post(
    '/api/proctor/alerts/:alertId/ack',
    {
      config: staff,
      schema: {
        tags,
        summary: 'Acknowledge an alert with a note (audited)',
        params: Type.Object({ alertId: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 500 }) }, closed),
        response: { 200: AlertT, ...errors },
      },
    },
    async (request) => {
      const { alertId } = request.params as { alertId: string };
      const a = proctor.alerts.get(alertId);
      // Site-wide alerts (the disk) are for anyone on duty; a room's alert for that room's invigilators.
      if (a.roomId) assertRoomWatcher(request, a.roomId);
      const note = (request.body as { note: string }).note.trim();
      if (!note) throw new ValidationError([{ path: 'note', problem: 'must say what was found or done', got: (request.body as { note: string }).note }]);
      return maskAlert(proctor.alerts.ack(alertId, note, request.actor, request.ip), masks(request));
    },
  );

  app.post(
    '/api/proctor/seat-checks/:checkId/confirm',
    {
      config: staff,
      schema: {
        tags,
        summary:
          'Confirm, by eye against the ID card, the person at the seat of a candidate who declined face recognition (audited; the to-do leaves the console)',
        params: Type.Object({ checkId: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: ConfirmSeatCheckBodyT,
        response: { 200: SeatIdentityCheckT, ...errors },
      },
    },
    async (request) => {
      const { checkId } = request.params as { checkId: string };
      const c = proctor.seatChecks.get(checkId);
      assertRoomWatcher(request, c.roomId);
      const note = (request.body as ConfirmSeatCheckBody | undefined)?.note ?? null;
      return seatCheckView(proctor.seatChecks.confirm(checkId, note, request.actor, request.ip));
    },
  );

  app.post(
    '/api/proctor/seat-checks/:checkId/not-the-person',
    {
      config: staff,
      schema: {
        tags,
        summary:
          'The person at the seat is not the candidate: records an incident (替考) with the note, decides the check that way, locks the candidate’s screen and pauses their clock where they are answering, and raises a critical alert for the chief examiner (each step audited)',
        params: Type.Object({ checkId: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: NotThePersonBodyT,
        response: { 200: NotThePersonReplyT, ...errors },
      },
    },
    async (request) => {
      const { checkId } = request.params as { checkId: string };
      const c = proctor.seatChecks.get(checkId);
      assertRoomWatcher(request, c.roomId);
      const r = proctor.notThePerson(checkId, (request.body as NotThePersonBody).note, request.actor, request.ip);
      return { ...r, check: seatCheckView(r.check) };
    },
  );

  app.post(
    '/api/proctor/alerts/ack',
    {
      config: staff,
      schema: {
        tags,
        summary: 'Acknowledge several alerts with one note (audited, each); ones already handled are skipped and listed',
        body: AckManyBodyT,
        response: { 200: AckManyReplyT, ...errors },
      },
    },
    async (request) => {
      const b = request.body as AckManyBody;
      const note = b.note.trim();
      if (!note) throw new ValidationError([{ path: 'note', problem: 'must say what was found or done', got: b.note }]);
      // All checked before any is acknowledged: an unknown id or a room the caller does not watch changes nothing.
      for (const id of b.ids) {
        const a = proctor.alerts.get(id);
        if (a.roomId) assertRoomWatcher(request, a.roomId);
      }
      const r = proctor.alerts.ackMany(b.ids, note, request.actor, request.ip);
      return { acknowledged: r.acknowledged.map((a) => maskAlert(a, masks(request))), skipped: r.skipped.map((a) => maskAlert(a, masks(request))) };
    },
  );

  app.get(
    '/api/proctor/incident-categories',
    {
      config: readers,
      schema: { tags, summary: 'The incident (违纪) categories, with their Chinese and English names', response: { 200: Type.Array(IncidentCategoryT) } },
    },
    async () => INCIDENT_CATEGORIES.map((c) => ({ ...c })),
  );

  app.post(
    '/api/proctor/sessions/:sessionId/incidents',
    {
      config: staff,
      schema: {
        tags,
        summary: 'Record an incident (违纪) with a category and note, for a candidate or a seat (audited)',
        params: SessionId,
        body: Type.Object(
          {
            category: Type.String({ minLength: 1, maxLength: 40 }),
            note: Type.String({ minLength: 1, maxLength: 1000 }),
            candidate: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'ticket number or ID number' })),
            seat: Type.Optional(Type.String({ minLength: 1, maxLength: 8 })),
          },
          closed,
        ),
        response: { 201: IncidentT, ...errors },
      },
    },
    async (request, reply) => {
      const { sessionId } = request.params as { sessionId: string };
      actingOn(request, sessionId);
      const b = request.body as { category: string; note: string; candidate?: string; seat?: string };
      const i = proctor.incidents.record(
        sessionId,
        { category: b.category, note: b.note, candidate: b.candidate ?? null, seat: b.seat ?? null },
        request.actor,
        request.ip,
      );
      return reply.status(201).send(withCandidate(i, masks(request)));
    },
  );

  /** An incident with the candidate's name and ticket, as the console shows it. */
  const withCandidate = (i: ReturnType<ProctorService['incidents']['get']>, masked: boolean) => {
    const e = i.idNumber ? proctor.candidate(i.sessionId, i.idNumber) : null;
    return {
      ...maskIncident(i, masked),
      candidate: e ? { ticketNo: e.ticketNo, name: e.name, idNumber: masked ? maskIdNumber(e.idNumber) : e.idNumber } : null,
    };
  };

  app.get(
    '/api/proctor/sessions/:sessionId/incidents',
    {
      config: readers,
      schema: {
        tags,
        summary: 'Incidents (违纪) recorded by invigilators, and the terminal’s integrity incidents, oldest first',
        params: SessionId,
        response: { 200: IncidentListT, ...errors },
      },
    },
    async (request) => {
      const { sessionId } = request.params as { sessionId: string };
      readingOf(request, sessionId);
      const masked = masks(request);
      return {
        incidents: proctor.incidents.list(sessionId).map((i) => withCandidate(i, masked)),
        integrity: terminal.incidents(sessionId).map((i) => ({ ...i, idNumber: i.idNumber && masked ? maskIdNumber(i.idNumber) : i.idNumber })),
      };
    },
  );

  app.get(
    '/api/proctor/sessions/:sessionId/summary',
    {
      config: readers,
      schema: {
        tags,
        summary: 'Session summary: roster, present, absent, logged in, submitted, passed/failed, incidents, alerts',
        params: SessionId,
        response: { 200: SummaryT, ...errors },
      },
    },
    async (request) => {
      const { sessionId } = request.params as { sessionId: string };
      readingOf(request, sessionId);
      return proctor.summary(sessionId);
    },
  );

  app.post(
    '/api/proctor/sessions/:sessionId/status',
    {
      config: staff,
      schema: {
        tags,
        summary: 'Session control from the console: open check-in, start, end (same rules and audit as the admin route)',
        params: SessionId,
        body: Type.Object({ status: Type.Union(CONSOLE_STATUSES.map((s) => Type.Literal(s))) }, closed),
        response: { 200: Type.Object({ ...SessionBriefT.properties, deviceWarnings: Type.Optional(Type.Array(terminalProtocol.DeviceWarningT)) }), ...errors },
      },
    },
    async (request) => {
      const { sessionId } = request.params as { sessionId: string };
      actingOn(request, sessionId);
      const to = (request.body as { status: string }).status;
      const s = proctor.setStatus(sessionId, to, request.actor, request.ip);
      // Warn, never block: a terminal without screen capture still lets its candidate sit the exam.
      const warn = (to === 'checkin' || to === 'in_progress') && o.deviceWarnings ? { deviceWarnings: o.deviceWarnings(s.roomId) } : {};
      return { ...proctor.rooms.brief(s), ...warn };
    },
  );

  app.post(
    '/api/proctor/sessions/:sessionId/candidates/:candidate/reseat',
    {
      config: staff,
      schema: {
        tags,
        summary: 'Move a candidate to a free seat of the room (audited by exam plans)',
        params: Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }), candidate: Type.String({ minLength: 1, maxLength: 32 }) }),
        body: Type.Object({ seat: Type.String({ minLength: 1, maxLength: 8 }), reason: Type.String({ minLength: 1, maxLength: 200 }) }, closed),
        response: { 200: ReseatReplyT, ...errors },
      },
    },
    async (request) => {
      const { sessionId, candidate } = request.params as { sessionId: string; candidate: string };
      actingOn(request, sessionId);
      const b = request.body as { seat: string; reason: string };
      const e = proctor.reseat(sessionId, candidate, b.seat, b.reason, request.actor, request.ip);
      return { ticketNo: e.ticketNo, name: e.name, idNumber: masks(request) ? maskIdNumber(e.idNumber) : e.idNumber, seat: e.seat, status: e.status };
    },
  );
};
