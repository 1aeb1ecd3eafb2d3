// Who may watch: admins everything; invigilators their rooms; inspectors only a site inside their
// jurisdiction, each view start and stop in the audit log; devices and strangers nothing. Refusals
// happen before the upgrade, so a browser sees the HTTP status. The camera need not be up for this.
import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { dataPaths } from '../../storage/paths.ts';
import { login, pairDevice, PASSWORDS } from '../helpers.ts';
import { liveApp, openViewer, upgradeStatus } from './live-fixture.ts';
import { until } from '../wait.ts';

const CAMERAS = `cameras:
  - { id: CAM-R1, name: 一号考场, room: R1, url: "rtsp://127.0.0.1:9/none" }
  - { id: CAM-R2, name: 二号考场, room: R2, url: "rtsp://127.0.0.1:9/none" }
`;

t.test('live view is refused to whoever may not see the room or the site', async (t) => {
  const { app, ws } = await liveApp(t, CAMERAS);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const invig = await login(app, 'invig', PASSWORDS.invig); // R1 only
  const sz = await login(app, 'sz', PASSWORDS.sz); // Shenzhen inspector; the site is in Guangzhou
  const gd = await login(app, 'gd', PASSWORDS.gd); // Guangdong inspector
  const terminal = await pairDevice(app, 'terminal', 'T1', admin);
  const url = (id: string) => `${ws}/ws/live/${id}`;

  t.equal(await upgradeStatus(url('CAM-R1'), {}), 401, 'nobody logged in: 401');
  t.equal(await upgradeStatus(url('CAM-R1'), { authorization: `Bearer ${terminal}` }), 403, 'an exam terminal: 403');
  t.equal(await upgradeStatus(url('CAM-R1'), { cookie: admin }), 101, 'admin: any room');
  t.equal(await upgradeStatus(url('CAM-R2'), { cookie: admin }), 101, 'admin: the other room too');
  t.equal(await upgradeStatus(url('CAM-R1'), { cookie: invig }), 101, 'invigilator of R1: R1');
  t.equal(await upgradeStatus(url('CAM-R2'), { cookie: invig }), 403, 'invigilator of R1: not R2');
  t.equal(await upgradeStatus(url('CAM-R1'), { cookie: sz }), 403, 'inspector of another city: 403');
  t.equal(await upgradeStatus(url('NO-SUCH-CAM'), { cookie: admin }), 404, 'unknown source: 404');

  const list = async (cookie: string) => {
    const res = await app.inject({ method: 'GET', url: '/api/live/sources', headers: { cookie } });
    return { status: res.statusCode, ids: res.statusCode === 200 ? (res.json() as Array<{ id: string }>).map((s) => s.id) : [] };
  };
  t.same(await list(admin), { status: 200, ids: ['CAM-R1', 'CAM-R2'] }, 'admin lists every source');
  t.same(await list(invig), { status: 200, ids: ['CAM-R1'] }, 'the invigilator lists the sources of their room');
  t.equal((await list(sz)).status, 403, 'an inspector outside the jurisdiction learns nothing of the site');
  t.same(await list(gd), { status: 200, ids: ['CAM-R1', 'CAM-R2'] }, 'an inspector of the province lists every source');
});

t.test('every inspector view is audited when it starts and when it stops', async (t) => {
  const { app, ws } = await liveApp(t, CAMERAS);
  const gd = await login(app, 'gd', PASSWORDS.gd);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const views = () => app.ctx.audit.list({ limit: 100 }).filter((e) => e.action.startsWith('media.live.view'));

  const v = await openViewer(`${ws}/ws/live/CAM-R2`, { cookie: gd });
  await until('the start to be audited', () => views().length === 1);
  t.match(views()[0], { actor: 'user:gd', action: 'media.live.view.start', target: 'CAM-R2' }, 'start: who, which source');
  v.socket.close();
  await v.closed;
  await until('the stop to be audited', () => views().length === 2);
  t.match(
    views().find((e) => e.action === 'media.live.view.stop'),
    { actor: 'user:gd', target: 'CAM-R2', detail: { seconds: Number } },
    'stop: who, which source, how long',
  );
  t.equal(app.ctx.audit.verify().ok, true, 'the audit chain stays intact');

  const a = await openViewer(`${ws}/ws/live/CAM-R2`, { cookie: admin });
  a.socket.close();
  await a.closed;
  t.equal(views().length, 2, 'staff of the site watching their own cameras are not audited per view');
});

t.test('an inspector switching a tile between streams, or reconnecting at once, is still one audited view', async (t) => {
  const { app, ws, dir } = await liveApp(t, CAMERAS);
  const gd = await login(app, 'gd', PASSWORDS.gd);
  const views = () => app.ctx.audit.list({ limit: 100 }).filter((e) => e.action.startsWith('media.live.view'));

  // Enlarged: the grid's sub-stream socket gives way to a main-stream socket, briefly both open.
  const sub = await openViewer(`${ws}/ws/live/CAM-R2?stream=sub`, { cookie: gd });
  const main = await openViewer(`${ws}/ws/live/CAM-R2`, { cookie: gd });
  sub.socket.close();
  await sub.closed;
  // A reconnect after a hiccup.
  main.socket.close();
  await main.closed;
  const again = await openViewer(`${ws}/ws/live/CAM-R2`, { cookie: gd });
  await new Promise((r) => setTimeout(r, 300));
  t.same(
    views().map((e) => e.action),
    ['media.live.view.start'],
    'one start, no stop while a socket follows within the grace',
  );
  again.socket.close();
  await again.closed;
  await until('the stop to be audited', () => views().length === 2);
  t.match(
    views().find((e) => e.action === 'media.live.view.stop'),
    { target: 'CAM-R2', detail: { streams: ['main'] } },
    'the view ends once its last socket has been gone a moment',
  );

  // A view still open when the appliance stops is stopped in the audit log before it closes.
  await openViewer(`${ws}/ws/live/CAM-R1`, { cookie: gd });
  await until('the second start', () => views().length === 3);
  await app.close();
  // Read back from the database file the closed appliance left.
  const db = new Database(dataPaths(join(dir, 'data')).dbFile, { readonly: true });
  t.teardown(() => db.close());
  const after = db.prepare("SELECT action, target FROM audit_log WHERE action LIKE 'media.live.view%' ORDER BY seq").all() as {
    action: string;
    target: string;
  }[];
  t.same(after.slice(3), [{ action: 'media.live.view.stop', target: 'CAM-R1' }], 'shutdown ends it');
});
