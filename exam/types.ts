// The exam engine's vocabulary. Chinese domain terms keep one English name each (docs/glossary.md);
// the Chinese labels are what people type in spreadsheets and see on screen.

export const QUESTION_TYPES = ['judge', 'single', 'multiple'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
export const QUESTION_TYPE_LABELS: Record<QuestionType, string> = { judge: '判断', single: '单选', multiple: '多选' };

// Categories and industries are core's (core/personnel.ts): config's `rules:` names them too.
export { CATEGORIES, INDUSTRIES, type Category, type Industry } from '../core/index.ts';
import type { Category, Industry } from '../core/index.ts';
export const INDUSTRY_LABELS: Record<Industry, string> = {
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
};

export const CATEGORY_LABELS: Record<Category, string> = { principal: '主要负责人', safety_manager: '安全生产管理人员', special_operation: '特种作业人员' };

export const TIERS = ['national', 'provincial', 'local'] as const;
export type Tier = (typeof TIERS)[number];
export const TIER_LABELS: Record<Tier, string> = { national: '国家', provincial: '省级', local: '本地' };

/** A question as stored. Content never changes under an id: the id is a hash of the content. */
export interface Question {
  id: string;
  /** The id the central bank or the spreadsheet gave it, when it had one. */
  externalId: string | null;
  type: QuestionType;
  stem: string;
  /** Option texts in bank order; judge questions have exactly ['正确', '错误']. */
  options: string[];
  /** Indices into options, ascending; one for judge/single, two or more for multiple. */
  answer: number[];
  images: string[];
  industry: Industry;
  category: Category;
  operationClass: string | null;
  knowledgePoint: string;
  difficulty: 1 | 2 | 3 | 4 | 5;
  explanation: string | null;
  tier: Tier;
  /** Hash of the normalised stem and options: two questions with the same one are duplicates. */
  fingerprint: string;
  retiredAt: number | null;
}

/** What an import or a package supplies; ids and fingerprints are computed on the way in. */
export type QuestionInput = Omit<Question, 'id' | 'fingerprint' | 'retiredAt'>;

export interface TemplateSection {
  type: QuestionType;
  count: number;
  /** Points per question. */
  score: number;
  /** Share of questions per difficulty, e.g. { "1": 0.2, "2": 0.3, "3": 0.3, "4": 0.2 }; summing to 1. */
  difficultyMix?: Partial<Record<'1' | '2' | '3' | '4' | '5', number>>;
  /** Knowledge points that must each appear at least once in this section. */
  requiredKnowledgePoints?: string[];
}

/** A paper template (组卷规则). */
export interface Template {
  id: string;
  name: string;
  industry: Industry;
  category: Category;
  operationClass: string | null;
  durationMinutes: number;
  total: number;
  passMark: number;
  sections: TemplateSection[];
  /** Multiple choice: all-or-nothing by default; 'partial' gives score × right/total when no wrong option is chosen. */
  multipleChoiceScoring?: 'all_or_nothing' | 'partial';
}

/** One question as it appears on one candidate's paper: options in that candidate's order. */
export interface PaperItem {
  questionId: string;
  type: QuestionType;
  score: number;
  /** optionOrder[k] = the bank index of the option shown k-th. */
  optionOrder: number[];
  /** The correct answer in the shown order (indices into the shown options). */
  key: number[];
  knowledgePoint: string;
}

export interface Paper {
  id: string;
  sessionId: string | null;
  idNumber: string | null;
  bankVersion: string;
  templateId: string;
  seed: string;
  items: PaperItem[];
  generatedAt: number;
}

/** What a terminal shows: no keys, no bank indices. */
export interface DeliveredQuestion {
  no: number;
  type: QuestionType;
  score: number;
  stem: string;
  options: string[];
  images: string[];
}

/** Answers a candidate gave: question number (1-based, as shown) → chosen shown-option indices. */
export type AnswerSheet = Record<number, number[]>;

export interface GradeResult {
  score: number;
  total: number;
  passed: boolean;
  passMark: number;
  perItem: { no: number; questionId: string; earned: number; max: number; correct: boolean }[];
  byKnowledgePoint: { knowledgePoint: string; earned: number; max: number; questions: number }[];
}
