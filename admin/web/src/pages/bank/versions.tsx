// The bank's versions (signed packages, local imports, the shipped bank) and the central bank's sync
// state with its last error; "sync now" when a central bank is configured.
import { useState } from 'preact/hooks';
import { errorWords } from '../../../../../web/error-words.ts';
import { siteClock, type Lang } from '../../../../../web/i18n.ts';
import type { BankSyncView, BankVersionView } from '../../../../../exam/protocol.ts';
import { bankApi } from './api.ts';
import { bankWords } from './words.ts';

const clock = siteClock('Asia/Shanghai');
export const when = (ms: number | null, lang: Lang) =>
  ms === null ? '—' : clock.format(ms, lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

export function VersionsPanel({
  lang,
  versions,
  sync,
  onChanged,
}: {
  lang: Lang;
  versions: BankVersionView[] | null;
  sync: BankSyncView | null;
  onChanged: () => void;
}) {
  const w = bankWords[lang];
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const syncNow = async () => {
    setBusy(true);
    setSaid(null);
    try {
      const r = await bankApi.syncNow();
      setSaid({ ok: true, text: w.syncDone(r.version, r.status === 'installed') });
      onChanged();
    } catch (err) {
      setSaid({ ok: false, text: errorWords(err, lang) });
      onChanged();
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel bank-versions" data-testid="bank-versions">
      <h2>
        {w.versions} <span class="count">{versions ? versions.length : ''}</span>
      </h2>
      {versions === null ? (
        <p class="note">{w.loading}</p>
      ) : versions.length === 0 ? (
        <p class="note" data-testid="bank-empty">
          {w.noVersions}
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{w.version}</th>
              <th>{w.label}</th>
              <th class="num">{w.questions}</th>
              <th class="num">{w.templates}</th>
              <th>{w.received}</th>
              <th>{w.signedBy}</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v, i) => (
              <tr key={v.id} data-version={v.id}>
                <td>
                  <code>{v.id}</code>
                  {i === 0 ? <span class="tag latest">{lang === 'zh' ? '最新' : 'latest'}</span> : null}
                </td>
                <td>
                  <span class={`tag kind-${v.kind}`}>{w.kind[v.kind]}</span> {v.label ?? ''}
                </td>
                <td class="num">{v.questionCount}</td>
                {/* A bank version may carry its own templates; the shipped ones live with the code, not in a version. */}
                <td class="num" title={v.templateCount ? undefined : w.builtInTemplatesHelp}>
                  {v.templateCount || w.builtInTemplates}
                </td>
                <td>{when(v.receivedAt, lang)}</td>
                <td>{v.signedBy ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3 class="sub">{w.sync}</h3>
      {sync === null ? (
        <p class="note">{w.loading}</p>
      ) : !sync.configured ? (
        <p class="note" data-testid="bank-sync">
          {w.syncOff}
        </p>
      ) : (
        <div data-testid="bank-sync">
          <dl class="facts">
            <dt>{w.syncUrl}</dt>
            <dd>
              <code>{sync.url}</code>
            </dd>
            <dt>{w.syncChecked}</dt>
            <dd>{sync.checkedAt === null ? w.syncNever : when(sync.checkedAt, lang)}</dd>
            <dt>{w.syncLastVersion}</dt>
            <dd>{sync.lastVersion ?? '—'}</dd>
            <dt>{w.syncLastError}</dt>
            <dd class={sync.lastError ? 'bad' : ''}>{sync.lastError ?? '—'}</dd>
          </dl>
          <button type="button" onClick={syncNow} disabled={busy}>
            {w.syncNow}
          </button>
        </div>
      )}
      {said ? <p class={said.ok ? 'ok' : 'error'}>{said.text}</p> : null}
    </section>
  );
}
