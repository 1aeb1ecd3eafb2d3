// The store's health as the appliance last saw it: probed once at start and then now and then (a
// list, a 64-byte put/get/delete: cheap), so /healthz and the System page answer without a round trip
// and the tier can wait while the store is down. It never blocks recording and never throws.
import { systemClock, type Clock } from '../../core/index.ts';
import type { ObjectStore } from './client.ts';
import { probeObjectStore, type ProbeResult } from './probe.ts';

export interface ObjectStoreMonitor {
  readonly store: ObjectStore;
  /** The last probe's answer; null until the first one finishes. */
  latest(): ProbeResult | null;
  /** Probes now (one at a time: a second caller gets the probe in flight). */
  probeNow(): Promise<ProbeResult>;
  /** Called after each probe whose ok/problem differs from the one before (and after the first). */
  onChange(listener: (result: ProbeResult, previous: ProbeResult | null) => void): () => void;
  /** Probes now, then every intervalMs (default 10 min), and sooner (1 min) while it fails. */
  start(): void;
  stop(): void;
}

export interface MonitorLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export function createObjectStoreMonitor(deps: {
  store: ObjectStore;
  clock?: Clock;
  log?: MonitorLog;
  intervalMs?: number;
  retryMs?: number;
}): ObjectStoreMonitor {
  const clock = deps.clock ?? systemClock;
  const intervalMs = deps.intervalMs ?? 10 * 60_000;
  const retryMs = deps.retryMs ?? 60_000;
  let last: ProbeResult | null = null;
  let inFlight: Promise<ProbeResult> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  const listeners = new Set<(r: ProbeResult, p: ProbeResult | null) => void>();

  const probeNow = (): Promise<ProbeResult> => {
    inFlight ??= probeObjectStore(deps.store, { clock })
      .then((result) => {
        const previous = last;
        last = result;
        if (!previous || previous.ok !== result.ok || previous.problem !== result.problem) {
          const fields = { endpoint: result.endpoint, bucket: result.bucket, problem: result.problem, tookMs: result.tookMs };
          if (result.ok) deps.log?.info(fields, `object store: ${result.message}`);
          else deps.log?.warn(fields, `object store: ${result.message}`);
          for (const l of listeners) l(result, previous);
        }
        return result;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };

  const schedule = () => {
    if (!running) return;
    timer = setTimeout(
      () => {
        void probeNow().finally(schedule);
      },
      last && !last.ok ? retryMs : intervalMs,
    );
    timer.unref();
  };

  return {
    store: deps.store,
    latest: () => last,
    probeNow,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      if (running) return;
      running = true;
      void probeNow().finally(schedule);
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
