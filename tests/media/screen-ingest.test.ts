// A terminal's screen arrives over /ws/screen as MediaRecorder would send it — chunks of a live
// Matroska stream with H.264 — and becomes a source like a camera: recorded by ingest, watchable
// live by the room's staff. Here ffmpeg plays the part of Chromium's MediaRecorder, over a real socket.
import t from 'tap';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { login, pairDevice, PASSWORDS } from '../helpers.ts';
import { liveApp, openViewer, probeBytes, upgradeStatus } from './live-fixture.ts';
import { until } from '../wait.ts';

t.test('a terminal screen sent over a WebSocket is ingested, relayed and removed when the terminal leaves', async (t) => {
  const { app, ws, dir } = await liveApp(t, '');
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const token = await pairDevice(app, 'terminal', 'T1', admin);

  t.equal(await upgradeStatus(`${ws}/ws/screen`, { cookie: admin }), 403, 'only a paired terminal may send a screen');

  const screen = new WebSocket(`${ws}/ws/screen`, { headers: { authorization: `Bearer ${token}` } });
  await new Promise((resolve, reject) => {
    screen.once('open', resolve);
    screen.once('error', reject);
  });
  // 640×360 at 5 fps, H.264 in live Matroska: what the terminal's recorder produces, chunk by chunk.
  const recorder = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360:rate=5',
      '-t',
      '30',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'zerolatency',
      '-g',
      '5',
      '-pix_fmt',
      'yuv420p',
      '-f',
      'matroska',
      '-live',
      '1',
      'pipe:1',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.teardown(() => recorder.kill('SIGKILL'));
  recorder.stdout.on('data', (chunk: Buffer) => {
    if (screen.readyState === screen.OPEN) screen.send(chunk);
  });

  await until('the screen to be a source that is up', () => app.media.sources().find((s) => s.id === 'SCREEN-T1')?.state === 'up', 30_000);
  t.match(app.media.source('SCREEN-T1'), { kind: 'screen', room: 'R1', recording: true }, 'the screen is a recorded source of the terminal’s room');

  const invig = await login(app, 'invig', PASSWORDS.invig);
  const viewer = await openViewer(`${ws}/ws/live/SCREEN-T1`, { cookie: invig });
  await until('the viewer to receive the screen', () => viewer.bytes() > 0, 20_000);
  await new Promise((r) => setTimeout(r, 3000));
  viewer.socket.close();
  const probe = probeBytes(dir, 'screen.ts', Buffer.concat(viewer.messages));
  t.notOk(probe.error, `the relayed screen is valid MPEG-TS${probe.error ? `: ${probe.error}` : ''}`);
  const video = probe.streams.find((s) => s.codec_type === 'video');
  t.match(video, { codec_name: 'h264', width: 640 }, 'the H.264 the terminal sent, not re-encoded');
  t.ok(Number(video?.nb_read_frames) >= 5, `${video?.nb_read_frames} frames decode`);

  screen.close();
  await until('the source to go away with its terminal', () => !app.media.sources().some((s) => s.id === 'SCREEN-T1'), 20_000);
  t.pass('the screen source is removed when the terminal disconnects (its recordings stay)');
});
