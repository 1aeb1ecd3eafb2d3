// The media disk: free space against the alarm and the last-resort floor (disk.low, recording
// blocked), the retention forecast, and the health summary for /healthz.
import { diskSpace, forecastDisk } from '../../storage/index.ts';
import type { DiskStatus, MediaState } from './state.ts';

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

export function runForecast(st: MediaState) {
  const now = st.clock.now();
  const d = refreshDisk(st);
  const f = forecastDisk({
    rates: st.store.ratesSince(now - 86_400_000),
    retentionDays: st.config.retention.days,
    storedBytes: st.store.totalBytes(),
    freeBytes: d.freeBytes,
    minFreeBytes: st.minFreeBytes,
  });
  st.lastForecast = f;
  if (!f.ok || st.forecastAlarm) {
    if (!f.ok)
      st.log?.error(
        { bytesPerDay: f.bytesPerDay, needBytes: f.needBytes, usableBytes: f.usableBytes, daysUntilFull: f.daysUntilFull },
        'the media disk cannot hold the retention period at the current recording rate',
      );
    st.bus.emit('disk.forecast', {
      ok: f.ok,
      path: st.mediaDir,
      freeBytes: d.freeBytes,
      needBytes: f.needBytes,
      bytesPerDay: f.bytesPerDay,
      retentionDays: st.config.retention.days,
      daysUntilFull: f.daysUntilFull,
      at: now,
    });
  }
  st.forecastAlarm = !f.ok;
  return f;
}

export function health(st: MediaState) {
  const disk = st.lastDisk ?? refreshDisk(st);
  const down = [...st.sources.values()].filter((s) => s.state === 'down').map((s) => s.spec.id);
  return { ok: !disk.low && !disk.error, disk, down };
}
