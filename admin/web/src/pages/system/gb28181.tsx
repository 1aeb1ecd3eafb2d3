// The GB/T 28181 panel under upstream: for each provincial or city platform, whether it has us registered
// (and if not, why and when we try again), its last keepalive, whether its clock agrees with ours, the
// channels it sees and who is watching now. With no `gb28181:` section, it says so and where to add one.
import type { PlatformStatus } from '../../../../../media/gb28181/protocol.ts';
import type { Lang } from '../../../../../web/i18n.ts';
import { getGb28181 } from './api.ts';
import { siteTime, spanWords } from './format.ts';
import { gbWords } from './gb28181-words.ts';
import { useLoad } from './load.ts';
import { systemWords } from './words.ts';

export function Gb28181Panel({ lang, tz }: { lang: Lang; tz: string }) {
  const w = gbWords[lang];
  const sw = systemWords[lang];
  const gb = useLoad(getGb28181, lang);
  const d = gb.data;
  return (
    <section class="panel gb28181" data-testid="system-gb28181">
      <h2>
        {w.title}
        <span class="right">
          <button type="button" onClick={gb.reload}>
            {sw.refresh}
          </button>
        </span>
      </h2>
      {gb.error ? (
        <p class="error" role="alert">
          {gb.error}
        </p>
      ) : !d ? (
        <p class="note">{sw.loading}</p>
      ) : !d.configured ? (
        <p class="note" data-testid="gb-not-configured">
          {w.notConfigured}
        </p>
      ) : (
        <>
          <p class="muted mono" data-testid="gb-device">
            {w.device(d.deviceId, String(d.port ?? '—'))}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">{w.columns.platform}</th>
                <th scope="col">{w.columns.state}</th>
                <th scope="col">{w.columns.keepalive}</th>
                <th scope="col">{w.columns.clock}</th>
                <th scope="col">{w.columns.channels}</th>
                <th scope="col">{w.columns.plays}</th>
              </tr>
            </thead>
            <tbody>
              {d.platforms.map((p) => (
                <PlatformRow key={p.id} p={p} now={d.serverTime} lang={lang} tz={tz} />
              ))}
            </tbody>
          </table>
          <p class="muted">{w.sip(d.sip.received, d.sip.malformed, d.sip.dropped)}</p>
        </>
      )}
    </section>
  );
}

function PlatformRow({ p, now, lang, tz }: { p: PlatformStatus; now: number; lang: Lang; tz: string }) {
  const w = gbWords[lang];
  const at = (ms: number) => siteTime(ms, lang, tz, true);
  const skew = p.clockSkewMs === null ? null : (Math.abs(p.clockSkewMs) / 1000).toFixed(1);
  const stateClass = p.state === 'registered' && p.online ? 'ok' : p.state === 'failed' ? 'bad' : p.state === 'registering' ? 'warn' : '';
  return (
    <tr data-testid={`gb-platform-${p.id}`} data-state={p.state}>
      <td>
        {p.name}
        <div class="muted mono">
          {p.serverId} · {p.host}:{p.port}/{p.transport} · GB/T 28181-{p.edition}
        </div>
      </td>
      <td>
        <span class={`verdict ${stateClass}`}>{w.state[p.state]}</span>
        {p.state === 'registered' && p.registeredAt !== null && p.expiresAt !== null ? (
          <div class="muted">{w.registered(at(p.registeredAt), at(p.expiresAt))}</div>
        ) : null}
        {p.lastError ? (
          <div data-testid="gb-reason">
            {p.lastErrorKind ? w.failure[p.lastErrorKind] : null}
            <div class="muted mono">{p.lastError}</div>
          </div>
        ) : null}
        {p.failures > 0 ? <div class="muted">{w.failures(p.failures)}</div> : null}
        {p.nextAttemptAt !== null ? <div data-testid="gb-retry">{w.retry(at(p.nextAttemptAt), spanWords(p.nextAttemptAt - now, lang))}</div> : null}
        {p.lostAt !== null ? <div class="muted">{w.lost(at(p.lostAt))}</div> : null}
      </td>
      <td>
        {p.lastKeepaliveAt !== null ? w.keepaliveAgo(spanWords(now - p.lastKeepaliveAt, lang)) : w.keepaliveNone}
        {p.keepaliveMisses > 0 ? <div class="bad">{w.misses(p.keepaliveMisses, p.keepaliveMissesAllowed)}</div> : null}
        <div class="muted">{w.keepaliveRule(p.keepaliveSeconds, p.keepaliveMissesAllowed)}</div>
      </td>
      <td>
        {skew === null ? (
          <span class="muted">{w.skewUnknown}</span>
        ) : p.clockAlarm ? (
          <span class="verdict bad" data-testid="gb-clock-alarm">
            {w.skewAlarm(skew)}
          </span>
        ) : (
          w.skew(skew)
        )}
      </td>
      <td class="nowrap">
        {w.channels(p.channels)}
        {p.subscriptions > 0 ? <div class="muted">{w.subscriptions(p.subscriptions)}</div> : null}
      </td>
      <td>
        {p.plays.length === 0 ? (
          <span class="muted">{w.noPlays}</span>
        ) : (
          <ul class="gb-plays">
            {p.plays.map((x) => (
              <li key={`${x.kind}/${x.channelId}/${x.since}`}>
                {w.kind[x.kind]} {x.sourceId} <span class="muted">{w.playSince(at(x.since))}</span>
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}
