// The today page's words, Chinese first. Checklist items are worded here from the server's figures
// (exam/protocol.ts ChecklistItem: counts and names), so both languages say the same facts.
import type { Bilingual } from '../../../../../web/i18n.ts';
import type { ChecklistItem, ChecklistItemId, CheckState, SessionTransitionId } from '../../../../../exam/protocol.ts';
import { humanBytes } from '../../format.ts';
import { sessionStatusWords } from '../../../../../web/session-status.ts';

type Params = Record<string, string | number>;
/** Every figure a checklist item may carry (server/routes/session-checklist.ts); an absent one reads 0. */
type CountKey =
  | 'questions'
  | 'newer'
  | 'noBank'
  | 'poolSize'
  | 'problems'
  | 'warnings'
  | 'roster'
  | 'retakes'
  | 'enrolled'
  | 'refused'
  | 'noPhoto'
  | 'pending'
  | 'warned'
  | 'seated'
  | 'unseated'
  | 'papers'
  | 'terminals'
  | 'unpaired'
  | 'offline'
  | 'unhealthy'
  | 'spare'
  | 'seatsWithoutPc'
  | 'named'
  | 'unpairedNamed'
  | 'offlineNamed'
  | 'unhealthyNamed'
  | 'spareNamed'
  | 'cameras'
  | 'down'
  | 'recording'
  | 'freeBytes'
  | 'minFreeBytes'
  | 'daysUntilFull'
  | 'retentionDays'
  | 'low'
  | 'blocked'
  | 'forecastOk';
type Counts = Record<CountKey, number>;
type ItemWords = (c: Counts, names: string[], state: CheckState) => string;

export interface TodayWords {
  lang: 'zh' | 'en';
  intro: string;
  loading: string;
  refresh: string;
  asOf: (time: string) => string;
  none: string;
  today: string;
  earlier: string;
  day: (date: string, isToday: boolean) => string;
  statuses: Record<string, string>;
  stepsLabel: string;
  state: Record<CheckState, string>;
  missingCount: (missing: number, warn: number) => string;
  readyTag: string;
  blocks: string;
  fixIt: Record<string, string>;
  item: Record<ChecklistItemId, string>;
  detail: Record<ChecklistItemId, ItemWords>;
  checklistTitle: string;
  /** The heading of the folded checklist once the exam is under way. */
  checklistAfter: string;
  /** The open-check-in confirmation when the session starts more than 2 hours from now (server time). */
  startsLater: (when: string, hours: number, minutes: number) => string;
  /** The start confirmation: who came and who is at a terminal. */
  startFacts: (p: { roster: number; admitted: number; atTerminal: number }) => string;
  /** The end confirmation: the planned clock and who has not submitted. */
  endFacts: (p: { minutesLeft: number; admitted: number; submitted: number }) => string;
  actionsTitle: string;
  transitions: Record<SessionTransitionId, string>;
  confirm: Record<SessionTransitionId, (room: string, time: string) => string>;
  consequence: Record<SessionTransitionId, string>;
  blockingNote: (items: string) => string;
  cancel: string;
  doIt: string;
  working: string;
  done: Record<SessionTransitionId, string>;
  archiveProgress: (done: number, total: number | null, note: string | null) => string;
  archiveFailed: (error: string) => string;
  archiveNotMoved: (problem: string) => string;
  failed: (why: string) => string;
  pick: string;
  template: string;
  minutes: (n: number) => string;
  refusals: Record<string, (p: Params) => string>;
}

const list = (names: string[], sep: string) => names.join(sep);
/** The terminals item's names in their parts (server/routes/session-checklist.ts): unpaired, offline and unhealthy PCs, spare PCs, seats without a PC. */
const terminalNames = (c: Counts, n: string[]) => {
  const a = c.unpairedNamed;
  const b = a + c.offlineNamed;
  return {
    unpaired: n.slice(0, a),
    offline: n.slice(a, b),
    unhealthy: n.slice(b, c.named),
    spare: n.slice(c.named, c.named + c.spareNamed),
    seats: n.slice(c.named + c.spareNamed),
  };
};
/** A part's names in brackets, with "…" when the server cut the list short. */
const named = (names: string[], total: number, sep: string, open: string, close: string, more: string) =>
  names.length ? `${open}${names.join(sep)}${total > names.length ? more : ''}${close}` : '';

export const todayWords: Bilingual<TodayWords> = {
  zh: {
    lang: 'zh',
    intro: '今天及未来 7 天的考试场次（按日期、考场）。选中一个场次，查看开考前还缺什么，并一键推进考试流程。',
    loading: '正在加载…',
    refresh: '刷新',
    asOf: (time) => `更新于 ${time}`,
    none: '今天及未来 7 天没有考试场次。请先在「计划与场次」中创建。',
    today: '今天',
    earlier: '此前尚未归档的场次',
    day: (date, isToday) => `${date}${isToday ? '（今天）' : ''}`,
    statuses: sessionStatusWords.zh as Record<string, string>,
    stepsLabel: '考试流程',
    state: { ok: '就绪', warn: '请注意', missing: '缺少' },
    missingCount: (missing, warn) =>
      missing || warn ? [missing ? `${missing} 项缺少` : '', warn ? `${warn} 项需注意` : ''].filter(Boolean).join('，') : '全部就绪',
    readyTag: '可开启检录',
    blocks: '不完成则不能开启检录',
    fixIt: { plans: '去「计划与场次」处理', devices: '去「设备」处理', bank: '去「题库」处理', templates: '去「组卷模板」查看', system: '去「系统」查看' },
    item: {
      bank: '题库版本',
      template: '组卷模板可行',
      roster: '考生名单',
      photos: '考生照片（人脸建档）',
      seats: '座位编排',
      papers: '试卷生成',
      terminals: '考试机配对与在线',
      cameras: '考场摄像头',
      disk: '存储空间预测',
    },
    detail: {
      bank: (c, n, s) =>
        s === 'missing'
          ? '题库为空：请导入题目或安装题库包'
          : c.newer
            ? `试卷生成自 ${n[0]} 版，之后已收到 ${n[1]} 版；如需使用新版请重新生成试卷`
            : `题库版本 ${n[n.length - 1]}（最新版共 ${c.questions} 题）`,
      template: (c, n, s) =>
        c.noBank
          ? `「${n[0]}」无法检查：题库为空`
          : s === 'missing'
            ? `「${n[0]}」无法用当前题库组卷：${c.problems} 处题量不足（可抽题目 ${c.poolSize} 道），各题型缺口见组卷模板页`
            : `「${n[0]}」可以组卷（可抽题目 ${c.poolSize} 道）${c.warnings ? `；${c.warnings} 条提示见组卷模板页` : ''}`,
      roster: (c) => (c.roster ? `名单共 ${c.roster} 人${c.retakes ? `（其中补考 ${c.retakes} 人）` : ''}` : '尚未导入考生名单'),
      photos: (c, n) =>
        !c.roster
          ? '尚无名单，也就没有照片'
          : `${c.enrolled}/${c.roster} 张照片已建档` +
            (c.refused ? `；${c.refused} 张无法识别人脸` : '') +
            (c.noPhoto ? `；${c.noPhoto} 人没有照片` : '') +
            (c.pending ? `；${c.pending} 张尚未建档` : '') +
            (c.warned ? `；${c.warned} 张质量欠佳` : '') +
            (n.length ? `：${list(n, '、')}` : ''),
      seats: (c) => (c.roster ? `已排座 ${c.seated}/${c.roster} 人${c.unseated ? `，${c.unseated} 人未排座` : ''}` : '尚无名单，无法排座'),
      papers: (c, _n, s) =>
        s === 'ok'
          ? `已为 ${c.roster} 名考生生成 ${c.papers} 份试卷`
          : c.papers
            ? `现有 ${c.papers} 份试卷、${c.roster} 名考生：名单已变，请重新生成试卷`
            : `尚未生成试卷（考生 ${c.roster} 人）`,
      terminals: (c, n) =>
        !c.terminals
          ? '本考场在配置中没有考试机'
          : `${c.terminals - c.unpaired}/${c.terminals} 台考试机已配对` +
            (c.unpaired ? `，${c.unpaired} 台未配对${named(terminalNames(c, n).unpaired, c.unpaired, '、', '（', '）', ' 等')}` : '') +
            (c.offline ? `，${c.offline} 台已配对但不在线${named(terminalNames(c, n).offline, c.offline, '、', '（', '）', ' 等')}` : '') +
            (c.unhealthy ? `，${c.unhealthy} 台自检有问题${named(terminalNames(c, n).unhealthy, c.unhealthy, '、', '（', '）', ' 等')}` : '') +
            (c.spare ? `；${c.spare} 台备用（本场无人坐该座位，可以关机）：${list(terminalNames(c, n).spare, '、')}` : '') +
            (c.seatsWithoutPc
              ? `；${c.seatsWithoutPc} 名考生的座位没有已配对的考试机：座位 ${list(terminalNames(c, n).seats, '、')}`
              : !c.seated && c.roster > c.terminals - c.unpaired
                ? `；考生 ${c.roster} 人，已配对考试机只有 ${c.terminals - c.unpaired} 台`
                : ''),
      cameras: (c, n) =>
        !c.cameras
          ? '本考场在配置中没有摄像头：考场无录像'
          : `${c.cameras - c.down}/${c.cameras} 路摄像头在线，${c.recording} 路正在录像（按场次录像的摄像头在开考前 30 分钟开始录）${n.length ? `；离线：${list(n, '、')}` : ''}`,
      disk: (c) =>
        c.blocked
          ? `存储空间低于保留下限（剩余 ${humanBytes(c.freeBytes)}）：不能开始录像`
          : `剩余 ${humanBytes(c.freeBytes)}${c.low ? '（低于最低剩余空间）' : ''}；${c.forecastOk ? `足够保存 ${c.retentionDays} 天录像` : `不足以保存 ${c.retentionDays} 天录像`}${c.daysUntilFull >= 0 ? `，约 ${c.daysUntilFull} 天后写满` : ''}`,
    },
    checklistTitle: '开考前检查',
    checklistAfter: '开考前检查（考试进行中或已结束，仅供回顾）',
    startsLater: (when, h, m) => `注意：本场次 ${when} 开考，距现在 ${h} 小时 ${m} 分。开启检录后，本考场的核验台和考试机都转到本场次。`,
    startFacts: (p) => `入口已核验入场 ${p.admitted} 人（名单共 ${p.roster} 人），已在考试机登录 ${p.atTerminal} 人。`,
    endFacts: (p) =>
      `${p.minutesLeft > 0 ? `距计划结束还有 ${p.minutesLeft} 分钟。` : `已超过计划结束时间 ${-p.minutesLeft} 分钟。`}已入场 ${p.admitted} 人，已交卷 ${p.submitted} 人；结束后未交卷者按现有答案自动交卷，入场但未登录者记为缺考。`,
    actionsTitle: '考试流程操作',
    transitions: { openCheckIn: '开启检录', start: '开始考试', end: '结束考试', grade: '评分', archive: '生成一期一档归档' },
    confirm: {
      openCheckIn: (room, time) => `开启 ${room} ${time} 场次的检录？`,
      start: (room, time) => `开始 ${room} ${time} 场次的考试？`,
      end: (room, time) => `结束 ${room} ${time} 场次的考试？`,
      grade: (room, time) => `为 ${room} ${time} 场次评分？`,
      archive: (room, time) => `为 ${room} ${time} 场次生成一期一档归档？`,
    },
    consequence: {
      openCheckIn: '检录开启后，入口核验台开始核验考生，试卷和座位不能再修改。',
      start: '考试开始后，考生可在考试机上作答，计时开始。此操作不能撤销。',
      end: '考试结束后，尚未交卷的考生不能再作答，未到场者记为缺考。此操作不能撤销。',
      grade: '评分后成绩确定，可出具成绩单。此操作不能撤销。',
      archive: '归档由服务器在后台完成，可随时关闭本页；完成后场次变为「已归档」。',
    },
    blockingNote: (items) => `服务器会拒绝：${items} 尚未完成。`,
    cancel: '取消',
    doIt: '确定',
    working: '正在处理…',
    done: { openCheckIn: '已开启检录', start: '考试已开始', end: '考试已结束', grade: '已评分', archive: '归档已完成，场次已归档' },
    archiveProgress: (done, total) => `正在归档：${total ? `${Math.round((done / total) * 100)}%` : done}`,
    archiveFailed: (error) => `归档失败：${error}`,
    archiveNotMoved: (problem) => `归档文件已生成，但场次状态未变更：${problem}`,
    failed: (why) => `操作未完成：${why}`,
    pick: '请在左侧选择一个场次。',
    template: '模板',
    minutes: (n) => `${n} 分钟`,
    refusals: {
      session_move: (p) =>
        `场次当前为「${todayStatusZh(p.status)}」，不能变为「${todayStatusZh(p.to)}」${p.next ? `（下一步是「${todayStatusZh(p.next)}」）` : '（已归档为最终状态）'}`,
      papers_ready_by_papers: () => '生成试卷后场次自动变为「试卷已生成」，不能直接设置',
      roster_empty: () => '名单为空：请先导入考生名单',
      unseated: (p) => `${p.roster} 名考生中有 ${p.n} 人未排座：请先编排座位再开启检录`,
      without_paper: (p) => `${p.roster} 名考生中有 ${p.n} 人没有试卷：请重新生成试卷再开启检录`,
      plan_not_active: (p) => `考试计划 ${p.plan} 已${p.status === 'closed' ? '关闭' : '归档'}，其场次不能开启检录`,
      ungraded: (p) => `${p.n} 名已作答考生还没有成绩（准考证号 ${p.tickets}）`,
      no_archive: () => '场次尚无一期一档归档：请点「生成一期一档归档」，完成后场次自动变为「已归档」',
      room_busy: (p) =>
        `考场 ${p.room} 的场次（${p.otherStartsLocal ?? p.other} 开考）正处于「${todayStatusZh(p.otherStatus)}」：一个考场同时只能有一个场次检录或考试，请先结束该场次再开启本场次的检录`,
    },
  },
  en: {
    lang: 'en',
    intro:
      'Exam sessions today and in the next 7 days, by day and room. Pick one to see what is still missing before it starts, and move it on with one click.',
    loading: 'Loading…',
    refresh: 'Refresh',
    asOf: (time) => `as of ${time}`,
    none: 'No session today or in the next 7 days. Create one under Plans & sessions.',
    today: 'today',
    earlier: 'Earlier sessions not archived yet',
    day: (date, isToday) => `${date}${isToday ? ' (today)' : ''}`,
    statuses: sessionStatusWords.en as Record<string, string>,
    stepsLabel: 'Exam steps',
    state: { ok: 'ready', warn: 'look', missing: 'missing' },
    missingCount: (missing, warn) =>
      missing || warn ? [missing ? `${missing} missing` : '', warn ? `${warn} to look at` : ''].filter(Boolean).join(', ') : 'all ready',
    readyTag: 'check-in can open',
    blocks: 'check-in cannot open without it',
    fixIt: { plans: 'Fix on Plans & sessions', devices: 'Fix on Devices', bank: 'Fix on Question bank', templates: 'See Templates', system: 'See System' },
    item: {
      bank: 'Bank version',
      template: 'Template can be filled',
      roster: 'Roster',
      photos: 'Photos (face enrolment)',
      seats: 'Seats',
      papers: 'Papers',
      terminals: 'Terminals paired and online',
      cameras: 'Room cameras',
      disk: 'Disk forecast',
    },
    detail: {
      bank: (c, n, s) =>
        s === 'missing'
          ? 'the bank is empty: import questions or install a bank package'
          : c.newer
            ? `papers come from version ${n[0]}; version ${n[1]} arrived since — generate the papers again to use it`
            : `bank version ${n[n.length - 1]} (${c.questions} questions in the latest)`,
      template: (c, n, s) =>
        c.noBank
          ? `“${n[0]}” cannot be checked: the bank is empty`
          : s === 'missing'
            ? `“${n[0]}” cannot be filled from the bank: ${list(n.slice(1), '; ')}`
            : `“${n[0]}” can be filled (${c.poolSize} questions to draw from)${c.warnings ? `; note: ${list(n.slice(1), '; ')}` : ''}`,
      roster: (c) => (c.roster ? `${c.roster} candidates${c.retakes ? ` (${c.retakes} retaking)` : ''}` : 'no roster imported yet'),
      photos: (c, n) =>
        !c.roster
          ? 'no roster, so no photos'
          : `${c.enrolled} of ${c.roster} photos enrolled` +
            (c.refused ? `; ${c.refused} refused by the face engine` : '') +
            (c.noPhoto ? `; ${c.noPhoto} without a photo` : '') +
            (c.pending ? `; ${c.pending} not enrolled yet` : '') +
            (c.warned ? `; ${c.warned} of poor quality` : '') +
            (n.length ? `: ${list(n, ', ')}` : ''),
      seats: (c) => (c.roster ? `${c.seated} of ${c.roster} seated${c.unseated ? `, ${c.unseated} without a seat` : ''}` : 'no roster to seat'),
      papers: (c, _n, s) =>
        s === 'ok'
          ? `${c.papers} papers for ${c.roster} candidates`
          : c.papers
            ? `${c.papers} papers for ${c.roster} candidates: the roster changed; generate them again`
            : `no papers yet (${c.roster} candidates)`,
      terminals: (c, n) =>
        !c.terminals
          ? 'the room has no terminal in the config'
          : `${c.terminals - c.unpaired} of ${c.terminals} terminals paired` +
            (c.unpaired ? `, ${c.unpaired} not paired${named(terminalNames(c, n).unpaired, c.unpaired, ', ', ' (', ')', ', …')}` : '') +
            (c.offline ? `, ${c.offline} paired but offline${named(terminalNames(c, n).offline, c.offline, ', ', ' (', ')', ', …')}` : '') +
            (c.unhealthy ? `, ${c.unhealthy} with a health problem${named(terminalNames(c, n).unhealthy, c.unhealthy, ', ', ' (', ')', ', …')}` : '') +
            (c.spare ? `; ${c.spare} spare (nobody of this session sits there; may stay off): ${list(terminalNames(c, n).spare, ', ')}` : '') +
            (c.seatsWithoutPc
              ? `; ${c.seatsWithoutPc} candidates sit where no terminal is paired: seats ${list(terminalNames(c, n).seats, ', ')}`
              : !c.seated && c.roster > c.terminals - c.unpaired
                ? `; ${c.roster} candidates, only ${c.terminals - c.unpaired} paired terminals`
                : ''),
      cameras: (c, n) =>
        !c.cameras
          ? 'the room has no camera in the config: nothing records it'
          : `${c.cameras - c.down} of ${c.cameras} cameras up, ${c.recording} recording now (session cameras start 30 min before the start)${n.length ? `; down: ${list(n, ', ')}` : ''}`,
      disk: (c) =>
        c.blocked
          ? `the media disk is below its reserve (${humanBytes(c.freeBytes)} free): no recording starts`
          : `${humanBytes(c.freeBytes)} free${c.low ? ' (below the minimum)' : ''}; ${c.forecastOk ? `enough for ${c.retentionDays} days of recordings` : `not enough for ${c.retentionDays} days of recordings`}${c.daysUntilFull >= 0 ? `, full in about ${c.daysUntilFull} days` : ''}`,
    },
    checklistTitle: 'Before the start',
    checklistAfter: 'Before the start (the exam is under way or over: for the record)',
    startsLater: (when, h, m) =>
      `Note: this session starts ${when}, ${h} h ${m} min from now. Once check-in opens, the room's kiosk and terminals turn to this session.`,
    startFacts: (p) => `${p.admitted} of ${p.roster} candidates admitted at the door; ${p.atTerminal} logged in at a terminal.`,
    endFacts: (p) =>
      `${p.minutesLeft > 0 ? `${p.minutesLeft} minutes left on the planned clock.` : `${-p.minutesLeft} minutes past the planned end.`} ${p.admitted} admitted, ${p.submitted} submitted; unsubmitted papers are submitted automatically with the answers so far, and anyone admitted who never logged in is marked absent.`,
    actionsTitle: 'Move the session on',
    transitions: { openCheckIn: 'Open check-in', start: 'Start the exam', end: 'End the exam', grade: 'Grade', archive: 'Make the session archive' },
    confirm: {
      openCheckIn: (room, time) => `Open check-in for ${room}, ${time}?`,
      start: (room, time) => `Start the exam in ${room}, ${time}?`,
      end: (room, time) => `End the exam in ${room}, ${time}?`,
      grade: (room, time) => `Grade the session in ${room}, ${time}?`,
      archive: (room, time) => `Make the session archive of ${room}, ${time}?`,
    },
    consequence: {
      openCheckIn: 'The entry kiosk starts admitting candidates; papers and seats can no longer change.',
      start: 'Candidates can answer on their terminals and the clock runs. This cannot be undone.',
      end: 'Nobody can answer any more; whoever never came is marked absent. This cannot be undone.',
      grade: 'Results become final and score reports can be made. This cannot be undone.',
      archive: 'The server makes the archive in the background; you may close this page. When it is done, the session is archived.',
    },
    blockingNote: (items) => `The server will refuse: ${items} not done yet.`,
    cancel: 'Cancel',
    doIt: 'Confirm',
    working: 'Working…',
    done: {
      openCheckIn: 'Check-in is open',
      start: 'The exam has started',
      end: 'The exam has ended',
      grade: 'Graded',
      archive: 'Archive made; the session is archived',
    },
    archiveProgress: (done, total, note) => `Archiving: ${total ? `${Math.round((done / total) * 100)} %` : done}${note ? ` (${note})` : ''}`,
    archiveFailed: (error) => `The archive failed: ${error}`,
    archiveNotMoved: (problem) => `The archive was made but the session did not move: ${problem}`,
    failed: (why) => `Not done: ${why}`,
    pick: 'Pick a session on the left.',
    template: 'Template',
    minutes: (n) => `${n} min`,
    // In English the server's own message is shown (it says what, where and why).
    refusals: {},
  },
};

function todayStatusZh(s: string | number | undefined): string {
  return (sessionStatusWords.zh as Record<string, string>)[String(s)] ?? String(s ?? '');
}

/** An item's words in the person's language, from the server's figures. */
export const itemWords = (w: TodayWords, i: ChecklistItem) =>
  w.detail[i.id](new Proxy(i.counts, { get: (t, k: string) => t[k] ?? 0 }) as Counts, i.names, i.state);
