// What a person reads when a call fails: the server's reply carries a code (`{ error, message }`) and an
// English message meant for logs and API callers. A screen shows words in the person's language: the
// app's own words for the codes it knows, these for the rest; in English the server's message is
// shown as it is (it says what, where and why), in Chinese never — half-English lines help nobody.
import { HttpError, NetworkError } from './http.ts';
import type { Bilingual, Lang } from './i18n.ts';

type Params = Record<string, string | number>;
/** A refusal's words: fixed, or made from the reply's `params` (core/errors.ts RefusalParams). */
type Worded = string | ((p: Params) => string);

const SESSION_STATUS: Bilingual<Record<string, string>> = {
  zh: { scheduled: '未开始检录', checkin: '检录中', in_progress: '考试中', ended: '已结束', graded: '已评分', archived: '已归档' },
  en: { scheduled: 'not open yet', checkin: 'open for check-in', in_progress: 'in progress', ended: 'ended', graded: 'graded', archived: 'archived' },
};
const MOVE_STATUS: Bilingual<Record<string, string>> = {
  zh: { approved: '已批准', rejected: '已拒绝', expired: '已过期' },
  en: { approved: 'approved', rejected: 'rejected', expired: 'expired' },
};
const ROSTER_STATUS: Bilingual<Record<string, string>> = {
  zh: { admitted: '已入场', in_exam: '考试中', submitted: '已交卷', absent: '缺考', refused: '未通过核验' },
  en: { admitted: 'admitted', in_exam: 'in the exam', submitted: 'submitted', absent: 'absent', refused: 'refused at the door' },
};
const word = (table: Record<string, string>, v: string | number | undefined) => table[String(v)] ?? String(v ?? '');

/** Codes every app may meet, worded once. */
const CODES: Bilingual<Record<string, Worded>> = {
  zh: {
    outside_jurisdiction: '本考点不在您的辖区内',
    unauthorized: '登录已失效，请重新登录',
    rate_limited: '请求过于频繁，请稍后再试',
    internal: '服务器内部错误，详情见服务器日志',
    seat_taken: (p) => `${p.room} 考场 ${p.seat} 号座位已有考生（${p.name}），请选择空座位`,
    seats_closed: (p) => `考试场次${word(SESSION_STATUS.zh, p.status)}，座位已不能调整`,
    session_not_open: (p) => `考试场次${word(SESSION_STATUS.zh, p.status)}，此操作只能在检录或考试期间进行`,
    not_logged_in: (p) => `${p.name} 尚未在考试机上登录`,
    already_submitted: (p) => `${p.name} 已交卷`,
    not_registered: (p) => `${p.name} 当前为「${word(ROSTER_STATUS.zh, p.status)}」，不能办理入场`,
    already_paused: (p) => `${p.who} 已在暂停中`,
    not_paused: (p) => `${p.who} 未在暂停中`,
    move_decided: (p) => `该换机申请已处理（${word(MOVE_STATUS.zh, p.status)}）`,
    terminal_in_use: (p) => `考试机 ${p.terminal} 正由其他考生使用`,
    already_acknowledged: (p) => `该告警已由 ${p.by} 处理`,
  },
  en: {
    outside_jurisdiction: 'this site is outside your jurisdiction',
    unauthorized: 'your log-in has ended; log in again',
    rate_limited: 'too many requests; try again shortly',
    internal: 'internal error; the details are in the server log',
    seat_taken: (p) => `seat ${p.seat} of room ${p.room} is taken by ${p.name}; choose a free seat`,
    seats_closed: (p) => `the session is ${word(SESSION_STATUS.en, p.status)}; seats can no longer change`,
    session_not_open: (p) => `the session is ${word(SESSION_STATUS.en, p.status)}; this is possible only during check-in or the exam`,
    not_logged_in: (p) => `${p.name} has not logged in on a terminal`,
    already_submitted: (p) => `${p.name} has already submitted`,
    not_registered: (p) => `${p.name} is ${word(ROSTER_STATUS.en, p.status)} and cannot be admitted`,
    already_paused: (p) => `${p.who} is already paused`,
    not_paused: (p) => `${p.who} is not paused`,
    move_decided: (p) => `the move request was already ${word(MOVE_STATUS.en, p.status)}`,
    terminal_in_use: (p) => `terminal ${p.terminal} is in use by another candidate`,
    already_acknowledged: (p) => `${p.by} already acknowledged this alert`,
  },
};

/** A log-in's refusals (server/auth/users.ts): 401 there is a wrong password, not an ended session. */
export const loginRefusals: Bilingual<Record<string, string>> = {
  zh: { unauthorized: '用户名或密码错误', locked: '密码错误次数过多，账号已暂时锁定，请稍后再试' },
  en: { unauthorized: 'wrong user name or password', locked: 'too many wrong passwords; the account is locked for a while' },
};

/** When the code says nothing more specific, the kind of refusal (HTTP status) in Chinese. */
const BY_STATUS: Record<number, string> = {
  400: '请求内容有误',
  401: '请先登录',
  403: '无权进行此操作',
  404: '找不到所请求的内容',
  409: '当前状态下不能进行此操作',
  413: '文件过大',
  423: '已锁定，请稍后再试',
};

/**
 * The failure in `lang`: `known` (the app's words for codes it expects here) first, then the shared
 * codes, then — in English — the server's own message, in Chinese the kind of refusal.
 */
export function errorWords(err: unknown, lang: Lang, known: Record<string, string> = {}): string {
  if (err instanceof HttpError) {
    const mine = known[err.code] ?? CODES[lang][err.code];
    if (mine) return typeof mine === 'string' ? mine : mine(err.params);
    if (lang === 'en') return err.message;
    return BY_STATUS[err.status] ?? (err.status >= 500 ? '服务器内部错误，详情见服务器日志' : `请求失败（${err.status}）`);
  }
  if (err instanceof NetworkError) return lang === 'zh' ? '无法连接服务器，请检查网络后重试' : 'no answer from the server; check the network and try again';
  if (lang === 'en') return err instanceof Error ? err.message : String(err);
  return '发生错误，请重试';
}
