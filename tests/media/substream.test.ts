// A camera with a sub-stream: the appliance pulls both with stream copy; the live socket serves the
// sub-stream on ?stream=sub (for grid tiles) and the main stream otherwise; recordings come from the
// main stream only; a sub-stream that fails raises no camera alarm and its viewers get the main stream.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { login, PASSWORDS } from '../helpers.ts';
import { startRtspSource } from '../../media/index.ts';
import { liveApp, openViewer, probeBytes } from './live-fixture.ts';
import { until } from '../wait.ts';

t.test('a camera with a sub-stream is ingested twice, served on ?stream=sub, and recorded from its main stream only', async (t) => {
  // Told apart by size: the main stream is 320×240, the sub-stream 160×120.
  const main = await startRtspSource({ path: 'main' });
  t.teardown(() => main.stop());
  const sub = await startRtspSource({ path: 'sub', width: 160, height: 120 });
  t.teardown(() => sub.stop());
  const { app, ws, dir } = await liveApp(
    t,
    `media: { segmentSeconds: 2, stallSeconds: 4, maxBackoffSeconds: 1, reserveMiB: 0 }\ncameras:\n  - { id: CAM1, name: 一号考场前方, room: R1, url: "${main.url}", subUrl: "${sub.url}" }\n`,
  );
  const downs: unknown[] = [];
  app.ctx.bus.on('camera.down', (p) => downs.push(p));
  const cookie = await login(app, 'invig', PASSWORDS.invig);
  await until('both streams to be up', () => app.media.source('CAM1').state === 'up' && app.media.source('CAM1').sub?.state === 'up', 30_000);

  const listed = (await app.inject({ method: 'GET', url: '/api/live/sources', headers: { cookie } })).json() as Array<{
    id: string;
    ws: string;
    subWs: string | null;
  }>;
  t.match(
    listed.find((s) => s.id === 'CAM1'),
    { ws: '/ws/live/CAM1', subWs: '/ws/live/CAM1?stream=sub' },
    'the live API offers both streams',
  );

  const tile = await openViewer(`${ws}/ws/live/CAM1?stream=sub`, { cookie });
  await until('the sub-stream viewer to receive video', () => tile.bytes() > 20_000, 30_000);
  t.equal(app.media.source('CAM1').subscribers, 0, 'a sub-stream viewer does not touch the main stream');
  const enlarged = await openViewer(`${ws}/ws/live/CAM1`, { cookie });
  await until('the main-stream viewer to receive video', () => enlarged.bytes() > 20_000, 30_000);
  await new Promise((r) => setTimeout(r, 1500));
  const width = (name: string, bytes: Buffer) => probeBytes(dir, name, bytes).streams.find((s) => s.codec_type === 'video')?.width;
  t.equal(width('tile.ts', Buffer.concat(tile.messages)), 160, '?stream=sub plays the sub-stream');
  t.equal(width('enlarged.ts', Buffer.concat(enlarged.messages)), 320, 'no query plays the main stream');
  t.equal(app.live.relay.viewers('CAM1'), 2, 'both viewers count as viewers of the camera');
  tile.socket.close();
  enlarged.socket.close();

  await until('two recorded segments', () => app.media.store.segments('CAM1', 0, Date.now() + 60_000).length >= 2, 30_000);
  const segments = app.media.store.segments('CAM1', 0, Date.now() + 60_000);
  const mediaDir = app.media.disk().path;
  for (const s of segments.slice(0, 2)) {
    const probe = probeBytes(dir, 'segment.ts', Buffer.from(readFileSync(join(mediaDir, s.path))));
    t.equal(probe.streams.find((x) => x.codec_type === 'video')?.width, 320, `segment ${s.path} is the main stream`);
  }
  const everything = readdirSync(mediaDir, { recursive: true }).map(String);
  t.notOk(
    everything.some((f) => /sub/i.test(f)),
    'nothing of the sub-stream is on disk',
  );

  // The sub-stream's camera output fails; the camera itself is fine.
  await sub.stop();
  await until('the sub-stream to be down', () => app.media.source('CAM1').sub?.state === 'down', 30_000);
  t.equal(app.media.source('CAM1').state, 'up', 'the camera stays up');
  t.same(downs, [], 'no camera.down for a sub-stream: it is not evidence, only a cheaper picture');
  const fallback = await openViewer(`${ws}/ws/live/CAM1?stream=sub`, { cookie });
  await until('the tile to receive video again', () => fallback.bytes() > 20_000, 30_000);
  fallback.socket.close();
  t.equal(width('fallback.ts', Buffer.concat(fallback.messages)), 320, 'a tile asking for a sub-stream that is down is given the main stream');
});

t.test('a camera without a sub-stream serves its main stream on ?stream=sub and offers no subWs', async (t) => {
  const main = await startRtspSource({ path: 'only' });
  t.teardown(() => main.stop());
  const { app, ws, dir } = await liveApp(t, `cameras:\n  - { id: CAM2, name: 一号考场后方, room: R1, url: "${main.url}" }\n`);
  const cookie = await login(app, 'invig', PASSWORDS.invig);
  await until('the camera to be up', () => app.media.source('CAM2').state === 'up', 30_000);
  t.equal(app.media.source('CAM2').sub, null, 'no sub-stream ingest');
  const listed = (await app.inject({ method: 'GET', url: '/api/live/sources', headers: { cookie } })).json() as Array<{ id: string; subWs: string | null }>;
  t.equal(listed.find((s) => s.id === 'CAM2')?.subWs, null, 'the live API offers no sub-stream');
  const v = await openViewer(`${ws}/ws/live/CAM2?stream=sub`, { cookie });
  await until('video', () => v.bytes() > 20_000, 30_000);
  v.socket.close();
  t.equal(probeBytes(dir, 'v.ts', Buffer.concat(v.messages)).streams.find((s) => s.codec_type === 'video')?.width, 320, 'the main stream, as before');
  const bad = await app.inject({ method: 'GET', url: '/ws/live/CAM2?stream=hd', headers: { cookie } });
  t.equal(bad.statusCode, 400, 'an unknown stream name is refused');
  t.match(bad.json(), { message: /stream/ }, 'saying which parameter is wrong');
});
