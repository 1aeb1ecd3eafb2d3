// The H.265 → H.264 transcode for a tile opened large: one ffmpeg per source, shared by all its viewers,
// ended with the last; at most media.hevcTranscodes at once, and the next source is refused with the
// reason (before the WebSocket upgrade, and by the check the tile makes first). The transcode carries the
// camera's sound (so the enlarged tile can be unmuted), and /metrics counts the running ones per kind.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
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

/** Seconds between the key frames of a TS file's video, by ffprobe's packet flags. */
function keyFrameGaps(dir: string, bytes: Buffer): number[] {
  const file = join(dir, 'keys.ts');
  writeFileSync(file, bytes);
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
  });
  const keys = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.split(',')[1]?.startsWith('K'))
    .map((l) => Number(l.split(',')[0]));
  return keys.slice(1).map((k, i) => k - keys[i]!);
}

t.test("the enlarged H.265 tile's transcode carries the camera's sound as AAC, with a key frame every 2 s", async (t) => {
  const cam = await startRtspSource({ path: 'hevc-sound', codec: 'hevc' });
  t.teardown(() => cam.stop());
  const { app, ws, dir } = await liveApp(t, `cameras:\n  - { id: CAM-H, name: 一号考场后方, room: R1, url: "${cam.url}" }\n`);
  const cookie = await login(app, 'invig', PASSWORDS.invig);
  await until('the camera known as H.265 with G.711', () => app.media.source('CAM-H').codecs?.audio === 'pcm_mulaw', 30_000);
  const viewer = await openViewer(`${ws}/ws/live/CAM-H?stream=h264`, { cookie });
  await until('7 s of the transcode', () => viewer.bytes() > 750_000, 30_000);
  const bytes = Buffer.concat(viewer.messages);
  const probe = probeBytes(dir, 'h264-sound.ts', bytes);
  t.match(
    probe.streams.map((s) => [s.codec_type, s.codec_name]),
    [
      ['video', 'h264'],
      ['audio', 'aac'],
    ],
    'H.264 and the sound as AAC',
  );
  t.ok(
    probe.streams.some((s) => s.codec_type === 'audio' && Number(s.nb_read_frames) > 50),
    'and the sound decodes (frames read)',
  );
  const gaps = keyFrameGaps(dir, bytes);
  t.ok(gaps.length >= 2, `several key frames (${gaps.length + 1})`);
  t.ok(
    gaps.every((g) => g > 1.5 && g < 2.6),
    `a key frame every 2 s (the camera's clock copied, not restarted): ${gaps.map((g) => g.toFixed(2)).join(', ')}`,
  );
  viewer.socket.close();
  await viewer.closed;
});

t.test('/metrics counts the running transcodes per kind', async (t) => {
  const cam = await startRtspSource({ path: 'hevc-metric', codec: 'hevc' });
  t.teardown(() => cam.stop());
  const { app, ws } = await liveApp(t, `cameras:\n  - { id: CAM-H, name: 一号考场后方, room: R1, url: "${cam.url}" }\n`);
  const cookie = await login(app, 'invig', PASSWORDS.invig);
  await until('the camera known as H.265 with G.711', () => app.media.source('CAM-H').codecs?.audio === 'pcm_mulaw', 30_000);
  const metric = async (kind: string) => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    return Number(new RegExp(`^examroom_live_transcodes\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  };
  t.same([await metric('h264'), await metric('sound')], [0, 0], 'none while nobody watches');
  const large = await openViewer(`${ws}/ws/live/CAM-H?stream=h264`, { cookie });
  const listener = await openViewer(`${ws}/ws/live/CAM-H?stream=sound`, { cookie });
  await until('both to run', () => app.live.relay.hevc.running().length === 1 && app.live.relay.sound.running().length === 1, 30_000);
  t.same([await metric('h264'), await metric('sound')], [1, 1], 'one H.264 transcode and one sound encode');
  large.socket.close();
  listener.socket.close();
  await Promise.all([large.closed, listener.closed]);
  await until('both to end', () => app.live.relay.hevc.running().length === 0 && app.live.relay.sound.running().length === 0, 10_000);
  t.same([await metric('h264'), await metric('sound')], [0, 0], 'none once they end');
});
