// The one device-health report (terminal/protocol.ts): a paired kiosk or terminal page reports its
// secure context, camera, screen capture, browser, clock and build; the server validates, stamps and
// keeps the latest per device, shows it in GET /api/devices and warns about a room before it starts.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Test } from 'tap';
import { ROOT, testApp, login, pairDevice, PASSWORDS } from '../helpers.ts';
import { builtEntryOf } from '../../server/routes/web.ts';

const FIXED_NOW = 1_800_000_000_000;
const clock = { now: () => FIXED_NOW };

const report = (over: Record<string, unknown> = {}) => ({
  secureContext: true,
  camera: 'available',
  screenCapture: { state: 'capturing', surface: 'monitor' },
  browser: { brand: 'Chromium', version: '131' },
  appBuild: 'terminal 0.1.0 2026-12-06T05:00:00Z',
  pageTime: FIXED_NOW + 1500,
  ...over,
});

t.test('a terminal reports its health; the admin sees it per device, stamped and with the clock skew measured by the server', async (t) => {
  const app = await testApp(t, { clock });
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const token = await pairDevice(app, 'terminal', 'T1', admin);
  const before = (await app.inject({ url: '/api/devices', headers: { cookie: admin } })).json() as { id: string; health: unknown }[];
  t.equal(before.find((d) => d.id === 'T1')?.health, null, 'no report yet');

  const res = await app.inject({ method: 'POST', url: '/api/devices/health', headers: { authorization: `Bearer ${token}` }, payload: report() });
  t.equal(res.statusCode, 200, res.body);
  const { pageTime: _sent, ...fields } = report();
  t.same(res.json(), { ...fields, clockSkewMs: 1500, reportedAt: FIXED_NOW });

  const list = (await app.inject({ url: '/api/devices', headers: { cookie: admin } })).json() as { id: string; health: Record<string, unknown> | null }[];
  t.match(list.find((d) => d.id === 'T1')?.health, {
    secureContext: true,
    camera: 'available',
    screenCapture: { state: 'capturing', surface: 'monitor' },
    browser: { brand: 'Chromium', version: '131' },
    clockSkewMs: 1500,
    reportedAt: FIXED_NOW,
  });
  t.notOk('pageTime' in (list.find((d) => d.id === 'T1')?.health ?? {}), 'the page clock itself is not kept, only the skew');

  // A change replaces the latest report.
  await app.inject({
    method: 'POST',
    url: '/api/devices/health',
    headers: { authorization: `Bearer ${token}` },
    payload: report({ screenCapture: { state: 'unavailable', reason: 'the candidate stopped sharing' } }),
  });
  const after = (await app.inject({ url: '/api/devices', headers: { cookie: admin } })).json() as { id: string; health: { screenCapture: unknown } }[];
  t.same(after.find((d) => d.id === 'T1')?.health.screenCapture, { state: 'unavailable', reason: 'the candidate stopped sharing' });
});

t.test('a malformed report is refused with the problem named and changes nothing', async (t) => {
  const app = await testApp(t, { clock });
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const token = await pairDevice(app, 'kiosk', 'K1', admin);
  const auth = { authorization: `Bearer ${token}` };
  t.equal(
    (await app.inject({ method: 'POST', url: '/api/devices/health', headers: auth, payload: report({ screenCapture: { state: 'not-needed' } }) })).statusCode,
    200,
  );

  for (const [what, bad] of [
    ['unknown camera state', report({ camera: 'maybe' })],
    ['missing secureContext', { ...report(), secureContext: undefined }],
    ['extra field', report({ extra: 1 })],
  ] as const) {
    const res = await app.inject({ method: 'POST', url: '/api/devices/health', headers: auth, payload: bad as object });
    t.equal(res.statusCode, 400, what);
    t.match(res.json(), { problems: [{ path: String }] }, `${what}: the problem is named`);
  }
  const list = (await app.inject({ url: '/api/devices', headers: { cookie: admin } })).json() as {
    id: string;
    health: { camera: string; screenCapture: { state: string } };
  }[];
  t.match(list.find((d) => d.id === 'K1')?.health, { camera: 'available', screenCapture: { state: 'not-needed' } }, 'the stored report is unchanged');
});

t.test('only a device reports its health; only staff read the readiness', async (t) => {
  const app = await testApp(t, { clock });
  const admin = await login(app, 'admin', PASSWORDS.admin);
  t.equal((await app.inject({ method: 'POST', url: '/api/devices/health', payload: report() })).statusCode, 401);
  t.equal((await app.inject({ method: 'POST', url: '/api/devices/health', headers: { cookie: admin }, payload: report() })).statusCode, 403);
  t.equal((await app.inject({ url: '/api/devices/readiness?roomId=R1' })).statusCode, 401);
  const invig = await login(app, 'invig', PASSWORDS.invig);
  t.equal((await app.inject({ url: '/api/devices/readiness?roomId=R1', headers: { cookie: invig } })).statusCode, 200, 'an invigilator reads their own room');
  t.equal((await app.inject({ url: '/api/devices/readiness?roomId=R2', headers: { cookie: invig } })).statusCode, 403, "but not another room's devices");
});

type TestApp = Awaited<ReturnType<typeof testApp>>;
/** A paired device's page holding its /ws/device socket (online, as in the room); returns how to close it. */
async function connect(t: Test, app: TestApp, token: string): Promise<() => Promise<void>> {
  if (!app.server.listening) await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/device`, { headers: { authorization: `Bearer ${token}` } });
  await new Promise((resolve, reject) => {
    ws.once('message', resolve);
    ws.once('error', reject);
  });
  t.teardown(() => ws.close());
  return () => new Promise((resolve) => (ws.once('close', () => resolve()), ws.close()));
}

t.test("before a start, the room's terminals and the kiosks without a secure context, camera or screen capture are listed", async (t) => {
  const app = await testApp(t, { clock });
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const t1 = await pairDevice(app, 'terminal', 'T1', admin);
  const t2 = await pairDevice(app, 'terminal', 'T2', admin);
  const k1 = await pairDevice(app, 'kiosk', 'K1', admin);
  const send = (token: string, r: object) =>
    app.inject({ method: 'POST', url: '/api/devices/health', headers: { authorization: `Bearer ${token}` }, payload: r });
  await connect(t, app, t1);
  await connect(t, app, t2);
  await send(t1, report());
  await send(t2, report({ secureContext: false, camera: 'not-secure', screenCapture: { state: 'unavailable', reason: 'not a secure context' } }));
  await send(k1, report({ camera: 'denied', screenCapture: { state: 'not-needed' } }));

  const res = await app.inject({ url: '/api/devices/readiness?roomId=R1', headers: { cookie: admin } });
  t.equal(res.statusCode, 200);
  const { warnings } = res.json() as { warnings: { deviceId: string; problems: string[]; message: string }[] };
  t.same(
    warnings.map((w) => [w.deviceId, w.problems]),
    [
      ['T2', ['not_secure', 'no_camera', 'no_screen_capture']],
      ['K1', ['no_camera']],
    ],
    'the healthy T1 is not listed',
  );
  t.match(warnings[0]!.message, /T2 \(seat 02\).*not in a secure context.*https/);

  const r2 = (await app.inject({ url: '/api/devices/readiness?roomId=R2', headers: { cookie: admin } })).json() as { warnings: { deviceId: string }[] };
  t.same(
    r2.warnings.map((w) => w.deviceId),
    ['K1'],
    "another room's terminals are not listed",
  );

  const audit = await app.inject({ url: '/api/audit?action=device.health', headers: { cookie: admin } });
  if (audit.statusCode === 200) t.ok(JSON.stringify(audit.json()).includes('not_secure'), 'a device that turns unhealthy is audited');
});

t.test("starting the exam from the console replies with the room's device warnings and starts anyway", async (t) => {
  const { room } = await import('../terminal/fixture.ts');
  const r = await room(t);
  await connect(t, r.app as unknown as TestApp, r.tokens.T1);
  await connect(t, r.app as unknown as TestApp, r.tokens.T2);
  const send = (token: string, body: object) =>
    r.app.inject({
      method: 'POST',
      url: '/api/devices/health',
      headers: { authorization: `Bearer ${token}` },
      payload: { ...report(), pageTime: r.clock.now(), ...body },
    });
  t.equal((await send(r.tokens.T1, {})).statusCode, 200);
  t.equal(
    (await send(r.tokens.T2, { secureContext: false, camera: 'not-secure', screenCapture: { state: 'unavailable', reason: 'not a secure context' } }))
      .statusCode,
    200,
  );

  const invig = await r.as('invig');
  const res = await r.app.inject({
    method: 'POST',
    url: `/api/proctor/sessions/${r.sessionId}/status`,
    headers: { cookie: invig },
    payload: { status: 'in_progress' },
  });
  t.equal(res.statusCode, 200, res.body);
  const body = res.json() as { status: string; deviceWarnings: { deviceId: string; problems: string[] }[] };
  t.equal(body.status, 'in_progress', 'the warning does not block the start');
  t.same(
    body.deviceWarnings.map((d) => [d.deviceId, d.problems]),
    [
      ['T2', ['not_secure', 'no_camera', 'no_screen_capture']],
      ['K1', ['no_report']],
    ],
  );
});

t.test(
  'an exam PC recording a tab, not full screen, running another build or with its clock far off is flagged before the session, each by its problem',
  async (t) => {
    if (!builtEntryOf('terminal/web')) {
      const built = spawnSync(process.execPath, [join(ROOT, 'server/build-web.mjs'), '--if-stale', 'terminal'], { cwd: ROOT, encoding: 'utf8' });
      t.equal(built.status, 0, `the terminal app builds (its entry is the build a page must run): ${built.stderr}`);
    }
    const app = await testApp(t, { clock });
    const admin = await login(app, 'admin', PASSWORDS.admin);
    const token = await pairDevice(app, 'terminal', 'T1', admin);
    await connect(t, app, token);
    const send = (over: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/devices/health', headers: { authorization: `Bearer ${token}` }, payload: report(over) });
    const problems = async () =>
      ((await app.inject({ url: '/api/devices', headers: { cookie: admin } })).json() as { id: string; problems: string[] }[]).find((d) => d.id === 'T1')!
        .problems;
    const ready = { appHash: builtEntryOf('terminal/web'), display: { fullscreen: false, kiosk: true, screen: '1920x1080' } };
    t.equal((await send(ready)).statusCode, 200);
    t.same(await problems(), [], 'a kiosk-mode PC recording its monitor with the server build is ready');
    await send({ ...ready, screenCapture: { state: 'capturing', surface: 'browser' } });
    t.same(await problems(), ['not_whole_screen']);
    await send({ ...ready, display: { fullscreen: false, kiosk: false, screen: '1920x1080' } });
    t.same(await problems(), ['not_fullscreen']);
    await send({ ...ready, appHash: 'index-0ld0ld00.js' });
    t.same(await problems(), ['old_app']);
    await send({ ...ready, pageTime: FIXED_NOW + 31_000 });
    t.same(await problems(), ['clock_skew'], 'more than examPcs.maxClockSkewSeconds (30 s) off');
    const warned = (await app.inject({ url: '/api/devices/readiness?roomId=R1', headers: { cookie: admin } })).json() as {
      warnings: { deviceId: string; message: string }[];
    };
    t.match(warned.warnings.find((w) => w.deviceId === 'T1')?.message, /has a clock far from the server's/, 'the warning says it in words');
  },
);

t.test('a paired exam PC that reported ready and then went offline is flagged offline before the session', async (t) => {
  const app = await testApp(t, { clock });
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const token = await pairDevice(app, 'terminal', 'T1', admin);
  const close = await connect(t, app, token);
  await app.inject({ method: 'POST', url: '/api/devices/health', headers: { authorization: `Bearer ${token}` }, payload: report() });
  const row = async () =>
    ((await app.inject({ url: '/api/devices', headers: { cookie: admin } })).json() as { id: string; online: boolean; problems: string[] }[]).find(
      (d) => d.id === 'T1',
    )!;
  const warningOf = async () =>
    (
      (await app.inject({ url: '/api/devices/readiness?roomId=R1', headers: { cookie: admin } })).json() as {
        warnings: { deviceId: string; problems: string[]; message: string }[];
      }
    ).warnings.find((w) => w.deviceId === 'T1');
  t.match(await row(), { online: true, problems: [] }, 'connected and ready');
  t.equal(await warningOf(), undefined, 'so not in the readiness warnings');
  await close();
  for (let i = 0; i < 100 && (await row()).online; i++) await new Promise((r) => setTimeout(r, 20));
  t.match(await row(), { online: false, problems: ['offline'] }, 'gone: the device list says offline, not ready');
  const w = await warningOf();
  t.same(w?.problems, ['offline'], 'and the readiness check lists it');
  t.match(w?.message, /T1 \(seat 01\) is paired but not connected now/, 'in words');
});

t.test('a paired PC at a seat nobody of the session sits at is a spare: idle, not offline, in the list, the warnings and the checklist', async (t) => {
  const { TEMPLATE, bankQuestions, csv, idn, person } = await import('../exam/plans-fixture.ts');
  const app = await testApp(t, { clock });
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const tokens = { T1: await pairDevice(app, 'terminal', 'T1', admin), T2: await pairDevice(app, 'terminal', 'T2', admin) };
  // Both PCs were on and ready, then switched off.
  for (const token of Object.values(tokens)) {
    const close = await connect(t, app, token);
    await app.inject({ method: 'POST', url: '/api/devices/health', headers: { authorization: `Bearer ${token}` }, payload: report() });
    await close();
  }
  const rows = async () =>
    (
      (await app.inject({ url: '/api/devices', headers: { cookie: admin } })).json() as { id: string; online: boolean; problems: string[]; spare?: boolean }[]
    ).filter((d) => d.id === 'T1' || d.id === 'T2');
  const warned = async () =>
    ((await app.inject({ url: '/api/devices/readiness?roomId=R1', headers: { cookie: admin } })).json() as { warnings: { deviceId: string }[] }).warnings
      .map((w) => w.deviceId)
      .filter((id) => id.startsWith('T'));
  for (let i = 0; i < 100 && (await rows()).some((d) => d.online); i++) await new Promise((r) => setTimeout(r, 20));
  t.same(await warned(), ['T1', 'T2'], 'no session yet: which PCs will be used is not known, both are flagged');

  // Today's session in R1 seats its one candidate at 01 (T1): T2, at 02, is a spare.
  app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
  const plan = app.exam.plans.createPlan({ name: '补考', from: '2027-01-15', to: '2027-01-15' }, 'user:admin');
  const s = app.exam.plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2027-01-15T18:00', templateId: TEMPLATE.id }, 'user:admin');
  await app.exam.plans.importRoster(s.id, { bytes: csv([person(1, '张伟')]), filename: 'roster.csv' }, 'user:admin');
  t.same(await warned(), ['T1', 'T2'], 'seats not drawn: still both');
  app.exam.plans.assignSeats(s.id, 'user:admin');
  app.ctx.db.prepare("UPDATE roster_entries SET seat = '01' WHERE session_id = ? AND id_number = ?").run(s.id, idn(1));

  t.match(await rows(), [
    { id: 'T1', online: false, problems: ['offline'], spare: false },
    { id: 'T2', online: false, problems: [], spare: true },
  ]);
  t.same(await warned(), ['T1'], 'the warnings name only the PC a candidate will sit at');
  const checklist = (await app.inject({ url: `/api/exam/sessions/${s.id}/checklist`, headers: { cookie: admin } })).json() as {
    items: { id: string; counts: Record<string, number> }[];
  };
  t.match(checklist.items.find((i) => i.id === 'terminals')?.counts, { terminals: 2, offline: 1 }, 'the checklist counts T1 offline, not the spare');
});
