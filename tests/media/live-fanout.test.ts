// One camera connection, several browsers: every viewer of /ws/live/:source gets whole MPEG-TS
// packets that ffprobe decodes (H.264 copied from the camera; its G.711 only as a private stream, so a
// tile is video only), while ingest holds one subscription for all of them. The unmuted tile's
// stream=sound: one AAC encode per source, shared by its listeners, ended with the last of them.
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
  t.match(cam1, { viewers: 3, video: 'h264', audio: 'pcm_mulaw', ws: '/ws/live/CAM1' }, 'the source list says what the camera sends');
  t.same(app.live.relay.sound.running(), [], 'nobody listens: no sound encode');

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
    t.notOk(
      probe.streams.find((s) => s.codec_type === 'audio'),
      `viewer ${i}: no decodable sound in a tile's stream`,
    );
    v.socket.close();
  }
  await until('the relay to let go of ingest after the last viewer left', () => app.media.source('CAM1').subscribers === 0);
  t.pass('ingest subscription released');

  // Unmuting a tile: its socket asks for stream=sound. Two listeners (two desks unmuted the same camera).
  const listeners = await Promise.all([0, 1].map(() => openViewer(`${ws}/ws/live/CAM1?stream=sound`, { cookie })));
  t.same(app.live.relay.sound.running(), ['CAM1'], 'unmuting starts one AAC encode for the source');
  t.equal(app.live.relay.sound.pids().length, 1, 'one ffmpeg for both listeners');
  const pid = app.live.relay.sound.pids()[0]!;
  await until('both listeners to receive sound', () => listeners.every((v) => v.bytes() > 60_000), 30_000);
  t.equal(app.media.source('CAM1').subscribers, 1, 'still one ingest subscription (the encode reads the relay)');
  for (const [i, v] of listeners.entries()) {
    const probe = probeBytes(dir, `listener-${i}.ts`, Buffer.concat(v.messages));
    t.match(
      probe.streams.find((s) => s.codec_type === 'video'),
      { codec_name: 'h264', width: 320 },
      `listener ${i}: the same H.264`,
    );
    t.match(
      probe.streams.find((s) => s.codec_type === 'audio'),
      { codec_name: 'aac' },
      `listener ${i}: the sound as AAC`,
    );
  }
  listeners[0]!.socket.close();
  await listeners[0]!.closed;
  await new Promise((r) => setTimeout(r, 300));
  t.same(app.live.relay.sound.running(), ['CAM1'], 'one listener left: the encode goes on');
  listeners[1]!.socket.close();
  await until('muting the last listener to end the encode', () => app.live.relay.sound.running().length === 0);
  await until('its ffmpeg to be gone', () => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  });
  t.pass('muting ends the encode and its ffmpeg');
});
