// The records module's HTTP routes, under /api/records/ (and the public verify and disclosure pages).
// Each part registers its own plugin here.
import type { FastifyPluginAsync } from 'fastify';
import type { RecordsService } from './service.ts';

export interface RecordsRoutesOptions {
  records: RecordsService;
}

export const recordsRoutes: FastifyPluginAsync<RecordsRoutesOptions> = async (app, o) => {
  // Loaded here, not at the top: the CLI builds the records service for its commands without routes.
  const { reportRoutes } = await import('./reports/routes.ts');
  await app.register(reportRoutes, { records: o.records });
};
