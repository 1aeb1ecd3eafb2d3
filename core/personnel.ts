// The codes the exam engine, rosters and the config's `rules:` share: personnel categories (人员类别)
// and the 工贸 industries. Here so that config/ (which may import only core/) and exam/ name one list.

export const CATEGORIES = ['principal', 'safety_manager', 'special_operation'] as const;
/** Personnel category (人员类别). Special operations also name their operation class (作业类别). */
export type Category = (typeof CATEGORIES)[number];

/** The nine 工贸 industries plus questions that apply to all of them. */
export const INDUSTRIES = [
  'metallurgy',
  'nonferrous',
  'building_materials',
  'machinery',
  'light_industry',
  'textile',
  'tobacco',
  'commerce',
  'hazardous_chemicals',
  'general',
] as const;
export type Industry = (typeof INDUSTRIES)[number];
