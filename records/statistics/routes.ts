// HTTP for statistics: the staff figures and item analysis as JSON or CSV (administrators; inspectors
// whose jurisdiction holds this site, without the bank's question texts), and the public disclosure
// of pass rates per training institution (no log-in, aggregates only, small groups withheld).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorReply, Forbidden, OUTSIDE_JURISDICTION, siteInJurisdiction } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import { ItemAnalysisReplyT, PublicPassRatesReplyT, STATISTICS_GROUPINGS, StatisticsReplyT, type StatisticsGrouping } from '../protocol.ts';
import type { Statistics } from './service.ts';

const closed = { additionalProperties: false } as const;
const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply };
const oneOf = <const T extends readonly string[]>(xs: T) => Type.Union(xs.map((x) => Type.Literal(x)));
const Day = Type.String({ maxLength: 10, description: 'YYYY-MM-DD on the site calendar, inclusive' });
const Month = Type.String({ maxLength: 7, description: 'YYYY-MM on the site calendar, inclusive' });
const Format = Type.Optional(oneOf(['json', 'csv'] as const));
const Lang = Type.Optional(oneOf(['zh', 'en'] as const));

export const statisticsRoutes: FastifyPluginAsync<{ statistics: Statistics; config: Config }> = async (app, { statistics, config }) => {
  const tags = ['records'];
  const readers = { roles: ['admin' as const, 'inspector' as const] };
  /** Administrators see everything; an inspector sees this site's aggregates only inside their jurisdiction. */
  const mayRead = (request: FastifyRequest): { stems: boolean } => {
    const p = request.principal;
    if (p?.kind === 'user' && p.role === 'admin') return { stems: true };
    if (p?.kind === 'user' && p.role === 'inspector' && siteInJurisdiction(config.site, p.user.jurisdiction)) return { stems: false };
    throw new Forbidden(`site ${config.site.id} is outside your jurisdiction`, OUTSIDE_JURISDICTION);
  };
  const csv = (reply: FastifyReply, name: string, body: string) =>
    reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store').send(body);

  app.get(
    '/api/records/statistics',
    {
      config: readers,
      schema: {
        tags,
        summary:
          'Pass rates, absences, average scores and retakes of the graded sessions in a period, per session, institution, category, industry or month; JSON or CSV (UTF-8 with BOM)',
        querystring: Type.Object(
          { from: Type.Optional(Day), to: Type.Optional(Day), groupBy: Type.Optional(oneOf(STATISTICS_GROUPINGS)), format: Format, lang: Lang },
          closed,
        ),
        response: { 200: StatisticsReplyT, ...errors },
      },
    },
    async (request, reply) => {
      mayRead(request);
      const q = request.query as { from?: string; to?: string; groupBy?: StatisticsGrouping; format?: 'json' | 'csv'; lang?: 'zh' | 'en' };
      const r = statistics.statistics(q);
      if (q.format === 'csv') return csv(reply, `statistics-${r.groupBy}-${r.from}-${r.to}.csv`, statistics.statisticsCsv(r, q.lang ?? 'zh'));
      return r;
    },
  );

  app.get(
    '/api/records/statistics/items',
    {
      config: readers,
      schema: {
        tags,
        summary:
          'Item analysis of the graded papers in a period: facility and upper–lower 27 % discrimination per question, bad questions flagged; JSON or CSV',
        querystring: Type.Object(
          {
            from: Type.Optional(Day),
            to: Type.Optional(Day),
            templateId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            format: Format,
            lang: Lang,
          },
          closed,
        ),
        response: { 200: ItemAnalysisReplyT, ...errors },
      },
    },
    async (request, reply) => {
      const { stems } = mayRead(request);
      const q = request.query as { from?: string; to?: string; templateId?: string; format?: 'json' | 'csv'; lang?: 'zh' | 'en' };
      const r = statistics.items(q, { withStems: stems });
      if (q.format === 'csv') return csv(reply, `item-analysis-${r.from}-${r.to}.csv`, statistics.itemsCsv(r, q.lang ?? 'zh'));
      return r;
    },
  );

  app.get(
    '/api/public/pass-rates',
    {
      config: { roles: ['public'] },
      schema: {
        tags,
        summary: 'Public: pass rates per training institution over whole months; any figure from fewer than 5 people is null (withheld)',
        querystring: Type.Object({ from: Type.Optional(Month), to: Type.Optional(Month) }, closed),
        response: { 200: PublicPassRatesReplyT, 400: ErrorReply },
      },
    },
    async (request, reply) => {
      // Published figures change only when a session is graded: a few minutes of caching keeps a busy
      // public page from re-counting the year on every visit.
      reply.header('cache-control', 'public, max-age=300');
      return statistics.publicPassRates(request.query as { from?: string; to?: string });
    },
  );
};
