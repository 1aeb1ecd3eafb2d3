// End to end: playback of recorded footage in the proctor console and the inspector view. The real
// server records a real RTSP camera (H.264 + G.711, turned into AAC by ingest) in 3-second segments
// for a running session, with an outage in the middle (the camera's encoder stops for ~8 s, so there
// is a hole and a camera_down alert). In Debian's Chromium: clicking the timeline plays from that
// instant (the picture moves, the shown server time is the clicked one); the alert's "jump" plays
// from 10 s before it; playing on across the hole says so and skips it. A provincial inspector plays
// the same camera from the session's details — one audited view start and stop, however many
// segments — and an inspector of another city gets nothing. The session is started 20 minutes before
// its planned time (as the demo guide suggests), so the timelines must run from the actual start.
// A terminal's screen (T1 at seat 01, a second real RTSP stream ingested as that terminal's screen
// source) records for the first seconds and is then gone, as when the terminal closes: the seat's
// "屏幕录像" still plays it in the console, an integrity alert's "回放" jumps to it, and the inspector
// replays it from the session's details with the integrity event in words, not its code.
// Then a recording tiered to the object store plays in the proctor console like any other. A real
// Ceph RADOS Gateway on loopback (one cluster for the file) is the site's store; a session runs in R1,
// whose camera's footage (recorded by the real ffmpeg: H.264 + G.711 in 2-s Matroska segments, as
// ingest writes them) was uploaded through the store client, registered in tier_objects and deleted
// from the media folder. Clicking the timeline plays it through the real player (the segment remuxed
// from ranged reads of the store); with the store's gateway stopped, a segment not yet read says in the
// console that the store does not answer, instead of spinning.
// Both tests share the file's one Chromium (a fresh profile each).
// Screenshots: tests/artifacts/proctor/ and tests/artifacts/tiered-playback/.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { startRtspSource } from '../../media/index.ts';
import type { App } from '../../server/app.ts';
import { createTierRows, type SegmentRow } from '../../storage/index.ts';
import { buildTestApp, ROOT, PASSWORDS, login, scratchDir, httpsTestConfig, listenForTests } from '../helpers.ts';
import { chainedSteps, openBrowser, assertSecureName, requireChromiumAndApps } from './browser.ts';
import { TEMPLATE, bankQuestions, csv, person } from '../exam/plans-fixture.ts';
import { Term, logIn } from '../terminal/fixture.ts';
import { pairDevice } from '../helpers.ts';
import { startRadosgw } from '../helpers/radosgw.ts';
import { until, sleep } from '../wait.ts';

const ARTIFACTS = join(ROOT, 'tests/artifacts/proctor');
const TIERED_ARTIFACTS = join(ROOT, 'tests/artifacts/tiered-playback');
const WAIT = 20_000;
const SOURCE = 'CAM-R1';
/** Terminal T1's screen (media/screens.ts screenSourceId), at seat 01 of R1. */
const SCREEN = 'SCREEN-T1';

requireChromiumAndApps('proctor', 'inspector', 'admin');

/** YYYY-MM-DDTHH:mm in the site's zone (Asia/Shanghai, UTC+8). */
const siteLocal = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);

interface Debug {
  state: string;
  at: number | null;
  segmentId: number | null;
  frames: number;
  videoWidth: number;
  played: number[];
  skipped: { start: number; end: number; reason: string }[];
  error: string | null;
}
interface Rec {
  from: number;
  to: number;
  segments: { id: number; start: number; end: number }[];
  gaps: { start: number; end: number; reason: string }[];
}

const debug = (page: Page, source = SOURCE) => page.evaluate(`window.__playback?.[${JSON.stringify(source)}] ?? null`) as Promise<Debug | null>;
const shownVideo = (page: Page) =>
  page.evaluate(
    `(() => { const v = document.querySelector('.pb-host video:not([hidden])'); return v ? { t: v.currentTime, w: v.videoWidth, paused: v.paused } : null; })()`,
  ) as Promise<{ t: number; w: number; paused: boolean } | null>;

/** Clicks the timeline at server time `at` (the line's range is in its data-from / data-to). */
async function clickTimeline(page: Page, scope: string, at: number): Promise<number> {
  const line = page.locator(`${scope} .pb-timeline`);
  // The mouse clicks at viewport coordinates: the line must be on screen, with the picture above it.
  await page.locator(`${scope} .pb`).scrollIntoViewIfNeeded();
  await line.scrollIntoViewIfNeeded();
  const from = Number(await line.getAttribute('data-from'));
  const to = Number(await line.getAttribute('data-to'));
  const box = (await line.boundingBox())!;
  const x = box.x + ((at - from) / (to - from)) * box.width;
  await page.mouse.click(x, box.y + box.height / 2);
  // What the click means, at the pixel it landed on.
  return from + ((Math.round(x * 100) / 100 - box.x) / box.width) * (to - from);
}

/**
 * A session in R1 planned 20 minutes from now (timelines must run from its actual start), one candidate
 * at seat 01, papers ready. The server's clock must be two minutes behind so that it may be planned.
 */
async function plannedSession(app: App, name: string) {
  const plans = app.exam.plans;
  app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
  const minute = Math.floor(Date.now() / 60_000) * 60_000;
  const day = siteLocal(minute).slice(0, 10);
  const plan = plans.createPlan({ name, from: day, to: day }, 'user:admin');
  const s = plans.createSession({ planId: plan.id, room: 'R1', startsAt: siteLocal(minute + 20 * 60_000), templateId: TEMPLATE.id }, 'user:admin');
  await plans.importRoster(s.id, { bytes: csv([person(1, '张伟')]), filename: 'roster.csv' }, 'user:admin');
  plans.assignSeats(s.id, 'user:admin');
  const candidate = plans.roster(s.id)[0]!;
  if (candidate.seat !== '01') plans.reseat(s.id, candidate.idNumber, '01', 'user:admin');
  plans.generateSessionPapers(s.id, 'user:admin');
  return { s, candidate };
}

/** Check-in, then under way, through the console's route; `atCheckin` runs in between (an admission). */
async function startSession(t: Test, app: App, admin: string, sessionId: string, atCheckin?: () => void): Promise<void> {
  for (const status of ['checkin', 'in_progress']) {
    const res = await app.inject({ method: 'POST', url: `/api/proctor/sessions/${sessionId}/status`, headers: { cookie: admin }, payload: { status } });
    t.equal(res.statusCode, 200, `session → ${status}${res.statusCode === 200 ? '' : `: ${res.body}`}`);
    if (status === 'checkin') atCheckin?.();
  }
}

/** The proctor console, logged in as invig through its form; invig watches R1 only, so it opens without a room list. */
async function invigilatorConsole(t: Test, page: Page, base: string): Promise<void> {
  await page.goto(`${base}/proctor/`);
  await assertSecureName(t, page, base);
  await page.fill('input[name=username]', 'invig');
  await page.fill('input[name=password]', PASSWORDS.invig);
  await page.click('button[type=submit]');
  await page.getByTestId('seat-map').waitFor();
}

async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate('document.fonts.ready.then(() => undefined)');
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false, animations: 'disabled', caret: 'hide' });
}

t.test('recorded footage plays from the timeline and from alerts, holes are skipped, inspectors are audited', async (t) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const cam = await startRtspSource({ path: 'cam-playback', width: 320, height: 240, fps: 10, gop: 10, audio: true });
  t.teardown(() => cam.stop());
  // The server runs on the real time (recording needs it), but the session is created "two minutes
  // ago" so that it may start at the current minute.
  let offset = -120_000;
  const clock = { now: () => Date.now() + offset };
  const extraYaml = `cameras:\n  - { id: ${SOURCE}, name: 一号考场前方, room: R1, url: "${cam.url}" }\nmedia: { segmentSeconds: 3, stallSeconds: 3, maxBackoffSeconds: 1, reserveMiB: 0 }\nretention: { minFreeGiB: 1 }\n`;
  const app = await buildTestApp({ config: httpsTestConfig(scratchDir(t, 'examroom-e2e-playback-'), extraYaml), clock });
  t.teardown(() => app.close());
  const { base } = await listenForTests(app);

  const admin = await login(app, 'admin', PASSWORDS.admin);
  const plans = app.exam.plans;
  // Planned 20 minutes from now, started now: an early start.
  const { s, candidate } = await plannedSession(app, '回放测试计划');
  offset = 0;
  await startSession(t, app, admin, s.id, () => app.terminal.admitCandidate(s.id, candidate.idNumber, 'user:admin'));
  const started = Date.now();
  t.ok(plans.session(s.id).startsAt > started + 15 * 60_000, 'the exam started well before its planned time');
  // T1's screen records from now on, as a terminal's /ws/screen would feed it (a stream without sound).
  const screen = await startRtspSource({ path: 'screen-t1', width: 320, height: 240, fps: 10, gop: 10, audio: false });
  t.teardown(() => screen.stop());
  app.media.addSource({ id: SCREEN, name: 'T1 屏幕（R1 座位 01）', room: 'R1', kind: 'screen', input: { url: screen.url }, audio: false });
  // The candidate at T1 leaves full screen: an integrity incident and an alert about terminal T1.
  const { port } = new URL(base);
  const term = await Term.open(t, Number(port), await pairDevice(app, 'terminal', 'T1', admin));
  await logIn(term, candidate.ticketNo, true);
  term.send({ type: 'integrity', kind: 'fullscreen_left', detail: 'F11' });
  const recordings = async (cookie = admin) =>
    (await app.inject({ url: `/api/media/sources/${SOURCE}/recordings?from=${started - 60_000}&to=${Date.now() + 1000}`, headers: { cookie } })).json() as Rec;

  // ~14 s of recording, an ~8 s outage (the camera_down alert), then recording again.
  const { context, page, pageErrors } = await openBrowser(t, { base, width: 1366, height: 900, wait: WAIT });
  const consoleLog: string[] = [];
  page.on('console', (m) => {
    consoleLog.push(`${m.type()}: ${m.text()}`.slice(0, 300));
    if (m.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(m.text())) pageErrors.push(m.text());
  });
  // Logging in while the camera records.
  await invigilatorConsole(t, page, base);
  t.match(
    await page.getByTestId('session-times').textContent(),
    /^\d\d:\d\d–\d\d:\d\d .*（计划 \d\d:\d\d–\d\d:\d\d）$/,
    'an early start: the bar runs on the actual start, the plan beside it',
  );

  await until('14 s recorded since the session started', async () => (await recordings()).segments.some((g) => g.end >= started + 14_000), 40_000);
  const screenRec = async () =>
    (
      await app.inject({ url: `/api/media/sources/${SCREEN}/recordings?from=${started - 60_000}&to=${Date.now() + 1000}`, headers: { cookie: admin } })
    ).json() as Rec;
  await until("T1's screen recorded", async () => (await screenRec()).segments.length >= 2, 20_000);
  // The terminal goes: its screen is no longer a live source, its recordings stay.
  await app.media.removeSource(SCREEN);
  await screen.stop();
  t.notOk(
    app.media.sources().some((x) => x.id === SCREEN),
    'the screen is no longer a live source',
  );
  const outage = Date.now();
  await cam.stopPublisher();
  const invig = await login(app, 'invig', PASSWORDS.invig);
  const alerts = async () =>
    (await app.inject({ url: '/api/proctor/alerts?room=R1', headers: { cookie: invig } })).json() as {
      id: string;
      kind: string;
      at: number;
      sourceId: string | null;
    }[];
  const down = await until('the camera_down alert', async () => (await alerts()).find((a) => a.kind === 'camera_down' && a.sourceId === SOURCE), 20_000);
  await sleep(Math.max(0, outage + 8000 - Date.now()));
  await cam.startPublisher();
  await until('recording again after the outage', async () => (await recordings()).segments.filter((g) => g.start > outage + 2000).length >= 2, 40_000);
  const rec = await recordings();
  const hole = rec.gaps.find((g) => g.start >= outage - 5000 && g.end > outage);
  t.ok(hole, `the outage is a gap in the recordings: ${JSON.stringify(rec.gaps)}`);
  // What a camera dropping just after a cut can leave: a segment of a millisecond with no whole frame
  // (seen under load in CI). Made here, so the player meets it every time: it must go on past it.
  const last = app.media.store
    .segments(SOURCE, 0, hole!.start + 1)
    .filter((g) => g.end <= hole!.start)
    .at(-1)!;
  const sliverPath = `${last.path}.sliver.ts`;
  writeFileSync(join(app.ctx.paths.media, sliverPath), readFileSync(join(app.ctx.paths.media, last.path)).subarray(0, 2 * 188));
  app.media.store.addSegment({ sourceId: SOURCE, start: last.end, end: last.end + 1, bytes: 2 * 188, path: sliverPath });
  t.comment(`outage ${new Date(outage).toISOString()}, gap ${JSON.stringify(hole)}, camera_down at ${new Date(down.at).toISOString()}`);

  const step = chainedSteps(async () => {
    await shot(page, 'failed-playback').catch(() => {});
    // What the player was doing, for whoever reads the failure.
    t.comment(`player: ${JSON.stringify(await debug(page).catch(() => null))}; video: ${JSON.stringify(await shownVideo(page).catch(() => null))}`);
    t.comment(`console (last 30):\n${consoleLog.slice(-30).join('\n')}`);
  });
  const pb = page.getByTestId('playback');

  await step(t, 'a click on the timeline plays from that instant', async (t) => {
    await pb.locator('select').selectOption(SOURCE);
    await pb.locator('.pb-timeline').waitFor();
    await pb.getByText('点击下方时间轴').waitFor();
    const first = rec.segments.find((g) => g.start >= started)!;
    const clicked = await clickTimeline(page, '[data-testid=playback]', first.start + 2500);
    await until('the picture plays', async () => {
      const d = await debug(page);
      return d && d.state === 'playing' && d.frames > 5 && d.videoWidth > 0;
    });
    const d0 = (await debug(page))!;
    const v0 = (await shownVideo(page))!;
    await sleep(1200);
    const v1 = (await shownVideo(page))!;
    const d1 = (await debug(page))!;
    t.ok(v0.w > 0, `the video has a picture (${v0.w} px wide)`);
    // The shown element may change at a segment boundary meanwhile; the server time shown may not stand still.
    if (d1.segmentId === d0.segmentId) t.ok(v1.t > v0.t + 0.5, `the video's time advances (${v0.t.toFixed(2)} → ${v1.t.toFixed(2)} s)`);
    t.ok(d1.at! > d0.at! + 500 && d1.frames > d0.frames + 5, `the picture moves on (${d1.frames - d0.frames} frames, ${d1.at! - d0.at!} ms)`);
    // The line spans the whole recording window (half an hour before the start on): a pixel is ~2 s and
    // the page reads the click's pixel as the browser rounds it, so the segment meant is one within a
    // pixel of the instant the click landed on (3-s segments: it may be the next one).
    const line = pb.locator('.pb-timeline');
    const msPerPx = (Number(await line.getAttribute('data-to')) - Number(await line.getAttribute('data-from'))) / (await line.boundingBox())!.width;
    const near = rec.segments.filter((g) => g.end > clicked - msPerPx && g.start < clicked + msPerPx).map((g) => g.id);
    t.ok(
      near.includes(d0.played[0]!),
      `the segment holding the clicked instant plays (${d0.played[0]} of ${near.join(', ')}; ${Math.round(msPerPx)} ms a pixel)`,
    );
    const shown = Number(await pb.getByTestId('playback-time').getAttribute('data-at'));
    t.ok(
      Math.abs(shown - clicked) < 4000 + msPerPx,
      `the shown time (${new Date(shown).toISOString()}) is the clicked one (${new Date(clicked).toISOString()}) give or take the seconds played`,
    );
    t.match(await pb.getByTestId('playback-time').textContent(), /^\d\d:\d\d:\d\d$/, 'as a clock time');
    const head = await pb.locator('.pb-playhead').boundingBox();
    t.ok(head, 'a playhead is on the timeline');
  });

  await step(t, 'jumping to an alert plays from 10 s before it, and the hole after it is skipped, said so', async (t) => {
    const li = pb.locator(`.pb-marks li[data-alert="${down.id}"]`);
    await li.waitFor();
    t.match(await li.textContent(), /摄像机|中断|CAM/, 'the camera_down alert is listed under the timeline');
    await li.getByRole('button', { name: '跳转' }).click();
    const target = down.at - 10_000;
    await until('playing from before the alert', async () => {
      const d = await debug(page);
      return d && d.state === 'playing' && d.at !== null && d.at < down.at - 5000 && d.frames > 0;
    });
    const at = (await debug(page))!.at!;
    t.ok(at >= target - 1500 && at <= target + 4000, `plays from ${((down.at - at) / 1000).toFixed(1)} s before the alert (wanted 10 s)`);
    await shot(page, '15-playback');
    // Playing on reaches the hole: a notice, then the recording after it.
    await pb.getByTestId('playback-notice').getByText('此段无录像').waitFor({ timeout: 30_000 });
    const d = await until(
      'past the hole',
      async () => {
        const x = await debug(page);
        return x && x.state === 'playing' && x.at !== null && x.at > hole!.end - 500 && x;
      },
      20_000,
    );
    // The outage's hole is skipped; a loaded machine may add a short hole of its own (a restarted ingest).
    t.ok(d.skipped.length >= 1, `holes skipped: ${JSON.stringify(d.skipped)}`);
    t.ok(
      d.skipped.some((g) => g.start <= hole!.start + 500 && g.end >= hole!.end - 500),
      'the outage’s hole',
    );
    t.match(await pb.locator('.pb-skipped').textContent(), /已跳过 .* – .*无录像/, 'and the player says what it skipped');
    await pb.getByRole('button', { name: '暂停' }).click();
    await until('paused', async () => (await debug(page))?.state === 'paused');
    const p0 = (await shownVideo(page))!;
    await sleep(600);
    t.equal((await shownVideo(page))!.t, p0.t, 'pause stops the picture');
    t.equal(await pb.getByRole('button', { name: '声音' }).count(), 1, 'a camera has a sound button');
  });

  await step(t, "a seat's screen recording is one click from the seat, though the terminal has gone", async (t) => {
    t.equal(await pb.locator(`select option[value="${SCREEN}"]`).count(), 1, 'the screen is listed for playback while not live');
    await page.getByTestId('seat-map').locator('[data-seat="01"]').click();
    await page.getByTestId('seat-recording').click();
    await until('the seat’s screen is chosen', async () => (await pb.locator('select').inputValue()) === SCREEN);
    const line = pb.locator(`.pb[data-source="${SCREEN}"] .pb-timeline`);
    await line.waitFor();
    const shown = await screenRec();
    t.ok(shown.segments.length >= 2, `the screen has ${shown.segments.length} segments`);
    t.equal(await line.locator('span:not(.live)').count(), shown.segments.length, 'each segment is on the timeline');
    await clickTimeline(page, '[data-testid=playback]', shown.segments[0]!.start + 1000);
    await until('the screen recording plays', async () => {
      const d = await debug(page, SCREEN);
      return d && d.state === 'playing' && d.frames > 3 && d.videoWidth > 0;
    });
    t.equal(await pb.getByRole('button', { name: '声音' }).count(), 0, 'a screen has no sound button');
    await shot(page, '17-seat-screen-recording');
  });

  await step(t, "an alert's 回放 in the feed plays its recording from just before it", async (t) => {
    const feedList = page.getByTestId('alerts');
    await feedList.locator(`[data-alert="${down.id}"] [data-testid=alert-jump]`).click();
    await until('the camera is chosen', async () => (await pb.locator('select').inputValue()) === SOURCE);
    const d = await until('playing the camera from before its alert', async () => {
      const x = await debug(page);
      return x && x.state === 'playing' && x.at !== null && x.at < down.at - 5000 && x;
    });
    t.ok(d.at! >= down.at - 11_500, `from ${((down.at - d.at!) / 1000).toFixed(1)} s before the camera alert (wanted 10 s)`);
    const integrity = (await alerts()).find((a) => a.kind === 'integrity');
    t.ok(integrity, 'the integrity alert of T1 is there');
    await feedList.locator(`[data-alert="${integrity!.id}"] [data-testid=alert-jump]`).click();
    await until('T1’s screen is chosen', async () => (await pb.locator('select').inputValue()) === SCREEN);
    await until('and plays', async () => {
      const x = await debug(page, SCREEN);
      return x && x.state === 'playing' && x.frames > 0;
    });
    await pb.getByRole('button', { name: '暂停' }).click();
    await shot(page, '18-alert-jump-to-screen');
  });

  await step(t, 'a provincial inspector plays the camera back, one audited view', async (t) => {
    await context.clearCookies();
    await page.goto(`${base}/inspector/`);
    await page.fill('input[name=username]', 'gd');
    await page.fill('input[name=password]', PASSWORDS.gd);
    await page.click('button[type=submit]');
    await page.locator(`tr[data-session="${s.id}"]`).getByRole('button', { name: '详情' }).click();
    const dlg = page.getByTestId('session-detail');
    await dlg.locator(`button[data-source="${SOURCE}"]`).click();
    await dlg.locator('.pb-timeline').waitFor();
    const audit = () => app.ctx.audit.list({ limit: 500, actor: 'user:gd' }).filter((e) => e.target === SOURCE && e.action.startsWith('media.view'));
    t.equal(audit().length, 0, 'listing the recordings is not a view yet');
    const first = rec.segments.find((g) => g.start >= started)!;
    await clickTimeline(page, '[data-testid=session-detail]', first.start + 1000);
    await until('the inspector’s player plays two segments', async () => {
      const d = await debug(page);
      return d && d.state === 'playing' && d.played.length >= 2 && d.videoWidth > 0;
    });
    await dlg.locator(`.pb-marks li[data-alert="${down.id}"]`).waitFor();
    t.pass('the room’s camera_down alert is marked on the inspector’s timeline too');
    await shot(page, '16-inspector-playback');
    const starts = audit().filter((e) => e.action === 'media.view.start');
    t.equal(starts.length, 1, 'one view start for all its segments');
    t.match(starts[0]?.detail, { what: 'playback' });
    await dlg.getByRole('button', { name: '关闭' }).click();
    const stop = await until('the view stop', async () => audit().find((e) => e.action === 'media.view.stop'), 5000);
    t.match(stop.detail, { what: 'playback', reason: 'stopped' }, 'closing the player ends the view in the audit log');
    t.ok((stop.detail as { segments: number }).segments >= 2, 'with the segments it read');
  });

  await step(t, 'the inspector replays the early-started session whole: its window, the screen, the alert, the event in words', async (t) => {
    await page.locator(`tr[data-session="${s.id}"]`).getByRole('button', { name: '详情' }).click();
    const dlg = page.getByTestId('session-detail');
    const windowNote = dlg.getByTestId('recording-window');
    await windowNote.waitFor();
    const from = Number(await windowNote.getAttribute('data-from'));
    t.ok(from <= started - 30 * 60_000 + 1000 && from >= started - 31 * 60_000, 'the window opens 30 min before the actual check-in, not at the planned start');
    const row = dlg.locator('tr[data-kind="fullscreen_left"]');
    await row.waitFor();
    t.match(await row.textContent(), /退出了全屏/, 'the integrity event in words');
    t.notMatch(await dlg.textContent(), /fullscreen_left|visibility_hidden/, 'no raw code anywhere in the details');
    await dlg.locator(`button[data-source="${SCREEN}"]`).click();
    const line = dlg.locator(`.pb[data-source="${SCREEN}"] .pb-timeline`);
    await line.waitFor();
    t.equal(Number(await line.getAttribute('data-from')), from, 'the timeline is the recording window');
    t.ok((await line.locator('span:not(.live)').count()) >= 2, 'the screen’s segments are on it');
    const integrity = (await alerts()).find((a) => a.kind === 'integrity')!;
    await dlg.locator(`[data-testid=alert-jump][data-alert="${integrity.id}"]`).click();
    await until('the inspector’s screen player plays from the alert', async () => {
      const x = await debug(page, SCREEN);
      return x && x.state === 'playing' && x.frames > 0 && x.videoWidth > 0;
    });
    await shot(page, '19-inspector-early-session-screen');
    await dlg.getByRole('button', { name: '关闭' }).click();
  });

  await step(t, 'an inspector of another city gets no recordings at all', async (t) => {
    const sz = await login(app, 'sz', PASSWORDS.sz);
    const seg = rec.segments[0]!;
    const get = async (url: string) => (await app.inject({ url, headers: { cookie: sz } })).statusCode;
    t.equal(await get(`/api/media/sources/${SOURCE}/recordings?from=${rec.from}&to=${rec.to}`), 403, 'no recordings list');
    t.equal(await get(`/api/media/segments/${seg.id}.ts`), 403, 'no segment');
    t.equal(await get(`/api/media/sources/${SOURCE}/playlist.m3u8?from=${rec.from}&to=${rec.to}`), 403, 'no playlist');
    t.equal(
      (await app.inject({ method: 'POST', url: `/api/media/sources/${SOURCE}/playback/stop`, headers: { cookie: sz } })).statusCode,
      403,
      'nothing to stop either',
    );
    t.equal(
      app.ctx.audit.list({ limit: 500, actor: 'user:sz' }).filter((e) => e.action.startsWith('media.view')).length,
      0,
      'and no view of theirs was opened',
    );
  });

  t.same(pageErrors, [], 'no script errors on the pages');
});

t.test('a tiered recording plays in the console; a store that is down is said so', async (t) => {
  mkdirSync(TIERED_ARTIFACTS, { recursive: true });
  const gw = await startRadosgw(t);
  const dir = scratchDir(t, 'examroom-e2e-tiered-');
  const secretFile = join(dir, 'store.secret');
  writeFileSync(secretFile, gw.secret, { mode: 0o600 });
  // The server runs on the real time but a minute ahead once the footage is in (so it is in the past).
  let offset = -120_000;
  const clock = { now: () => Date.now() + offset };
  // The camera's own address answers nothing: what it shows here is only the footage put in below.
  const extraYaml = [
    `cameras:\n  - { id: ${SOURCE}, name: 一号考场前方, room: R1, url: "rtsp://127.0.0.1:9/none" }`,
    'media: { segmentSeconds: 2, stallSeconds: 3, maxBackoffSeconds: 30, reserveMiB: 0 }',
    'retention: { minFreeGiB: 1 }',
    `objectStore: { endpoint: ${JSON.stringify(gw.endpoint)}, bucket: evidence, region: ${gw.region}, accessKeyId: ${JSON.stringify(gw.accessKeyId)}, secretFile: ${JSON.stringify(secretFile)}, prefix: site-a }`,
    '',
  ].join('\n');
  const app = await buildTestApp({ config: httpsTestConfig(dir, extraYaml), clock });
  t.teardown(() => app.close());
  const store = app.objectStore!.store;
  await store.s3.send(new CreateBucketCommand({ Bucket: 'evidence', ObjectLockEnabledForBucket: true }));
  const { base } = await listenForTests(app);

  const admin = await login(app, 'admin', PASSWORDS.admin);
  const { s } = await plannedSession(app, '分层回放测试');
  offset = 0;
  await startSession(t, app, admin, s.id);
  const started = Date.now();

  // 8 s of footage from 2 s after the start, then 2 s more after a hole (for the store-down step).
  const tmp = join(dir, 'rec');
  mkdirSync(tmp);
  const run = spawnSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=12'],
      ...['-f', 'lavfi', '-i', 'sine=f=440:sample_rate=8000:duration=12'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'pcm_alaw', '-ac', '1'],
      ...['-f', 'segment', '-segment_time', '2', '-segment_format', 'matroska', '-reset_timestamps', '1', join(tmp, `${started}-%03d.mkv`)],
    ],
    { encoding: 'utf8' },
  );
  t.equal(run.status, 0, run.stderr || 'ffmpeg recorded the footage');
  const rows = createTierRows(app.ctx.db);
  const segs: SegmentRow[] = [];
  mkdirSync(join(app.ctx.paths.media, SOURCE), { recursive: true });
  for (const [i, name] of readdirSync(tmp).sort().entries()) {
    const rel = `${SOURCE}/${name}`;
    const file = join(app.ctx.paths.media, rel);
    copyFileSync(join(tmp, name), file);
    const bytes = readFileSync(file);
    // The last one 20 s later: nothing has read it when the store goes down.
    const at = started + 2000 + i * 2000 + (i === 5 ? 20_000 : 0);
    const seg = app.media.store.addSegment({
      sourceId: SOURCE,
      start: at,
      end: at + 2000,
      bytes: bytes.length,
      path: rel,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    segs.push(seg);
    const put = await store.putFile(file, `site-a/R1/${rel}`, { metadata: { source: SOURCE, start: seg.start, end: seg.end, sha256: seg.sha256! } });
    rows.record({
      area: 'media',
      path: rel,
      kind: 'segment',
      source: SOURCE,
      start: seg.start,
      end: seg.end,
      bytes: put.bytes,
      sha256: put.sha256,
      key: put.key,
      versionId: put.versionId,
      retainUntil: null,
      verifiedBy: put.verifiedBy === 'store-checksum' ? 'checksum' : 'readback',
      verifiedAt: Date.now(),
    });
    unlinkSync(file);
    rows.markLocalDeleted('media', rel, Date.now());
  }
  t.same(readdirSync(join(app.ctx.paths.media, SOURCE)), [], 'only the store has the footage');
  offset = 60_000;

  const { page, pageErrors } = await openBrowser(t, { base, width: 1366, height: 900, wait: WAIT });

  // First the admin's System page with the store: the 详情 line in Chinese from the probe's findings (not
  // the probe's English sentence), the store's own need over the retention period, and hotDays advice.
  // The bucket was made after the server started: ask the store again (the console's 刷新 does the same).
  t.equal((await app.inject({ method: 'POST', url: '/api/system/object-store/probe', headers: { cookie: admin } })).statusCode, 200, 'the store probed again');
  const [cookieName, ...cookieValue] = admin.split(';')[0]!.split('=');
  await page.context().addCookies([{ name: cookieName!, value: cookieValue.join('='), url: base }]);
  for (const lang of ['zh', 'en'] as const) {
    await page.goto(`${base}/admin/${lang === 'en' ? '?lang=en' : ''}#/system`);
    await page.click('[data-testid=system-tab-health]');
    await page.locator('[data-testid=object-store][data-state=ok]').waitFor();
    const findings = (await page.getByTestId('object-store-findings').textContent()) ?? '';
    if (lang === 'zh') {
      t.match(findings, /存储桶 evidence；可以连接；可以写入/, `the 详情 line in Chinese: ${findings}`);
      t.notMatch(findings, /reachable|writable|bucket/, "and not the probe's English sentence");
    } else t.match(findings, /bucket evidence; reachable; writable/, `English in the English console: ${findings}`);
    await page.locator('[data-testid=object-store]').screenshot({ path: join(TIERED_ARTIFACTS, `system-object-store-${lang}.png`) });
    await page.click('[data-testid=system-tab-disk]');
    const need = page.getByTestId('store-need');
    await need.waitFor();
    if (lang === 'zh') {
      t.match(await need.textContent(), /对象存储在保留期 1096 天内约需 [\d.]+ [kMGT]?B/, "the store's need over retention");
      const disk = (await page.getByTestId('system-disk').textContent()) ?? '';
      t.match(disk, /objectStore\.hotDays/, 'what to do names hotDays');
      t.notMatch(disk, /缩短到 1096 天/, 'not shortening retention');
    } else t.match(await need.textContent(), /The object store needs about [\d.]+ [kMGT]?B over the 1096-day retention period/);
    await page.evaluate('document.fonts.ready.then(() => undefined)');
    await page.screenshot({ path: join(TIERED_ARTIFACTS, `system-disk-with-store-${lang}.png`), fullPage: true });
  }
  await page.context().clearCookies();
  await invigilatorConsole(t, page, base);
  const pb = page.getByTestId('playback');
  await pb.locator('select').selectOption(SOURCE);
  await pb.locator('.pb-timeline').waitFor();

  await clickTimeline(page, '[data-testid=playback]', segs[1]!.start + 500);
  const playing = await until(
    'the tiered footage plays',
    async () => {
      const d = await debug(page);
      return d && d.state === 'playing' && d.frames > 10 && d.videoWidth > 0 && d;
    },
    WAIT,
  );
  t.ok(
    segs.slice(0, 5).some((g) => g.id === playing.played[0]),
    `a tiered segment plays (${playing.played.join(', ')}), ${playing.videoWidth} px wide, ${playing.frames} frames`,
  );
  await page.screenshot({ path: join(TIERED_ARTIFACTS, 'tiered-playing.png') });

  await gw.stopGateway();
  t.teardown(() => gw.restart());
  const lone = segs[5]!;
  await clickTimeline(page, '[data-testid=playback]', lone.start + 500);
  const failed = await until(
    'the player says the store does not answer',
    async () => {
      const d = await debug(page);
      const text = (await pb.textContent()) ?? '';
      return d?.error || /对象存储|object store/.test(text) ? { d, text } : null;
    },
    WAIT,
  );
  t.match(failed.text, /对象存储/, `the console says so in words: ${failed.text.slice(0, 200)}`);
  await page.screenshot({ path: join(TIERED_ARTIFACTS, 'store-down.png') });
  t.same(
    pageErrors.filter((e) => !/503/.test(e)),
    [],
    'no page errors',
  );
});
