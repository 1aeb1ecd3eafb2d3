// Recording: one ffmpeg per source records MPEG-TS segments, indexes each one, survives the source
// going away and coming back (with the gap in the index), and feeds live subscribers from the same read.
import t from 'tap';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startRtspSource, TS_PACKET } from '../../media/index.ts';
import { mediaRig, probe } from './helpers.ts';
import { until } from '../wait.ts';

t.test('a camera is recorded in indexed, playable segments and fanned out live', async (t) => {
  const cam = await startRtspSource();
  t.teardown(() => cam.stop());
  const rig = mediaRig(t);
  rig.media.addSource({ id: 'cam1', name: '前门', room: 'R1', kind: 'camera', input: { url: cam.url } });
  await rig.media.start();
  await rig.waitFor('camera.up', (e) => e.sourceId === 'cam1');
  const seg = await rig.waitFor('recording.segment', (e) => e.sourceId === 'cam1');
  t.ok(seg.end > seg.start, 'segment has a span');
  t.ok(seg.bytes > 1000, 'segment has bytes');
  const row = rig.media.store.segment(seg.segmentId)!;
  const p = probe(join(rig.media.disk().path, row.path));
  t.ok(p.ok, `segment plays (${p.videoFrames} frames, ${p.duration}s) ${p.error}`);
  t.ok(p.duration !== null && p.duration > 1 && p.duration < 6, `segment is about segmentSeconds long (${p.duration})`);

  const chunks: Buffer[] = [];
  const off = rig.media.ingest.subscribe('cam1', (c) => chunks.push(Buffer.from(c)));
  await until('live bytes', () => chunks.reduce((a, c) => a + c.length, 0) > 20_000);
  off();
  const all = Buffer.concat(chunks);
  t.equal(all.length % TS_PACKET, 0, 'chunks are whole TS packets');
  t.equal(all[0], 0x47, 'starts on a sync byte');
  const pid = ((all[1]! & 0x1f) << 8) | all[2]!;
  t.equal(pid, 0, 'a late subscriber gets the PAT first');
  const third = all.subarray(2 * TS_PACKET, 3 * TS_PACKET);
  const hasAf = ((third[3]! >> 4) & 2) !== 0;
  t.ok(
    (third[1]! & 0x40) !== 0 && hasAf && third[4]! > 0 && (third[5]! & 0x40) !== 0,
    'then PMT, then the packet that starts the last key frame (random access indicator)',
  );
  const st = rig.media.source('cam1');
  t.equal(st.state, 'up');
  t.equal(st.recording, true);
  t.ok(st.bytes > 0);
});

t.test('a camera that goes away and comes back: the gap is recorded and recording resumes within 5 s', async (t) => {
  const cam = await startRtspSource();
  t.teardown(() => cam.stop());
  const rig = mediaRig(t);
  rig.media.addSource({ id: 'cam2', name: '后门', room: 'R1', kind: 'camera', input: { url: cam.url } });
  await rig.media.start();
  await rig.waitFor('recording.segment', (e) => e.sourceId === 'cam2');
  const wentDown = Date.now();
  await cam.stopPublisher();
  const down = await rig.waitFor('camera.down', (e) => e.sourceId === 'cam2');
  t.match(down.reason, /stalled|exited|killed/, `down with a reason: ${down.reason}`);
  await cam.startPublisher();
  const back = Date.now();
  await rig.waitFor('camera.up', (e) => e.sourceId === 'cam2' && e.at > back - 1000);
  const seg = await rig.waitFor('recording.segment', (e) => e.sourceId === 'cam2' && e.start > wentDown);
  t.ok(seg.start - back <= 5000, `recording again ${seg.start - back} ms after the camera came back (≤ 5000)`);

  const { gaps, segments } = rig.media.playback.recordings('cam2', wentDown - 60_000, Date.now());
  // Under load a segment's edges can land a few seconds off, so the time before the outage may hold
  // unexplained holes too; the gap of the outage itself must be there and say why.
  const overlapping = gaps.filter((g) => g.start < back && g.end > wentDown);
  t.ok(overlapping.length, `a gap spans the outage: ${JSON.stringify(gaps)}`);
  t.ok(
    overlapping.some((g) => /stalled|exited|killed/.test(g.reason)),
    `the outage's gap says why: ${JSON.stringify(overlapping)}`,
  );
  t.ok(segments.some((s) => s.end <= wentDown + 1000) && segments.some((s) => s.start >= wentDown), 'segments on both sides of the gap');
  t.ok(rig.media.source('cam2').restarts >= 1, 'the supervisor restarted ffmpeg');
});

t.test('a stream input (a terminal screen piped in) is recorded and relayed like a camera', async (t) => {
  const sender = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x180:rate=5',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-g',
      '5',
      '-f',
      'mpegts',
      'pipe:1',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  t.teardown(() => void sender.kill('SIGKILL'));
  const rig = mediaRig(t);
  await rig.media.start();
  rig.media.addSource({ id: 'screen-T1', name: 'T1 屏幕', room: 'R1', kind: 'screen', input: { stream: sender.stdout!, format: 'mpegts' }, audio: false });
  const up = await rig.waitFor('camera.up', (e) => e.sourceId === 'screen-T1');
  t.equal(up.kind, 'screen');
  const seg = await rig.waitFor('recording.segment', (e) => e.sourceId === 'screen-T1');
  const p = probe(join(rig.media.disk().path, rig.media.store.segment(seg.segmentId)!.path));
  t.ok(p.ok, `the screen segment plays (${p.videoFrames} frames)`);
  await rig.media.removeSource('screen-T1');
  t.same(
    rig.media.sources().map((s) => s.id),
    [],
    'removed',
  );
  t.ok(rig.media.store.segment(seg.segmentId), 'its recordings stay');
});
