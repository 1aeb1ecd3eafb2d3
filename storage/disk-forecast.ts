// Disk forecast: will the media disk hold the whole retention period at today's recording rate?
// Answered long before the disk is full, so an operator can add disk while nothing is at risk.
import { statfsSync } from 'node:fs';

export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
}

export function diskSpace(path: string): DiskSpace {
  const s = statfsSync(path);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

export interface ForecastInput {
  /** Recording rate per source: bytes and recorded milliseconds over a recent window. */
  rates: { sourceId: string; bytes: number; ms: number }[];
  retentionDays: number;
  /** Bytes of recordings already on the disk (they count towards the retention total). */
  storedBytes: number;
  freeBytes: number;
  /** Space that must stay free (retention.minFreeGiB). */
  minFreeBytes: number;
}

export interface Forecast {
  ok: boolean;
  bytesPerDay: number;
  perSource: { sourceId: string; bytesPerDay: number }[];
  /** Bytes the full retention period needs at this rate (all sources). */
  retentionBytes: number;
  /** Of that, what still has to fit on the disk (retention total − already stored). */
  needBytes: number;
  /** Free space above the minimum that must stay free. */
  usableBytes: number;
  /** Days of recording left before free space reaches the minimum; null when nothing records. */
  daysUntilFull: number | null;
}

/**
 * Steady state: once the archive spans the retention period the sweeper removes a day per day, so
 * the disk must hold rate × retention. What is already stored counts towards it; the rest must fit
 * in the free space above the minimum. Rates are per recorded time, assuming sources record around the clock.
 */
export function forecastDisk(input: ForecastInput): Forecast {
  const perSource = input.rates.map((r) => ({ sourceId: r.sourceId, bytesPerDay: r.ms > 0 ? (r.bytes / r.ms) * 86_400_000 : 0 }));
  const bytesPerDay = perSource.reduce((a, s) => a + s.bytesPerDay, 0);
  const retentionBytes = bytesPerDay * input.retentionDays;
  const needBytes = Math.max(0, retentionBytes - input.storedBytes);
  const usableBytes = Math.max(0, input.freeBytes - input.minFreeBytes);
  return {
    ok: needBytes <= usableBytes,
    bytesPerDay,
    perSource,
    retentionBytes,
    needBytes,
    usableBytes,
    daysUntilFull: bytesPerDay > 0 ? usableBytes / bytesPerDay : null,
  };
}

/** A source as the scheduled forecast sees it: its recording rate and how it is recorded. */
export interface ForecastSource {
  sourceId: string;
  room: string;
  schedule: 'always' | 'sessions';
  /** Bytes per recorded millisecond (its bit rate), from its recent segments. */
  bytesPerMs: number;
  /** Milliseconds it recorded per day on average over the last 90 days. */
  recordedMsPerDay: number;
}

export interface ScheduledForecastInput {
  now: number;
  retentionDays: number;
  storedBytes: number;
  freeBytes: number;
  minFreeBytes: number;
  sources: ForecastSource[];
  /** The recording windows planned from now on (exam sessions, training lessons), each with the end it is expected to have. */
  planned: { room: string; start: number; end: number }[];
}

export interface ScheduledForecast extends Forecast {
  /** The days the forecast covers (retentionBytes = bytesPerDay × days): the retention period, or the local disk's hotDays when a store holds the rest. */
  days: number;
  /** When free space reaches the minimum, counting nothing that expires meanwhile; null when it does not within the retention period. */
  fullAt: number | null;
  /** Where the plan ends: after it, each `sessions` source records its 90-day average hours per day. */
  planUntil: number;
  /** Bytes the planned windows will record, and on how many distinct days (site calendar not needed: 24 h buckets from now). */
  plannedBytes: number;
  plannedDays: number;
}

/**
 * The disk against the retention period when sources record by schedule (CLARIFICATIONS "Exam day and
 * recording"): `always` sources at their rate around the clock; `sessions` sources at their rate inside
 * their room's planned windows as far as the plan goes, then their average recorded hours per day of the
 * last 90 days. The bytes of the next retention period must fit in what is stored plus the usable free
 * space (the sweeper then removes a day per day); the disk is full when the bytes recorded from now
 * exceed the usable space — expiries are not counted, so the date errs early, never late.
 */
export function forecastScheduled(input: ScheduledForecastInput): ScheduledForecast {
  const { now } = input;
  const horizon = now + input.retentionDays * 86_400_000;
  const planned = input.planned.map((w) => ({ room: w.room, start: Math.max(w.start, now), end: Math.min(w.end, horizon) })).filter((w) => w.end > w.start);
  const planUntil = Math.max(now, ...planned.map((w) => w.end));
  // Piecewise-constant recording rate: change points at every window edge and at the end of the plan.
  const always = input.sources.filter((s) => s.schedule === 'always');
  const scheduled = input.sources.filter((s) => s.schedule === 'sessions');
  const alwaysRate = always.reduce((a, s) => a + s.bytesPerMs, 0);
  const beyondRate = scheduled.reduce((a, s) => a + (s.bytesPerMs * s.recordedMsPerDay) / 86_400_000, 0);
  const roomRate = new Map<string, number>();
  for (const s of scheduled) roomRate.set(s.room, (roomRate.get(s.room) ?? 0) + s.bytesPerMs);
  // Two windows of one room at once (an exam and a lesson) record it once.
  const edges = new Set<number>([now, planUntil, horizon]);
  for (const w of planned) edges.add(w.start).add(w.end);
  const points = [...edges].filter((x) => x >= now && x <= horizon).sort((a, b) => a - b);
  const usable = Math.max(0, input.freeBytes - input.minFreeBytes);
  const perSourceBytes = new Map<string, number>(input.sources.map((s) => [s.sourceId, 0]));
  let total = 0;
  let plannedBytes = 0;
  let fullAt: number | null = null;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const dt = b - a;
    let rate = alwaysRate;
    for (const s of always) perSourceBytes.set(s.sourceId, perSourceBytes.get(s.sourceId)! + s.bytesPerMs * dt);
    if (a >= planUntil) {
      rate += beyondRate;
      for (const s of scheduled) perSourceBytes.set(s.sourceId, perSourceBytes.get(s.sourceId)! + ((s.bytesPerMs * s.recordedMsPerDay) / 86_400_000) * dt);
    } else {
      const rooms = new Set(planned.filter((w) => w.start <= a && w.end >= b).map((w) => w.room));
      let windowRate = 0;
      for (const r of rooms) windowRate += roomRate.get(r) ?? 0;
      for (const s of scheduled) if (rooms.has(s.room)) perSourceBytes.set(s.sourceId, perSourceBytes.get(s.sourceId)! + s.bytesPerMs * dt);
      rate += windowRate;
      plannedBytes += windowRate * dt;
    }
    if (fullAt === null && rate > 0 && total + rate * dt > usable) fullAt = a + (usable - total) / rate;
    total += rate * dt;
  }
  const days = input.retentionDays;
  const retentionBytes = total;
  const needBytes = Math.max(0, retentionBytes - input.storedBytes);
  const plannedDays = new Set(planned.flatMap((w) => [Math.floor((w.start - now) / 86_400_000), Math.floor((w.end - 1 - now) / 86_400_000)])).size;
  return {
    days,
    ok: needBytes <= usable,
    bytesPerDay: retentionBytes / days,
    perSource: input.sources.map((s) => ({ sourceId: s.sourceId, bytesPerDay: perSourceBytes.get(s.sourceId)! / days })),
    retentionBytes,
    needBytes,
    usableBytes: usable,
    daysUntilFull: fullAt === null ? null : (fullAt - now) / 86_400_000,
    fullAt,
    planUntil,
    plannedBytes,
    plannedDays,
  };
}
