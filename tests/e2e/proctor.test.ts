// End to end: the real server on a loopback port with a session in R1 (check-in open, two candidates
// admitted), a real terminal (a WebSocket client logging candidate A in at T1, as the exam PC would),
// a real RTSP camera in R1, and the built /proctor/ and /inspector/ apps in Debian's Chromium.
// The invigilator logs in (their only room opens by itself), starts the exam from the console, sees a
// short reconnect as one resolved record, then the terminal staying offline as an alert after the
// reconnect grace (its delay from the grace's end printed and kept in
// tests/artifacts/proctor/alert-latency.json), acknowledges it with a note, pauses the candidate after
// the terminal is back and the terminal receives the pause; integrity events fold per seat and are
// acknowledged all at once with one note; at the end of the exam who never started is absent. Inspectors: one of another city sees
// nothing of this site, one of the province sees the site and its session — and no command anywhere.
// Screenshots of every main screen land in tests/artifacts/proctor/ (git-ignored).
import t, { type Test } from 'tap';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startDemoSources, freeTcpPort } from '../../media/index.ts';
import { upgradeStatus } from '../media/live-fixture.ts';
import { fixedClock } from '../../core/index.ts';
import { Term, logIn, startApp } from '../terminal/fixture.ts';
import { ROOT, PASSWORDS, login, pairDevice, scratchDir, wsEndpoint } from '../helpers.ts';
import { assertSecureName, chainedSteps, openBrowser, requireChromiumAndApps } from './browser.ts';
import { TEMPLATE, bankQuestions, csv, idn, person } from '../exam/plans-fixture.ts';

const ARTIFACTS = join(ROOT, 'tests/artifacts/proctor');
/** Waits on visible state are bounded only so that a broken build fails instead of hanging. */
const WAIT = 20_000;

requireChromiumAndApps('proctor', 'inspector');

const A = idn(1);
/** exam.reconnectGraceSeconds in this test. */
const GRACE_S = 2;
const B = idn(2);
const C = idn(3);

/** YYYY-MM-DDTHH:mm in the site's zone (Asia/Shanghai, no daylight saving: UTC+8). */
const siteLocal = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);

/**
 * A session in R1 with candidates A (seat 01 = T1), B (seat 02 = T2) and C (seat 03), check-in open,
 * A and B admitted. The server's clock stands still but near the real time: the browser judges the
 * session cookie's expiry by its own clock.
 */
async function setup(t: Test, extraYaml: string) {
  const START = Math.ceil((Date.now() + 30 * 60_000) / 60_000) * 60_000;
  const clock = fixedClock(START - 30 * 60_000);
  const { app, port, base } = await startApp(t, scratchDir(t, 'examroom-e2e-proctor-'), clock, extraYaml, { https: true });
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const tokens = { T1: await pairDevice(app, 'terminal', 'T1', admin), T2: await pairDevice(app, 'terminal', 'T2', admin) };
  const plans = app.exam.plans;
  app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
  const day = siteLocal(START).slice(0, 10);
  const plan = plans.createPlan({ name: '2026年机械行业主要负责人考核', from: day, to: day }, 'user:admin');
  const s = plans.createSession({ planId: plan.id, room: 'R1', startsAt: siteLocal(START), templateId: TEMPLATE.id }, 'user:admin');
  await plans.importRoster(s.id, { bytes: csv([person(1, '张伟'), person(2, '李娜'), person(3, '王芳')]), filename: 'roster.csv' }, 'user:admin');
  plans.assignSeats(s.id, 'user:admin');
  // The draw is random; the test wants A at 01, B at 02, C at 03.
  const db = app.ctx.db;
  db.prepare('UPDATE roster_entries SET seat = NULL WHERE session_id = ?').run(s.id);
  [A, B, C].forEach((id, i) => db.prepare('UPDATE roster_entries SET seat = ? WHERE session_id = ? AND id_number = ?').run(`0${i + 1}`, s.id, id));
  plans.generateSessionPapers(s.id, 'user:admin');
  plans.advanceSession(s.id, 'checkin', 'user:admin');
  for (const id of [A, B]) app.terminal.admitCandidate(s.id, id, 'user:admin');
  const tickets = new Map(plans.roster(s.id).map((e) => [e.idNumber, e.ticketNo]));
  return { app, clock, port, base, START, sessionId: s.id, tokens, ticket: (id: string) => tickets.get(id)! };
}

async function shot(page: Page, name: string): Promise<void> {
  // Fonts must be in before the picture: CJK glyphs load lazily.
  await page.evaluate('document.fonts.ready.then(() => undefined)');
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false, animations: 'disabled', caret: 'hide' });
}

t.test('an invigilator runs a room from the proctor console; inspectors see only their jurisdiction', async (t) => {
  // Only this test's own screenshots (01–15) go: the playback and move tests keep theirs in the same folder.
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of readdirSync(ARTIFACTS)) if (/^(0\d|1[0-5])[ab]?-.*\.png$|^alert-latency\.json$/.test(f)) rmSync(join(ARTIFACTS, f), { force: true });
  const top = t;
  const rtspPort = await freeTcpPort();
  const camUrl = `rtsp://127.0.0.1:${rtspPort}/cam-proctor`;
  const cameras = await startDemoSources([{ id: 'CAM-R1', name: '一号考场前方', url: camUrl, audio: false }], undefined, {
    rtpPortStart: 30000 + 2 * Math.floor(Math.random() * 5000),
  });
  t.teardown(() => cameras.stop());
  const r = await setup(t, `cameras:\n  - { id: CAM-R1, name: 一号考场前方, room: R1, url: "${camUrl}" }\nexam: { reconnectGraceSeconds: ${GRACE_S} }\n`);
  const base = r.base;
  const app = r.app;
  const ticketA = r.ticket(A);

  // Candidate A logs in at T1 (seat 01) before the exam starts; B is admitted but not at a PC.
  let t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, ticketA, false);

  const { context, page, pageErrors } = await openBrowser(t, { base, width: 1366, height: 860, wait: WAIT });
  const foreign: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(m.text())) pageErrors.push(m.text());
  });
  page.on('request', (req) => {
    if (!req.url().startsWith(base) && !req.url().startsWith(base.replace('http', 'ws')) && !req.url().startsWith('data:') && !req.url().startsWith('blob:'))
      foreign.push(req.url());
  });
  const seat = (no: string) => page.locator(`button.seat[data-seat="${no}"]`);
  const dialog = page.getByTestId('confirm');
  const step = chainedSteps(() => shot(page, 'failed'));

  await step(t, 'the invigilator logs in and their only room opens by itself', async (t) => {
    await page.goto(`${base}/proctor/`);
    await assertSecureName(t, page, base);
    await page.locator('input[name=username]').waitFor();
    await shot(page, '01-login');
    await page.fill('input[name=username]', 'invig');
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('button[type=submit]');
    await page.getByText('登录失败').waitFor();
    await page.fill('input[name=password]', PASSWORDS.invig);
    await page.click('button[type=submit]');
    await page.getByTestId('seat-map').waitFor();
    t.equal(await page.locator('button[data-room]').count(), 0, 'invig watches R1 only: no room list to pick from');
    t.match(page.url(), /[?&]room=R1/, 'R1 is open');
    await shot(page, '02-only-room-opens');
  });

  await step(t, 'the room view shows each seat’s live state and the session bar', async (t) => {
    await page.locator('button.seat[data-seat="01"][data-state="logged_in"]').waitFor();
    t.match(await seat('01').textContent(), /张伟.*已登录/, 'seat 01: candidate A, logged in');
    t.match(await seat('02').textContent(), /李娜.*已入场/, 'seat 02: B admitted, not at a PC');
    t.match(await seat('03').textContent(), /王芳.*未到/, 'seat 03: C not through the door');
    t.match(await seat('04').getAttribute('data-state'), 'empty', 'seat 04: nobody');
    t.equal(await page.locator('button.seat').count(), 6, '2 × 3 seats');
    t.equal(await page.getByTestId('session-status').getAttribute('data-status'), 'checkin');
    await page.getByTestId('summary').getByText('应考 3').waitFor();
    // Before the exam the device check lists what to fix: the PCs of seats with a candidate (none of these
    // test terminals sends a health report), never an empty seat's.
    await page.getByTestId('device-warnings').locator('li[data-device="T1"]').waitFor();
    for (const li of await page.getByTestId('device-warnings').locator('li').all()) {
      t.notMatch(await li.textContent(), /0[4-6] 号座/, `no empty seat's PC: ${await li.getAttribute('data-device')}`);
    }
    // Hovering a seat shows who sits there.
    await seat('01').hover();
    await seat('01').locator('.hover').getByText(ticketA).waitFor({ state: 'visible' });
    await shot(page, '03-room-checkin');
    await page.mouse.move(5, 5);
  });

  await step(t, 'the invigilator starts the exam from the console (confirmed) and the terminal gets the paper', async (t) => {
    r.clock.set(r.START);
    await page.getByRole('button', { name: '开考' }).click();
    await dialog.waitFor();
    await dialog.getByText('现在开考？').waitFor();
    await shot(page, '04-confirm-start');
    await dialog.getByRole('button', { name: '确认' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-testid=session-status][data-status=in_progress]').waitFor();
    await page.getByTestId('device-warnings').waitFor({ state: 'detached' });
    const paper = await t1.take('paper', WAIT);
    t.ok(paper.questions.length > 0, 'the paper reached the terminal');
    await t1.take('time');
    t1.send({ type: 'save', seq: 1, no: 1, choice: [0] });
    await t1.take('ack');
    await page.locator('button.seat[data-seat="01"][data-state="answering"]').waitFor();
    await seat('01')
      .getByText(/已答 1\/\d+/)
      .waitFor();
    t.match(await seat('01').textContent(), /剩余 1:\d\d:\d\d/, 'the remaining time counts on the seat');
  });

  await step(t, 'a short reconnect is one resolved record, nothing to acknowledge', async (t) => {
    t1.ws.terminate();
    await t1.closed;
    t1 = await Term.open(top, r.port, r.tokens.T1);
    await t1.take('logged_in');
    await t1.settle();
    const li = page.locator('li[data-kind="terminal_offline"][data-resolved="yes"]');
    await li.waitFor();
    t.match(await li.textContent(), /短暂断线 \d+ 秒，已自动恢复.*自动恢复，无需处理/, 'worded as resolved');
    t.equal(await li.getByRole('button', { name: '处理', exact: true }).count(), 0, 'no acknowledge button');
    t.equal(await li.getByRole('button', { name: '回放' }).count(), 1, 'but its recording is one click away');
    t.equal(await page.getByTestId('open-alerts').textContent(), '0 条未处理', 'nothing open');
    await page.locator('button.seat[data-seat="01"][data-state="answering"]').waitFor();
    await shot(page, '05a-short-reconnect-resolved');
  });

  await step(t, 'the terminal stays off: the offline alert is on screen within a second of the grace ending', async (t) => {
    // Stamps, in the page, when each alert first shows (same machine, same clock as the server).
    await page.evaluate(`(() => {
      window.__alertSeen = {};
      const note = () => document.querySelectorAll('li[data-alert]').forEach((li) => {
        const k = li.getAttribute('data-alert');
        if (!(k in window.__alertSeen) && li.getAttribute('data-resolved') === 'no') window.__alertSeen[k] = { at: Date.now(), kind: li.getAttribute('data-kind') };
      });
      note();
      new MutationObserver(note).observe(document.body, { childList: true, subtree: true, attributes: true });
    })()`);
    let eventAt = 0;
    const off = app.ctx.bus.on('terminal.offline', (e) => {
      if (e.terminalId === 'T1') eventAt = Date.now();
    });
    t1.ws.terminate();
    // The seat shows the terminal offline at once; the alert waits out the reconnect grace.
    await page.locator('button.seat[data-seat="01"][data-state="offline"]').waitFor();
    const li = page.locator('li[data-kind="terminal_offline"][data-acked="no"][data-resolved="no"]');
    await li.waitFor();
    off();
    const seen = (await page.evaluate('Object.values(window.__alertSeen).filter((s) => s.kind === "terminal_offline").map((s) => s.at)')) as number[];
    t.equal(seen.length, 1, 'one offline alert');
    t.ok(seen[0]! - eventAt >= GRACE_S * 1000 - 50, `not before the grace (${seen[0]! - eventAt} ms after the event)`);
    const delay = seen[0]! - eventAt - GRACE_S * 1000;
    // Chromium's Date.now and Node's may differ by a few ms (the page's clock is coarsened), so a
    // delay near 0 can come out slightly negative; what matters is the upper bound.
    t.ok(eventAt > 0, 'the server raised terminal.offline');
    t.comment(`terminal.offline + ${GRACE_S} s grace → alert on screen: ${delay} ms`);
    writeFileSync(
      join(ARTIFACTS, 'alert-latency.json'),
      `${JSON.stringify({ event: 'terminal.offline', graceMs: GRACE_S * 1000, delayAfterGraceMs: delay }, null, 2)}\n`,
    );
    t.ok(delay < 1000, `the alert showed ${delay} ms after the grace ended (issue 7: within 1 s)`);
    await page.locator('button.seat[data-seat="01"][data-state="offline"]').waitFor();
    await seat('01').getByText('离线自').waitFor();
    t.match(await li.textContent(), /终端离线.*01 号座/, 'the alert names the seat');
    await shot(page, '05-alert');
  });

  await step(t, 'the alert is acknowledged with a note and stays listed as handled', async (t) => {
    await page.locator('li[data-kind="terminal_offline"][data-resolved="no"]').getByRole('button', { name: '处理' }).click();
    await dialog.waitFor();
    await dialog.getByRole('button', { name: '确认' }).click();
    await dialog.getByText('此项必填').waitFor();
    await dialog.locator('textarea').fill('网线松动，已重新插好');
    await shot(page, '06-ack-dialog');
    await dialog.getByRole('button', { name: '确认' }).click();
    await dialog.waitFor({ state: 'detached' });
    const acked = page.locator('li[data-kind="terminal_offline"][data-acked="yes"]');
    await acked.waitFor();
    t.equal(await page.getByTestId('open-alerts').textContent(), '0 条未处理', 'nothing left open');
    await acked.waitFor();
    t.match(await acked.textContent(), /invig.*网线松动，已重新插好/, 'who handled it and the note are shown');
    const res = await app.inject({ method: 'GET', url: '/api/proctor/alerts?room=R1', headers: { cookie: await login(app, 'invig', PASSWORDS.invig) } });
    t.equal(res.statusCode, 200);
    const alert = (res.json() as { kind: string; resolvedAt: number | null; acknowledged: { by: string; note: string } | null }[]).find(
      (a) => a.kind === 'terminal_offline' && a.resolvedAt === null,
    );
    t.match(alert?.acknowledged, { by: 'invig', note: '网线松动，已重新插好' }, 'the acknowledgement is stored');
  });

  await step(t, 'after the terminal is back, a confirmed pause reaches it', async (t) => {
    // Opened on the whole test: a subtest's teardown would cut it off again.
    t1 = await Term.open(top, r.port, r.tokens.T1);
    // The server resumes the candidate's attempt on the terminal that comes back.
    await t1.take('logged_in');
    await t1.settle();
    await page.locator('button.seat[data-seat="01"][data-state="answering"]').waitFor();
    await seat('01').click();
    await page.getByTestId('seat-commands').getByText('01 号座 张伟').waitFor();
    await page.getByTestId('seat-commands').getByRole('button', { name: '暂停' }).click();
    await dialog.getByText('暂停 01 号座 张伟 的考试？').waitFor();
    await dialog.locator('textarea').fill('考生身体不适');
    await dialog.getByRole('button', { name: '确认' }).click();
    const time = await t1.take('time', WAIT);
    t.match(time, { state: 'paused', pause: { scope: 'candidate', reason: '考生身体不适' } }, 'the terminal received the pause');
    await page.locator('button.seat[data-seat="01"][data-state="paused"]').waitFor();
    await page.getByTestId('seat-commands').getByRole('button', { name: '继续' }).waitFor();
    await shot(page, '07-paused');
  });

  await step(t, 'an incident (违纪) is recorded for the seat, with category and note, and counted', async (t) => {
    await page.getByTestId('seat-commands').getByRole('button', { name: '记录违纪' }).click();
    await dialog.getByText('为 01 号座 张伟 记录违纪').waitFor();
    await dialog.locator('select[name=category]').selectOption('talking');
    await dialog.locator('textarea').fill('与邻座交谈，已警告');
    await shot(page, '08-incident-dialog');
    await dialog.getByRole('button', { name: '确认' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('summary').getByText('违纪/异常 1').waitFor();
    const res = await app.inject({
      method: 'GET',
      url: `/api/proctor/sessions/${r.sessionId}/incidents`,
      headers: { cookie: await login(app, 'invig', PASSWORDS.invig) },
    });
    t.match(
      (res.json() as { incidents: unknown[] }).incidents,
      [{ seat: '01', category: 'talking', note: '与邻座交谈，已警告', candidate: { name: '张伟' } }],
      'stored with the seat and the candidate',
    );
  });

  await step(t, 'integrity events fold per seat; all alerts of that kind are acknowledged at once with one note', async (t) => {
    // B sits at T2 now; both candidates do something the terminal reports.
    const t2 = await Term.open(top, r.port, r.tokens.T2);
    await logIn(t2, r.ticket(B), true);
    await t2.ask({ type: 'integrity', kind: 'focus_lost', detail: '3 s' }, 'noted');
    await t2.ask({ type: 'integrity', kind: 'focus_lost', detail: '4 s' }, 'noted');
    await t2.ask({ type: 'integrity', kind: 'paste' }, 'noted');
    await t1.ask({ type: 'integrity', kind: 'copy' }, 'noted');
    const items = page.locator('li[data-kind="integrity"][data-acked="no"]');
    await page.locator('li[data-kind="integrity"]', { hasText: '离开了考试窗口 ×2；尝试粘贴' }).waitFor();
    await items.nth(1).waitFor();
    t.equal(await items.count(), 2, 'four events from two seats: two alerts');
    t.match(await items.filter({ hasText: '02 号座' }).textContent(), /×3/, 'seat 02’s three events counted on one alert');
    await shot(page, '08a-integrity-folded');
    await page.locator('button[data-ack-kind="integrity"]').click();
    await dialog.getByText('一并处理 2 条告警').waitFor();
    await dialog.locator('textarea').fill('已提醒两位考生遵守考场纪律');
    await shot(page, '08b-ack-all-of-kind');
    await dialog.getByRole('button', { name: '确认' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('li[data-kind="integrity"][data-acked="yes"]').nth(1).waitFor();
    t.equal(await items.count(), 0, 'both acknowledged');
    const res = await app.inject({ method: 'GET', url: '/api/proctor/alerts?room=R1', headers: { cookie: await login(app, 'invig', PASSWORDS.invig) } });
    const notes = (res.json() as { kind: string; acknowledged: { note: string } | null }[])
      .filter((a) => a.kind === 'integrity')
      .map((a) => a.acknowledged?.note);
    t.same(notes, ['已提醒两位考生遵守考场纪律', '已提醒两位考生遵守考场纪律'], 'one note on each');
    const audited = app.ctx.audit.list({ limit: 50 }).filter((e) => e.action === 'proctor.alert.ack' && (e.detail as { batch?: number }).batch === 2);
    t.equal(audited.length, 2, 'each acknowledgement audited, as one batch of 2');
  });

  await step(t, 'a candidate who declined face recognition is confirmed at the seat by eye, with one click (issue 23)', async (t) => {
    // As the kiosk records a decline (it owns face_consents); from now on an alert of A's seat asks for a check.
    app.ctx.db
      .prepare(
        `INSERT INTO face_consents (id_number, session_id, decision, notice_version, notice_sha256, notice_lang, device_id, decided_at)
         VALUES (?, ?, 'declined', 'e2e', ?, 'zh-CN', 'K1', ?)`,
      )
      .run(A, r.sessionId, '0'.repeat(64), r.clock.now());
    await t1.ask({ type: 'integrity', kind: 'copy' }, 'noted');
    const list = page.getByTestId('identity-checks');
    await list.locator('li[data-seat="01"]').waitFor();
    t.match(await list.textContent(), /待人工核验身份（1）.*01 号座 · 张伟.*座位告警后复核/, 'the to-do names the seat, the person and why');
    await seat('01').locator('.id-check.due').waitFor();
    await shot(page, '08c-identity-check-due');
    await list.getByRole('button', { name: '已核验本人' }).click();
    await list.waitFor({ state: 'detached' });
    await seat('01').locator('.id-check', { hasText: '人工核验' }).waitFor();
    const row = app.ctx.db.prepare('SELECT reason, confirmed_by AS by FROM seat_identity_confirmations WHERE id_number = ?').get(A);
    t.same(row, { reason: 'alert', by: 'user:invig' }, 'recorded as the invigilator’s check');
  });

  await step(t, 'someone else at the seat: 不是本人 asks what was seen, then records the incident, locks the paper and alerts', async (t) => {
    // A new occurrence at A's seat: the alerts so far handled, then another event opens a new alert and a new check.
    for (const a of app.proctor.alerts.list({ rooms: ['R1'], open: true }).filter((x) => x.idNumber === A))
      app.proctor.alerts.ack(a.id, '已处理', 'user:invig');
    await t1.ask({ type: 'integrity', kind: 'paste' }, 'noted');
    const list = page.getByTestId('identity-checks');
    await list.locator('li[data-seat="01"]').waitFor();
    await list.getByRole('button', { name: '不是本人' }).click();
    await dialog.getByText('座位上的人不是本人？').waitFor();
    await dialog.getByRole('button', { name: '确认' }).click();
    await dialog.getByText('此项必填').waitFor();
    t.equal(
      (app.ctx.db.prepare("SELECT COUNT(*) AS n FROM proctor_incidents WHERE category = 'impersonation'").get() as { n: number }).n,
      0,
      'no note, nothing recorded',
    );
    await dialog.locator('textarea').fill('座位上的人与身份证照片明显不符');
    await shot(page, '08d-not-the-person-ask');
    await dialog.getByRole('button', { name: '确认' }).click();
    await dialog.waitFor({ state: 'detached' });
    await list.waitFor({ state: 'detached' });
    await page.locator('li[data-kind="seat_not_the_person"]').waitFor();
    await shot(page, '08e-not-the-person-alert');
    const seat01 = (await app.inject({ method: 'GET', url: '/api/proctor/rooms/R1', headers: { cookie: await login(app, 'invig', PASSWORDS.invig) } }))
      .json()
      .seats.find((x: { seat: string }) => x.seat === '01');
    t.match(seat01, { locked: true, paused: true }, 'the paper is locked and its clock stopped (it was paused already)');
    const row = app.ctx.db
      .prepare(
        "SELECT outcome, confirmed_by AS by, incident_id IS NOT NULL AS incident FROM seat_identity_confirmations WHERE id_number = ? AND outcome = 'not_the_person'",
      )
      .get(A);
    t.same(row, { outcome: 'not_the_person', by: 'user:invig', incident: 1 }, 'decided as not the person, with its incident');
    // The chief examiner found it was the candidate after all: the paper goes on (the steps after use A's seat).
    app.terminal.setLock(r.sessionId, A, false, '主考核实为本人', 'user:admin');
  });

  await step(t, 'a candidate not yet at a PC is re-seated to a free seat (confirmed, with a reason)', async (t) => {
    await seat('03').click();
    await page.getByTestId('seat-commands').getByRole('button', { name: '换座' }).click();
    await dialog.locator('select[name=seat]').selectOption('05');
    await dialog.locator('textarea').fill('03 号座桌椅损坏');
    await dialog.getByRole('button', { name: '确认' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('button.seat[data-seat="05"] .who', { hasText: '王芳' }).waitFor();
    t.equal(await seat('03').getAttribute('data-state'), 'empty', 'seat 03 is free now');
    t.equal(app.exam.plans.roster(r.sessionId).find((e) => e.idNumber === C)?.seat, '05', 'the roster says 05');
    await seat('01').click();
    await page.mouse.move(5, 5);
  });

  await step(t, 'the room’s camera plays in a live tile', async (t) => {
    const tile = page.locator('figure.tile[data-source="CAM-R1"]');
    await tile.waitFor();
    await page.locator('figure.tile[data-source="CAM-R1"][data-state="playing"]').waitFor({ timeout: 40_000 });
    t.equal(await page.evaluate("document.querySelector('figure.tile video').muted"), true, 'muted by default');
    await tile.scrollIntoViewIfNeeded();
    await shot(page, '09-tiles');
    await tile.click();
    await page.locator('figure.tile.big').waitFor();
    await shot(page, '10-tile-enlarged');
    await tile.click();
    await page.locator('figure.tile.big').waitFor({ state: 'detached' });
    // Playback: the source's recordings over the session, as a line with gaps (red) and alerts marked.
    await page.getByTestId('playback').locator('select').selectOption('CAM-R1');
    await page.getByTestId('playback').locator('.timeline').waitFor();
    t.equal(await page.getByTestId('playback').locator('.error').count(), 0, 'the recordings list loads');
    t.match(await page.getByTestId('playback').textContent(), /段录像/, 'and says how many segments it holds');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, '11-room-english');
    await page.getByRole('button', { name: '中文' }).click();
  });

  await step(t, 'an inspector of another city sees nothing of this site', async (t) => {
    await context.clearCookies();
    await page.goto(`${base}/inspector/`);
    await page.fill('input[name=username]', 'sz');
    await page.fill('input[name=password]', PASSWORDS.sz);
    await page.click('button[type=submit]');
    await page.getByTestId('no-sites').waitFor();
    t.equal(await page.getByTestId('site').count(), 0, 'no site');
    t.equal(await page.locator('figure.tile').count(), 0, 'no video');
    await shot(page, '12-inspector-other-city');
    const sz = await login(app, 'sz', PASSWORDS.sz);
    const get = async (url: string) => (await app.inject({ method: 'GET', url, headers: { cookie: sz } })).statusCode;
    t.same((await app.inject({ method: 'GET', url: '/api/inspector/sites', headers: { cookie: sz } })).json(), [], 'the sites list is empty');
    t.equal(await get('/api/inspector/sessions'), 403, 'no sessions');
    t.equal(await get(`/api/inspector/sessions/${r.sessionId}`), 403, 'not even by id');
    t.equal(await get('/api/proctor/alerts?room=R1'), 403, 'no alerts');
    t.equal(await get(`/api/proctor/sessions/${r.sessionId}/incidents`), 403, 'no incidents');
    t.equal(await get('/api/live/sources'), 403, 'no live sources');
    t.equal(await upgradeStatus(`${wsEndpoint(r.port).base}/ws/live/CAM-R1`, { cookie: sz }), 403, 'no live video');
    t.not(await upgradeStatus(`${wsEndpoint(r.port).base}/ws/proctor?room=R1`, { cookie: sz }), 101, 'no proctor feed');
  });

  await step(t, 'a provincial inspector sees the site, its room, camera and session — read-only', async (t) => {
    await page.getByRole('button', { name: '退出' }).click();
    await page.fill('input[name=username]', 'gd');
    await page.fill('input[name=password]', PASSWORDS.gd);
    await page.click('button[type=submit]');
    await page.getByTestId('site').waitFor();
    await page.getByText('测试考点').waitFor();
    await page.locator(`tr[data-session="${r.sessionId}"]`).getByText('考试中').waitFor();
    await page.locator('li[data-room="R1"] > button').click();
    await page.locator('figure.tile[data-source="CAM-R1"][data-state="playing"]').waitFor({ timeout: 40_000 });
    await shot(page, '13-inspector');
    const audited = () =>
      app.ctx.audit
        .list({ limit: 200 })
        .filter((e) => e.actor === 'user:gd' && e.action.startsWith('media.live.view'))
        .map((e) => e.action);
    t.ok(audited().includes('media.live.view.start'), 'the inspector’s view start is audited');
    await page.locator('li[data-room="R1"] > button').click();
    await page.locator('figure.tile').waitFor({ state: 'detached' });
    for (let i = 0; i < 100 && !audited().includes('media.live.view.stop'); i++) await new Promise((res) => setTimeout(res, 50));
    t.ok(audited().includes('media.live.view.stop'), 'closing the tiles ends the view, audited too');
    await page.locator(`tr[data-session="${r.sessionId}"]`).getByRole('button', { name: '详情' }).click();
    await page.getByTestId('session-detail').getByText('与邻座交谈，已警告').waitFor();
    // The one recorded by hand and the 替考 of the seat check found not to be the person.
    t.equal(await page.locator(`tr[data-session="${r.sessionId}"] td.hot`).first().textContent(), '2', 'the incidents are counted on the session row');
    await shot(page, '14-inspector-session');
    const labels = await page.locator('button').allTextContents();
    const commands = labels.filter((l) => /暂停|继续|加时|交卷|锁屏|解锁|违纪|开考|结束|处理/.test(l));
    t.same(commands, [], 'no command button anywhere on the inspector view');
    await page.getByTestId('session-detail').getByRole('button', { name: '关闭' }).click();
  });

  await step(t, 'at the end of the exam, who never started is absent on the seat map and in the counts', async (t) => {
    // 王芳 comes through the door late but never sits at a PC.
    app.terminal.admitCandidate(r.sessionId, C, 'user:admin');
    await context.clearCookies();
    await page.goto(`${base}/proctor/`);
    await page.fill('input[name=username]', 'invig');
    await page.fill('input[name=password]', PASSWORDS.invig);
    await page.click('button[type=submit]');
    await page.locator('button.seat[data-seat="05"][data-state="admitted"]').waitFor();
    await page.getByTestId('summary').getByText('实到 3').waitFor();
    await page.getByRole('button', { name: '结束考试' }).click();
    await dialog.getByRole('button', { name: '确认' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-testid=session-status][data-status=ended]').waitFor();
    await page.locator('button.seat[data-seat="05"][data-state="absent"]').waitFor();
    t.match(await seat('05').textContent(), /王芳.*缺考/, 'seat 05: absent (缺考), not 已入场');
    await page.getByTestId('summary').getByText('实到 2').waitFor();
    t.match(await page.getByTestId('summary').textContent(), /应考 3.*实到 2.*缺考 1/, 'the counts: 3 expected, 2 present, 1 absent');
    const ended = app.ctx.audit.list({ limit: 50 }).find((e) => e.action === 'exam.session.status' && (e.detail as { to?: string }).to === 'ended');
    t.match(ended?.detail, { admittedNeverStarted: [r.ticket(C)] }, 'the end is audited with who never started');
    await shot(page, '15-ended-absent');
  });

  await step(t, 'disabled by an admin, the invigilator’s console stops at once, says why and asks to sign in, without reconnecting', async (t) => {
    const admin = await login(app, 'admin', PASSWORDS.admin);
    let sockets = 0;
    page.on('websocket', () => sockets++);
    const res = await app.inject({ method: 'PATCH', url: '/api/users/invig', headers: { cookie: admin }, payload: { disabled: true } });
    t.equal(res.statusCode, 200);
    await page.getByTestId('session-ended').getByText('账号已停用或权限').waitFor();
    await page.getByTestId('seat-map').waitFor({ state: 'detached' });
    t.equal(await page.locator('figure.tile').count(), 0, 'no live tile left playing');
    await page.locator('input[name=username]').waitFor();
    // Longer than the feed's and the tiles' retry delay (1.5 s): nothing tries to connect again.
    await new Promise((res) => setTimeout(res, 4000));
    t.equal(sockets, 0, 'no socket opened after the session ended');
    await shot(page, '15b-signed-out');
  });

  t.same(pageErrors, [], 'no script errors on the pages');
  t.same(foreign, [], 'nothing fetched from anywhere but the appliance');
});
