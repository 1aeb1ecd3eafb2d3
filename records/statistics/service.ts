// Statistics and disclosure: pass rates, absences, average scores and retakes per session, training
// institution, personnel category, industry or month; the item analysis of the bank's questions; and the
// public per-institution pass rates with small groups withheld. Reads the exam engine's rows through
// exam/index.ts (sittings, graded papers) and writes nothing. Definitions: docs/records.md "Statistics".
import { iso, localDate } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import type { Db } from '../../storage/index.ts';
import { gradedPapersBetween, questionFacts, sessionCountsBetween, sittingsBetween, type SessionStatus, type SittingRow } from '../../exam/index.ts';
import type { ItemAnalysisReply, PublicPassRatesReply, StatisticsGroup, StatisticsGrouping, StatisticsReply } from '../protocol.ts';
import { figuresOf, groupBy } from './figures.ts';
import { analyseItems, ITEM_THRESHOLDS } from './items.ts';
import { disclose } from './disclosure.ts';
import { dayPeriod, monthPeriod } from './period.ts';
import { categoryLabel, industryLabel, institutionLabel, typeLabel, type Label } from './labels.ts';
import { oneDecimal, percent, threeDecimals, toCsv, type Cell } from './csv.ts';

/**
 * A session counts once it is graded: every result is final and every no-show is marked absent, so its
 * figures never change again (archiving does not change them either).
 */
export const COUNTED_STATUSES: readonly SessionStatus[] = ['graded', 'archived'];
const NOT_YET: readonly SessionStatus[] = ['scheduled', 'papers_ready', 'checkin', 'in_progress', 'ended'];

export interface StatisticsDeps {
  db: Db;
  clock: { now(): number };
  config: Config;
}

export type CsvLang = 'zh' | 'en';

export function createStatistics({ db, clock, config }: StatisticsDeps) {
  const tz = config.site.timezone;
  const roomName = (id: string) => config.rooms.find((r) => r.id === id)?.name ?? id;

  function groupsOf(rows: SittingRow[], by: StatisticsGrouping): StatisticsGroup[] {
    switch (by) {
      case 'session':
        return [...groupBy(rows, (r) => r.sessionId)].map(([key, list]) => {
          const r = list[0]!;
          const date = localDate(r.startsAt, tz);
          return {
            key,
            label: { zh: `${date} ${r.templateName} ${roomName(r.roomId)}`, en: `${date} ${r.templateName} ${roomName(r.roomId)}` },
            session: { date, templateId: r.templateId, templateName: r.templateName, roomId: r.roomId, roomName: roomName(r.roomId) },
            figures: figuresOf(list),
          };
        });
      case 'institution':
        return sortByKey([...groupBy(rows, (r) => r.institution ?? '')], (k) => k === '').map(([key, list]) => ({
          key,
          label: institutionLabel(key),
          figures: figuresOf(list),
        }));
      case 'category':
        return sortByKey([...groupBy(rows, (r) => r.category)]).map(([key, list]) => ({ key, label: categoryLabel(key), figures: figuresOf(list) }));
      case 'industry':
        return sortByKey([...groupBy(rows, (r) => r.industry)]).map(([key, list]) => ({ key, label: industryLabel(key), figures: figuresOf(list) }));
      case 'month':
        return sortByKey([...groupBy(rows, (r) => localDate(r.startsAt, tz).slice(0, 7))]).map(([key, list]) => ({
          key,
          label: { zh: key, en: key },
          figures: figuresOf(list),
        }));
    }
  }

  return {
    /** Figures per group over the graded sessions that started in the period. */
    statistics(q: { from?: string; to?: string; groupBy?: StatisticsGrouping }): StatisticsReply {
      const p = dayPeriod(q, clock.now(), tz);
      const by = q.groupBy ?? 'session';
      const rows = sittingsBetween(db, p.fromMs, p.toMs, COUNTED_STATUSES);
      const counts = sessionCountsBetween(db, p.fromMs, p.toMs);
      const sum = (xs: readonly SessionStatus[]) => xs.reduce((n, s) => n + (counts[s] ?? 0), 0);
      return {
        from: p.from,
        to: p.to,
        groupBy: by,
        sessions: sum(COUNTED_STATUSES),
        notYetGraded: sum(NOT_YET),
        total: figuresOf(rows),
        groups: groupsOf(rows, by),
        generatedAt: iso(clock.now()),
      };
    },

    /** The item analysis over the graded papers of the period (one template's, when named). */
    items(q: { from?: string; to?: string; templateId?: string }, opts: { withStems: boolean }): ItemAnalysisReply {
      const p = dayPeriod(q, clock.now(), tz);
      const papers = gradedPapersBetween(db, p.fromMs, p.toMs, COUNTED_STATUSES).filter((x) => !q.templateId || x.templateId === q.templateId);
      const ids = [...new Set(papers.flatMap((x) => x.items.map((i) => i.questionId)))];
      return {
        from: p.from,
        to: p.to,
        templateId: q.templateId ?? null,
        papers: papers.length,
        thresholds: { ...ITEM_THRESHOLDS },
        items: analyseItems(papers, questionFacts(db, ids), opts.withStems),
        generatedAt: iso(clock.now()),
      };
    },

    /** Per training institution, whole months, small groups withheld: what anyone may read. */
    publicPassRates(q: { from?: string; to?: string }): PublicPassRatesReply {
      const p = monthPeriod(q, clock.now(), tz);
      const rows = sittingsBetween(db, p.fromMs, p.toMs, COUNTED_STATUSES);
      return { siteName: config.site.name, timezone: tz, from: p.from, to: p.to, ...disclose(rows), generatedAt: iso(clock.now()) };
    },

    statisticsCsv(r: StatisticsReply, lang: CsvLang): string {
      const h = CSV_HEADERS[lang];
      const first = r.groupBy === 'session' ? [h.date, h.session, h.room, h.sessionId] : [h.groupBy[r.groupBy]];
      const figures = (f: StatisticsReply['total']): Cell[] => [
        f.registered,
        f.absent,
        f.sat,
        f.passed,
        f.failed,
        percent(f.passRate),
        percent(f.absenceRate),
        oneDecimal(f.averageScore),
        f.retakes,
        f.retakesPassed,
        percent(f.firstAttemptPassRate),
      ];
      const lines: Cell[][] = [[...first, ...h.figures]];
      for (const g of r.groups) {
        const lead: Cell[] = g.session ? [g.session.date, g.session.templateName, g.session.roomName, g.key] : [g.label[lang]];
        lines.push([...lead, ...figures(g.figures)]);
      }
      lines.push([h.total, ...first.slice(1).map(() => null), ...figures(r.total)]);
      lines.push([]);
      lines.push([h.period(r.from, r.to, r.sessions, r.notYetGraded)]);
      return toCsv(lines);
    },

    itemsCsv(r: ItemAnalysisReply, lang: CsvLang): string {
      const h = CSV_HEADERS[lang];
      const lines: Cell[][] = [h.items];
      for (const i of r.items) {
        lines.push([
          i.questionId,
          i.externalId,
          typeLabel(i.type)[lang],
          i.knowledgePoint,
          i.difficulty,
          i.responses,
          i.correct,
          threeDecimals(i.facility),
          i.groupSize,
          threeDecimals(i.discrimination),
          i.judged ? i.flags.map((f) => h.flag[f]).join(lang === 'zh' ? '；' : '; ') : h.notJudged,
          i.stem,
        ]);
      }
      lines.push([]);
      lines.push([h.itemsNote(r.from, r.to, r.papers)]);
      return toCsv(lines);
    },
  };
}

export type Statistics = ReturnType<typeof createStatistics>;

/** Groups in code-point order of their key (the same on every machine); `last` keys (no institution) at the end. */
function sortByKey<T>(entries: [string, T][], last: (k: string) => boolean = () => false): [string, T][] {
  return entries.sort(([a], [b]) => Number(last(a)) - Number(last(b)) || (a < b ? -1 : a > b ? 1 : 0));
}

const CSV_HEADERS: Record<
  CsvLang,
  {
    date: string;
    session: string;
    room: string;
    sessionId: string;
    groupBy: Record<Exclude<StatisticsGrouping, 'session'>, string>;
    figures: string[];
    total: string;
    period: (from: string, to: string, sessions: number, notYet: number) => string;
    items: string[];
    flag: Record<string, string>;
    notJudged: string;
    itemsNote: (from: string, to: string, papers: number) => string;
  }
> = {
  zh: {
    date: '考试日期',
    session: '考试科目',
    room: '考场',
    sessionId: '场次编号',
    groupBy: { institution: '培训机构', category: '人员类别', industry: '行业', month: '月份' },
    figures: [
      '报名人数',
      '缺考人数',
      '实考人数',
      '合格人数',
      '不合格人数',
      '合格率(%)',
      '缺考率(%)',
      '平均分(百分制)',
      '补考人次',
      '补考合格人次',
      '首次考试合格率(%)',
    ],
    total: '合计',
    period: (from, to, sessions, notYet) =>
      `统计期间 ${from} 至 ${to}（按计划开考日期），计入已评分场次 ${sessions} 场${notYet ? `；另有 ${notYet} 场尚未评分，未计入` : ''}。每人每场计一人次，补考单独计一人次。`,
    items: ['试题编号', '外部编号', '题型', '知识点', '难度', '作答次数', '答对次数', '难度系数P', '高低分组人数', '区分度D', '标记', '题干'],
    flag: { too_hard: '过难(P<0.2)', too_easy: '过易(P>0.95)', low_discrimination: '区分度低(D<0.2)', negative_discrimination: '区分度为负(请核对答案)' },
    notJudged: '作答不足20次，未判断',
    itemsNote: (from, to, papers) => `统计期间 ${from} 至 ${to}，已评分试卷 ${papers} 份。高低分组各取按总分排序的27%。`,
  },
  en: {
    date: 'Date',
    session: 'Exam',
    room: 'Room',
    sessionId: 'Session id',
    groupBy: { institution: 'Training institution', category: 'Personnel category', industry: 'Industry', month: 'Month' },
    figures: [
      'Registered',
      'Absent',
      'Sat',
      'Passed',
      'Failed',
      'Pass rate (%)',
      'Absence rate (%)',
      'Average score (of 100)',
      'Retakes',
      'Retakes passed',
      'First-attempt pass rate (%)',
    ],
    total: 'Total',
    period: (from, to, sessions, notYet) =>
      `Period ${from} to ${to} (by planned start), ${sessions} graded sessions${notYet ? `; ${notYet} not yet graded, left out` : ''}. Each person in each session is one sitting; a retake is a sitting of its own.`,
    items: [
      'Question id',
      'External id',
      'Type',
      'Knowledge point',
      'Difficulty',
      'Responses',
      'Correct',
      'Facility P',
      'Group size',
      'Discrimination D',
      'Flags',
      'Stem',
    ],
    flag: {
      too_hard: 'too hard (P<0.2)',
      too_easy: 'too easy (P>0.95)',
      low_discrimination: 'low discrimination (D<0.2)',
      negative_discrimination: 'negative discrimination (check the key)',
    },
    notJudged: 'fewer than 20 responses, not judged',
    itemsNote: (from, to, papers) => `Period ${from} to ${to}, ${papers} graded papers. Upper and lower groups are 27 % each by total score.`,
  },
};

export type { Label };
