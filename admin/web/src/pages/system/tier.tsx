// The object-store tier of this site (GET /api/storage/tier): bytes on the local disk, in the store and
// waiting, the last upload and its error, a store that is down with the days the disk still holds, and
// the last spot check of stored evidence.
import { call } from '../../../../../web/http.ts';
import type { Lang } from '../../../../../web/i18n.ts';
import type { TierStatusView } from '../../../../../storage/tier/protocol.ts';
import type { ObjectStoreStatus } from '../../../../../server/protocol.ts';
import { humanBytes, siteTime } from './format.ts';
import { useLoad } from './load.ts';
import { tierWords } from './tier-words.ts';
import { objectStoreWords } from './object-store-words.ts';
import './tier.css';

const getTier = () => call<TierStatusView>('GET', '/api/storage/tier');

/** store: the last probe (GET /api/system/status); round: bumped by the section's 刷新 to read again. */
export function TierBlock({ lang, timeZone, store, round }: { lang: Lang; timeZone: string; store: ObjectStoreStatus | null; round: number }) {
  const w = tierWords[lang];
  const tier = useLoad(getTier, lang, [round]);
  if (tier.error)
    return (
      <p class="error" role="alert">
        {tier.error}
      </p>
    );
  const s = tier.data;
  if (!s) return null;
  const at = (ms: number) => siteTime(ms, lang, timeZone);
  return (
    <section class="panel system-tier" data-testid="system-tier">
      <h2>{w.title}</h2>
      {!s.configured ? (
        <p class="note">{w.notConfigured}</p>
      ) : (
        <>
          {/* The probe knows before the uploads do (they only try at their next pass, or in the upload window). */}
          {s.storeDownSince === null && store?.state === 'failed' && (
            <p class="bad" role="alert" data-testid="tier-store-unreachable">
              {w.probeFailed(
                store.checkedAt === null ? '' : at(store.checkedAt),
                (store.problem && objectStoreWords[lang].problem[store.problem]) || (store.message ?? ''),
              )}
            </p>
          )}
          {s.storeDownSince !== null && (
            <p class="bad" role="alert" data-testid="tier-store-down">
              {w.storeDown(at(s.storeDownSince))} {s.daysLeft !== null && w.daysLeft(Math.floor(s.daysLeft))}
            </p>
          )}
          <div class="figures">
            <div class="figure">
              <div class="big">{humanBytes(s.bytesLocal)}</div>
              <div>{w.local}</div>
            </div>
            <div class="figure">
              <div class="big" data-testid="tier-tiered">
                {humanBytes(s.bytesTiered)}
              </div>
              <div>{w.tiered(s.objectsTiered)}</div>
            </div>
            <div class="figure">
              <div class={`big ${s.filesWaiting > 0 && s.storeDownSince !== null ? 'bad' : ''}`} data-testid="tier-waiting">
                {humanBytes(s.bytesWaiting)}
              </div>
              <div>{w.waiting(s.filesWaiting)}</div>
            </div>
          </div>
          <dl class="tier-facts">
            <dt>{w.lastUpload}</dt>
            <dd>{s.lastUpload ? `${at(s.lastUpload.at)} · ${s.lastUpload.key}` : w.never}</dd>
            {s.lastError && (
              <>
                <dt>{w.lastError}</dt>
                <dd class="bad">
                  {at(s.lastError.at)} · {s.lastError.message}
                </dd>
              </>
            )}
            {s.lastCheck && (
              <>
                <dt>{w.lastCheck}</dt>
                <dd class={s.lastCheck.result === 'ok' ? '' : 'bad'}>
                  {at(s.lastCheck.at)} · {s.lastCheck.key} · {w.check[s.lastCheck.result]}
                </dd>
              </>
            )}
          </dl>
          {!s.windowOpen && <p class="muted">{w.windowClosed}</p>}
          {s.uploading > 0 && <p class="muted">{w.uploading(s.uploading)}</p>}
          {s.problems > 0 && <p class="bad">{w.problems(s.problems)}</p>}
          <p class="muted">{w.explain}</p>
        </>
      )}
    </section>
  );
}
