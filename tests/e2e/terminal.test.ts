// End to end: the real server on a loopback port, the built terminal app in Debian's Chromium
// (headless), one candidate from pairing the PC to the result screen — with the connection cut in
// the middle of the exam and every answer made offline reaching the database afterwards, a reload
// that reports nothing, time added and told, and the result leaving the screen by itself (and on a
// reload, for a second candidate who continues at this PC).
// Screenshots of every screen land in tests/artifacts/terminal/ (git-ignored).
import t, { type Test } from 'tap';
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { fixedClock } from '../../core/index.ts';
import type { App } from '../../server/app.ts';
import { buildTestApp, ROOT, login, PASSWORDS, scratchDir, httpsTestConfig, listenForTests } from '../helpers.ts';
import { TEMPLATE, bankQuestions, csv, idn, person } from '../exam/plans-fixture.ts';
import { chainedSteps, openBrowser, assertSecureName, requireChromiumAndApps } from './browser.ts';
import { until } from '../wait.ts';

const ARTIFACTS = join(ROOT, 'tests/artifacts/terminal');
const START = Date.parse('2026-03-10T09:00:00+08:00');
const CANDIDATE = idn(1);
const SECOND = idn(2);
/** exam.resultDisplaySeconds here: short, so the test sees the result clear by itself. */
const RESULT_SECONDS = 6;
/** Waits on visible state are bounded only so that a broken build fails instead of hanging. */
const WAIT = 20_000;

requireChromiumAndApps('terminal');

async function shot(page: Page, name: string): Promise<void> {
  // Fonts must be in before the picture: CJK glyphs load lazily.
  await page.evaluate('document.fonts.ready.then(() => undefined)');
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false, animations: 'disabled', caret: 'hide' });
}

t.test('a candidate sits the exam on a real terminal, through a lost connection, to the result', async (t) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = scratchDir(t, 'examroom-e2e-terminal-');
  // The server's clock stands still unless the test moves it: the countdown it pushes is exact.
  const clock = fixedClock(START - 20 * 60_000);
  // Snapshots every 2 s, so the fake camera's picture arrives while the test runs.
  const app: App = await buildTestApp({
    config: httpsTestConfig(join(dir, 'data'), `exam: { snapshotIntervalSeconds: 2, resultDisplaySeconds: ${RESULT_SECONDS} }\n`),
    clock,
  });
  t.teardown(() => app.close());
  const { base } = await listenForTests(app);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const db = app.ctx.db;
  /** What the admin console and the entrance kiosk would do, over HTTP. */
  const staff = async (t: Test, url: string, payload: object | undefined, what: string) => {
    const res = await app.inject({ method: 'POST', url, headers: { cookie: admin }, ...(payload ? { payload } : {}) });
    t.equal(res.statusCode, 200, what);
    if (res.statusCode !== 200) t.comment(res.body);
  };

  // The exam: a bank version, a plan, a session in R1 with one candidate at T1's seat (01), papers.
  const plans = app.exam.plans;
  // The judge questions show a safety sign (当心触电), uploaded as an admin would: pictures reach the paper.
  const sign = await sharp(
    Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="210"><polygon points="120,8 232,202 8,202" fill="#ffd400" stroke="#111" stroke-width="12" stroke-linejoin="round"/><polygon points="132,70 100,140 124,140 106,190 150,112 124,112 144,70" fill="#111"/></svg>',
    ),
  )
    .png()
    .toBuffer();
  const image = app.exam.images.put('signs/当心触电.png', sign, 'user:admin');
  const questions = bankQuestions().map((q) => (q.type === 'judge' ? { ...q, images: [image.id] } : q));
  app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions, templates: [TEMPLATE] });
  const plan = plans.createPlan({ name: '2026年3月机械行业主要负责人考核', from: '2026-03-10', to: '2026-03-31' }, 'user:admin');
  const session = plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-10T09:00', templateId: TEMPLATE.id }, 'user:admin');
  await plans.importRoster(session.id, { bytes: csv([person(1, '张伟'), person(2, '李娜')]), filename: 'roster.csv' }, 'user:admin');
  plans.assignSeats(session.id, 'user:admin');
  // The draw is random; the test wants 张伟 at 01 (this PC, T1) and 李娜 at 02.
  db.prepare('UPDATE roster_entries SET seat = NULL WHERE session_id = ?').run(session.id);
  [CANDIDATE, SECOND].forEach((id, i) =>
    db.prepare('UPDATE roster_entries SET seat = ? WHERE session_id = ? AND id_number = ?').run(`0${i + 1}`, session.id, id),
  );
  plans.generateSessionPapers(session.id, 'user:admin');
  plans.advanceSession(session.id, 'checkin', 'user:admin');
  const ticket = plans.roster(session.id).find((e) => e.idNumber === CANDIDATE)!.ticketNo;
  const ticket2 = plans.roster(session.id).find((e) => e.idNumber === SECOND)!.ticketNo;
  const answers = () =>
    Object.fromEntries(
      (
        db.prepare('SELECT no, choice FROM terminal_answers WHERE session_id = ? AND id_number = ? ORDER BY no').all(session.id, CANDIDATE) as {
          no: number;
          choice: string;
        }[]
      ).map((r) => [r.no, JSON.parse(r.choice) as number[]]),
    );
  const incidents = () =>
    (db.prepare("SELECT kind FROM terminal_incidents WHERE session_id = ? AND source = 'terminal'").all(session.id) as { kind: string }[]).map((r) => r.kind);

  // The fake camera answers the terminal's seat-check getUserMedia without a prompt.
  const { context, page, pageErrors } = await openBrowser(t, {
    base,
    width: 1366,
    height: 768,
    wait: WAIT,
    args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  });
  const foreign: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(m.text())) pageErrors.push(m.text());
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith(base.replace('http', 'ws'))) foreign.push(r.url());
  });

  const question = (no: number) => page.locator(`[data-testid="question"][data-no="${no}"]`);
  const saveState = (no: number, state: 'saved' | 'saving' | 'none') =>
    page.locator(`[data-testid="question"][data-no="${no}"] [data-testid="save-state"][data-state="${state}"]`);
  const option = (i: number) => page.getByTestId('option').nth(i);
  const button = (name: string | RegExp) => page.getByRole('button', { name });
  const step = chainedSteps(() => shot(page, 'failed'));

  await step(t, 'an unpaired PC shows a pairing code; an admin approves it and the log-in screen follows', async (t) => {
    await page.goto(`${base}/terminal/?device=T1`);
    await assertSecureName(t, page, base);
    const codeEl = page.getByTestId('pairing-code');
    await codeEl.waitFor();
    await page.getByText('等待批准').waitFor();
    const code = ((await codeEl.textContent()) ?? '').replace(/\D/g, '');
    t.match(code, /^\d{6}$/, 'a six-digit code, shown big');
    await page.getByText('终端编号：T1').waitFor();
    await shot(page, '01-pairing');
    await staff(t, '/api/devices/pairings/approve', { code }, 'the admin approves the code shown');
    await page.getByLabel('准考证号或身份证号').waitFor();
    await page.getByText('一号考场 · 01 号座位').waitFor();
    await page.getByText(TEMPLATE.name).waitFor();
    const cookies = await context.cookies(base);
    t.match(
      cookies.find((c) => c.name === 'examroom_device'),
      { httpOnly: true },
      'the device token is an httpOnly cookie, out of reach of scripts',
    );
    await shot(page, '02-login');
  });

  await step(t, 'a candidate who has not passed the door is refused; once admitted, the log-in shows the instructions', async (t) => {
    await page.getByLabel('准考证号或身份证号').fill(ticket);
    await button('登录').click();
    await page.getByText('您尚未通过入口身份核验，请先到入口核验台完成人证核验。').waitFor();
    await staff(t, `/api/exam/sessions/${session.id}/admit/${CANDIDATE}`, undefined, 'the entrance admits the candidate');
    // As the kiosk records an accepted consent (issue 23): the instructions carry the one-line reminder.
    app.ctx.db
      .prepare(
        `INSERT INTO face_consents (id_number, session_id, decision, notice_version, notice_sha256, notice_lang, device_id, decided_at)
         VALUES (?, ?, 'accepted', 'e2e', ?, 'zh-CN', 'K1', ?)`,
      )
      .run(CANDIDATE, session.id, '0'.repeat(64), clock.now());
    await button('登录').click();
    await page.getByRole('heading', { name: '考试须知' }).waitFor();
    await page.getByText('张伟，您好').waitFor();
    await page.getByTestId('face-consent').getByText('您已在入场时同意人脸识别', { exact: false }).waitFor();
    await page.getByText('考试尚未开始，请等待监考员开考。').waitFor();
    t.ok(await button('开始答题').isDisabled(), 'no paper before the exam starts');
    clock.set(START);
    plans.advanceSession(session.id, 'in_progress', 'user:admin');
    await page.locator('button:has-text("开始答题"):not([disabled])').waitFor();
    await page.getByText('本场考试共 10 道题，满分 100 分，80 分及格，考试时长 90 分钟。').waitFor();
    await shot(page, '03-instructions');
  });

  await step(t, 'questions are answered, navigated by button and keyboard, and one is marked for review', async (t) => {
    await button('开始答题').click();
    await question(1).waitFor();
    await page.getByText('第 1 题 / 共 10 题').waitFor();
    // Judge questions come first and carry the sign: fetched with the terminal's own credentials and shown.
    const picture = question(1).locator('img.question-image');
    await picture.waitFor();
    await page.waitForFunction(() => {
      const img = (
        globalThis as unknown as { document: { querySelector(s: string): { complete: boolean; naturalWidth: number } | null } }
      ).document.querySelector('img.question-image');
      return !!img && img.complete && img.naturalWidth === 240;
    });
    t.equal(await picture.getAttribute('src'), `/api/bank/images/${image.id}`, 'the question shows its picture');
    t.equal(await picture.getAttribute('alt'), '第 1 题配图', 'with words for a screen reader, not an empty alt');
    t.match(await page.getByTestId('countdown').textContent(), /^1:(29|30):\d\d$/, 'the countdown shows what the server pushed');
    await option(1).click();
    await saveState(1, 'saved').waitFor();
    t.equal(await option(1).getAttribute('aria-checked'), 'true');
    await shot(page, '04-question');
    await button('下一题').click();
    await question(2).waitFor();
    await page.keyboard.press('a');
    await saveState(2, 'saved').waitFor();
    await page.keyboard.press('ArrowRight');
    await question(3).waitFor();
    await button('标记复查').click();
    await question(3).getByText('已标记', { exact: true }).waitFor();
    t.equal(await button('取消标记').getAttribute('aria-pressed'), 'true');
    await button('上一题').click();
    await question(2).waitFor();
    t.equal(await option(0).getAttribute('aria-checked'), 'true', 'the answer is still there when coming back');
    await until('answers 1 and 2 in the database', () => {
      const a = answers();
      return a[1]?.[0] === 1 && a[2]?.[0] === 0;
    });
  });

  await step(t, 'the answer sheet shows answered, unanswered and marked, and jumps to a question', async (t) => {
    await button('答题卡').click();
    await page.getByTestId('answer-sheet').waitFor();
    t.equal(await page.getByTestId('sheet-counts').textContent(), '已作答 2 · 未作答 8 · 已标记 1');
    const cells = page.getByTestId('sheet-cell');
    t.equal(await cells.count(), 10);
    t.same(
      await cells.evaluateAll((els) => els.map((e) => `${e.textContent?.replace(/\D/g, '')}:${e.getAttribute('data-state')}:${e.getAttribute('data-marked')}`)),
      ['1:answered:no', '2:answered:no', '3:unanswered:yes', ...[4, 5, 6, 7, 8, 9, 10].map((n) => `${n}:unanswered:no`)],
    );
    await shot(page, '05-answer-sheet');
    await cells.nth(3).click();
    await question(4).waitFor();
  });

  await step(t, 'on a short screen, the answer sheet opened at the last question keeps its title in view', async (t) => {
    await page.setViewportSize({ width: 700, height: 520 });
    await button('答题卡').click();
    await page.getByTestId('sheet-cell').nth(9).click();
    await question(10).waitFor();
    await button('答题卡').click();
    const title = page.getByRole('heading', { name: '答题卡' });
    await title.waitFor();
    const header = await page.locator('.exam-header').boundingBox();
    const box = await title.boundingBox();
    t.ok(
      header && box && box.y >= header.y + header.height,
      `the title is below the header, not scrolled away (title at ${box?.y}, header ends ${header && header.y + header.height})`,
    );
    t.equal(await page.getByTestId('sheet-counts').isVisible(), true, 'and so are the counts');
    const current = await page.locator('[data-testid="sheet-cell"][aria-current="true"]').boundingBox();
    const footer = await page.locator('.exam-footer').boundingBox();
    t.ok(current && footer && current.y + current.height <= footer.y, 'while the grid scrolls its current question into view above the footer');
    await shot(page, '05b-answer-sheet-short-screen');
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.getByTestId('sheet-cell').nth(3).click();
    await question(4).waitFor();
  });

  await step(t, 'leaving full screen is reported and the way back offered', async (t) => {
    t.equal(await page.evaluate('document.fullscreenElement !== null'), true, '"开始答题" asked for full screen');
    await page.evaluate('document.exitFullscreen()');
    await page.getByText('已退出全屏，本次操作已记录。请返回全屏继续答题。').waitFor();
    await until('a fullscreen_left incident', () => incidents().includes('fullscreen_left'));
    await button('返回全屏').click();
    await page.getByText('已退出全屏，本次操作已记录。请返回全屏继续答题。').waitFor({ state: 'hidden' });
    t.equal(await page.evaluate('document.fullscreenElement !== null'), true);
  });

  await step(t, 'with the connection cut, answers are kept, shown as saving, and all reach the server after reconnecting', async (t) => {
    await context.setOffline(true);
    t.ok(app.ctx.hub.closeOwner('device:T1', 1001, 'test cuts the connection') >= 1, 'the terminal had a socket to cut');
    await page.getByTestId('connection-lost').waitFor();
    await option(0).click();
    await saveState(4, 'saving').waitFor();
    await button('下一题').click();
    await question(5).waitFor();
    await option(1).click();
    await saveState(5, 'saving').waitFor();
    // Change an answer the server already holds: the change must win after reconnecting.
    await button('答题卡').click();
    await page.getByTestId('sheet-cell').nth(0).click();
    await question(1).waitFor();
    await option(0).click();
    await saveState(1, 'saving').waitFor();
    await page.getByText('3 道题的答案等待保存').waitFor();
    await shot(page, '06-connection-lost');
    t.same(answers(), { 1: [1], 2: [0] }, 'nothing made offline reached the server yet');
    // (Page scripts are strings here: this file is type-checked without the DOM library.)
    const kept = (await page.evaluate("Object.keys(localStorage).filter((k) => k.endsWith('.saves')).map((k) => localStorage.getItem(k))")) as string[];
    t.equal(kept.length, 1, 'one attempt in localStorage');
    t.same(
      (JSON.parse(kept[0]!) as { pending: [number, number[]][] }).pending.sort(),
      [
        [1, [0]],
        [4, [0]],
        [5, [1]],
      ],
      'the unsaved answers are in localStorage too',
    );

    await context.setOffline(false);
    await page.getByTestId('connection-lost').waitFor({ state: 'hidden' });
    await saveState(1, 'saved').waitFor();
    await until('every answer in the database', () => {
      const a = answers();
      return JSON.stringify(a) === JSON.stringify({ 1: [0], 2: [0], 4: [0], 5: [1] });
    });
    t.pass('answers 1 (changed), 2, 4 and 5 are committed');
    await button('答题卡').click();
    t.equal(await page.getByTestId('sheet-counts').textContent(), '已作答 4 · 未作答 6 · 已标记 1');
    await button('返回答题').click();
    await question(1).waitFor();
  });

  await step(t, 'a reload in the middle of the exam goes straight back to the question, answers and marks intact', async (t) => {
    const before = incidents().length;
    await page.reload();
    await question(1).waitFor();
    await saveState(1, 'saved').waitFor();
    t.equal(await option(0).getAttribute('aria-checked'), 'true');
    await button('答题卡').click();
    t.equal(await page.getByTestId('sheet-counts').textContent(), '已作答 4 · 未作答 6 · 已标记 1');
    await button('返回答题').click();
    await question(1).waitFor();
    // The page going away hides itself and drops focus: that is a reload, not the candidate leaving the exam.
    t.same(incidents().slice(before), [], 'the reload reported no integrity incident (no 页面被遮挡, no focus lost)');
  });

  await step(t, 'copy, paste and the context menu are refused and reported as integrity incidents', async (t) => {
    await page.locator('.stem').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await page.locator('.stem').click({ button: 'right' });
    const notice = page.getByText('考试期间禁止复制、粘贴和右键操作，本次操作已记录。');
    await notice.waitFor();
    await until('copy, paste and context_menu incidents', () => {
      const k = incidents();
      return k.includes('copy') && k.includes('paste') && k.includes('context_menu');
    });
    t.pass('reported');
    await notice.waitFor({ state: 'hidden' });
  });

  await step(t, 'a webcam snapshot is sent as the server asks', async (t) => {
    const n = await until(
      'a snapshot stored',
      () => (db.prepare('SELECT COUNT(*) AS n FROM terminal_snapshots WHERE session_id = ?').get(session.id) as { n: number }).n,
    );
    t.ok(n >= 1);
  });

  await step(t, 'a room pause shows the paused banner and stops answering; the invigilator lock covers the screen', async (t) => {
    await staff(t, `/api/terminal/sessions/${session.id}/pause`, { reason: '考场停电检查' }, 'the invigilator pauses the room');
    await page.getByTestId('paused').waitFor();
    await page.getByText('原因：考场停电检查').waitFor();
    t.ok(await option(0).isDisabled(), 'options are frozen while paused');
    await shot(page, '07-paused');
    await staff(t, `/api/terminal/sessions/${session.id}/resume`, {}, 'and resumes it');
    await page.getByTestId('paused').waitFor({ state: 'hidden' });

    await staff(t, `/api/terminal/sessions/${session.id}/candidates/${ticket}/lock`, { reason: '疑似违规，请等待' }, 'the invigilator locks the terminal');
    await page.getByTestId('locked').waitFor();
    await page.getByText('原因：疑似违规，请等待').waitFor();
    await shot(page, '08-locked');
    await staff(t, `/api/terminal/sessions/${session.id}/candidates/${ticket}/unlock`, {}, 'and unlocks it');
    await page.getByTestId('locked').waitFor({ state: 'hidden' });
  });

  await step(t, 'time added by the invigilator is told to the candidate: how much and why', async (t) => {
    const before = (await page.getByTestId('countdown').textContent()) ?? '';
    await staff(t, `/api/terminal/sessions/${session.id}/time`, { candidate: ticket, minutes: 10, reason: '设备故障' }, 'the invigilator adds 10 minutes');
    const banner = page.getByTestId('time-added');
    await banner.getByText('监考员为您延长考试时间 10 分钟。').waitFor();
    await banner.getByText('原因：设备故障').waitFor();
    const after = (await page.getByTestId('countdown').textContent()) ?? '';
    const seconds = (x: string) => x.split(':').reduce((n, part) => n * 60 + Number(part), 0);
    const moved = seconds(after) - seconds(before);
    // The page counts down between pushes, so a few real seconds pass between the two readings.
    t.ok(moved > 590 && moved <= 601, `the clock moved on by 10 minutes (${before} → ${after})`);
    await shot(page, '08b-time-added');
    await page.reload();
    await question(1).waitFor();
    await page.getByTestId('countdown').waitFor();
    t.equal(await page.getByTestId('time-added').count(), 0, 'told once: a reload does not tell it again');
  });

  await step(t, 'submitting asks for confirmation with the unanswered and marked counts, then shows the result', async (t) => {
    await button('交卷').click();
    const dialog = page.getByTestId('confirm-submit');
    await dialog.waitFor();
    t.equal(await dialog.getByTestId('confirm-unanswered').textContent(), '还有 6 道题未作答');
    t.equal(await dialog.getByTestId('confirm-marked').textContent(), '1 道题标记为待复查');
    await shot(page, '09-submit-confirm');
    await dialog.getByRole('button', { name: '继续答题' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await button('交卷').click();
    await dialog.getByRole('button', { name: '确认交卷' }).click();
    await page.getByTestId('result').waitFor();
    await page.getByText('您已成功交卷。').waitFor();
    const result = await until('a result', () => plans.resultOf(session.id, CANDIDATE));
    t.equal(await page.getByTestId('score').textContent(), `${result.score} / 100 分`);
    await page.getByText(result.passed ? '合格' : '不合格', { exact: true }).waitFor();
    await page
      .getByTestId('result-clears')
      .getByText(/本页将在 \d+ 秒后清除/)
      .waitFor();
    await shot(page, '10-result');
    t.equal(plans.roster(session.id)[0]!.status, 'submitted');
  });

  await step(t, 'the English toggle switches the words', async (t) => {
    await button('English').click();
    await page.getByRole('heading', { name: 'Paper submitted' }).waitFor();
    await page.getByText('Your paper is submitted.').waitFor();
    t.equal(await page.evaluate('document.documentElement.lang'), 'en');
    await shot(page, '11-result-en');
    await button('中文').click();
    await page.getByRole('heading', { name: '已交卷' }).waitFor();
  });

  await step(t, 'the name and score leave the screen by themselves; the one who submitted cannot log in again', async (t) => {
    // Nobody presses 下一位考生登录: exam.resultDisplaySeconds later the log-in screen is back.
    await page.getByLabel('准考证号或身份证号').waitFor({ timeout: (RESULT_SECONDS + 5) * 1000 });
    t.equal(await page.getByText('张伟').count(), 0, 'the name is gone');
    t.equal(await page.getByTestId('score').count(), 0, 'and the score');
    await page.getByLabel('准考证号或身份证号').fill(ticket);
    await button('登录').click();
    await page.getByText('该考生已经交卷，不能再次登录。').waitFor();
    t.pass('refused');
  });

  await step(t, 'a second candidate continues at this PC; after submitting, a reload clears the result at once', async (t) => {
    // 张伟 has left; his seat goes to 李娜, whose own PC (seat 02) is out of order.
    plans.reseat(session.id, CANDIDATE, '03', 'user:admin', { reason: '已交卷离场' });
    plans.reseat(session.id, SECOND, '01', 'user:admin', { reason: '02 号机故障' });
    await staff(t, `/api/exam/sessions/${session.id}/admit/${SECOND}`, undefined, 'the entrance admits 李娜');
    await page.getByLabel('准考证号或身份证号').fill(ticket2);
    await button('登录').click();
    await button('开始答题').click();
    await question(1).waitFor();
    await option(0).click();
    await saveState(1, 'saved').waitFor();
    await button('交卷').click();
    await page.getByTestId('confirm-submit').getByRole('button', { name: '确认交卷' }).click();
    await page.getByTestId('result').getByText('李娜').waitFor();
    await page.reload();
    await page.getByLabel('准考证号或身份证号').waitFor();
    // The server may still send the fresh result (its display time has not run out); the new page does not show it.
    await new Promise((res) => setTimeout(res, 1500));
    t.equal(await page.getByText('李娜').count(), 0, 'no name after the reload');
    t.equal(await page.getByTestId('result').count(), 0, 'no result screen');
    await shot(page, '12-after-reload-cleared');
  });

  t.same(foreign, [], 'the app made no request outside the exam-room server');
  t.same(pageErrors, [], 'no script errors in the page');
});
