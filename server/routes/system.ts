import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.ts';
import { checkHealth } from '../health.ts';
import type { ObjectStoreStatus } from '../protocol.ts';
import { seatIds } from '../../config/index.ts';
import { Forbidden, addressMatcher, siteInJurisdiction, OUTSIDE_JURISDICTION } from '../../core/index.ts';

/** mediaHealth: the recorder's own view (its disk may be a separate mount; a camera may be down). */
/** tlsHealth: certificate expiry (server/tls/); absent on a plain-HTTP server. */
export const systemRoutes: FastifyPluginAsync<{
  ctx: AppContext;
  mediaHealth?: () => { ok: boolean; down: string[] };
  tlsHealth?: () => { ok: boolean };
  /** The object store's last probe; a store that fails it degrades health but never stops recording. */
  objectStoreHealth?: () => ObjectStoreStatus | null;
  backupHealth?: () => { ok: boolean };
}> = async (app, { ctx, mediaHealth, tlsHealth, objectStoreHealth, backupHealth }) => {
  // Metrics name cameras, rooms and log-in failures: not for every PC in the exam room. A scraper on
  // this machine, an admin, or an address the site lists in server.metricsFrom may read them, and
  // /healthz's details likewise.
  const metricsReader = addressMatcher(ctx.config.server.metricsFrom);
  const mayReadDetails = (request: FastifyRequest) => {
    const p = request.principal;
    return (p?.kind === 'user' && p.role === 'admin') || metricsReader(request.ip);
  };

  // The details (the data folder's path, free bytes, ffmpeg's version, which cameras are down) map the
  // appliance for an attacker: the rest of the room learns only whether it is well.
  app.get(
    '/healthz',
    {
      config: { roles: ['public'] },
      schema: {
        tags: ['system'],
        summary:
          'Health: { ok } for anyone; database, disk, ffmpeg, recording and certificates for this machine, admins and server.metricsFrom; 503 when the database fails',
      },
    },
    async (request, reply) => {
      const h = checkHealth(ctx.db, ctx.paths.root, ctx.config.retention.minFreeGiB);
      const media = mediaHealth?.();
      if (media && !media.ok && h.status === 'ok') h.status = 'degraded';
      const tls = tlsHealth?.();
      if (tls && !tls.ok && h.status === 'ok') h.status = 'degraded';
      const objectStore = objectStoreHealth?.() ?? null;
      if (objectStore?.state === 'failed' && h.status === 'ok') h.status = 'degraded';
      const backup = backupHealth?.();
      if (backup && !backup.ok && h.status === 'ok') h.status = 'degraded';
      void reply.status(h.status === 'failing' ? 503 : 200);
      if (!mayReadDetails(request)) return reply.send({ ok: h.status === 'ok' });
      return reply.send({
        ok: h.status === 'ok',
        ...h,
        ...(media ? { media } : {}),
        ...(tls ? { tls } : {}),
        ...(objectStore ? { objectStore } : {}),
        ...(backup ? { backup } : {}),
      });
    },
  );

  app.get(
    '/metrics',
    {
      config: { roles: ['public'] },
      schema: { tags: ['system'], summary: 'Prometheus metrics: for this machine, admins, and the addresses in server.metricsFrom' },
    },
    async (request, reply) => {
      if (!mayReadDetails(request))
        throw new Forbidden(
          `metrics are served to this machine, to admins and to server.metricsFrom; ${request.ip} is none of them (add the monitoring server's address to server.metricsFrom)`,
        );
      return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
    },
  );

  app.get(
    '/api/site',
    {
      config: { roles: ['admin', 'invigilator', 'inspector', 'headteacher', 'kiosk', 'terminal'] },
      schema: {
        tags: ['system'],
        summary: 'This site and the rooms the caller may see',
        response: {
          200: Type.Object({
            site: Type.Object({ id: Type.String(), name: Type.String(), province: Type.String(), city: Type.String(), timezone: Type.String() }),
            serverTime: Type.Integer(),
            rooms: Type.Array(
              Type.Object({ id: Type.String(), name: Type.String(), rows: Type.Integer(), columns: Type.Integer(), seats: Type.Array(Type.String()) }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const p = request.principal!;
      if (p.kind === 'user' && p.role === 'inspector' && !siteInJurisdiction(ctx.config.site, p.user.jurisdiction)) {
        throw new Forbidden('this site is outside your jurisdiction', OUTSIDE_JURISDICTION);
      }
      const visible = ctx.config.rooms.filter((r) => (p.kind === 'user' && p.role === 'invigilator' ? p.user.rooms.includes(r.id) : true));
      const { id, name, province, city, timezone } = ctx.config.site;
      return {
        site: { id, name, province, city, timezone },
        serverTime: ctx.clock.now(),
        rooms: visible.map((r) => ({ id: r.id, name: r.name, rows: r.seats.rows, columns: r.seats.columns, seats: seatIds(r) })),
      };
    },
  );
};
