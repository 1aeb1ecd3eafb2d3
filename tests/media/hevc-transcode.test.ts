// The H.265 → H.264 transcode for a tile opened large: one ffmpeg per source, shared by all its viewers,
// ended with the last; at most media.hevcTranscodes at once, and the next source is refused with the
// reason (before the WebSocket upgrade, and by the check the tile makes first).
import t from 'tap';
import { login, PASSWORDS } from '../helpers.ts';
import { startRtspSource } from '../../media/index.ts';
import { liveApp, openViewer, probeBytes, upgradeStatus } from './live-fixture.ts';
import { until } from '../wait.ts';

t.test('the transcode beyond media.hevcTranscodes is refused with the reason; one per source is shared by its viewers', async (t) => {
  const a = await startRtspSource({ path: 'hevc-a', codec: 'hevc' });
  t.teardown(() => a.stop());
  const b = await startRtspSource({ path: 'hevc-b', codec: 'hevc' });
  t.teardown(() => b.stop());
  const { app, ws, dir } = await liveApp(
    t,
    `media: { hevcTranscodes: 1 }\ncameras:\n  - { id: CAM-A, name: 一号考场前方, room: R1, url: "${a.url}" }\n  - { id: CAM-B, name: 一号考场后方, room: R1, url: "${b.url}" }\n`,
  );
  const cookie = await login(app, 'invig', PASSWORDS.invig);
  await until(
    'both cameras known as H.265',
    () => app.media.source('CAM-A').codecs?.video === 'hevc' && app.media.source('CAM-B').codecs?.video === 'hevc',
    30_000,
  );

  const first = await openViewer(`${ws}/ws/live/CAM-A?stream=h264`, { cookie });
  const second = await openViewer(`${ws}/ws/live/CAM-A?stream=h264`, { cookie });
  await until('both viewers to receive the transcode', () => first.bytes() > 20_000 && second.bytes() > 20_000, 30_000);
  t.same(app.live.relay.hevc.running(), ['CAM-A'], 'two viewers of one source share one transcode');
  const probe = probeBytes(dir, 'h264.ts', Buffer.concat(first.messages));
  t.match(
    probe.streams.filter((s) => s.codec_type === 'video'),
    [{ codec_name: 'h264', width: 640 }],
    'it is H.264 at sub-stream size',
  );

  const check = await app.inject({ method: 'GET', url: '/api/live/sources/CAM-B/h264', headers: { cookie } });
  t.equal(check.statusCode, 409, 'the next source is refused');
  t.match(
    check.json(),
    { error: 'hevc_transcodes_busy', params: { max: 1, running: 1, sub: 0 }, message: /at most 1 H\.265 sources are transcoded at once.*CAM-A/ },
    'with the reason and the cap, for the tile to say in words',
  );
  t.equal(await upgradeStatus(`${ws}/ws/live/CAM-B?stream=h264`, { cookie }), 409, 'its WebSocket is refused before the upgrade');
  t.same(app.live.relay.hevc.running(), ['CAM-A'], 'and no second transcode started');
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/live/sources/CAM-A/h264', headers: { cookie } })).statusCode,
    200,
    'another viewer of CAM-A is welcome',
  );

  first.socket.close();
  await first.closed;
  t.same(app.live.relay.hevc.running(), ['CAM-A'], 'the transcode runs while anyone watches');
  second.socket.close();
  await second.closed;
  await until('the transcode to end with its last viewer', () => app.live.relay.hevc.running().length === 0, 10_000);
  t.equal((await app.inject({ method: 'GET', url: '/api/live/sources/CAM-B/h264', headers: { cookie } })).statusCode, 200, 'then CAM-B may be transcoded');
});
