// The records module's HTTP routes, under /api/records/ (and the public verify and disclosure pages).
// Each part registers its own plugin here.
import type { FastifyPluginAsync } from 'fastify';
import type { RecordsService } from './service.ts';
import { reportingRoutes } from './reporting/index.ts';

export interface RecordsRoutesOptions {
  records: RecordsService;
}

export const recordsRoutes: FastifyPluginAsync<RecordsRoutesOptions> = async (app, { records }) => {
  await app.register(reportingRoutes, { reporting: records.reporting });
};
