// Database backups: where the copies go, the newest one off this disk, what an admin must still do (a
// destination, an exported key bundle), a backup now, and a check of any one by restoring it into a
// scratch folder on the server. Both actions are audited by the server.
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../../../../web/http.ts';
import { errorWords } from '../../../../../web/error-words.ts';
import type { BackupCheckView, BackupStatusView } from '../../../../../server/protocol.ts';
import type { PageProps } from '../page-props.ts';
import { getStatus } from './api.ts';
import { humanBytes, siteTime } from './format.ts';
import { useLoad } from './load.ts';
import { systemWords } from './words.ts';
import { backupWords } from './backup-words.ts';

const getBackups = () => call<BackupStatusView>('GET', '/api/system/backups');

export function BackupSection({ lang }: PageProps) {
  const w = backupWords[lang];
  const sw = systemWords[lang];
  const b = useLoad(getBackups, lang);
  const status = useLoad(getStatus, lang);
  const tz = status.data?.timezone ?? 'Asia/Shanghai';
  const [busy, setBusy] = useState<string | null>(null);
  const [checked, setChecked] = useState<BackupCheckView | null>(null);
  const [error, setError] = useState<string | null>(null);
  // While a backup runs, the list is read again every two seconds until it is done.
  useEffect(() => {
    if (!b.data?.running) return;
    const timer = setTimeout(b.reload, 2000);
    return () => clearTimeout(timer);
  }, [b.data]);
  if (b.error)
    return (
      <p class="error" role="alert">
        {b.error}
      </p>
    );
  if (!b.data) return <p class="note">{sw.loading}</p>;
  const d = b.data;
  const t = (ms: number) => siteTime(ms, lang, tz);
  const now = async () => {
    // Candidates answering now: the copy runs at the lowest priority, but the admin decides knowingly.
    if (d.examsInProgress > 0 && !window.confirm(w.confirmDuringExam(d.examsInProgress))) return;
    setError(null);
    try {
      await call('POST', '/api/system/backups');
      b.reload();
    } catch (err) {
      setError(errorWords(err, lang));
    }
  };
  const verify = async (name: string) => {
    setBusy(name);
    setChecked(null);
    setError(null);
    try {
      setChecked(await call<BackupCheckView>('POST', `/api/system/backups/${encodeURIComponent(name)}/verify`));
    } catch (err) {
      setError(errorWords(err, lang));
    } finally {
      setBusy(null);
    }
  };
  const serious = d.warnings.filter((x) => x !== 'last-failed');
  return (
    <>
      <section class="panel" data-testid="system-backup">
        <h2>
          {w.title}
          <span class="right">
            <button type="button" onClick={now} disabled={Boolean(d.running)} data-testid="backup-now">
              {w.now}
            </button>{' '}
            <button type="button" onClick={b.reload}>
              {sw.refresh}
            </button>
          </span>
        </h2>
        <p class="verdict-line">
          <span class={`verdict ${d.lastOffDisk ? (serious.length ? 'warn' : 'ok') : 'bad'}`} data-testid="backup-verdict">
            {d.lastOffDisk ? w.lastOffDisk(t(d.lastOffDisk.takenAt)) : w.noneOffDisk}
          </span>
        </p>
        <p class="note">{w.destination(d.destination.kind, d.destination.where)}</p>
        {serious.length > 0 && (
          <ul role="alert" data-testid="backup-warnings">
            {serious.map((x) => (
              <li key={x} data-warning={x}>
                {w.warnings[x]}
              </li>
            ))}
          </ul>
        )}
        {d.running && <p class="note">{w.running(t(d.running.since))}</p>}
        {d.lastError && (
          <p class="error" role="alert">
            {w.lastError(t(d.lastError.at), d.lastError.message)}
          </p>
        )}
        {d.waitingToShip > 0 && <p class="note">{w.waiting(d.waitingToShip)}</p>}
        <p class="note">{d.nextNightlyAt ? w.nextNightly(t(d.nextNightlyAt)) : w.noNightly}</p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {checked && (
          <div role="status" data-testid="backup-check" data-ok={String(checked.ok)}>
            <p class={`verdict-line ${checked.ok ? 'ok' : 'bad'}`}>
              {checked.ok ? w.good(checked.name, checked.auditEntries ?? 0, checked.auditHead ?? 0) : w.bad(checked.name)}
            </p>
            {!checked.ok && (
              <ul>
                {checked.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            )}
          </div>
        )}
      </section>
      <section class="panel">
        {d.backups.length === 0 ? (
          <p class="note">{w.empty}</p>
        ) : (
          <table class="facts" data-testid="backup-list">
            <thead>
              <tr>
                <th>{w.columns.taken}</th>
                <th>{w.columns.reason}</th>
                <th>{w.columns.size}</th>
                <th>{w.columns.where}</th>
                <th>{w.columns.action}</th>
              </tr>
            </thead>
            <tbody>
              {[...d.backups].reverse().map((x) => (
                <tr key={x.name} title={x.name}>
                  <td>{t(x.takenAt)}</td>
                  <td>{w.reasons[x.reason]}</td>
                  <td>{humanBytes(x.bytes)}</td>
                  <td>{w.at[x.at]}</td>
                  <td>
                    <button type="button" disabled={busy !== null} onClick={() => verify(x.name)}>
                      {busy === x.name ? w.verifying : w.verify}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="note">{w.restoreNote}</p>
      </section>
    </>
  );
}
