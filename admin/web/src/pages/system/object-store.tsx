// The centre's object store on the System page: configured or not, the last probe's verdict in words
// (what is wrong and what to fix), where it is and how media moves there. Never a key or secret.
import type { ObjectStoreStatus } from '../../../../../server/protocol.ts';
import type { Lang } from '../../../../../web/i18n.ts';
import { siteTime } from './format.ts';
import { objectStoreWords } from './object-store-words.ts';

export function ObjectStoreBlock({ status, lang, timeZone }: { status: ObjectStoreStatus | null | undefined; lang: Lang; timeZone: string }) {
  const w = objectStoreWords[lang];
  if (!status)
    return (
      <section class="system-object-store" data-testid="object-store" data-state="none">
        <h3>{w.title}</h3>
        <p class="muted">{w.none}</p>
      </section>
    );
  const cls = status.state === 'ok' ? 'ok' : status.state === 'failed' ? 'bad' : 'warn';
  return (
    <section class="system-object-store" data-testid="object-store" data-state={status.state}>
      <h3>{w.title}</h3>
      <p class={`verdict-line ${cls}`} data-testid="object-store-verdict">
        {w.state[status.state]}
      </p>
      {status.problem && (
        <p class="bad" data-testid="object-store-problem" data-problem={status.problem}>
          {w.problem[status.problem] ?? w.otherProblem}
        </p>
      )}
      <table class="facts">
        <tbody>
          <tr>
            <th scope="row">{w.where}</th>
            <td class="mono">
              {status.endpoint} · {status.bucket} · {status.prefix}/
            </td>
          </tr>
          <tr>
            <th scope="row">{w.lockLabel}</th>
            <td>
              {w.lock[status.objectLock]}
              <div class="muted">{w.policy(status.hotDays, status.uploadWindow, status.bandwidthMbps)}</div>
              {status.verifiedBy && <div class="muted">{w.verified[status.verifiedBy]}</div>}
            </td>
          </tr>
          {status.state !== 'checking' && (
            <tr>
              <th scope="row">{w.detail}</th>
              <td>
                <span class="muted" data-testid="object-store-findings">
                  {w.findings({
                    bucket: status.bucket,
                    reachable: status.reachable,
                    writable: status.writable,
                    versioning: status.versioning,
                    locked: status.state === 'ok' && status.objectLock !== 'none',
                  })}
                </span>
                {/* The store's own words only when the console has none for its problem (they are the store's, in English). */}
                {status.message && status.problem && !(status.problem in w.problem) && <div class="muted mono">{status.message}</div>}
                {status.checkedAt !== null && <div class="muted">{w.checkedAt(siteTime(status.checkedAt, lang, timeZone, true))}</div>}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
