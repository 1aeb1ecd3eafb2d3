// A session's results (GET /api/exam/sessions/:id/results), one row per roster entry, with each
// candidate's score report PDF (records/reports) and a link to the person file.
import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../../../../../web/i18n.ts';
import type { SessionReports } from '../../../../../records/protocol.ts';
import { href } from '../../route.ts';
import { api, type ResultsReply, type SessionItem } from './api.ts';
import { refusal } from './refusal.ts';
import { resultsWords } from './words.ts';

export function ResultsTable({ lang, session, reports }: { lang: Lang; session: SessionItem; reports: SessionReports | null }) {
  const w = resultsWords[lang];
  const [data, setData] = useState<ResultsReply | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setData(null);
    setError(null);
    api.results(session.id).then(setData, (err: unknown) => setError(w.loadFailed(refusal(err, lang))));
  }, [session.id, session.status]);
  const reportOf = (ticketNo: string) => reports?.candidates.find((c) => c.ticketNo === ticketNo)?.reportUrl ?? null;
  const graded = session.status === 'graded' || session.status === 'archived';
  return (
    <section class="panel" data-testid="results">
      <h3>{w.results}</h3>
      {error && <p class="error">{error}</p>}
      {!graded && <p class="warn">{w.notGradedYet(w.status[session.status] ?? session.status)}</p>}
      {data && (
        <>
          <p data-testid="results-summary">{w.summary(data.summary)}</p>
          <table data-testid="results-table">
            <thead>
              <tr>
                <th>{w.ticket}</th>
                <th>{w.name}</th>
                <th>{w.idNumber}</th>
                <th>{w.rosterStatus.registered === '已报名' ? '状态' : 'State'}</th>
                <th>{w.score}</th>
                <th>{w.verdict}</th>
                <th>{w.report}</th>
              </tr>
            </thead>
            <tbody>
              {data.candidates.map((c) => {
                const url = c.score !== null ? reportOf(c.ticketNo) : null;
                return (
                  <tr key={c.ticketNo} data-ticket={c.ticketNo}>
                    <td>{c.ticketNo}</td>
                    <td>{c.name}</td>
                    <td>
                      <a href={href('people', { id: c.idNumber })} title={w.personFile}>
                        {c.idNumber}
                      </a>
                    </td>
                    <td>
                      {w.rosterStatus[c.status] ?? c.status}
                      {c.attempt > 1 ? ` · ${w.attempt(c.attempt)}` : ''}
                    </td>
                    <td data-field="score">{c.score === null ? '—' : `${c.score} / ${c.total}`}</td>
                    <td data-field="verdict" class={c.passed === null ? '' : c.passed ? 'ok' : 'bad'}>
                      {c.passed === null ? '—' : c.passed ? w.passed : w.failed}
                    </td>
                    <td>
                      {url ? (
                        <a href={url} target="_blank" rel="noopener" data-testid="score-report">
                          {w.reportPdf}
                        </a>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
