// GET /api/gb28181: each platform's registration, keepalive, clock skew and open plays, for the admin
// console and the proctor console's status area. Read-only; the config is where platforms change.
import type { FastifyPluginAsync } from 'fastify';
import type { Gb28181Service } from './service.ts';

export interface Gb28181RouteOptions {
  gb: Gb28181Service | null;
  /** The route's guard (admin, or the proctor console's status area). */
  preHandler: import('fastify').preHandlerHookHandler;
}

export const gb28181Routes: FastifyPluginAsync<Gb28181RouteOptions> = async (app, opts) => {
  app.get('/api/gb28181', { preHandler: opts.preHandler }, async () => {
    if (!opts.gb) return { configured: false, deviceId: null, port: null, platforms: [], sip: { received: 0, malformed: 0, dropped: 0 } };
    return { configured: true, ...opts.gb.status() };
  });
};
