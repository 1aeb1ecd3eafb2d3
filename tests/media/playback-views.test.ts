// An inspector's playback view ends in the audit log however it ends: the player says stop, nothing is
// fetched for a while (idle), or the appliance shuts down with the view open. Segments are indexed
// rows here: a playlist is all a view needs to start, and no camera has to run.
import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { dataPaths } from '../../storage/paths.ts';
import { buildTestApp, login, PASSWORDS, scratchDir, testConfig } from '../helpers.ts';
import { until } from '../wait.ts';

t.test('a playback view stops when asked, when idle, and at shutdown', async (t) => {
  const dir = scratchDir(t);
  const app = await buildTestApp({
    config: testConfig(dir, 'cameras:\n  - { id: cam1, name: 前门, room: R1, url: "rtsp://127.0.0.1:9/none" }\n'),
    playbackIdleMs: 300,
  });
  let closed = false;
  t.teardown(() => (closed ? undefined : app.close()));
  const now = Date.now();
  for (let i = 0; i < 3; i++)
    app.media.store.addSegment({ sourceId: 'cam1', start: now - 60_000 + i * 2000, end: now - 58_000 + i * 2000, bytes: 1000, path: `cam1/x/${i}.ts` });
  const gd = await login(app, 'gd', PASSWORDS.gd);
  const playlist = () => app.inject({ url: `/api/media/sources/cam1/playlist.m3u8?from=${now - 70_000}&to=${now}`, headers: { cookie: gd } });
  const stops = () => app.ctx.audit.list({ action: 'media.view.stop' }).map((e) => (e.detail as { reason: string }).reason);

  t.equal((await playlist()).statusCode, 200);
  const stopped = await app.inject({ method: 'POST', url: '/api/media/sources/cam1/playback/stop', headers: { cookie: gd } });
  t.same(stopped.json(), { ended: true }, 'the player closing ends the view');
  t.same(stops(), ['stopped']);
  t.same(
    (await app.inject({ method: 'POST', url: '/api/media/sources/cam1/playback/stop', headers: { cookie: gd } })).json(),
    { ended: false },
    'a second stop finds nothing open',
  );

  t.equal((await playlist()).statusCode, 200);
  await until('the idle view to end', () => stops().length === 2, 5000);
  t.same(stops().sort(), ['idle', 'stopped'], 'a view nothing is fetched for ends as idle');

  t.equal((await playlist()).statusCode, 200);
  t.equal(app.ctx.audit.list({ action: 'media.view.start' }).length, 3, 'each of the three views started once');
  closed = true;
  await app.close();
  const db = new Database(dataPaths(dir).dbFile, { readonly: true });
  t.teardown(() => db.close());
  const last = db.prepare("SELECT detail FROM audit_log WHERE action = 'media.view.stop' ORDER BY seq DESC LIMIT 1").get() as { detail: string };
  t.match(JSON.parse(last.detail), { what: 'playback', reason: 'shutdown' }, 'the view open at shutdown is stopped in the log before it closes');
});
