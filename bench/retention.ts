// The recording index at full size: 3 years × 64 sources. How long listing one hour of one source and
// sweeping one day of expired footage take — both must not grow with the archive. And what one exam
// day costs on disk when the sources record by schedule (the disk forecast's own arithmetic).
// Usage: npm run bench -- retention [SEGMENT_MINUTES]   (default 30: 3.4 M rows; 5 gives the real 20 M rows,
// which needs several GB of disk and minutes to build).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../core/index.ts';
import { createMediaReader, createMediaStore, createRetentionSweeper, DAY_MS, forecastScheduled, openDatabase, segmentFolder } from '../storage/index.ts';
import { createPlayback } from '../media/index.ts';

const segMin = Number(process.argv[2] ?? 30);
const SOURCES = 64;
const DAYS = 1096;
const segMs = segMin * 60_000;
const perSource = Math.floor((DAYS * DAY_MS) / segMs);
const start = Date.UTC(2024, 0, 1);
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'examroom-bench-retention-'));

try {
  const db = openDatabase(join(dir, 'index.sqlite'));
  // Building is not what is measured: no fsync per commit for the load.
  db.pragma('synchronous = OFF');
  const t0 = performance.now();
  const insert = db.prepare('INSERT INTO media_segments (source_id, start_ms, end_ms, bytes, path, recovered) VALUES (?, ?, ?, ?, ?, 0)');
  // Time-ordered like the real thing: every source appends its newest segment.
  db.transaction(() => {
    for (let i = 0; i < perSource; i++) {
      const s = start + i * segMs;
      const folder = segmentFolder('cam00', s).slice(6);
      for (let c = 0; c < SOURCES; c++) {
        const id = `cam${String(c).padStart(2, '0')}`;
        insert.run(id, s, s + segMs, 150_000_000 * (segMin / 5), `${id}/${folder}/${start}-${String(i).padStart(5, '0')}.ts`);
      }
    }
  })();
  const rows = perSource * SOURCES;
  const buildS = (performance.now() - t0) / 1000;
  db.pragma('synchronous = FULL');
  // The load went into the WAL; checkpoint it now so the sweep's first commit does not pay for it.
  db.pragma('wal_checkpoint(TRUNCATE)');
  console.log(`index: ${rows.toLocaleString('en')} rows (${SOURCES} sources × ${DAYS} days of ${segMin}-minute segments), built in ${buildS.toFixed(1)} s`);

  const store = createMediaStore(db);
  const end = start + DAYS * DAY_MS;
  const playback = createPlayback({
    store,
    files: createMediaReader({ mediaDir: join(dir, 'media'), cacheDir: join(dir, 'read-cache') }),
    clock: { now: () => end },
    sourceKnown: () => true,
  });
  // List one hour of one source, at 200 random hours across the three years.
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const listTimes: number[] = [];
  let found = 0;
  for (let k = 0; k < 200; k++) {
    const from = start + Math.floor(rand() * (DAYS * 24 - 1)) * 3600_000;
    const src = `cam${String(Math.floor(rand() * SOURCES)).padStart(2, '0')}`;
    const a = performance.now();
    found += playback.recordings(src, from, from + 3600_000).segments.length;
    listTimes.push(performance.now() - a);
  }
  listTimes.sort((x, y) => x - y);
  const listMs = listTimes[Math.floor(listTimes.length / 2)]!;
  console.log(
    `list one hour of one source: median ${listMs.toFixed(3)} ms, p99 ${listTimes[Math.floor(listTimes.length * 0.99)]!.toFixed(3)} ms (${(found / 200).toFixed(1)} segments each)`,
  );

  // Sweep: the day after retention ends for the oldest day; every source's first day expires.
  const clock = fixedClock(start + DAY_MS + DAYS * DAY_MS);
  const sweeper = createRetentionSweeper({ db, clock, mediaDir: join(dir, 'media'), retentionDays: DAYS });
  const b = performance.now();
  let deleted = 0;
  for (;;) {
    const r = sweeper.sweepExpiredSegments({ maxRows: 100_000 });
    deleted += r.deleted;
    if (!r.more) break;
  }
  const sweepMs = performance.now() - b;
  console.log(
    `sweep one day: ${deleted.toLocaleString('en')} segments (files absent here, unlink still attempted) in ${sweepMs.toFixed(1)} ms, synchronous=FULL commits per 500-row batch`,
  );
  db.close();

  // One exam day by schedule: the same 64 sources at the index's rate, split over two rooms, each room
  // holding two 120-minute sessions (09:00 and 14:00) with the decided 30-minute margins: 6 recorded hours.
  const bytesPerMs = (150_000_000 * (segMin / 5)) / segMs;
  const day = start + 30 * DAY_MS;
  const margin = 30 * 60_000;
  const planned = ['R1', 'R2'].flatMap((room) =>
    [9, 14].map((h) => ({ room, start: day + h * 3600_000 - margin, end: day + h * 3600_000 + 120 * 60_000 + margin })),
  );
  const sources = Array.from({ length: SOURCES }, (_, c) => ({
    sourceId: `cam${c}`,
    room: c < SOURCES / 2 ? 'R1' : 'R2',
    schedule: 'sessions' as const,
    bytesPerMs,
    recordedMsPerDay: 0,
  }));
  const exam = forecastScheduled({ now: start, retentionDays: DAYS, storedBytes: 0, freeBytes: 0, minFreeBytes: 0, sources, planned });
  const examDayBytes = exam.plannedBytes / exam.plannedDays;
  const allDayBytes = bytesPerMs * SOURCES * DAY_MS;
  console.log(
    `one exam day by schedule (${SOURCES} sources at ${((bytesPerMs * 8000) / 1e6).toFixed(1)} Mbit/s, 2 rooms × 2 sessions of 2 h + 2 × 30 min margins): ${(examDayBytes / 1e9).toFixed(0)} GB; recorded around the clock: ${(allDayBytes / 1e9).toFixed(0)} GB a day`,
  );
  console.log(`retention: list ${listMs.toFixed(2)} ms, sweep ${sweepMs.toFixed(0)} ms, ${(examDayBytes / 1e9).toFixed(0)} GB per exam day`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
