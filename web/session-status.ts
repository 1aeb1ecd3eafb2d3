// An exam session's status in words (exam/protocol.ts SESSION_STATUS_NAMES), one set for every desk app
// (admin, proctor, inspector), so a session reads the same wherever a person sees it. The terminal
// speaks to candidates and keeps its own words.
import type { SessionStatusName } from '../exam/protocol.ts';
import type { Bilingual } from './i18n.ts';

export const sessionStatusWords: Bilingual<Record<SessionStatusName, string>> = {
  zh: {
    scheduled: '已排期',
    papers_ready: '试卷已生成',
    checkin: '检录中',
    in_progress: '考试中',
    ended: '已结束',
    graded: '已评分',
    archived: '已归档',
  },
  en: {
    scheduled: 'scheduled',
    papers_ready: 'papers ready',
    checkin: 'check-in open',
    in_progress: 'in progress',
    ended: 'ended',
    graded: 'graded',
    archived: 'archived',
  },
};
