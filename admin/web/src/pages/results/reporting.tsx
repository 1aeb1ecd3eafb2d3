// Reporting to the provincial exam platform (records/reporting; moved here from the proctor console's
// header): the outbox in one line — not configured, all delivered, or how many wait and why the last
// attempt failed — refreshed every 30 s, and the picked session's packages with a retry.
import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../../../../../web/i18n.ts';
import type { ReportsReply } from '../../../../../records/protocol.ts';
import { api } from './api.ts';
import { refusal } from './refusal.ts';
import { resultsWords } from './words.ts';

const POLL_MS = 30_000;

export function ReportingStatus({ lang, sessionId }: { lang: Lang; sessionId: string }) {
  const w = resultsWords[lang];
  const [data, setData] = useState<ReportsReply | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    api.reporting().then(
      (x) => {
        setData(x);
        setError(null);
      },
      (err: unknown) => setError(w.loadFailed(refusal(err, lang))),
    );
  useEffect(() => {
    void load();
    const id = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(id);
  }, []);
  const retry = (id: string) => api.retryReport(id).then(load, (err: unknown) => setError(refusal(err, lang)));
  if (!data) return error ? <p class="error">{error}</p> : null;
  const s = data.status;
  const state = !s.configured ? 'off' : s.pending === 0 ? 'ok' : s.lastError ? 'failing' : 'pending';
  const text = state === 'off' ? w.repOff : state === 'ok' ? w.repOk : state === 'failing' ? w.repFailing(s.pending) : w.repPending(s.pending);
  const mine = data.packages.filter((p) => p.sessionId === sessionId);
  return (
    <section class="panel" data-testid="reporting">
      <h3>{w.reporting}</h3>
      {error && <p class="error">{error}</p>}
      <p data-testid="reporting-status" data-state={state} class={state === 'ok' ? 'ok' : state === 'failing' ? 'bad' : state === 'pending' ? 'warn' : ''}>
        {text}
        {s.target && (
          <span class="muted">
            {' '}
            · {w.target}
            {s.target}
          </span>
        )}
      </p>
      {s.lastError && (
        <p class="bad">
          {w.lastError}
          {s.lastError}
        </p>
      )}
      {s.configured &&
        (mine.length === 0 ? (
          <p>{w.noPackages}</p>
        ) : (
          <ul>
            {mine.map((p) => (
              <li key={p.id}>
                {w.packageLine(p.version, w.repState[p.state] ?? p.state, p.attempts)}
                {p.lastError ? ` · ${p.lastError}` : ''}
                {p.state === 'pending' && (
                  <>
                    {' '}
                    <button type="button" onClick={() => void retry(p.id)}>
                      {w.retry}
                    </button>
                  </>
                )}
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
