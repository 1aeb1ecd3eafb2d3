// Retention: footage inside the retention period is never deleted; the sweeper removes only segments
// whose whole span is older, in bounded batches. Time is faked in the sweeper's clock only.
import t from 'tap';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fixedClock } from '../../core/index.ts';
import { createRetentionSweeper, DAY_MS, segmentFolder } from '../../storage/index.ts';
import { mediaRig } from './helpers.ts';

const START = Date.UTC(2026, 0, 1);
const SEG = 5 * 60_000;

function addSegments(rig: ReturnType<typeof mediaRig>, sourceId: string, from: number, count: number) {
  const rows = [];
  for (let i = 0; i < count; i++) {
    const start = from + i * SEG;
    const path = join(segmentFolder(sourceId, start), `${from}-${String(i).padStart(5, '0')}.ts`);
    const file = join(rig.media.disk().path, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, Buffer.alloc(1000, i));
    rows.push(rig.media.store.addSegment({ sourceId, start, end: start + SEG, bytes: 1000, path }));
  }
  return rows;
}

t.test('the sweeper deletes only segments that ended before now − retention days, files and rows', async (t) => {
  const sweeperClock = fixedClock(START);
  const rig = mediaRig(t, { sweeperClock });
  const days = rig.config.retention.days;
  t.equal(days, 1096, 'the default retention is 1,096 days');
  // One day of 5-minute segments starting at START.
  const rows = addSegments(rig, 'cam1', START, 288);
  const file = (r: (typeof rows)[number]) => join(rig.media.disk().path, r.path);

  t.same(rig.media.sweep().deleted, 0, 'nothing expires on the day it was recorded');
  sweeperClock.set(START + days * DAY_MS);
  t.same(rig.media.sweep().deleted, 0, 'nor exactly retention days after its start (the first segment ends 5 minutes later)');

  // Just past half-way through the recorded day, plus retention: the first 144 segments have expired
  // (a segment that ends exactly at the cutoff would still be kept: only wholly older footage goes).
  const cutoffAt = START + 144 * SEG + 1;
  sweeperClock.set(cutoffAt + days * DAY_MS);
  const r = rig.media.sweep();
  t.equal(r.deleted, 144, 'the 144 segments that ended before the cutoff');
  t.equal(r.bytes, 144_000);
  t.equal(rig.media.store.totalBytes(), 144_000, 'the archive size kept by the index follows');
  for (const row of rows.slice(0, 144)) if (existsSync(file(row)) || rig.media.store.segment(row.id)) t.fail(`expired ${row.path} still there`);
  let kept = 0;
  for (const row of rows.slice(144)) if (existsSync(file(row)) && rig.media.store.segment(row.id)) kept++;
  t.equal(kept, 144, 'every segment inside retention keeps its file and its row');

  // A segment that straddles the cutoff is inside retention: it holds footage that is.
  sweeperClock.set(cutoffAt + SEG / 2 + days * DAY_MS);
  t.equal(rig.media.sweep().deleted, 0, 'a segment that ends after the cutoff stays, even if it started before');
  t.ok(existsSync(file(rows[144]!)), 'its file is there');
});

t.test('a sweep is batch-limited and resumes where it stopped', async (t) => {
  const clock = fixedClock(START);
  const rig = mediaRig(t);
  addSegments(rig, 'cam1', START, 50);
  const sweeper = createRetentionSweeper({ db: rig.db, clock, mediaDir: rig.media.disk().path, retentionDays: 1096, batch: 7 });
  clock.set(START + 2000 * DAY_MS);
  const first = sweeper.sweepExpiredSegments({ maxRows: 20 });
  t.equal(first.deleted, 20);
  t.equal(first.more, true, 'says there is more');
  const second = sweeper.sweepExpiredSegments({ maxRows: 100 });
  t.equal(second.deleted, 30);
  t.equal(second.more, false);
  t.equal(rig.media.store.segments('cam1', 0, START + 2000 * DAY_MS).length, 0);
  t.notOk(existsSync(join(rig.media.disk().path, segmentFolder('cam1', START))), 'the emptied day folder is gone too');
});

t.test('the service clock does not drive retention: only the sweeper clock does', async (t) => {
  const clock = fixedClock(START + 5000 * DAY_MS);
  const rig = mediaRig(t, { clock, sweeperClock: fixedClock(START + DAY_MS) });
  const rows = addSegments(rig, 'cam1', START, 3);
  t.equal(rig.media.sweep().deleted, 0);
  t.ok(
    rows.every((r) => rig.media.store.segment(r.id)),
    'rows kept',
  );
});
