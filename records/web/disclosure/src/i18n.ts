// The disclosure page's words: Simplified Chinese first, English on request (?lang=en or the toggle).
import type { Bilingual, Lang } from '../../../../web/i18n.ts';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

const zh = {
  lang: 'zh' as Lang,
  title: '培训机构考试合格率公示',
  loading: '正在载入…',
  failed: (why: string) => `载入失败：${why}`,
  from: '起始月份',
  to: '截止月份',
  show: '查询',
  period: (site: string, from: string, to: string) => `${site} · ${from} 至 ${to}`,
  institution: '培训机构',
  sat: '实考人数',
  passed: '合格人数',
  passRate: '合格率',
  total: '合计',
  tooFew: '人数不足',
  noInstitution: '（未填写培训机构）',
  chartTitle: '各培训机构考试合格率',
  barText: (rate: number | null, sat: number | null) => `${pct(rate)} · ${sat} 人`,
  none: '此期间没有已评分的考试。',
  rule: (n: number) =>
    `统计已评分的考试场次，按计划开考月份；每人每场计一人次，补考单独计一人次；合格率 = 合格人数 ÷ 实考人数。为保护个人信息，少于 ${n} 人的数字不予公示，显示为"人数不足"；合计在可能推算出这些数字时亦不公示。本页只公布汇总数字，不含任何个人信息。`,
  generated: (at: string) => `数据生成于 ${at}`,
  json: '机器可读数据（JSON）',
  pct,
};
export type Words = typeof zh;

const en: Words = {
  lang: 'en',
  title: 'Exam pass rates by training institution',
  loading: 'Loading…',
  failed: (why) => `Could not load: ${why}`,
  from: 'From month',
  to: 'To month',
  show: 'Show',
  period: (site, from, to) => `${site} · ${from} to ${to}`,
  institution: 'Training institution',
  sat: 'Sat',
  passed: 'Passed',
  passRate: 'Pass rate',
  total: 'Total',
  tooFew: 'too few people',
  noInstitution: '(no training institution given)',
  chartTitle: 'Pass rate per training institution',
  barText: (rate, sat) => `${pct(rate)} · ${sat} sat`,
  none: 'No graded exam in this period.',
  rule: (n) =>
    `Graded exam sessions by month of planned start; each person in each session counts once, a retake once more; pass rate = passed ÷ sat. To protect personal data, any figure from fewer than ${n} people is withheld ("too few people"), and so is the total where it would let one be worked out. This page shows totals only, nothing about any person.`,
  generated: (at) => `Figures as of ${at}`,
  json: 'Machine-readable data (JSON)',
  pct,
};

export const words: Bilingual<Words> = { zh, en };
