// GET /api/gb28181 (admin): each platform's registration, keepalive, clock skew and open plays.
// GET /api/gb28181/summary (staff): the proctor console's one line per platform. Read-only; platforms
// change in the config.
import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../../core/index.ts';
import type { Gb28181AdminStatus, Gb28181Summary } from './protocol.ts';
import type { Gb28181Service } from './service.ts';

export interface Gb28181RouteOptions {
  gb: Gb28181Service | null;
  clock: Clock;
}

export const gb28181Routes: FastifyPluginAsync<Gb28181RouteOptions> = async (app, opts) => {
  app.get('/api/gb28181', { config: { roles: ['admin'] } }, async (): Promise<Gb28181AdminStatus> => {
    const serverTime = opts.clock.now();
    if (!opts.gb) return { configured: false, serverTime, deviceId: null, port: null, platforms: [], sip: { received: 0, malformed: 0, dropped: 0 } };
    return { configured: true, serverTime, ...opts.gb.status() };
  });
  app.get('/api/gb28181/summary', { config: { roles: ['admin', 'invigilator', 'inspector'] } }, async (): Promise<Gb28181Summary> => {
    if (!opts.gb) return { configured: false, platforms: [] };
    return {
      configured: true,
      platforms: opts.gb.status().platforms.map((p) => ({ name: p.name, online: p.online, plays: p.plays.length, clockAlarm: p.clockAlarm })),
    };
  });
};
