// Small parts of the plans page: a refusal in words, the site's clock, a status badge.
import type { ComponentChildren } from 'preact';
import { errorWords } from '../../../../../web/error-words.ts';
import { HttpError } from '../../../../../web/http.ts';
import { siteClock, type Lang } from '../../../../../web/i18n.ts';
import { plansWords } from './words.ts';

/** Times in the site's zone (set from /api/site), whatever zone this PC is in. */
export const clock = siteClock();

export const when = (iso: string, lang: Lang) =>
  clock.format(Date.parse(iso), lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
export const hourMinute = (iso: string, lang: Lang) => clock.format(Date.parse(iso), lang, { hour: '2-digit', minute: '2-digit' });

/** A refusal: the console's words, and the server's own sentence beneath (what, where, why). */
export function Failure({ err, lang, testid }: { err: unknown; lang: Lang; testid?: string }) {
  if (!err) return null;
  const server = err instanceof HttpError ? err.message : null;
  const words = errorWords(err, lang);
  return (
    <div class="msg error" role="alert" data-testid={testid}>
      <div>{words}</div>
      {server && server !== words && (
        <div class="server-says">
          {plansWords[lang].serverSays}: <span lang="en">{server}</span>
        </div>
      )}
    </div>
  );
}

export function Note({ children, testid }: { children: ComponentChildren; testid?: string }) {
  return (
    <div class="msg ok" role="status" data-testid={testid}>
      {children}
    </div>
  );
}

export function StatusBadge({ status, lang }: { status: string; lang: Lang }) {
  return <span class={`status-badge s-${status}`}>{plansWords[lang].status[status] ?? status}</span>;
}
