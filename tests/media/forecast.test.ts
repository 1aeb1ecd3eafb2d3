// The disk forecast: what the sources will record over the retention period — around the clock, or
// by schedule: the planned sessions ahead, then the 90-day average — against the free space, raised as
// disk.forecast long before the disk is full (while there is still time to add disk), in words an IT
// person can act on.
import t from 'tap';
import { fixedClock, localDate } from '../../core/index.ts';
import { diskSpace, forecastDisk, forecastScheduled } from '../../storage/index.ts';
import { createExamService, shippedTemplates, type ExamService } from '../../exam/index.ts';
import { diskForecastWords } from '../../media/index.ts';
import { startRtspSource } from '../../media/index.ts';
import { until } from '../wait.ts';
import { mediaRig } from './helpers.ts';

const NOW = Date.UTC(2026, 5, 1);
const SEG = 5 * 60_000;

t.test('a recording rate the disk cannot hold for the retention period raises disk.forecast at once', async (t) => {
  const rig = mediaRig(t, { clock: fixedClock(NOW) });
  rig.media.addSource({ id: 'cam1', name: '前方', room: 'R1', kind: 'camera', input: { url: 'rtsp://127.0.0.1:9/none' } });
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
  t.equal(e.days, 1096, 'the event says the days its figures cover: the retention period');
  t.equal(e.hotDays, null, 'no object store');
  t.ok(Math.abs(e.bytesPerDay - perSeg * 288) / (perSeg * 288) < 0.01, 'bytes per day from the last day of recordings');
});

t.test('a rate that fits raises no alarm', async (t) => {
  const rig = mediaRig(t, { clock: fixedClock(NOW) });
  rig.media.addSource({ id: 'cam1', name: '前方', room: 'R1', kind: 'camera', input: { url: 'rtsp://127.0.0.1:9/none' } });
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

const H = 3600_000;
const D = 24 * H;

t.test('by schedule: the planned windows as far as the plan goes, then the 90-day average; full when the bytes from now pass the usable space', async (t) => {
  const cam = { sourceId: 'cam', room: 'R1', schedule: 'sessions' as const, bytesPerMs: 1, recordedMsPerDay: 0 };
  const input = {
    now: NOW,
    retentionDays: 1096,
    storedBytes: 0,
    freeBytes: 15_100_000,
    minFreeBytes: 100_000,
    sources: [cam, { ...cam, sourceId: 'other-room', room: 'R2' }],
    // Two exam days in R1, three hours each (a two-hour exam and its margins); the second overlaps a lesson in the same room.
    planned: [
      { room: 'R1', start: NOW + D, end: NOW + D + 3 * H },
      { room: 'R1', start: NOW + 2 * D, end: NOW + 2 * D + 3 * H },
      { room: 'R1', start: NOW + 2 * D + H, end: NOW + 2 * D + 2 * H },
    ],
  };
  const f = forecastScheduled(input);
  t.equal(f.plannedBytes, 6 * H, 'R1 recorded once for each planned hour, overlapping windows once; R2 has no session');
  t.equal(f.plannedDays, 2);
  t.equal(f.planUntil, NOW + 2 * D + 3 * H);
  t.equal(f.retentionBytes, 6 * H, 'nothing beyond the plan without a recording history');
  t.equal(f.ok, false, '21.6 MB to keep, 15 MB usable');
  t.equal(f.fullAt, NOW + 2 * D + (15_000_000 - 3 * H), 'full during the second exam day');

  const withHistory = forecastScheduled({ ...input, freeBytes: 1e15, sources: [{ ...cam, recordedMsPerDay: 2 * H }] });
  t.equal(withHistory.retentionBytes, 6 * H + (2 * H * (1096 * D - (2 * D + 3 * H))) / D, 'beyond the plan: its average recorded hours per day');
  t.equal(withHistory.ok, true);
  t.equal(withHistory.fullAt, null);

  const always = forecastScheduled({ ...input, freeBytes: 1e15, sources: [{ ...cam, schedule: 'always' }] });
  t.equal(always.bytesPerDay, D, 'a source recorded always: around the clock, whatever the plan');
});

t.test("the service forecasts from the exam plan and the camera's own rate, and names the month the disk runs out", async (t) => {
  const clock = fixedClock(NOW);
  let exam!: ExamService;
  const rig = mediaRig(t, {
    clock,
    yaml: 'media: { segmentSeconds: 2, reserveMiB: 0, record: sessions }\nretention: { minFreeGiB: 1 }\n',
    windows: (parts) => {
      exam = createExamService(parts);
      return [exam.recordingWindows];
    },
  });
  rig.media.addSource({ id: 'cam1', name: '前方', room: 'R1', kind: 'camera', input: { url: 'rtsp://127.0.0.1:9/none' } });
  const free = diskSpace(rig.media.disk().path).freeBytes;
  const usable = free - 1024 ** 3;
  // Its rate: one recorded hour holds a tenth of the usable space, so ten exam hours fill the disk.
  const perHour = Math.ceil(usable / 10);
  for (let i = 0; i < 12; i++)
    rig.media.store.addSegment({
      sourceId: 'cam1',
      start: NOW - 7 * D - (i + 1) * SEG,
      end: NOW - 7 * D - i * SEG,
      bytes: Math.ceil(perHour / 12),
      path: `cam1/x/${i}.ts`,
    });
  const tz = rig.config.site.timezone;
  const plan = exam.plans.createPlan({ name: '排考', from: localDate(NOW, tz), to: localDate(NOW + 400 * D, tz) }, 'user:admin');
  const templateId = shippedTemplates()[0]!.id;
  // One two-hour exam a month (three hours with the margins): the fourth fills the disk.
  for (let m = 1; m <= 6; m++)
    exam.plans.createSession(
      { planId: plan.id, room: 'R1', startsAt: new Date(NOW + m * 30 * D).toISOString(), templateId, durationMinutes: 120 },
      'user:admin',
    );
  const f = rig.media.runForecast();
  t.equal(f.ok, false);
  t.ok(Math.abs(f.plannedBytes - 6 * 3 * perHour) / (6 * 3 * perHour) < 0.01, "six exams of three recorded hours each at the camera's rate");
  const fourth = NOW + 4 * 30 * D;
  t.ok(f.fullAt !== null && f.fullAt > fourth - 30 * 60_000 && f.fullAt < fourth + 3 * H, 'full during the fourth exam');
  const e = await rig.waitFor('disk.forecast', undefined, 1000);
  t.equal(e.fullMonth, localDate(f.fullAt!, tz).slice(0, 7), 'the event names the month, site calendar');
  const words = diskForecastWords(e);
  t.match(words.zh, /按当前排考，磁盘约在 \d{4}年\d{1,2}月写满；保留期内共需 [\d.]+ [TGM]B，现有空闲 [\d.]+ [TGM]B — 请扩容磁盘/);
});

t.test('the alert reads as rounded figures, a month and what to do, in both languages', async (t) => {
  // The figures of the issue: a fresh demo recording two cameras around the clock.
  const w = diskForecastWords({ freeBytes: 800e9, needBytes: 17_787.9e9, days: 1096, daysUntilFull: 4.991819818563517, fullMonth: '2026-12' });
  t.equal(
    w.zh,
    '录像磁盘存不下 3 年录像：按当前排考，磁盘约在 2026年12月（约 5 天后）写满；保留期内共需 17.8 TB，现有空闲 800 GB — 请扩容磁盘（保留期已是法规要求的 3 年，不能再缩短）',
  );
  t.equal(
    w.en,
    'The recording disk cannot hold 3 years of recordings: at the current exam plan it fills up around December 2026 (in about 5 days); 17.8 TB needed over the retention period, 800 GB free — add disk space (retention is already the 3 years the regulation requires)',
  );
  const longer = diskForecastWords({ freeBytes: 45.67e9, needBytes: 1.234e12, days: 1461, daysUntilFull: 300, fullMonth: '2027-03' });
  t.match(longer.zh, /约在 2027年3月写满；保留期内共需 1\.2 TB，现有空闲 45\.7 GB — 请扩容磁盘，或把保留期（retention\.days）缩短到 1096 天/);
  t.match(longer.en, /4 years .* around March 2027; 1\.2 TB needed over the retention period, 45\.7 GB free — add disk space, or shorten retention/);
});

t.test('beyond the plan a younger site averages its recorded hours over its own age, but over no fewer than 30 days', async (t) => {
  // One recorded hour (12 segments of 5 min), all on the site's first day, and no exam planned.
  for (const [ageDays, overDays] of [
    [45, 45],
    [2, 30],
    [200, 90],
  ] as const) {
    const rig = mediaRig(t, { clock: fixedClock(NOW), yaml: 'media: { segmentSeconds: 2, reserveMiB: 0, record: sessions }\nretention: { minFreeGiB: 1 }\n' });
    rig.media.addSource({ id: 'cam1', name: '前方', room: 'R1', kind: 'camera', input: { url: 'rtsp://127.0.0.1:9/none' } });
    // The segment 200 days back is outside the 90-day history: the recent hour is what counts.
    if (ageDays > 90)
      rig.media.store.addSegment({ sourceId: 'cam1', start: NOW - ageDays * D, end: NOW - ageDays * D + SEG, bytes: 1000, path: 'cam1/old/0.ts' });
    const start = NOW - Math.min(ageDays, 45) * D;
    for (let i = 0; i < 12; i++)
      rig.media.store.addSegment({ sourceId: 'cam1', start: start + i * SEG, end: start + (i + 1) * SEG, bytes: 1_000_000, path: `cam1/x/${i}.ts` });
    const f = rig.media.runForecast();
    const expected = 12_000_000 / overDays;
    t.ok(
      Math.abs(f.bytesPerDay - expected) / expected < 0.02,
      `a site ${ageDays} days old: ${Math.round(f.bytesPerDay)} B/day ≈ one hour over ${overDays} days`,
    );
  }
});

t.test('with an object store the forecast says it covers the local hotDays, so its per-day figure times its days is its total', async (t) => {
  const store = {
    endpoint: 'http://127.0.0.1:9',
    bucket: 'evidence',
    region: 'default',
    addressing: 'path' as const,
    accessKeyId: 'AK',
    secretFile: '/nonexistent',
    caFile: null,
    prefix: 'exams',
    hotDays: 7,
    uploadWindow: 'always' as const,
    bandwidthMbps: null,
    readCacheMiB: 64,
    objectLock: 'none' as const,
  };
  const rig = mediaRig(t, { clock: fixedClock(NOW), config: (c) => ({ ...c, objectStore: store }) });
  rig.media.addSource({ id: 'cam1', name: '前方', room: 'R1', kind: 'camera', input: { url: 'rtsp://127.0.0.1:9/none' } });
  for (let i = 0; i < 288; i++)
    rig.media.store.addSegment({ sourceId: 'cam1', start: NOW - (i + 1) * SEG, end: NOW - i * SEG, bytes: 1000, path: `cam1/x/${i}.ts` });
  const f = rig.media.runForecast();
  t.equal(f.days, 7, 'the figures cover hotDays, not the 1,096-day retention period');
  t.equal(f.hotDays, 7);
  t.ok(Math.abs(f.bytesPerDay * f.days - f.retentionBytes) < 1, 'bytes per day × days = the total the line below names');
  t.equal(f.measuring, null, 'a rate is known: not measuring');
  t.equal(f.store?.days, 1096, "the store's need is estimated over the whole retention period");
  t.ok(
    Math.abs(f.store!.bytes - 288_000 * 1096) / (288_000 * 1096) < 0.02,
    `the store holds the period's recordings: ${f.store!.bytes} B ≈ 288 kB × 1,096 days`,
  );
  const plain = mediaRig(t, { clock: fixedClock(NOW) }).media.runForecast();
  t.equal(plain.days, 1096, 'without a store the figures cover the retention period');
  t.equal(plain.hotDays, null);
  t.equal(plain.store, null);
});

t.test('with an object store the alert speaks of the local hotDays and says to shorten hotDays or add disk, never retention', async (t) => {
  const w = diskForecastWords({ freeBytes: 40e9, needBytes: 120e9, days: 7, hotDays: 7, daysUntilFull: 2.4, fullMonth: '2026-12' });
  t.equal(
    w.zh,
    '本机录像磁盘存不下最近 7 天（hotDays）的录像：按当前排考，磁盘约在 2026年12月（约 2 天后）写满；这 7 天共需 120 GB，现有空闲 40 GB — 请扩容本机磁盘，或把 objectStore.hotDays 缩短（如 3 天）让录像更早转存到对象存储，并确认对象存储可用',
  );
  t.notMatch(w.zh, /retention|保留期/, 'not a word about shortening retention');
  t.match(w.en, /last 7 days \(hotDays\).*shorten objectStore\.hotDays/);
});

t.test('before the first segment is written the forecast says it is measuring and for how long, not 0 and never full', async (t) => {
  const cam = await startRtspSource();
  t.teardown(() => cam.stop());
  const rig = mediaRig(t, { yaml: 'media: { segmentSeconds: 600, stallSeconds: 4, maxBackoffSeconds: 1, reserveMiB: 0, record: always }\n' });
  rig.media.addSource({ id: 'cam1', name: '前方', room: 'R1', kind: 'camera', input: { url: cam.url } });
  await rig.media.start();
  await until('cam1 records', () => rig.media.source('cam1').recording, 30_000);
  const f = rig.media.runForecast();
  t.equal(rig.media.store.ratesSince(0).length, 0, 'no segment written yet');
  t.ok(f.measuring !== null && f.measuring.recordingMs >= 0, `measuring: ${JSON.stringify(f.measuring)}`);
});
