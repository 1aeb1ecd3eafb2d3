// The records module's HTTP routes, under /api/records/ (and the public verify and disclosure pages).
// Each part registers its own plugin here.
import type { FastifyPluginAsync } from 'fastify';
import type { RecordsService } from './service.ts';

export interface RecordsRoutesOptions {
  records: RecordsService;
}

export const recordsRoutes: FastifyPluginAsync<RecordsRoutesOptions> = async (app, { records }) => {
  // Loaded here rather than at the top: the CLI imports records/ for its commands, and the routes' schemas cost every command's start.
  const { statisticsRoutes } = await import('./statistics/routes.ts');
  await app.register(statisticsRoutes, { statistics: records.statistics, config: records.deps.config });
};
