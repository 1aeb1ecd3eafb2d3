// The office's view of the appliance itself (the admin console's System page): what runs, since when and
// how well (the /healthz parts plus version, uptime and the database's size), and the config in force with
// every secret masked. Admins only; reading the config is audited, since it maps the site's cameras and users.
import { readFileSync, statSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { maskConfig, MASK } from '../../config/index.ts';
import type { AppContext } from '../context.ts';
import { checkHealth } from '../health.ts';
import { actorOf } from '../auth/principal.ts';
import { MaskedConfigT, SystemStatusT, type ObjectStoreStatus, type SystemStatus } from '../protocol.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const fileBytes = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

export const systemInfoRoutes: FastifyPluginAsync<{
  ctx: AppContext;
  mediaHealth?: () => { ok: boolean; down: string[]; h265WithoutSub?: string[] };
  tlsHealth?: () => { ok: boolean; mode: string };
  /** The object store's last probe (server/object-store.ts); null/absent = none configured. */
  objectStoreHealth?: () => ObjectStoreStatus | null;
}> = async (app, { ctx, mediaHealth, tlsHealth, objectStoreHealth }) => {
  // Uptime by the server's clock, which is the only clock (a test's stands still).
  const startedAt = ctx.clock.now();

  app.get(
    '/api/system/status',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['system'],
        summary: "The appliance: version, uptime, server time, database, disk, ffmpeg, recording and certificates — /healthz's parts with their details",
        response: { 200: SystemStatusT },
      },
    },
    async (): Promise<SystemStatus> => {
      const h = checkHealth(ctx.db, ctx.paths.root, ctx.config.retention.minFreeGiB);
      const media = mediaHealth?.() ?? { ok: true, down: [] };
      const tls = tlsHealth?.() ?? null;
      const objectStore = objectStoreHealth?.() ?? null;
      // The same verdict as /healthz: failing only for the database, degraded for any other part.
      let status = h.status;
      if (status === 'ok' && (!media.ok || (tls && !tls.ok) || objectStore?.state === 'failed')) status = 'degraded';
      return {
        version: VERSION,
        node: process.version,
        startedAt,
        serverTime: ctx.clock.now(),
        timezone: ctx.config.site.timezone,
        retentionDays: ctx.config.retention.days,
        site: { id: ctx.config.site.id, name: ctx.config.site.name },
        status,
        database: { ...h.db, file: ctx.paths.dbFile, bytes: fileBytes(ctx.paths.dbFile) + fileBytes(`${ctx.paths.dbFile}-wal`) },
        disk: h.disk,
        ffmpeg: h.ffmpeg,
        media: { ok: media.ok, down: media.down, h265WithoutSub: media.h265WithoutSub ?? [] },
        tls: tls ? { ok: tls.ok, mode: tls.mode } : null,
        objectStore,
      };
    },
  );

  app.get(
    '/api/system/config',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['system'],
        summary: 'The config in force (as parsed, defaults filled in) with every secret masked: passwords, hashes, URL credentials, push paths',
        response: { 200: MaskedConfigT },
      },
    },
    async (request) => {
      const { config, masked } = maskConfig(ctx.config);
      ctx.audit.append({ actor: actorOf(request.principal), action: 'system.config.read', detail: { masked: masked.length }, ip: request.ip });
      return { file: ctx.config.file, mask: MASK, masked, config: config as Record<string, unknown> };
    },
  );
};
