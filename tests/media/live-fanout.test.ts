// One camera connection, several browsers: every viewer of /ws/live/:source gets whole MPEG-TS
// packets that ffprobe decodes (H.264 copied from the camera, AAC from its G.711), while ingest
// holds one subscription for all of them.
import t from 'tap';
import { login, PASSWORDS } from '../helpers.ts';
import { startRtspSource } from '../../media/index.ts';
import { liveApp, openViewer, probeBytes } from './live-fixture.ts';
import { until } from '../wait.ts';

t.test('several viewers of one camera each receive decodable TS from a single ingest subscription', async (t) => {
  const cam = await startRtspSource({ path: 'cam1' });
  t.teardown(() => cam.stop());
  const { app, ws, dir } = await liveApp(t, `cameras:\n  - { id: CAM1, name: 一号考场前方, room: R1, url: "${cam.url}" }\n`);
  const cookie = await login(app, 'admin', PASSWORDS.admin);
  await until('the camera to be up', () => app.media.source('CAM1').state === 'up', 30_000);

  const viewers = await Promise.all([0, 1, 2].map(() => openViewer(`${ws}/ws/live/CAM1`, { cookie })));
  await until('every viewer to receive video', () => viewers.every((v) => v.bytes() > 0), 30_000);
  // Three seconds of a 10 fps camera with a key frame every second: several GOPs each.
  await new Promise((r) => setTimeout(r, 3000));
  t.equal(app.media.source('CAM1').subscribers, 1, 'ingest feeds the relay once, whatever the number of viewers');
  t.equal(app.live.relay.viewers('CAM1'), 3, 'the relay fans out to three');
  const sources = await app.inject({ method: 'GET', url: '/api/live/sources', headers: { cookie } });
  const cam1 = (sources.json() as Array<{ id: string; viewers: number; video: string; audio: string; ws: string }>).find((s) => s.id === 'CAM1');
  t.match(cam1, { viewers: 3, video: 'h264', audio: 'aac', ws: '/ws/live/CAM1' }, 'the source list says what a viewer will get');

  for (const [i, v] of viewers.entries()) {
    t.ok(
      v.messages.every((m) => m.length % 188 === 0 && m[0] === 0x47),
      `viewer ${i}: every message is whole TS packets`,
    );
    const probe = probeBytes(dir, `viewer-${i}.ts`, Buffer.concat(v.messages));
    t.notOk(probe.error, `viewer ${i}: ffprobe reads the bytes${probe.error ? `: ${probe.error}` : ''}`);
    const video = probe.streams.find((s) => s.codec_type === 'video');
    t.match(video, { codec_name: 'h264', width: 320 }, `viewer ${i}: H.264 as the camera sent it`);
    t.ok(Number(video?.nb_read_frames) >= 20, `viewer ${i}: ${video?.nb_read_frames} frames decode`);
    t.match(
      probe.streams.find((s) => s.codec_type === 'audio'),
      { codec_name: 'aac' },
      `viewer ${i}: AAC audio`,
    );
    v.socket.close();
  }
  await until('the relay to let go of ingest after the last viewer left', () => app.media.source('CAM1').subscribers === 0);
  t.pass('ingest subscription released');
});
