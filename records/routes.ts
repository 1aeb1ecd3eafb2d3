// The records module's HTTP routes, under /api/records/ (and the public verify and disclosure pages).
// Each part registers its own plugin here.
import type { FastifyPluginAsync } from 'fastify';
import type { RecordsService } from './service.ts';
import { archiveRoutes } from './archive/routes.ts';
import { certificateRoutes } from './certificates/index.ts';
import { personRoutes } from './people/index.ts';
import { reportingRoutes } from './reporting/index.ts';

export interface RecordsRoutesOptions {
  records: RecordsService;
}

export const recordsRoutes: FastifyPluginAsync<RecordsRoutesOptions> = async (app, o) => {
  await app.register(archiveRoutes, { records: o.records });
export const recordsRoutes: FastifyPluginAsync<RecordsRoutesOptions> = async (app, { records }) => {
  await app.register(certificateRoutes, { records });
export const recordsRoutes: FastifyPluginAsync<RecordsRoutesOptions> = async (app, { records }) => {
  await app.register(personRoutes, { people: records.people });
export const recordsRoutes: FastifyPluginAsync<RecordsRoutesOptions> = async (app, { records }) => {
  // Loaded here rather than at the top: the CLI imports records/ for its commands, and the routes' schemas cost every command's start.
  const { statisticsRoutes } = await import('./statistics/routes.ts');
  await app.register(statisticsRoutes, { statistics: records.statistics, config: records.deps.config });
export const recordsRoutes: FastifyPluginAsync<RecordsRoutesOptions> = async (app, { records }) => {
  await app.register(reportingRoutes, { reporting: records.reporting });
};
