// The inspector view's API (remote provincial/city staff, read-only): this site with its rooms,
// cameras and sessions when it lies inside the inspector's jurisdiction — and nothing at all when it
// does not (an empty site list; 403 on anything named). Live view and playback are media's routes,
// which check the same rule and audit every view an inspector starts and stops.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Forbidden, ValidationError, siteInJurisdiction, isDate, localDate, OUTSIDE_JURISDICTION } from '../core/index.ts';
import type { Config } from '../config/index.ts';
import type { ExamService } from '../exam/index.ts';
import { maskIdNumber, type TerminalService } from '../terminal/index.ts';
import { liveWsPath, type MediaService } from '../media/index.ts';
import type { ProctorService } from './service.ts';
import { maskAlert, maskIncident } from './feed.ts';
import { recordedOf } from './room-view.ts';
import { SessionDetailT, SessionRowT, SiteT } from './protocol.ts';

export interface InspectorRouteOptions {
  proctor: ProctorService;
  exam: ExamService;
  terminal: TerminalService;
  media: Pick<MediaService, 'sources'>;
  config: Config;
  clock: { now(): number };
}

const closed = { additionalProperties: false } as const;

export const inspectorRoutes: FastifyPluginAsync<InspectorRouteOptions> = async (app, { proctor, exam, terminal, media, config, clock }) => {
  const tags = ['inspector'];
  const readers = { roles: ['inspector' as const, 'admin' as const] };
  const within = (request: FastifyRequest): boolean => {
    const p = request.principal;
    if (!p || p.kind !== 'user') return false;
    return p.role === 'admin' || siteInJurisdiction(config.site, p.user.jurisdiction);
  };
  const mustBeWithin = (request: FastifyRequest) => {
    if (!within(request)) throw new Forbidden(`site ${config.site.id} is outside your jurisdiction`, OUTSIDE_JURISDICTION);
  };
  const tz = config.site.timezone;

  const sessionRow = (s: ReturnType<ExamService['plans']['session']>) => {
    const window = exam.plans.recordingWindow(s.id, clock.now());
    return {
      id: s.id,
      name: s.template.name,
      roomId: s.roomId,
      roomName: config.rooms.find((r) => r.id === s.roomId)?.name ?? s.roomId,
      status: s.status,
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      startedAt: exam.plans.sessionTimes(s.id).startedAt,
      recordingFrom: window.from,
      recordingTo: window.to,
      ...counts(s.id),
    };
  };
  const counts = (sessionId: string) => ({
    incidents: proctor.incidents.list(sessionId).length,
    integrity: terminal.incidents(sessionId).length,
    openAlerts: proctor.alerts.count({ sessionId, open: true }),
  });

  app.get(
    '/api/inspector/sites',
    {
      config: readers,
      schema: {
        tags,
        summary: 'This site, with rooms, cameras and today’s sessions, if it lies in your jurisdiction; else an empty list',
        response: { 200: Type.Array(SiteT) },
      },
    },
    async (request) => {
      if (!within(request)) return [];
      const today = localDate(clock.now(), tz);
      const sources = media.sources();
      return [
        {
          id: config.site.id,
          name: config.site.name,
          province: config.site.province,
          timezone: config.site.timezone,
          city: config.site.city,
          rooms: config.rooms.map((r) => ({
            id: r.id,
            name: r.name,
            rows: r.seats.rows,
            columns: r.seats.columns,
            cameras: sources
              .filter((x) => x.room === r.id)
              .map((x) => ({
                id: x.id,
                name: x.name,
                kind: x.kind,
                state: x.state,
                ws: liveWsPath(x.id),
                subWs: x.sub ? liveWsPath(x.id, 'sub') : null,
                video: x.codecs?.video ?? null,
              })),
            recorded: recordedOf(config, sources, r.id),
          })),
          sessions: exam.plans
            .listSessions()
            // An open session is today's even when it starts after midnight.
            .filter((s) => localDate(s.startsAt, tz) === today || s.status === 'checkin' || s.status === 'in_progress')
            .map(sessionRow),
        },
      ];
    },
  );

  app.get(
    '/api/inspector/sessions',
    {
      config: readers,
      schema: {
        tags,
        summary: 'Sessions of this site between two dates (default today), with their summaries and incidents',
        querystring: Type.Object({ from: Type.Optional(Type.String({ maxLength: 10 })), to: Type.Optional(Type.String({ maxLength: 10 })) }, closed),
        response: { 200: Type.Array(SessionRowT) },
      },
    },
    async (request) => {
      mustBeWithin(request);
      const q = request.query as { from?: string; to?: string };
      const today = localDate(clock.now(), tz);
      const from = q.from ?? today;
      const to = q.to ?? q.from ?? today;
      const problems = [];
      if (!isDate(from)) problems.push({ path: 'from', problem: 'must be a date written YYYY-MM-DD', got: q.from });
      if (!isDate(to)) problems.push({ path: 'to', problem: 'must be a date written YYYY-MM-DD', got: q.to });
      if (!problems.length && from > to) problems.push({ path: 'to', problem: `must not be before from (${from})`, got: to });
      if (problems.length) throw new ValidationError(problems);
      return exam.plans
        .listSessions()
        .filter((s) => {
          const d = localDate(s.startsAt, tz);
          return d >= from && d <= to;
        })
        .map((s) => ({ ...sessionRow(s), summary: proctor.summary(s.id), incidentList: proctor.incidents.list(s.id).map((i) => maskIncident(i, true)) }));
    },
  );

  app.get(
    '/api/inspector/sessions/:sessionId',
    {
      config: readers,
      schema: {
        tags,
        summary: 'One session: summary, incidents, integrity incidents and alerts (ID numbers masked)',
        params: Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: SessionDetailT },
      },
    },
    async (request) => {
      mustBeWithin(request);
      const s = exam.plans.session((request.params as { sessionId: string }).sessionId);
      return {
        session: sessionRow(s),
        summary: proctor.summary(s.id),
        incidents: proctor.incidents.list(s.id).map((i) => maskIncident(i, true)),
        integrity: terminal.incidents(s.id).map((i) => ({ ...i, idNumber: i.idNumber ? maskIdNumber(i.idNumber) : null })),
        alerts: proctor.alerts.list({ rooms: null, sessionId: s.id }).map((a) => maskAlert(a, true)),
      };
    },
  );
};
