// The templates page's words, zh-CN first.
import type { Bilingual } from '../../../../../web/i18n.ts';

export const templateWords: Bilingual<{
  list: string;
  bankVersion: (v: string | null) => string;
  emptyBank: string;
  name: string;
  who: string;
  duration: (m: number) => string;
  score: (total: number, pass: number) => string;
  sections: string;
  source: Record<'version' | 'shipped', string>;
  check: string;
  checking: string;
  invalid: string;
  typeNames: Record<'judge' | 'single' | 'multiple', string>;
  sectionHead: (n: number, label: string, count: number, score: number) => string;
  feasible: (pool: number) => string;
  notFeasible: string;
  difficulty: string;
  anyDifficulty: string;
  needed: string;
  available: string;
  short: string;
  knowledgePoint: string;
  drawable: string;
  missing: string;
  enough: string;
  problems: string;
  warnings: string;
  close: string;
  noMix: string;
  industry: Record<string, string>;
  category: Record<string, string>;
}> = {
  zh: {
    list: '组卷模板',
    bankVersion: (v) => (v ? `题库版本 ${v}` : '题库为空'),
    emptyBank: '题库为空：请先在「题库」页导入试题，才能检查模板能否组卷。',
    name: '模板',
    who: '行业 / 人员类别',
    duration: (m) => `${m} 分钟`,
    score: (t, p) => `满分 ${t}，${p} 分及格`,
    sections: '题型与题量',
    source: { version: '题库自带', shipped: '内置' },
    check: '检查能否组卷',
    checking: '检查中…',
    invalid: '无效的模板',
    typeNames: { judge: '判断', single: '单选', multiple: '多选' },
    sectionHead: (n, _label, c, s) => `第 ${n + 1} 部分：${c} 题，每题 ${s} 分`,
    feasible: (pool) => `可以组卷：题库中可抽的题共 ${pool} 道`,
    notFeasible: '不能组卷：题库中的题不够，缺口已标出',
    difficulty: '难度',
    anyDifficulty: '不限',
    needed: '需要',
    available: '可用',
    short: '缺少',
    knowledgePoint: '必考知识点',
    drawable: '可抽（难度符合）',
    missing: '缺',
    enough: '够',
    problems: '服务器的说明（英文）',
    warnings: '提醒',
    close: '收起',
    noMix: '不限难度',
    industry: {
      metallurgy: '冶金',
      nonferrous: '有色',
      building_materials: '建材',
      machinery: '机械',
      light_industry: '轻工',
      textile: '纺织',
      tobacco: '烟草',
      commerce: '商贸',
      hazardous_chemicals: '危化',
      general: '通用',
    },
    category: { principal: '主要负责人', safety_manager: '安全生产管理人员', special_operation: '特种作业人员' },
  },
  en: {
    list: 'Paper templates',
    bankVersion: (v) => (v ? `bank version ${v}` : 'the bank is empty'),
    emptyBank: 'The bank is empty: import questions on the Bank page before checking whether a template can be filled.',
    name: 'Template',
    who: 'Industry / category',
    duration: (m) => `${m} min`,
    score: (t, p) => `${t} points, pass at ${p}`,
    sections: 'Sections',
    source: { version: 'from the bank', shipped: 'shipped' },
    check: 'Check feasibility',
    checking: 'checking…',
    invalid: 'Invalid templates',
    typeNames: { judge: 'true/false', single: 'single choice', multiple: 'multiple choice' },
    sectionHead: (n, _label, c, s) => `Section ${n + 1}: ${c} questions, ${s} point${s === 1 ? '' : 's'} each`,
    feasible: (pool) => `Feasible: ${pool} questions can be drawn`,
    notFeasible: 'Not feasible: the bank is short; the shortfalls are marked',
    difficulty: 'Difficulty',
    anyDifficulty: 'any',
    needed: 'Needed',
    available: 'Available',
    short: 'Short',
    knowledgePoint: 'Required knowledge point',
    drawable: 'Drawable (difficulty in the mix)',
    missing: 'missing',
    enough: 'enough',
    problems: 'The server says',
    warnings: 'Warnings',
    close: 'Close',
    noMix: 'any difficulty',
    industry: {
      metallurgy: 'metallurgy',
      nonferrous: 'non-ferrous metals',
      building_materials: 'building materials',
      machinery: 'machinery',
      light_industry: 'light industry',
      textile: 'textiles',
      tobacco: 'tobacco',
      commerce: 'commerce',
      hazardous_chemicals: 'hazardous chemicals',
      general: 'general',
    },
    category: { principal: 'principal', safety_manager: 'safety manager', special_operation: 'special operation' },
  },
};
