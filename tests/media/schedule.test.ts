// Recording by schedule, with real ffmpeg, a real RTSP camera and a real exam service: a `record:
// sessions` camera is recorded inside its room's session windows and nowhere else, while its live
// stream runs all day. A session that runs past its planned end is recorded until it is ended (plus
// the margin); a session whose check-in opens long before its planned start is recorded from then.
// Margins are seconds here (media.recordMarginMinutes) so the windows open and close within the test.
import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mediaRig, probe } from './helpers.ts';
import { localDate } from '../../core/index.ts';
import { createExamService, shippedTemplates, type ExamService } from '../../exam/index.ts';
import { GAP_TOLERANCE_MS, startRtspSource } from '../../media/index.ts';
import { sleep, until } from '../wait.ts';

const MARGIN_MS = 3000;
const SEGMENT_S = 2;
/**
 * Slack at a window's edges: segments are cut on key frames (one a second here) and a recorder that
 * starts replays the GOP it joins, so a recording may begin up to a GOP early and end at the key
 * frame after the edge. Never more than one segment.
 */
const EDGE_MS = SEGMENT_S * 1000;

t.test('a scheduled camera is recorded inside its session windows only, a session extended or started early whole', async (t) => {
  const cam = await startRtspSource();
  t.teardown(() => cam.stop());
  // The first session is created while the clock reads ten minutes earlier, so that its planned end
  // (10 minutes is the shortest session) falls a few seconds after the test begins.
  let offset = -10 * 60_000;
  const clock = { now: () => Date.now() + offset };
  let exam!: ExamService;
  const rig = mediaRig(t, {
    clock,
    yaml: `media: { segmentSeconds: ${SEGMENT_S}, stallSeconds: 4, maxBackoffSeconds: 1, reserveMiB: 0, record: sessions, recordMarginMinutes: ${MARGIN_MS / 60_000} }\nretention: { minFreeGiB: 1 }\n`,
    intervals: { scheduleMs: 500 },
    windows: (parts) => {
      exam = createExamService(parts);
      return [exam.recordingWindows];
    },
  });
  const plans = exam.plans;
  const tz = rig.config.site.timezone;
  const day = 86_400_000;
  const plan = plans.createPlan({ name: '排考录像测试', from: localDate(Date.now() - day, tz), to: localDate(Date.now() + day, tz) }, 'user:admin');
  const templateId = shippedTemplates()[0]!.id;
  const extended = plans.createSession(
    { planId: plan.id, room: 'R1', startsAt: new Date(clock.now() + 6000).toISOString(), templateId, durationMinutes: 10 },
    'user:admin',
  );
  offset = 0;
  const early = plans.createSession(
    { planId: plan.id, room: 'R1', startsAt: new Date(Date.now() + 3600_000).toISOString(), templateId, durationMinutes: 10 },
    'user:admin',
  );

  rig.media.addSource({ id: 'cam', name: '前方', room: 'R1', kind: 'camera', input: { url: cam.url } });
  t.equal(rig.media.source('cam').schedule, 'sessions', 'the camera follows the schedule (media.record)');
  await rig.media.start();
  const up = await rig.waitFor('camera.up', (e) => e.sourceId === 'cam');

  // Session 1 is inside its planned window: recording from the start. It opens, starts, and runs on past its planned end.
  for (const to of ['papers_ready', 'checkin', 'in_progress'] as const) plans.moveSession(extended.id, to, 'user:admin');
  const plannedClose = extended.endsAt + MARGIN_MS;
  await until(
    'a segment recorded after the planned window of the running session',
    () => rig.media.store.segments('cam', plannedClose + 2000, Date.now() + day).length > 0,
    40_000,
  );
  t.equal(rig.media.source('cam').recording, true, 'still recording past the planned end: the session has not ended');
  const endedAt = Date.now();
  plans.moveSession(extended.id, 'ended', 'user:admin');
  const w1 = exam.recordingWindows.windowOf(extended.id);
  t.ok(w1.end !== null && w1.end >= endedAt + MARGIN_MS && w1.end > plannedClose, 'its window ends the margin after it actually ended');
  await until('recording stops once the window has closed', () => !rig.media.source('cam').recording, 20_000);
  const stoppedAt = Date.now();
  t.ok(stoppedAt >= w1.end! - EDGE_MS, 'not before the window closed');

  // Outside any window: live goes on, nothing is recorded.
  let live = 0;
  const off = rig.media.ingest.subscribe('cam', (c) => (live += c.length));
  await sleep(SEGMENT_S * 2000);
  await until('live bytes while not recording', () => live > 10_000);
  off();
  t.equal(rig.media.source('cam').state, 'up', 'the ingest stayed up');
  const between = rig.media.store.segments('cam', w1.end! + EDGE_MS, Date.now() + day);
  t.same(between, [], 'no segment after the first window closed');

  // Session 2's check-in opens an hour before its planned start: it is recorded from then.
  plans.moveSession(early.id, 'papers_ready', 'user:admin');
  const checkinAt = Date.now();
  plans.moveSession(early.id, 'checkin', 'user:admin');
  const w2 = exam.recordingWindows.windowOf(early.id);
  t.ok(w2.start <= checkinAt - MARGIN_MS + 50 && w2.end === null, 'its window opened at check-in minus the margin, and stays open');
  await until('three segments since check-in', () => rig.media.store.segments('cam', checkinAt, Date.now() + day).length >= 3, 40_000);
  await rig.media.stop();

  const segs = rig.media.store.segments('cam', 0, Date.now() + day);
  const windows = [w1, w2];
  const outside = segs.filter((s) => !windows.some((w) => s.end > w.start - EDGE_MS && s.start < (w.end ?? Number.POSITIVE_INFINITY) + EDGE_MS));
  t.same(
    outside.map((s) => `${new Date(s.start).toISOString()}–${new Date(s.end).toISOString()}`),
    [],
    'no segment outside the windows',
  );

  const inW1 = segs.filter((s) => s.start < w1.end!);
  const inW2 = segs.filter((s) => s.start >= w1.end!);
  const holes = (list: typeof segs) => list.slice(1).flatMap((s, i) => (s.start - list[i]!.end > GAP_TOLERANCE_MS ? [`${list[i]!.end}→${s.start}`] : []));
  t.ok(inW1[0]!.start <= up.at + EDGE_MS, 'window 1 recorded from the moment the camera was up');
  t.ok(inW1.at(-1)!.end >= w1.end! - EDGE_MS, 'window 1 recorded until it closed, past the planned end');
  t.same(holes(inW1), [], 'no hole inside window 1');
  t.ok(inW2[0]!.start <= checkinAt + EDGE_MS, 'window 2 recorded from check-in');
  t.same(holes(inW2), [], 'no hole inside window 2');

  const disk = rig.media.disk().path;
  for (const s of [inW1[0]!, inW1.at(-1)!, inW2[0]!, inW2.at(-1)!]) {
    const p = probe(join(disk, s.path));
    t.ok(p.ok, `${s.path} plays (${p.videoFrames} frames) ${p.error}`);
  }
  const wrong = segs.filter(
    (s) =>
      s.sha256 !==
      createHash('sha256')
        .update(readFileSync(join(disk, s.path)))
        .digest('hex'),
  );
  t.same(
    wrong.map((s) => s.path),
    [],
    'every segment is indexed with the SHA-256 of its file',
  );
});
