// The certificates a session issued (records/certificates): each one's PDF and state, a revoke with a
// reason behind a confirmation (it cannot be undone), and the ZWFW export of the session (xlsx/json).
import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../../../../../web/i18n.ts';
import { siteClock } from '../../../../../web/i18n.ts';
import type { CertificateView } from '../../../../../records/protocol.ts';
import { api } from './api.ts';
import { refusal } from './refusal.ts';
import { resultsWords } from './words.ts';

const site = siteClock('Asia/Shanghai');

export function Certificates({ lang, sessionId, timezone }: { lang: Lang; sessionId: string; timezone: string | null }) {
  const w = resultsWords[lang];
  if (timezone) site.setTimeZone(timezone);
  const [list, setList] = useState<CertificateView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const load = () =>
    api.certificates(sessionId).then(
      (x) => setList(x.certificates),
      (err: unknown) => setError(w.loadFailed(refusal(err, lang))),
    );
  useEffect(() => {
    setList(null);
    setNotice(null);
    setRevoking(null);
    void load();
  }, [sessionId]);
  return (
    <section class="panel" data-testid="certificates">
      <h3>{w.certificates}</h3>
      {error && <p class="error">{error}</p>}
      {notice && (
        <p class="ok" role="status">
          {notice}
        </p>
      )}
      {list && list.length === 0 && <p>{w.noCertificates}</p>}
      {list && list.length > 0 && (
        <>
          <p class="links">
            <a href={api.certificateExport(sessionId, 'xlsx')} download data-testid="export-xlsx">
              {w.exportXlsx}
            </a>{' '}
            ·{' '}
            <a href={api.certificateExport(sessionId, 'json')} target="_blank" rel="noopener" data-testid="export-json">
              {w.exportJson}
            </a>
          </p>
          <table data-testid="certificates-table">
            <thead>
              <tr>
                <th>{w.number}</th>
                <th>{w.name}</th>
                <th>{w.score}</th>
                <th>{w.validUntil}</th>
                <th>{w.verdict === '结论' ? '状态' : 'State'}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.number} data-number={c.number}>
                  <td>
                    <a href={c.pdf} target="_blank" rel="noopener">
                      {c.number}
                    </a>
                  </td>
                  <td>{c.name}</td>
                  <td>
                    {c.score} / {c.total}
                  </td>
                  <td>{site.format(Date.parse(c.validUntil) - 1, lang, { year: 'numeric', month: '2-digit', day: '2-digit' })}</td>
                  <td data-field="status" class={c.status === 'valid' ? 'ok' : 'bad'}>
                    {w.certStatus[c.status] ?? c.status}
                    {c.revokedReason ? ` · ${c.revokedReason}` : ''}
                  </td>
                  <td>
                    {c.status !== 'revoked' &&
                      (revoking === c.number ? (
                        <RevokeForm
                          lang={lang}
                          number={c.number}
                          onCancel={() => setRevoking(null)}
                          onDone={() => {
                            setRevoking(null);
                            setNotice(w.revoked(c.number));
                            void load();
                          }}
                        />
                      ) : (
                        <button type="button" class="danger" data-action="revoke" onClick={() => setRevoking(c.number)}>
                          {w.revoke}
                        </button>
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function RevokeForm({ lang, number, onDone, onCancel }: { lang: Lang; number: string; onDone: () => void; onCancel: () => void }) {
  const w = resultsWords[lang];
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    const r = reason.trim();
    if (r.length < 1 || r.length > 200) return setProblem(w.reasonMissing);
    api.revoke(number, r).then(onDone, (err: unknown) => setProblem(refusal(err, lang)));
  };
  return (
    <form class="revoke" role="alertdialog" aria-label={w.confirmRevoke(number)} onSubmit={submit} noValidate data-testid="revoke-form">
      <p class="warn">{w.confirmRevoke(number)}</p>
      <label>
        {w.reason}
        <input
          name="reason"
          value={reason}
          maxLength={200}
          placeholder={w.reasonHint}
          onInput={(e) => {
            setReason((e.target as HTMLInputElement).value);
            setProblem(null);
          }}
        />
      </label>{' '}
      <button type="submit" class="danger">
        {w.revokeFinal}
      </button>{' '}
      <button type="button" onClick={onCancel}>
        {w.cancel}
      </button>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
