// Health in an IT person's words: one verdict, then each part — version and uptime, the clocks, the
// database, the data disk, ffmpeg, the cameras, the certificates — each with what is wrong when it is.
import { useEffect, useState } from 'preact/hooks';
import type { PageProps } from '../page-props.ts';
import { getStatus, getTls, probeObjectStore } from './api.ts';
import { humanBytes, siteTime, spanWords } from './format.ts';
import { useLoad } from './load.ts';
import { systemWords } from './words.ts';
import { ObjectStoreBlock } from './object-store.tsx';

export function HealthSection({ lang }: PageProps) {
  const w = systemWords[lang];
  const status = useLoad(getStatus, lang);
  const tls = useLoad(getTls, lang);
  // The PC's clock against the server's, measured when the answer came in.
  const [skew, setSkew] = useState<number | null>(null);
  useEffect(() => {
    if (status.data) setSkew(Math.round((Date.now() - status.data.serverTime) / 1000));
  }, [status.data]);
  const s = status.data;
  if (status.error)
    return (
      <p class="error" role="alert">
        {status.error}
      </p>
    );
  if (!s) return <p class="note">{w.loading}</p>;
  const tz = s.timezone;
  // /healthz counts a camera that is down as the recorder's business; the office must hear of it here.
  const verdict = s.status === 'ok' && s.media.down.length > 0 ? 'degraded' : s.status;
  const cls = verdict === 'ok' ? 'ok' : verdict === 'degraded' ? 'warn' : 'bad';
  const plain = tls.data === 'plain-http';
  const t = tls.data === 'plain-http' ? null : tls.data;
  const certSoon = t?.certificates.some((c) => c.secondsLeft < 7 * 86400);
  return (
    <section class="panel system-health" data-testid="system-health">
      <h2>
        <span class={`verdict ${cls}`} data-testid="health-verdict" data-status={verdict}>
          {w.overall[verdict]}
        </span>
        <span class="right">
          <button type="button" onClick={() => void probeObjectStore(!!status.data?.objectStore).then(() => (status.reload(), tls.reload()))}>
            {w.refresh}
          </button>
        </span>
      </h2>
      <table class="facts">
        <tbody>
          <tr>
            <th scope="row">{w.version}</th>
            <td>
              examroom {s.version} · Node.js {s.node} · {w.started(siteTime(s.startedAt, lang, tz), spanWords(s.serverTime - s.startedAt, lang))}
            </td>
          </tr>
          <tr>
            <th scope="row">{w.serverTime}</th>
            <td>
              {siteTime(s.serverTime, lang, tz, true)} ({tz}) —{' '}
              {skew === null ? '' : Math.abs(skew) >= 5 ? <span class="warn">{w.clockSkew(skew)}</span> : w.clockSame}
            </td>
          </tr>
          <tr>
            <th scope="row">{w.database}</th>
            <td class={s.database.ok ? 'ok' : 'bad'}>
              {s.database.ok ? w.databaseOk(s.database.schemaVersion, humanBytes(s.database.bytes)) : `${w.databaseBad}: ${s.database.error ?? ''}`}
              <div class="muted mono">{s.database.file}</div>
            </td>
          </tr>
          <tr>
            <th scope="row">{w.dataDisk}</th>
            <td class={s.disk.ok ? 'ok' : 'bad'}>
              {w.diskLine(humanBytes(s.disk.freeBytes), humanBytes(s.disk.totalBytes), humanBytes(s.disk.minFreeBytes))}
              {s.disk.ok ? '' : ` — ${w.diskLow}`}
              <div class="muted mono">{s.disk.path}</div>
            </td>
          </tr>
          <tr>
            <th scope="row">{w.ffmpeg}</th>
            <td class={s.ffmpeg.ok ? 'ok' : 'bad'}>{s.ffmpeg.ok ? s.ffmpeg.version : w.ffmpegMissing}</td>
          </tr>
          <tr>
            <th scope="row">{w.recorder}</th>
            <td class={s.media.ok && s.media.down.length === 0 ? 'ok' : 'warn'}>
              {s.media.down.length ? w.sourcesDown(s.media.down.join(', ')) : w.recorderOk}
              {s.media.h265WithoutSub.length > 0 && (
                <div class="warn" data-testid="health-h265">
                  {w.h265WithoutSub(s.media.h265WithoutSub.join(', '))}
                </div>
              )}
            </td>
          </tr>
          <tr>
            <th scope="row">{w.certificates}</th>
            <td data-testid="health-tls" class={plain || tls.error ? 'warn' : certSoon ? 'bad' : 'ok'}>
              {tls.error ? (
                <span class="error">{tls.error}</span>
              ) : plain ? (
                w.plainHttp
              ) : t === null ? (
                w.loading
              ) : (
                <>
                  {certSoon && <div class="bad">{w.certSoon}</div>}
                  <ul class="plain">
                    {t.certificates.map((c) => (
                      <li key={c.fingerprint256}>
                        {w.certLine(c.name, siteTime(c.notAfter, lang, tz), Math.floor(c.secondsLeft / 86400))}
                        {c.names.dns.length + c.names.ips.length > 0 && <span class="muted"> · {[...c.names.dns, ...c.names.ips].join(', ')}</span>}
                      </li>
                    ))}
                  </ul>
                  {t.caReplaced && <div class="warn">{w.caReplaced(siteTime(t.caReplaced.since, lang, tz), t.caReplaced.devicesNotSeenSince.length)}</div>}
                </>
              )}
            </td>
          </tr>
        </tbody>
      </table>
      <ObjectStoreBlock status={s.objectStore} lang={lang} timeZone={tz} />
    </section>
  );
}
