// Start and stop: the sources' first runs, then the disk watch, the forecast and the retention sweep
// on their intervals.
import type { MediaState } from './state.ts';
import { refreshDisk, runForecast } from './disk.ts';
import { reconcileWindow, startSource, stopWindowRecorder } from './runs.ts';

export async function start(st: MediaState) {
  if (st.started) return;
  st.started = true;
  refreshDisk(st);
  // The schedule first: a source that comes up must know whether its room is inside a window.
  st.schedule.start();
  await Promise.all([...st.sources.values()].map((s) => startSource(st, s)));
  const iv = st.deps.intervals ?? {};
  const every = (ms: number, fn: () => void) => {
    const t = setInterval(() => {
      try {
        fn();
      } catch (err) {
        st.log?.error({ err }, 'media housekeeping failed');
      }
    }, ms);
    t.unref();
    st.timers.push(t);
  };
  every(iv.diskMs ?? 30_000, () => {
    const before = st.recordingBlocked;
    const d = refreshDisk(st);
    // Space came back: sources running live-only start recording again at once.
    if (before && !d.recordingBlocked)
      for (const s of st.sources.values()) {
        if (s.spec.record === 'sessions') reconcileWindow(st, s);
        else if (!s.recording) s.supervisor?.restart('disk space available again');
      }
  });
  every(iv.forecastMs ?? 3_600_000, () => void runForecast(st));
  // A first forecast soon after start-up, so a disk too small is reported on the day it is installed.
  const first = setTimeout(
    () => {
      try {
        runForecast(st);
      } catch (err) {
        st.log?.error({ err }, 'disk forecast failed');
      }
    },
    Math.min(60_000, iv.forecastMs ?? 60_000),
  );
  first.unref();
  st.timers.push(first);
  every(iv.sweepMs ?? 600_000, () => void sweep(st));
}

export async function stop(st: MediaState) {
  st.stopping = true;
  st.schedule.stop();
  for (const t of st.timers.splice(0)) clearTimeout(t);
  await Promise.all([...st.sources.values()].flatMap((s) => [s.supervisor?.stop(), s.sub?.supervisor?.stop(), stopWindowRecorder(st, s)]));
  await Promise.all([...st.closing]);
  await st.playback.close();
  if (st.ownsFiles) await st.files.close();
}

export function sweep(st: MediaState) {
  const r = st.sweeper.sweepExpiredSegments();
  if (r.deleted > 0) st.log?.info({ deleted: r.deleted, bytes: r.bytes, cutoff: r.cutoff }, 'expired recordings deleted');
  return r;
}
