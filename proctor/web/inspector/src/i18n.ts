// The inspector view's words: Simplified Chinese first, English on request (?lang=en or the toggle).
// The log-in form's, the live tiles' and the player's own words are the web kit's.
import { siteClock, type Bilingual, type Lang } from '../../../../web/i18n.ts';
import { playbackLabels } from '../../../../web/video/playback-view.tsx';

/** The inspector may sit in another zone than the site; times are the site's (from the site list). */
const site = siteClock('Asia/Shanghai');
export const setTimeZone = (tz: string) => site.setTimeZone(tz);

const fmt = (ms: number, lang: Lang) => site.format(ms, lang, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

/** Seconds matter on the playback timeline. */
const fmtClock = (ms: number, lang: Lang) => site.format(ms, lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

const zh = {
  lang: 'zh' as Lang,
  title: '远程巡查',
  loginTitle: '巡查人员登录',
  notInspector: '此账号不是巡查账号；监考员请使用监考台。',
  loading: '正在载入…',
  failed: (why: string) => `载入失败：${why}`,
  readOnly: '只读查看：巡查人员的每次观看都会记入审计日志。',
  noSites: '您的辖区内没有可查看的考点。',
  site: (name: string, p: string, c: string) => `${name}（省 ${p} · 市 ${c}）`,
  rooms: '考场',
  seats: (n: number) => `${n} 个座位`,
  cameras: (n: number) => `${n} 路视频`,
  watch: '查看实时画面',
  hide: '收起画面',
  sessions: '今日场次',
  sessionsRange: '场次',
  from: '从',
  to: '至',
  show: '查询',
  noSessions: '没有场次。',
  col: {
    time: '时间',
    name: '科目',
    room: '考场',
    status: '状态',
    present: '实到/应考',
    submitted: '已交卷',
    incidents: '违纪',
    integrity: '异常',
    alerts: '未处理告警',
  },
  status: {
    scheduled: '待开始',
    papers_ready: '试卷已生成',
    checkin: '检录中',
    in_progress: '考试中',
    ended: '已结束',
    graded: '已评分',
    archived: '已归档',
  } as Record<string, string>,
  details: '详情',
  close: '关闭',
  incidents: '违纪记录',
  integrity: '终端异常',
  alerts: '告警',
  none: '无',
  seat: (s: string) => `${s} 号座`,
  recordedBy: (who: string) => `记录人 ${who}`,
  kind: { camera: '摄像机', screen: '考生屏幕' } as Record<string, string>,
  enlarge: '点击放大，再次点击还原',
  noTiles: '此考场没有视频源。',
  playback: '录像回放',
  pickCamera: '选择视频源：',
  noCameras: '此考场没有视频源。',
  pb: { ...playbackLabels.zh, clickToPlay: '点击下方时间轴，从该时刻开始回放（观看记入审计日志）', marksTitle: '本场告警（点“跳转”从告警前 10 秒开始回放）' },

  time: (ms: number) => fmt(ms, 'zh'),
  clock: (ms: number) => fmtClock(ms, 'zh'),
};
export type Words = typeof zh;

const en: Words = {
  lang: 'en',
  title: 'Inspection',
  loginTitle: 'Inspector log-in',
  notInspector: 'This account is not an inspector account; invigilators use the proctor console.',
  loading: 'Loading…',
  failed: (why) => `Could not load: ${why}`,
  readOnly: 'Read-only: every view an inspector opens is recorded in the audit log.',
  noSites: 'No site in your jurisdiction.',
  site: (name, p, c) => `${name} (province ${p} · city ${c})`,
  rooms: 'Rooms',
  seats: (n) => `${n} seats`,
  cameras: (n) => `${n} video source${n === 1 ? '' : 's'}`,
  watch: 'Watch live',
  hide: 'Hide video',
  sessions: "Today's sessions",
  sessionsRange: 'Sessions',
  from: 'From',
  to: 'to',
  show: 'Show',
  noSessions: 'No sessions.',
  col: {
    time: 'Time',
    name: 'Subject',
    room: 'Room',
    status: 'Status',
    present: 'Present/expected',
    submitted: 'Submitted',
    incidents: 'Incidents',
    integrity: 'Integrity',
    alerts: 'Open alerts',
  },
  status: {
    scheduled: 'scheduled',
    papers_ready: 'papers ready',
    checkin: 'check-in',
    in_progress: 'in progress',
    ended: 'ended',
    graded: 'graded',
    archived: 'archived',
  },
  details: 'Details',
  close: 'Close',
  incidents: 'Incidents',
  integrity: 'Terminal integrity events',
  alerts: 'Alerts',
  none: 'none',
  seat: (s) => `seat ${s}`,
  recordedBy: (who) => `recorded by ${who}`,
  kind: { camera: 'camera', screen: 'screen' },
  enlarge: 'Click to enlarge, again to restore',
  noTiles: 'No video source in this room.',
  playback: 'Playback',
  pickCamera: 'Source:',
  noCameras: 'No video source in this room.',
  pb: {
    ...playbackLabels.en,
    clickToPlay: 'Click the timeline below to play from that moment (the view is audited)',
    marksTitle: 'Alerts of the session ("Jump" plays from 10 s before the alert)',
  },

  time: (ms) => fmt(ms, 'en'),
  clock: (ms) => fmtClock(ms, 'en'),
};

export const words: Bilingual<Words> = { zh, en };
