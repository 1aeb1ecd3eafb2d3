// Upstream push with sound, against real receivers on loopback (ffmpeg in listen mode, as a platform's
// ingest would be): RTSP carries the camera's G.711 as received, RTMP the sound as AAC from the one
// encode per source that listeners share; a push that cannot start says why in words.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { login, PASSWORDS } from '../helpers.ts';
import { freeTcpPort, startRtspSource } from '../../media/index.ts';
import { liveApp, openViewer } from './live-fixture.ts';
import type { PusherStatus } from '../../media/upstream.ts';
import { until } from '../wait.ts';

/** A platform's receiver: ffmpeg listening on loopback, keeping what arrives for `seconds` in a Matroska file. */
function receiver(url: string, listen: string[], out: string, seconds: number) {
  const child = spawn('ffmpeg', ['-v', 'error', ...listen, '-i', url, '-map', '0', '-c', 'copy', '-t', String(seconds), '-y', out], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, done, stderr: () => stderr };
}

function streams(file: string): Array<{ codec_type: string; codec_name: string; nb_read_frames?: string }> {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,nb_read_frames', '-of', 'json', file], {
    encoding: 'utf8',
  });
  return (JSON.parse(r.stdout || '{"streams":[]}') as { streams: Array<{ codec_type: string; codec_name: string; nb_read_frames?: string }> }).streams;
}

t.test('RTSP carries G.711 as received, RTMP AAC from the shared encode, and a push that cannot start says why', async (t) => {
  const cam = await startRtspSource({ path: 'cam1' });
  t.teardown(() => cam.stop());
  const [rtspPort, rtmpPort, deadPort] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
  const { app, dir, ws } = await liveApp(
    t,
    `cameras:
  - { id: CAM1, name: 一号考场前方, room: R1, url: "${cam.url}" }
upstream:
  - { id: city-rtsp, name: 市平台, level: city, protocol: rtsp, url: "rtsp://127.0.0.1:${rtspPort}/live/{source}" }
  - { id: prov-rtmp, name: 省平台, level: province, protocol: rtmp, url: "rtmp://127.0.0.1:${rtmpPort}/live/{source}" }
  - { id: dead, name: 未开机的平台, level: city, protocol: rtsp, url: "rtsp://127.0.0.1:${deadPort}/live/{source}" }
`,
  );
  const rtspOut = join(dir, 'rtsp.mkv');
  const rtmpOut = join(dir, 'rtmp.mkv');
  const rtsp = receiver(`rtsp://127.0.0.1:${rtspPort}/live/CAM1`, ['-rtsp_flags', 'listen'], rtspOut, 6);
  const rtmp = receiver(`rtmp://127.0.0.1:${rtmpPort}/live/CAM1`, ['-listen', '1'], rtmpOut, 6);
  t.teardown(() => {
    rtsp.child.kill('SIGKILL');
    rtmp.child.kill('SIGKILL');
  });
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const status = async (target: string): Promise<PusherStatus> =>
    ((await app.inject({ method: 'GET', url: '/api/upstream', headers: { cookie: admin } })).json() as PusherStatus[]).find((p) => p.target === target)!;

  await until('the RTMP push to run', async () => (await status('prov-rtmp')).state === 'pushing', 40_000);
  t.same(app.live.relay.sound.running(), ['CAM1'], 'the RTMP push runs the source’s AAC encode');
  // An invigilator unmutes the same camera meanwhile: the encode is shared, not doubled.
  const listener = await openViewer(`${ws}/ws/live/CAM1?stream=sound`, { cookie: admin });
  await until('the listener to hear it', () => listener.bytes() > 20_000);
  t.equal(app.live.relay.sound.pids().length, 1, 'a listener and the RTMP push share one AAC encode');
  listener.socket.close();

  t.equal(await rtsp.done, 0, `the RTSP receiver got 6 s ${rtsp.stderr()}`);
  const r = streams(rtspOut);
  t.match(
    r.find((s) => s.codec_type === 'video'),
    { codec_name: 'h264' },
    'RTSP: H.264 as the camera sent it',
  );
  t.match(
    r.find((s) => s.codec_type === 'audio'),
    { codec_name: 'pcm_mulaw' },
    'RTSP: the G.711 µ-law as received',
  );
  t.ok(Number(r.find((s) => s.codec_type === 'audio')?.nb_read_frames) > 20, 'RTSP: the G.711 decodes');
  t.equal(await rtmp.done, 0, `the RTMP receiver got 6 s ${rtmp.stderr()}`);
  const m = streams(rtmpOut);
  t.match(
    m.find((s) => s.codec_type === 'video'),
    { codec_name: 'h264' },
    'RTMP: H.264',
  );
  t.match(
    m.find((s) => s.codec_type === 'audio'),
    { codec_name: 'aac' },
    'RTMP: the sound as AAC',
  );
  t.ok(Number(m.find((s) => s.codec_type === 'audio')?.nb_read_frames) > 20, 'RTMP: the AAC decodes');

  const dead = await until('the dead platform’s push to say why', async () => {
    const s = await status('dead');
    return s.problem ? s : undefined;
  });
  t.match(
    dead,
    { state: 'retrying', problem: { en: /refused the connection/, zh: /拒绝连接/ } },
    `a push that cannot start says why in words: ${dead.problem?.en}`,
  );
  t.ok(dead.lastError, `and in ffmpeg's: ${dead.lastError}`);
});
