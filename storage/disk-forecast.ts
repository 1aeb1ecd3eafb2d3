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
