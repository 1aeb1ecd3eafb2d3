// Group names as people read them: the exam engine's Chinese labels, and one English name each
// (docs/glossary.md). Used by the JSON replies (both languages) and the CSV headers and cells.
import { CATEGORY_LABELS, INDUSTRY_LABELS, QUESTION_TYPE_LABELS, type Category, type Industry, type QuestionType } from '../../exam/index.ts';

export type Label = { zh: string; en: string };

const CATEGORY_EN: Record<Category, string> = { principal: 'Principal', safety_manager: 'Safety manager', special_operation: 'Special operation' };
const INDUSTRY_EN: Record<Industry, string> = {
  metallurgy: 'Metallurgy',
  nonferrous: 'Non-ferrous metals',
  building_materials: 'Building materials',
  machinery: 'Machinery',
  light_industry: 'Light industry',
  textile: 'Textile',
  tobacco: 'Tobacco',
  commerce: 'Commerce and trade',
  hazardous_chemicals: 'Hazardous chemicals',
  general: 'General',
};
const TYPE_EN: Record<QuestionType, string> = { judge: 'true/false', single: 'single choice', multiple: 'multiple choice' };

export const categoryLabel = (c: string): Label => ({ zh: CATEGORY_LABELS[c as Category] ?? c, en: CATEGORY_EN[c as Category] ?? c });
export const industryLabel = (i: string): Label => ({ zh: INDUSTRY_LABELS[i as Industry] ?? i, en: INDUSTRY_EN[i as Industry] ?? i });
export const institutionLabel = (name: string): Label => (name ? { zh: name, en: name } : { zh: '（未填写培训机构）', en: '(no training institution given)' });
export const typeLabel = (t: string): Label => ({ zh: QUESTION_TYPE_LABELS[t as QuestionType] ?? t, en: TYPE_EN[t as QuestionType] ?? t });
