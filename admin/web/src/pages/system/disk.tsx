// The disk forecast explained: free space, what the sources record per day (each source and its share),
// what the retention period still needs against what is usable, when the disk fills up, how the figure is
// worked out, and what to do when it does not fit.
import type { PageProps } from '../page-props.ts';
import { useState } from 'preact/hooks';
import { getDisk, getStatus, probeObjectStore } from './api.ts';
import { humanBytes, siteTime } from './format.ts';
import { useLoad } from './load.ts';
import { systemWords } from './words.ts';
import { TierBlock } from './tier.tsx';

export function DiskSection({ lang }: PageProps) {
  const w = systemWords[lang];
  const disk = useLoad(getDisk, lang);
  const status = useLoad(getStatus, lang);
  // 刷新 re-reads the tier block too, after asking the store again: its line must not say "reachable" for minutes after the store stopped.
  const [round, setRound] = useState(0);
  const refresh = () => void probeObjectStore(!!status.data?.objectStore).then(() => (disk.reload(), status.reload(), setRound((n) => n + 1)));
  if (disk.error)
    return (
      <p class="error" role="alert">
        {disk.error}
      </p>
    );
  const d = disk.data;
  if (!d) return <p class="note">{w.loading}</p>;
  const f = d.forecast;
  const tz = status.data?.timezone ?? 'Asia/Shanghai';
  // The days the figures cover (the retention period, or hotDays with an object store): every line below
  // names the same span, so bytes per day × days is the total shown.
  const days = f.days;
  const hot = f.hotDays ?? null;
  const sources = [...f.perSource].sort((a, b) => b.bytesPerDay - a.bytesPerDay);
  return (
    <>
      <section class="panel system-disk" data-testid="system-disk">
        <h2>
          <span class={`verdict ${f.ok ? 'ok' : 'bad'}`} data-testid="forecast-verdict" data-ok={String(f.ok)}>
            {hot !== null ? (f.ok ? w.forecastOkHot(hot) : w.forecastShortHot(hot)) : f.ok ? w.forecastOk(days) : w.forecastShort}
          </span>
          <span class="right">
            <button type="button" onClick={refresh}>
              {w.refresh}
            </button>
          </span>
        </h2>
        {f.measuring && (
          <p class="note" data-testid="forecast-measuring">
            {w.measuring(Math.floor(f.measuring.recordingMs / 60_000))}
          </p>
        )}
        <div class="figures">
          <div class="figure">
            <div class="big">{humanBytes(d.freeBytes)}</div>
            <div>{w.diskFree(humanBytes(d.freeBytes), humanBytes(d.totalBytes))}</div>
            {d.low && <div class="bad">{w.diskAlarm(humanBytes(d.minFreeBytes))}</div>}
            {d.recordingBlocked && <div class="bad">{w.diskBlocked}</div>}
          </div>
          <div class="figure">
            <div class="big" data-testid="bytes-per-day">
              {humanBytes(f.bytesPerDay)}
            </div>
            <div>{hot !== null ? w.perDayHot(hot) : w.perDay}</div>
            <div class="muted">{f.plannedDays > 0 ? w.examDay(humanBytes(f.plannedBytes / f.plannedDays), f.plannedDays) : w.noExamDay}</div>
          </div>
          <div class="figure">
            <div class="big" data-testid="days-until-full">
              {f.measuring ? '…' : f.daysUntilFull === null ? w.fits : `${Math.floor(f.daysUntilFull)} ${w.days(Math.floor(f.daysUntilFull))}`}
            </div>
            <div>
              {f.daysUntilFull === null || f.fullAt === null
                ? hot !== null
                  ? w.neverFullHot(hot)
                  : w.neverFull
                : w.untilFull(Math.floor(f.daysUntilFull), siteTime(f.fullAt, lang, tz).slice(0, 10))}
            </div>
          </div>
        </div>
        <p>
          {hot !== null
            ? w.retentionHot(hot, humanBytes(f.needBytes), humanBytes(f.usableBytes))
            : w.retention(days, humanBytes(f.needBytes), humanBytes(f.usableBytes))}
          {!f.ok && <strong class="bad"> {w.shortBy(humanBytes(f.needBytes - f.usableBytes))}</strong>}
        </p>
        {f.store && !f.measuring && <p data-testid="store-need">{w.storeNeed(f.store.days, humanBytes(f.store.bytes), humanBytes(f.store.bytesPerDay))}</p>}
        {sources.length > 0 && (
          <table class="per-source">
            <thead>
              <tr>
                <th scope="col">{w.source}</th>
                <th scope="col">{w.bytesPerDay}</th>
                <th scope="col">{w.share}</th>
              </tr>
            </thead>
            <tbody>
              {sources.map((s) => (
                <tr key={s.sourceId}>
                  <td>{s.sourceId}</td>
                  <td>{humanBytes(s.bytesPerDay)}</td>
                  <td>
                    <span class="bar" style={{ width: `${f.bytesPerDay > 0 ? Math.round((s.bytesPerDay / f.bytesPerDay) * 100) : 0}%` }} />
                    {f.bytesPerDay > 0 ? `${Math.round((s.bytesPerDay / f.bytesPerDay) * 100)} %` : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {w.explain.map((p) => (
          <p class="muted" key={p}>
            {p}
          </p>
        ))}
        <h3>{w.whatToDo}</h3>
        <ul>
          {(hot !== null ? w.doShortHot(hot) : w.doShort).map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      </section>
      <TierBlock lang={lang} timeZone={tz} store={status.data?.objectStore ?? null} round={round} />
    </>
  );
}
