// The System page's 刷新 asks the object store again (POST /api/system/object-store/probe): the monitor
// probes only every 10 minutes while the store answers, so a store stopped a minute ago still read
// "reachable and writable". Admin only, audited, and at most one asked-for probe per 15 s (a probe writes
// and deletes a small object: a held-down key must not hammer the store); within that it answers the last.
import type { FastifyPluginAsync } from 'fastify';
import { NotFound } from '../../core/index.ts';
import type { AppContext } from '../context.ts';
import { ObjectStoreStatusT, type ObjectStoreStatus } from '../protocol.ts';
import type { ObjectStoreMonitor } from '../../storage/object-store/index.ts';

export const PROBE_MIN_INTERVAL_MS = 15_000;

export const objectStoreProbeRoutes: FastifyPluginAsync<{
  ctx: AppContext;
  monitor: ObjectStoreMonitor | null;
  status: () => ObjectStoreStatus | null;
}> = async (app, { ctx, monitor, status }) => {
  // Monotonic, so a server clock set back does not lift (or stretch) the limit.
  let lastAsked = Number.NEGATIVE_INFINITY;
  app.post(
    '/api/system/object-store/probe',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['system'],
        summary: 'Probe the object store now (reachable, writable) and answer its state; at most once per 15 s, else the last answer',
        response: { 200: ObjectStoreStatusT },
      },
    },
    async (request) => {
      if (!monitor) throw new NotFound('no object store is configured (objectStore: in the config file): there is nothing to probe');
      if (performance.now() - lastAsked >= PROBE_MIN_INTERVAL_MS) {
        lastAsked = performance.now();
        const r = await monitor.probeNow();
        ctx.audit.append({
          actor: request.actor,
          action: 'object-store.probe',
          target: ctx.config.objectStore?.endpoint ?? null,
          detail: { ok: r.ok, problem: r.problem },
          ip: request.ip,
        });
      }
      return status()!;
    },
  );
};
