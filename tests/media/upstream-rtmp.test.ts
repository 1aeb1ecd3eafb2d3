// Upstream push to a provincial platform over RTMP: a real node-media-server on loopback receives the
// camera stream-copied (H.264 + AAC in FLV). When the platform dies the pusher says so and retries
// with backoff while recording goes on untouched; when the platform is back the push resumes.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { login, PASSWORDS } from '../helpers.ts';
import { startProcess } from '../processes.ts';
import { freeTcpPort, startRtspSource } from '../../media/index.ts';
import { liveApp } from './live-fixture.ts';
import type { PusherStatus } from '../../media/upstream.ts';
import { until } from '../wait.ts';

function flvFiles(dir: string): string[] {
  const d = join(dir, 'record/live/CAM1');
  return existsSync(d)
    ? readdirSync(d)
        .filter((f) => f.endsWith('.flv'))
        .sort()
        .map((f) => join(d, f))
    : [];
}

function probeFlv(file: string): { video?: string; audio?: string; frames: number } {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,nb_read_frames', '-of', 'json', file], {
    encoding: 'utf8',
  });
  const streams = (JSON.parse(r.stdout || '{"streams":[]}') as { streams: Array<{ codec_type: string; codec_name: string; nb_read_frames?: string }> }).streams;
  const v = streams.find((s) => s.codec_type === 'video');
  const a = streams.find((s) => s.codec_type === 'audio');
  return { ...(v ? { video: v.codec_name } : {}), ...(a ? { audio: a.codec_name } : {}), frames: Number(v?.nb_read_frames ?? 0) };
}

t.test('the camera reaches a real RTMP platform and the push survives the platform restarting', async (t) => {
  const cam = await startRtspSource({ path: 'cam1' });
  t.teardown(() => cam.stop());
  const rtmpPort = await freeTcpPort();
  const { app, dir } = await liveApp(
    t,
    `cameras:
  - { id: CAM1, name: 一号考场前方, room: R1, url: "${cam.url}" }
upstream:
  - { id: gd-prov, name: 省应急管理厅平台, level: province, protocol: rtmp, url: "rtmp://127.0.0.1:${rtmpPort}/live/{source}" }
`,
  );
  const platformDir = join(dir, 'platform');
  const startPlatform = async () => {
    const p = startProcess(t, 'tests/media/upstream-nms.ts', [String(rtmpPort), platformDir]);
    await p.waitForLine((l) => l.includes('Rtmp Server listening'));
    return p;
  };
  let platform = await startPlatform();
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const status = async (): Promise<PusherStatus> => {
    const res = await app.inject({ method: 'GET', url: '/api/upstream', headers: { cookie: admin } });
    return (res.json() as PusherStatus[])[0]!;
  };

  await until('the push to run', async () => (await status()).state === 'pushing', 40_000);
  t.match(
    await status(),
    { target: 'gd-prov', source: 'CAM1', url: `rtmp://127.0.0.1:${rtmpPort}/live/CAM1`, restarts: 0 },
    `one pusher for the one camera, named by its URL ${(await status()).lastError}`,
  );
  await until('the platform to have 2 s of the stream', () => flvFiles(platformDir).length === 1 && probeFlv(flvFiles(platformDir)[0]!).frames >= 20, 30_000);
  t.match(probeFlv(flvFiles(platformDir)[0]!), { video: 'h264', audio: 'aac' }, 'the platform receives H.264 (copied) and AAC in FLV');
  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  t.match(metrics.body, /examroom_upstream_pushing\{target="gd-prov",source="CAM1"\} 1/, '/metrics shows the push running');

  // The platform goes down hard.
  const before = app.media.source('CAM1');
  platform.child.kill('SIGKILL');
  await platform.exited;
  await until('the pusher to notice', async () => (await status()).state === 'retrying', 30_000);
  const down = await status();
  t.ok(down.lastError, `the pusher says why it stopped: ${down.lastError}`);
  t.ok(down.restarts >= 1, 'and counts the attempt');
  // Recording does not notice: same ffmpeg, still up, still receiving.
  await until('ingest to keep receiving while the platform is down', () => app.media.source('CAM1').bytes > before.bytes + 20_000, 20_000);
  const during = app.media.source('CAM1');
  t.match(during, { state: 'up', recording: true, restarts: before.restarts }, 'ingest and recording are untouched by the dead platform');

  platform = await startPlatform();
  await until('the push to run again', async () => (await status()).state === 'pushing', 60_000);
  await until(
    'the platform to record the resumed stream',
    () => flvFiles(platformDir).length === 2 && probeFlv(flvFiles(platformDir)[1]!).frames >= 20,
    30_000,
  );
  t.match(probeFlv(flvFiles(platformDir)[1]!), { video: 'h264', audio: 'aac' }, 'after the restart the platform receives the stream again');
  t.match(app.media.source('CAM1'), { state: 'up', restarts: before.restarts }, 'ingest never restarted');
});
