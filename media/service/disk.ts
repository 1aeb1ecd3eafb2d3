// The media disk: free space against the alarm and the last-resort floor (disk.low, recording
// blocked), the retention forecast by schedule, and the health summary for /healthz.
import { localDate } from '../../core/index.ts';
import { diskSpace, forecastScheduled, type ForecastSource } from '../../storage/index.ts';
import { screenSourceId } from '../screens.ts';
import type { DiskStatus, MediaForecast, MediaState } from './state.ts';

const DAY = 86_400_000;
/** How far back the recording history is averaged for the days beyond the plan (CLARIFICATIONS). */
const HISTORY_DAYS = 90;
/**
 * A younger site averages over the days it has existed, but never fewer than these: one demo session
 * on day one must not be taken for a session every day, and a site a month old must not be forecast
 * at a third of its real pace (as dividing by all 90 days would, warning nobody for three months).
 */
const MIN_HISTORY_DAYS = 30;

/**
 * Every source the forecast counts: those running now, and the screen of every configured terminal
 * (a screen is a source only while its terminal is connected, but it records at every session). A
 * source with no history of its own takes the average rate of its kind.
 */
function forecastSources(st: MediaState, now: number): ForecastSource[] {
  const rates = new Map(st.store.ratesSince(now - HISTORY_DAYS * DAY).map((r) => [r.sourceId, r]));
  const first = st.store.firstSegmentStart();
  const age = first === null ? 0 : (now - first) / DAY;
  const observedDays = Math.min(HISTORY_DAYS, Math.max(MIN_HISTORY_DAYS, age));
  const list = new Map<string, { room: string; kind: 'camera' | 'screen'; schedule: 'always' | 'sessions' }>();
  for (const t of st.config.terminals) list.set(screenSourceId(t.id), { room: t.room, kind: 'screen', schedule: st.config.media.record });
  for (const s of st.sources.values()) list.set(s.spec.id, { room: s.spec.room, kind: s.spec.kind, schedule: s.spec.record });
  const own = [...list].map(([id, x]) => {
    const r = rates.get(id);
    return { id, ...x, rate: r && r.ms > 0 ? r.bytes / r.ms : null, perDay: r ? r.ms / observedDays : null };
  });
  const mean = (kind: string, f: (o: (typeof own)[number]) => number | null) => {
    const known = own.filter((o) => o.kind === kind && f(o) !== null).map((o) => f(o)!);
    return known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
  };
  return own.map((o) => ({
    sourceId: o.id,
    room: o.room,
    schedule: o.schedule,
    bytesPerMs: o.rate ?? mean(o.kind, (x) => x.rate),
    recordedMsPerDay: o.perDay ?? mean(o.kind, (x) => x.perDay),
  }));
}

export function refreshDisk(st: MediaState): DiskStatus {
  let d: DiskStatus;
  try {
    const sp = diskSpace(st.mediaDir);
    d = {
      path: st.mediaDir,
      ...sp,
      minFreeBytes: st.minFreeBytes,
      reserveBytes: st.reserveBytes,
      low: sp.freeBytes < st.minFreeBytes,
      recordingBlocked: sp.freeBytes < st.reserveBytes,
      forecast: st.lastForecast,
    };
  } catch (err) {
    d = {
      path: st.mediaDir,
      freeBytes: 0,
      totalBytes: 0,
      minFreeBytes: st.minFreeBytes,
      reserveBytes: st.reserveBytes,
      low: true,
      recordingBlocked: false,
      forecast: st.lastForecast,
      error: (err as Error).message,
    };
  }
  const wasBlocked = st.recordingBlocked;
  // Loud and repeated while it lasts (every 10 minutes), not once into a log nobody reads.
  if (d.low && st.diskLow && performance.now() - st.lastLowLog > 600_000) {
    st.lastLowLog = performance.now();
    st.log?.error(
      { path: st.mediaDir, freeBytes: d.freeBytes, minFreeBytes: st.minFreeBytes, recordingBlocked: d.recordingBlocked },
      'media disk is still nearly full — add disk space',
    );
  }
  if (d.low && !st.diskLow) {
    st.lastLowLog = performance.now();
    // Loud on purpose: the appliance keeps recording, but an operator must act (add disk) now.
    st.log?.error(
      { path: st.mediaDir, freeBytes: d.freeBytes, minFreeBytes: st.minFreeBytes },
      'media disk is nearly full; recording continues, nothing is deleted — add disk space',
    );
    st.bus.emit('disk.low', {
      path: st.mediaDir,
      freeBytes: d.freeBytes,
      minFreeBytes: st.minFreeBytes,
      recordingStopped: d.recordingBlocked,
      at: st.clock.now(),
    });
  } else if (d.recordingBlocked && !wasBlocked && st.diskLow) {
    st.bus.emit('disk.low', { path: st.mediaDir, freeBytes: d.freeBytes, minFreeBytes: st.minFreeBytes, recordingStopped: true, at: st.clock.now() });
  }
  st.diskLow = d.low;
  st.recordingBlocked = d.recordingBlocked;
  st.lastDisk = d;
  return d;
}

export function runForecast(st: MediaState): MediaForecast {
  const now = st.clock.now();
  const d = refreshDisk(st);
  // With an object store the local disk holds only hotDays of recordings (older ones move to the store;
  // a backlog while the store is down is the tier's alert, with its days left): what is stored now is
  // mostly on its way out, so it is not counted as already covering the period.
  const tiered = st.config.objectStore !== null;
  const retentionDays = tiered ? Math.min(st.config.objectStore!.hotDays, st.config.retention.days) : st.config.retention.days;
  const sources = forecastSources(st, now);
  // Until the first segment is written no rate is known and every figure would read 0 ("∞, never
  // full") while the cameras record: say it is still measuring, and for how long it has recorded.
  const since = [...st.sources.values()].filter((s) => s.recording && s.recordingSince !== null).map((s) => s.recordingSince!);
  const measuring = sources.every((s) => s.bytesPerMs === 0) && since.length > 0 ? { recordingMs: Math.max(0, now - Math.min(...since)) } : null;
  const scheduled = forecastScheduled({
    now,
    retentionDays,
    storedBytes: tiered ? 0 : st.store.totalBytes(),
    freeBytes: d.freeBytes,
    minFreeBytes: st.minFreeBytes,
    sources,
    planned: st.schedule
      .windows(now, now + retentionDays * DAY)
      .map((w) => ({ room: w.room, start: w.start, end: w.end ?? Math.max(w.expectedEnd ?? now, now) })),
  });
  // The store's own need: the same plan and rates over the whole retention period (nothing counted as stored:
  // the store's usage is the store's to report; this is what the period asks of its capacity).
  const store = tiered
    ? (() => {
        const days = st.config.retention.days;
        const whole = forecastScheduled({
          now,
          retentionDays: days,
          storedBytes: 0,
          freeBytes: Number.MAX_SAFE_INTEGER,
          minFreeBytes: 0,
          sources,
          planned: st.schedule.windows(now, now + days * DAY).map((w) => ({ room: w.room, start: w.start, end: w.end ?? Math.max(w.expectedEnd ?? now, now) })),
        });
        return { days, bytes: whole.retentionBytes, bytesPerDay: whole.bytesPerDay };
      })()
    : null;
  const f: MediaForecast = { ...scheduled, hotDays: tiered ? retentionDays : null, store, measuring };
  st.lastForecast = f;
  if (!f.ok || st.forecastAlarm) {
    if (!f.ok)
      st.log?.error(
        { bytesPerDay: f.bytesPerDay, needBytes: f.needBytes, usableBytes: f.usableBytes, daysUntilFull: f.daysUntilFull },
        'the media disk cannot hold the retention period at the current exam plan and recording rate',
      );
    st.bus.emit('disk.forecast', {
      ok: f.ok,
      path: st.mediaDir,
      freeBytes: d.freeBytes,
      needBytes: f.needBytes,
      bytesPerDay: f.bytesPerDay,
      days: retentionDays,
      hotDays: tiered ? retentionDays : null,
      daysUntilFull: f.daysUntilFull,
      usableBytes: f.usableBytes,
      fullMonth: f.fullAt === null ? null : localDate(f.fullAt, st.config.site.timezone).slice(0, 7),
      at: now,
    });
  }
  st.forecastAlarm = !f.ok;
  return f;
}

export function health(st: MediaState) {
  const disk = st.lastDisk ?? refreshDisk(st);
  const down = [...st.sources.values()].filter((s) => s.state === 'down').map((s) => s.spec.id);
  // Browsers without an HEVC decoder (Debian's Chromium, many office PCs) cannot show these in a grid.
  const h265WithoutSub = [...st.sources.values()].filter((s) => s.codecs?.video === 'hevc' && !s.sub).map((s) => s.spec.id);
  return { ok: !disk.low && !disk.error, disk, down, h265WithoutSub };
}
