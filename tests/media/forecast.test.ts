// The disk forecast: bytes per day per source × retention days against the free space, raised as
// disk.forecast long before the disk is full — while there is still time to add disk.
import t from 'tap';
import { fixedClock } from '../../core/index.ts';
import { diskSpace, forecastDisk } from '../../storage/index.ts';
import { mediaRig } from './helpers.ts';

const NOW = Date.UTC(2026, 5, 1);
const SEG = 5 * 60_000;

t.test('a recording rate the disk cannot hold for the retention period raises disk.forecast at once', async (t) => {
  const rig = mediaRig(t, { clock: fixedClock(NOW) });
  const free = diskSpace(rig.media.disk().path).freeBytes;
  // One day of segments whose rate × 1,096 days is ten times the free space, though today it all fits.
  const perSeg = Math.ceil((free * 10) / 1096 / 288);
  for (let i = 0; i < 288; i++)
    rig.media.store.addSegment({ sourceId: 'cam1', start: NOW - (i + 1) * SEG, end: NOW - i * SEG, bytes: perSeg, path: `cam1/x/${i}.ts` });
  const f = rig.media.runForecast();
  t.equal(f.ok, false, 'the forecast fails');
  t.ok(f.daysUntilFull !== null && f.daysUntilFull < 1096, `days until full: ${f.daysUntilFull?.toFixed(0)}`);
  const e = await rig.waitFor('disk.forecast', undefined, 1000);
  t.equal(e.ok, false);
  t.equal(e.retentionDays, 1096);
  t.ok(Math.abs(e.bytesPerDay - perSeg * 288) / (perSeg * 288) < 0.01, 'bytes per day from the last day of recordings');
});

t.test('a rate that fits raises no alarm', async (t) => {
  const rig = mediaRig(t, { clock: fixedClock(NOW) });
  for (let i = 0; i < 288; i++)
    rig.media.store.addSegment({ sourceId: 'cam1', start: NOW - (i + 1) * SEG, end: NOW - i * SEG, bytes: 10, path: `cam1/x/${i}.ts` });
  t.equal(rig.media.runForecast().ok, true);
  t.equal(rig.events.filter((e) => e.name === 'disk.forecast').length, 0);
});

t.test('what is already stored counts towards the retention total', async (t) => {
  const base = { rates: [{ sourceId: 'a', bytes: 1000, ms: 86_400_000 }], retentionDays: 1000, freeBytes: 600_000, minFreeBytes: 100_000 };
  t.equal(forecastDisk({ ...base, storedBytes: 0 }).ok, false, '1 MB needed, 500 kB usable');
  t.equal(forecastDisk({ ...base, storedBytes: 600_000 }).ok, true, '600 kB already on disk: 400 kB more fits');
  t.equal(forecastDisk({ ...base, storedBytes: 0 }).daysUntilFull, 500);
});
