// Small parts every tab of the training page uses: a refusal in words (with the server's sentence and
// every bad row), a note, the site's clock.
import type { ComponentChildren } from 'preact';
import { errorWords } from '../../../../../web/error-words.ts';
import { HttpError } from '../../../../../web/http.ts';
import { siteClock, type Lang } from '../../../../../web/i18n.ts';
import { problemWords } from '../../problem-words.ts';
import { Refused } from './api.ts';
import { trainingWords } from './words.ts';

/** Times in the site's zone (set from /api/site), whatever zone this PC or phone is in. */
export const clock = siteClock('Asia/Shanghai');
export const hm = (iso: string, lang: Lang) => clock.format(Date.parse(iso), lang, { hour: '2-digit', minute: '2-digit' });
export const when = (iso: string, lang: Lang) =>
  clock.format(Date.parse(iso), lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

/** A refusal: the console's words, the server's own sentence (what, where, why) and each bad row. */
export function Failure({ err, lang, testid }: { err: unknown; lang: Lang; testid?: string }) {
  if (!err) return null;
  const w = trainingWords[lang];
  const server = err instanceof HttpError ? err.message : null;
  const words = errorWords(err, lang);
  const problems = err instanceof Refused ? err.problems : [];
  return (
    <div class="msg error" role="alert" data-testid={testid ?? 'failure'}>
      <div>{problems.length > 1 ? w.refusedTitle(problems.length) : words}</div>
      {server && server !== words && problems.length === 0 && (
        <div class="server-says">
          {w.serverSays}: <span lang="en">{server}</span>
        </div>
      )}
      {problems.length > 0 && <ProblemsTable lang={lang} problems={problems} />}
    </div>
  );
}

/** Every bad row of an import, as the server named it: `row 7, column 开始` → 第 7 行 · 开始. */
export function ProblemsTable({ lang, problems }: { lang: Lang; problems: Refused['problems'] }) {
  const w = trainingWords[lang];
  const split = (path: string) => {
    const m = /^row (\d+)(?:, column (.+))?$/.exec(path);
    return m ? { row: m[1]!, column: m[2] ?? '' } : { row: '', column: w.field[path] ?? path };
  };
  // A refused form (not a file) has no rows: its table drops the empty 行 column, which a phone needs for the reason.
  const rows = problems.some((p) => split(p.path).row !== '');
  return (
    <div class="table-wrap">
      <table class="problems" data-testid="problems">
        <thead>
          <tr>
            {rows && <th>{w.cols.row}</th>}
            <th>{w.cols.column}</th>
            <th>{w.cols.problem}</th>
            <th>{w.cols.got}</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((p, i) => {
            const at = split(p.path);
            const said = problemWords(p.problem, lang);
            return (
              <tr key={i} data-row={at.row}>
                {rows && <td class="num">{at.row}</td>}
                <td class="col">{at.column}</td>
                <td lang={said.lang}>{said.text}</td>
                <td class="got">{p.got === undefined || p.got === null ? '' : String(p.got)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
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

/** 学时 as written on Chinese forms: at most one decimal, no trailing zero. */
export const hours = (h: number) => String(Math.round(h * 10) / 10);
