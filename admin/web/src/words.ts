// The console's own words (title, log-in, navigation). Each page keeps its words beside it
// (pages/<page>/words.ts).
import type { Bilingual } from '../../../web/i18n.ts';
import type { PageId } from './route.ts';

export interface ShellWords {
  title: string;
  loginTitle: string;
  pages: Record<PageId, string>;
  otherApps: string;
  pageNotAllowed: string;
}

export const shellWords: Bilingual<ShellWords> = {
  zh: {
    title: '考点管理',
    loginTitle: '考点管理 · 管理员、班主任登录',
    pages: {
      today: '今日考务',
      devices: '设备',
      bank: '题库',
      templates: '组卷模板',
      plans: '计划与场次',
      training: '培训班',
      results: '成绩与档案',
      people: '人员',
      system: '系统',
    },
    otherApps: '其他页面',
    pageNotAllowed: '您的账号不能打开此页面（班主任只能使用“培训班”页面）。',
  },
  en: {
    title: 'Site office',
    loginTitle: 'Site office · administrator and head teacher log-in',
    pages: {
      today: 'Today',
      devices: 'Devices',
      bank: 'Question bank',
      templates: 'Templates',
      plans: 'Plans & sessions',
      training: 'Training classes',
      results: 'Results & records',
      people: 'People',
      system: 'System',
    },
    otherApps: 'Other pages',
    pageNotAllowed: 'Your account cannot open this page (a head teacher uses the Training classes page only).',
  },
};
