// A refusal as the results and people pages show it: the shared words for the code, and — where the
// shared words only name the kind of refusal (a 400, 404 or 409 in Chinese) — the server's own sentence,
// which says what, where and why (`password: must be at least 10 characters`).
import { HttpError } from '../../../../../web/http.ts';
import { errorWords } from '../../../../../web/error-words.ts';
import type { Lang } from '../../../../../web/i18n.ts';

export function refusal(err: unknown, lang: Lang, known: Record<string, string> = {}): string {
  const words = errorWords(err, lang, known);
  if (lang === 'zh' && err instanceof HttpError && !(err.code in known) && err.status >= 400 && err.status < 500 && err.message && !words.includes(err.message))
    return `${words}：${err.message}`;
  return words;
}

export const enc = encodeURIComponent;
