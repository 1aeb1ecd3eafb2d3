// The statistics page's calls; the replies' shapes are records' protocol (records/protocol.ts).
import { call } from '../../../web/http.ts';
import type { ItemAnalysisReply, StatisticsGrouping, StatisticsReply } from '../../protocol.ts';

export type { ItemAnalysisReply, StatisticsGrouping, StatisticsReply };
export type { Figures, ItemFigures, ItemFlag, StatisticsGroup } from '../../protocol.ts';
export { STATISTICS_GROUPINGS } from '../../protocol.ts';

export interface Query {
  from: string;
  to: string;
  groupBy: StatisticsGrouping;
}

/** Empty values are left out: the server's defaults apply (the twelve months up to today). */
const qs = (o: Record<string, string>) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== '')).toString();

export const statistics = (q: Query) => call<StatisticsReply>('GET', `/api/records/statistics?${qs({ from: q.from, to: q.to, groupBy: q.groupBy })}`);
export const items = (q: Query) => call<ItemAnalysisReply>('GET', `/api/records/statistics/items?${qs({ from: q.from, to: q.to })}`);

/** The same figures as a file for Excel (the server writes it: UTF-8 with a BOM). */
export const statisticsCsvUrl = (q: Query, lang: string) =>
  `/api/records/statistics?${qs({ from: q.from, to: q.to, groupBy: q.groupBy, format: 'csv', lang })}`;
export const itemsCsvUrl = (q: Query, lang: string) => `/api/records/statistics/items?${qs({ from: q.from, to: q.to, format: 'csv', lang })}`;
