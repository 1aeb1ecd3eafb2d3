// The records module's HTTP routes, under /api/records/ (and the public verify and disclosure pages).
// Each part registers its own plugin here.
import type { FastifyPluginAsync } from 'fastify';
import type { RecordsService } from './service.ts';

export interface RecordsRoutesOptions {
  records: RecordsService;
}

export const recordsRoutes: FastifyPluginAsync<RecordsRoutesOptions> = async (app, { records }) => {
  // Loaded here rather than at the top: the CLI imports records/ for its commands, and the routes'
  // schemas would cost every command's start (bench startup).
  const [{ archiveRoutes }, { certificateRoutes }, { personRoutes }, { statisticsRoutes }, { reportingRoutes }] = await Promise.all([
    import('./archive/routes.ts'),
    import('./certificates/routes.ts'),
    import('./people/routes.ts'),
    import('./statistics/routes.ts'),
    import('./reporting/routes.ts'),
  ]);
  await app.register(archiveRoutes, { records });
  await app.register(certificateRoutes, { records });
  await app.register(personRoutes, { people: records.people });
  await app.register(statisticsRoutes, { statistics: records.statistics, config: records.deps.config });
  await app.register(reportingRoutes, { reporting: records.reporting });
  const { privacyRoutes } = await import('./privacy/routes.ts');
  await app.register(privacyRoutes, { privacy: records.privacy });
  const { reportRoutes } = await import('./reports/routes.ts');
  await app.register(reportRoutes, { records });
};
