// End to end: the devices page in Chromium on a real HTTPS server. Pairing requests are made while the
// page is open (over the same HTTP call the terminal and kiosk apps make, web/pairing.ts) and appear
// without a reload; one is approved as the id it asked for, a room's are approved after a review that
// leaves a duplicate for a person, a PC that named no id is approved as one picked from the list, one is
// rejected; the paired PCs connect and report their health, and one is revoked after a confirmation.
// Screenshots: tests/artifacts/admin/devices-*.png.
import type { Test } from 'tap';
import WebSocket from 'ws';
import { chainedSteps } from '../browser.ts';
import { openAdminConsole, type AdminConsole } from './harness.ts';
import {
  approvePendingAs,
  approveRoom,
  approveTerminalsAsTheyAppear,
  deviceListShows,
  pendingRowOffers,
  rejectPending,
  revokeDevice,
} from './devices-steps.ts';
import { wsEndpoint } from '../../helpers.ts';

const WINDOWS_CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

interface Asked {
  pairingId: string;
  pollSecret: string;
  code: string;
}

/** A PC asks for a pairing code, as web/pairing.ts does on the terminal or kiosk page. */
async function ask(c: AdminConsole, kind: 'terminal' | 'kiosk', deviceId?: string): Promise<Asked> {
  const res = await c.app.inject({
    method: 'POST',
    url: '/api/devices/pairings',
    headers: { 'user-agent': WINDOWS_CHROME },
    remoteAddress: kind === 'kiosk' ? '10.1.0.9' : `10.1.1.${deviceId === 'T1' ? 1 : 2}`,
    payload: deviceId ? { kind, deviceId } : { kind },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json() as Asked;
}

/** The PC's next poll after approval: it receives its token. */
async function collect(c: AdminConsole, a: Asked): Promise<string> {
  const r = (await c.app.inject({ method: 'POST', url: `/api/devices/pairings/${a.pairingId}/collect`, payload: { pollSecret: a.pollSecret } })).json() as {
    token: string;
  };
  return r.token;
}

/** pairing requests arrive on the open devices page and are approved singly and by room; one device is revoked */
export async function devicesWalk(t: Test): Promise<void> {
  const c = await openAdminConsole(t);
  const step = chainedSteps((name) => c.shot(`failed-devices-${name.replace(/\W+/g, '-')}`));
  const asked: Record<string, Asked> = {};
  const tokens: Record<string, string> = {};
  const sockets: WebSocket[] = [];
  t.teardown(() => {
    for (const ws of sockets) ws.close();
  });

  await step(t, 'the page opens with nothing pending and every configured device unpaired', async (t) => {
    await c.open('devices');
    await c.page.waitForSelector('[data-testid=live-state]:text-is("实时")');
    await c.page.waitForSelector('text=没有待批准的配对请求');
    await deviceListShows(t, c, [
      { id: 'K1', state: 'unpaired' },
      { id: 'T1', state: 'unpaired', roomSeat: 'R1 · 01' },
      { id: 'T2', state: 'unpaired', roomSeat: 'R1 · 02' },
    ]);
    t.ok(await c.page.$('[data-testid=ca-cer][href="/ca.cer"]'), 'the site CA is offered for Windows');
    t.ok(await c.page.$('[data-testid=ca-crt][href="/ca.crt"]'), '…and for Debian');
    await c.shot('devices-empty');
  });

  await step(t, 'a terminal asks while the page is open: its request appears and is approved in one click', async (t) => {
    asked.T1 = await ask(c, 'terminal', 'T1');
    const row = c.page.locator('tr[data-testid=pending-row]');
    await row.waitFor();
    t.match(await row.textContent(), new RegExp(`${asked.T1.code}.*T1.*10\\.1\\.1\\.1.*Chrome 131 · Windows`), 'code, asked id, address and browser');
    await c.shot('devices-pending-one');
    t.same(await approveTerminalsAsTheyAppear(t, c, ['T1']), [asked.T1.code]);
    tokens.T1 = await collect(c, asked.T1);
    await deviceListShows(t, c, [{ id: 'T1', state: 'paired', online: false }]);
  });

  await step(t, "a room's requests are reviewed and approved together; a duplicate is left for a person", async (t) => {
    asked.T2 = await ask(c, 'terminal', 'T2');
    // A second PC claiming T1, which is paired: approving it would take T1's token away.
    asked.T1again = await ask(c, 'terminal', 'T1');
    asked.kiosk = await ask(c, 'kiosk');
    await c.page.locator('tr[data-testid=pending-row]').nth(2).waitFor();
    await c.shot('devices-pending');
    await approveRoom(t, c, 'R1', { ids: ['T2'], leftCodes: [asked.T1again.code, asked.kiosk.code], shot: 'devices-bulk-review' });
    await c.shot('devices-bulk-result');
    tokens.T2 = await collect(c, asked.T2);
    const audit = c.app.ctx.audit.list({ limit: 20 }).find((e) => e.action === 'device.approve_room');
    t.match(audit, { actor: 'user:admin', target: 'R1', detail: { approved: ['T2'] } }, 'the bulk approval is audited');
  });

  await step(t, 'the kiosk that named no id is approved as one picked from the list; the duplicate is rejected', async (t) => {
    await approvePendingAs(t, c, asked.kiosk!.code, 'K1');
    // T1 is paired but not connected (a rebooted PC asking again): its id is offered, marked as replacing.
    await pendingRowOffers(t, c, asked.T1again!.code, { selected: 'T1' });
    t.match(await c.page.locator(`tr[data-code="${asked.T1again!.code}"] select option:checked`).textContent(), /已配对，将替换/);
    await rejectPending(t, c, asked.T1again!.code);
    await c.page.waitForSelector('text=没有待批准的配对请求');
    tokens.K1 = await collect(c, asked.kiosk!);
    t.ok(tokens.K1, 'the kiosk received its token');
  });

  await step(t, 'the list follows the devices: T1 online with its health report, T2 paired and offline', async (t) => {
    const port = Number(new URL(c.base).port);
    const { base, options } = wsEndpoint(port);
    const ws = new WebSocket(`${base}/ws/device`, { ...options, headers: { authorization: `Bearer ${tokens.T1}` } });
    sockets.push(ws);
    await new Promise((resolve, reject) => {
      ws.once('message', resolve);
      ws.once('error', reject);
    });
    const health = await c.app.inject({
      method: 'POST',
      url: '/api/devices/health',
      headers: { authorization: `Bearer ${tokens.T1}` },
      payload: {
        secureContext: true,
        camera: 'available',
        screenCapture: { state: 'capturing', surface: 'monitor' },
        browser: { brand: 'Google Chrome', version: '131' },
        appBuild: 'terminal 0.1.0+e2e',
        display: { fullscreen: false, kiosk: true, screen: '1920x1080' },
        pageTime: c.clock.now() + 1200,
      },
    });
    t.equal(health.statusCode, 200);
    await deviceListShows(t, c, [
      {
        id: 'T1',
        state: 'paired',
        online: true,
        health: ['考试机就绪', '安全连接', '摄像头正常', '正在录屏 (monitor)', '全屏（考试模式）', 'Google Chrome 131', '+1.2 s'],
      },
      { id: 'T2', state: 'paired', online: false },
      { id: 'K1', state: 'paired' },
    ]);
    // K1 reported once and is not connected: its report shows as the last one, grey, at the site's time.
    const k1 = await c.app.inject({
      method: 'POST',
      url: '/api/devices/health',
      headers: { authorization: `Bearer ${tokens.K1}` },
      payload: {
        secureContext: true,
        camera: 'available',
        screenCapture: { state: 'not-needed' },
        browser: { brand: 'Google Chrome', version: '131' },
        appBuild: 'kiosk 0.1.0+e2e',
        pageTime: c.clock.now(),
      },
    });
    t.equal(k1.statusCode, 200, k1.body);
    const reportedAt = new Intl.DateTimeFormat('zh-CN', {
      hour12: false,
      hour: '2-digit',
      minute: '2-digit',
      timeZone: c.app.ctx.config.site.timezone,
    }).format(c.clock.now());
    await c.page.locator(`tr[data-device=K1] [data-testid=last-report]:text-is("上次报告 ${reportedAt}")`).waitFor();
    t.equal(await c.page.locator('tr[data-device=K1] ul.health li.ok').count(), 0, "an offline device's report is not shown green");
    // Another PC asks to be T1 while T1 is online: nothing is pre-selected, and the row says why.
    const other = await c.app.inject({
      method: 'POST',
      url: '/api/devices/pairings',
      headers: { 'user-agent': WINDOWS_CHROME },
      remoteAddress: '10.1.1.77',
      payload: { kind: 'terminal', deviceId: 'T1' },
    });
    const otherCode = (other.json() as Asked).code;
    await pendingRowOffers(t, c, otherCode, { selected: '', why: /T1 已配对且正在线上/ });
    await c.shot('devices-repair-online');
    await rejectPending(t, c, otherCode);
    await c.shot('devices-list');
  });

  await step(t, 'a session seats its one candidate at 01: T2 (seat 02, off) is a spare, idle, not offline', async (t) => {
    const { TEMPLATE, bankQuestions, csv, idn, person } = await import('../../exam/plans-fixture.ts');
    const plans = c.app.exam.plans;
    c.app.exam.bank.createVersion({ id: 'v-spare', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
    const local = new Date(c.clock.now() + 8 * 3600_000 + 10 * 60_000).toISOString().slice(0, 16);
    const plan = plans.createPlan({ name: '备用机检查', from: local.slice(0, 10), to: local.slice(0, 10) }, 'user:admin');
    const s = plans.createSession({ planId: plan.id, room: 'R1', startsAt: local, templateId: TEMPLATE.id }, 'user:admin');
    await plans.importRoster(s.id, { bytes: csv([person(1, '张伟')]), filename: 'roster.csv' }, 'user:admin');
    plans.assignSeats(s.id, 'user:admin');
    c.app.ctx.db.prepare("UPDATE roster_entries SET seat = '01' WHERE session_id = ? AND id_number = ?").run(s.id, idn(1));
    await c.page.reload();
    const t2 = c.page.locator('[data-testid=device-row][data-device="T2"]');
    await t2.locator('[data-testid=device-state]', { hasText: '备用机，空闲' }).waitFor();
    t.equal(await t2.getAttribute('data-spare'), 'yes', 'T2 is marked spare');
    t.equal(await c.page.locator('[data-testid=device-row][data-device="T1"]').getAttribute('data-spare'), null, 'T1, where 张伟 sits, is not');
    await c.shot('devices-spare');
  });

  await step(t, 'T2 is revoked after the confirmation', async (t) => {
    await revokeDevice(t, c, 'T2', 'devices-revoke-confirm');
    await deviceListShows(t, c, [{ id: 'T2', state: 'revoked' }]);
    const me = await c.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${tokens.T2}` } });
    t.equal(me.statusCode, 401, "T2's token no longer works");
    await c.shot('devices-revoked');
  });

  await step(t, 'the page in English', async (t) => {
    await c.page.click('header.top button.lang');
    await c.page.waitForSelector('text=Pending pairing requests');
    await deviceListShows(t, c, [{ id: 'T1', online: true, health: ['secure context', 'camera ok'] }]);
    await c.shot('devices-en');
  });

  t.same(c.pageErrors, [], 'no uncaught error in the page');
}
