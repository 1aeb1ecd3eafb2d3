// What a person reads when a call fails: the server's reply carries a code (`{ error, message }`) and an
// English message meant for logs and API callers. A screen shows words in the person's language: the
// app's own words for the codes it knows, these for the rest; in English the server's message is
// shown as it is (it says what, where and why), in Chinese never — half-English lines help nobody.
import { HttpError, NetworkError } from './http.ts';
import type { Bilingual, Lang } from './i18n.ts';

/** Codes every app may meet, worded once. */
const CODES: Bilingual<Record<string, string>> = {
  zh: {
    outside_jurisdiction: '本考点不在您的辖区内',
    unauthorized: '登录已失效，请重新登录',
    rate_limited: '请求过于频繁，请稍后再试',
    internal: '服务器内部错误，详情见服务器日志',
  },
  en: {
    outside_jurisdiction: 'this site is outside your jurisdiction',
    unauthorized: 'your log-in has ended; log in again',
    rate_limited: 'too many requests; try again shortly',
    internal: 'internal error; the details are in the server log',
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
    if (mine) return mine;
    if (lang === 'en') return err.message;
    return BY_STATUS[err.status] ?? (err.status >= 500 ? CODES.zh.internal! : `请求失败（${err.status}）`);
  }
  if (err instanceof NetworkError) return lang === 'zh' ? '无法连接服务器，请检查网络后重试' : 'no answer from the server; check the network and try again';
  if (lang === 'en') return err instanceof Error ? err.message : String(err);
  return '发生错误，请重试';
}
