// End to end in a classroom (培训考勤): the real server over HTTPS by name, the real face engine, and ONE
// Chromium whose fake camera plays two real LFW photos of the same man (facing, then his head turned
// to his left: the turn_left challenge the site is set to, as in tests/e2e/kiosk.test.ts). Three
// profiles share it: the classroom kiosk (1280×800), the 班主任's phone on the admin console's
// attendance page (360×740), and a trainee's phone on the rating page the kiosk's QR code opens.
// The trainee signs in to and out of two lessons by ID and face; after each teacher's last lesson the
// kiosk offers the rating: the first teacher is rated at the kiosk (then the same QR code is refused on
// the phone: one rating per trainee per teacher), the second on the phone from the QR code, read from
// the kiosk's screen with jsQR. Screenshots: tests/artifacts/training/ (git-ignored).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import jsqrModule from 'jsqr';
import sharp from 'sharp';
import { fixedClock } from '../../core/index.ts';
import type { App } from '../../server/app.ts';
import { TRAINING_SYSTEM } from '../../training/index.ts';
import { buildTestApp, ROOT, login, PASSWORDS, scratchDir, httpsTestConfig, listenForTests } from '../helpers.ts';
import { idn } from '../exam/plans-fixture.ts';
import { CHROMIUM, CHROMIUM_FLAGS, chainedSteps, chromiumArgsFor, assertSecureName, requireChromiumAndApps } from './browser.ts';

const ARTIFACTS = join(ROOT, 'tests/artifacts/training');
const FACES = join(ROOT, 'tests/fixtures/faces');
const face = (file: string) => join(FACES, file.replace(/_\d{4}\.jpg$/, ''), file);
const WAIT = 25_000;
// jsqr is CommonJS: under tsx its function is the default export's default.
const jsQR = ((jsqrModule as unknown as { default?: unknown }).default ?? jsqrModule) as unknown as typeof import('jsqr').default;

// The trainee whose face the camera plays; two classmates who do not come (one is excused).
const MATHIEU = { id: idn(1), name: '张伟', photo: 'Paul-Henri_Mathieu_0003.jpg' };
const CHO = { id: idn(2), name: '李娜', photo: 'Fujio_Cho_0006.jpg' };
const STRAW = { id: idn(3), name: '王芳', photo: 'Jack_Straw_0003.jpg' };
const HEAD = { username: 'banzhu', password: 'banzhu-pass-2026', displayName: '陈老师' };

requireChromiumAndApps('kiosk', 'admin', 'rate');
// Five face checks and four browser profiles: 154 s wall (25 s of CPU) measured at a load average of 30
// on 2 cores; tap's 180 s a file would fail it under such load for no fault of the code.
t.setTimeout(300_000);

/**
 * The class day is tomorrow on the site's calendar: the server's clock then runs ahead of the browser's,
 * so the 班主任's session cookie (expiry from the server's clock) is never already past for Chromium.
 */
const DAY = new Date(Date.now() + 8 * 3600_000 + 24 * 3600_000).toISOString().slice(0, 10);
const at = (hhmm: string) => Date.parse(`${DAY}T${hhmm}:00+08:00`);

function cameraVideo(out: string, shots: { photo: string; seconds: number }[]): string {
  const args = ['-v', 'error', '-y'];
  for (const s of shots) args.push('-loop', '1', '-framerate', '10', '-t', String(s.seconds), '-i', face(s.photo));
  const scaled = shots.map((_, i) => `[${i}:v]scale=480:480,pad=640:480:80:0:color=0x6b7785,setsar=1,format=yuv420p[v${i}]`).join(';');
  const joined = `${shots.map((_, i) => `[v${i}]`).join('')}concat=n=${shots.length}:v=1:a=0[out]`;
  args.push('-filter_complex', `${scaled};${joined}`, '-map', '[out]', '-r', '10', '-pix_fmt', 'yuv420p', out);
  const r = spawnSync('ffmpeg', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg could not make ${out}: ${r.stderr}`);
  return out;
}

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.evaluate('document.fonts.ready.then(() => undefined)');
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage, animations: 'disabled', caret: 'hide' });
}

/** The QR code as the screen shows it, read back by a QR reader (jsQR) from a screenshot of it. */
async function readQr(page: Page): Promise<string | null> {
  const png = await page.getByTestId('rating-qr').screenshot();
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height)?.data ?? null;
}

t.test('a trainee signs in and out of lessons at the classroom kiosk and rates each teacher once; the 班主任 follows it on a phone', async (t) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = scratchDir(t, 'examroom-e2e-training-');
  const clock = fixedClock(at('08:45'));
  const app: App = await buildTestApp({ config: httpsTestConfig(join(dir, 'data'), 'identity: { livenessChallenges: [turn_left] }\n'), clock });
  t.teardown(() => app.close());
  const { base } = await listenForTests(app);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const db = app.ctx.db;

  // The class: one day in room R1, two lessons by two teachers, three trainees with photos, a 班主任.
  const added = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie: admin }, payload: { ...HEAD, role: 'headteacher' } });
  t.equal(added.statusCode, 201, 'the 班主任 has an account');
  const tr = app.training;
  const wang = tr.classes.addTeacher({ name: '王建国', title: '高级工程师', registeredSafetyEngineer: true }, 'user:admin');
  const li = tr.classes.addTeacher({ name: '李秀英', title: '讲师' }, 'user:admin');
  const cls = tr.classes.create(
    {
      name: `${DAY.slice(0, 4)}年第3期主要负责人培训班`,
      institution: '安全生产培训中心',
      category: 'principal',
      roomId: 'R1',
      startsOn: DAY,
      endsOn: DAY,
      requiredHours: 4,
      headteacher: HEAD.username,
    },
    'user:admin',
  );
  tr.timetable.add(TRAINING_SYSTEM, cls.id, { day: DAY, start: '09:00', end: '10:30', topic: '安全生产法律法规', teacherId: wang.id, hours: 2 }, 'user:admin');
  tr.timetable.add(TRAINING_SYSTEM, cls.id, { day: DAY, start: '10:40', end: '12:10', topic: '事故案例分析', teacherId: li.id, hours: 2 }, 'user:admin');
  tr.members.add(
    TRAINING_SYSTEM,
    cls.id,
    [MATHIEU, CHO, STRAW].map((m) => ({ idNumber: m.id, name: m.name, employer: '某化工有限公司', photo: readFileSync(face(m.photo)) })),
    'user:admin',
  );
  const ratings = () => db.prepare('SELECT score, comment FROM training_ratings ORDER BY rowid').all() as { score: number; comment: string | null }[];

  const videos = join(dir, 'videos');
  mkdirSync(videos);
  const turns = cameraVideo(join(videos, 'mathieu-turns.y4m'), [
    { photo: 'Paul-Henri_Mathieu_0002.jpg', seconds: 1.2 },
    { photo: 'Paul-Henri_Mathieu_0001.jpg', seconds: 0.6 },
  ]);
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...CHROMIUM_FLAGS,
      ...chromiumArgsFor(base),
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${turns}`,
    ],
  });
  t.teardown(() => browser.close());
  const pageErrors: string[] = [];
  const open = async (size: { width: number; height: number }, touch: boolean, timezoneId?: string) => {
    const context = await browser.newContext({
      viewport: size,
      locale: 'zh-CN',
      hasTouch: touch,
      isMobile: size.width < 500,
      ...(timezoneId ? { timezoneId } : {}),
    });
    context.setDefaultTimeout(WAIT);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    pages.push(page);
    return page;
  };
  const pages: Page[] = [];
  const kiosk = await open({ width: 1280, height: 800 }, true);
  // A failed step keeps every profile's screen as it was.
  const step = chainedSteps(async () => {
    for (const [i, p] of pages.entries()) await shot(p, `failed-${i}`, true);
  });

  /** Sign in or out at the kiosk: the action, the number typed, then the face check. */
  const sign = async (action: '签到' | '签退', id: string) => {
    await kiosk.getByRole('heading', { name: '培训签到 · 签退' }).waitFor();
    await kiosk.getByRole('radio', { name: action, exact: true }).tap();
    await kiosk.keyboard.type(id.toLowerCase());
    await kiosk.keyboard.press('Enter');
  };

  await step(t, 'the paired classroom kiosk shows the training screen with today’s lessons', async (t) => {
    await kiosk.goto(`${base}/kiosk/?device=K1`);
    await assertSecureName(t, kiosk, base);
    const code = ((await kiosk.getByTestId('pairing-code').textContent()) ?? '').replace(/\D/g, '');
    const ok = await app.inject({ method: 'POST', url: '/api/devices/pairings/approve', headers: { cookie: admin }, payload: { code } });
    t.equal(ok.statusCode, 200);
    await kiosk.getByRole('heading', { name: '培训签到 · 签退' }).waitFor();
    t.equal(await kiosk.locator('.app').getAttribute('data-mode'), 'training');
    const lines = kiosk.getByTestId('lesson-line');
    await lines.nth(1).waitFor();
    t.match(await lines.nth(0).innerText(), /09:00–10:30.*安全生产法律法规.*王建国.*签到中/s, 'the first lesson is open for sign-in');
    t.match(await lines.nth(1).innerText(), /10:40–12:10.*事故案例分析.*李秀英/s);
    await shot(kiosk, '01-kiosk-idle');
  });

  await step(t, 'the training idle screen fits its card below the top bar and lists no exam check-in', async (t) => {
    for (const size of [
      { width: 1920, height: 1080 },
      { width: 1280, height: 800 },
    ]) {
      await kiosk.setViewportSize(size);
      const box = async (sel: string) => (await kiosk.locator(sel).first().boundingBox())!;
      const bar = await box('.topbar');
      const card = await box('.idle-left');
      const title = await box('.idle-title');
      const notice = await box('[data-testid=privacy-notice]');
      t.ok(title.y >= bar.y + bar.height, `${size.width}×${size.height}: the heading is below the top bar`);
      t.ok(notice.y + notice.height <= card.y + card.height + 1, `${size.width}×${size.height}: the face notice stays inside its card`);
      t.equal(await kiosk.getByTestId('session-line').count(), 0, 'no exam room check-in in training mode');
      await shot(kiosk, `01-kiosk-idle-${size.width}`);
    }
  });

  await step(t, 'a trainee signs in by ID and face: the notice first, then the liveness check, then the sign-in', async (t) => {
    await sign('签到', MATHIEU.id);
    await kiosk.getByTestId('consent').waitFor();
    await shot(kiosk, '02-notice');
    await kiosk.getByRole('button', { name: '同意，开始人脸核验' }).tap();
    await kiosk.getByTestId('roster').waitFor();
    t.match(await kiosk.getByTestId('lesson').innerText(), /09:00–10:30 安全生产法律法规/);
    await kiosk.getByTestId('challenge').waitFor();
    await shot(kiosk, '03-challenge');
    await kiosk.getByTestId('signed').waitFor();
    t.equal(await kiosk.getByTestId('signed').getAttribute('data-decision'), 'checked_in');
    t.match(await kiosk.getByTestId('signed-title').innerText(), `签到成功 · ${MATHIEU.name}`);
    t.match(await kiosk.getByTestId('signed-facts').innerText(), /本节 2 学时 · 本班累计 0 学时/, 'the sign-in says what the lesson is worth');
    await shot(kiosk, '04-signed-in');
    await kiosk.getByRole('button', { name: '下一位' }).tap();
  });

  const phone = await open({ width: 360, height: 740 }, true);
  await step(t, 'the 班主任 signs in on a phone and sees who is in and who is missing; a justified absence needs a reason', async (t) => {
    clock.set(at('09:12'));
    await phone.goto(`${base}/admin/`);
    await phone.fill('input[name=username]', HEAD.username);
    await phone.fill('input[name=password]', HEAD.password);
    await phone.click('form.login button[type=submit]');
    // Their one class opens at once, on its attendance.
    await phone.getByTestId('attendance').waitFor();
    t.same(await phone.locator('nav.admin-nav a').allInnerTexts(), ['培训班'], 'the 班主任 sees the training page only');
    const row = (id: string) => phone.locator(`[data-testid=attendance-row][data-id="${id.slice(0, 6)}********${id.slice(14)}"]`);
    await row(MATHIEU.id).waitFor();
    t.equal(await row(MATHIEU.id).getAttribute('data-state'), 'in', 'signed in on time');
    t.equal(await row(CHO.id).getAttribute('data-state'), 'missing', 'the lesson started without her');
    t.equal(await phone.getByTestId('count-in').locator('strong').innerText(), '1');
    t.equal(await phone.getByTestId('count-missing').locator('strong').innerText(), '2');
    const width = await phone.evaluate('document.documentElement.scrollWidth');
    t.ok((width as number) <= 360, `nothing is wider than the phone (${width} px)`);
    await shot(phone, '05-attendance-phone', true);

    await row(STRAW.id).getByRole('button', { name: '更正' }).tap();
    const form = phone.getByTestId('correction-form');
    await form.locator('select[name=kind]').selectOption('justified_absence');
    await t.resolves(form.getByRole('button', { name: '提交更正' }).isDisabled(), 'no reason, no correction');
    await form.locator('textarea[name=reason]').fill('单位紧急任务，已提交请假条');
    await form.getByRole('button', { name: '提交更正' }).tap();
    await phone.getByTestId('attendance-note').waitFor();
    await phone.locator(`[data-testid=attendance-row][data-state=excused]`).waitFor();
    t.equal(await row(STRAW.id).getAttribute('data-state'), 'excused');
    const audit = db.prepare("SELECT actor FROM audit_log WHERE action LIKE 'training.correction%' ORDER BY seq DESC LIMIT 1").get() as
      | { actor: string }
      | undefined;
    t.equal(audit?.actor, `user:${HEAD.username}`, 'the correction is audited as the 班主任');
    await shot(phone, '06-attendance-excused', true);
  });

  await step(t, 'a trainee who declines face recognition is signed in by the 班主任 at the kiosk with their password', async (t) => {
    clock.set(at('09:14'));
    await sign('签到', CHO.id);
    await kiosk.getByTestId('consent').waitFor();
    await kiosk.getByRole('button', { name: '不同意，由工作人员人工核验' }).tap();
    await kiosk.getByTestId('declined').waitFor();
    t.match(await kiosk.getByTestId('declined').innerText(), /请把身份证交给班主任/);
    await kiosk.getByRole('button', { name: '工作人员处理' }).tap();
    await kiosk.fill('#ov-user', HEAD.username);
    await kiosk.fill('#ov-pass', HEAD.password);
    await shot(kiosk, '06b-declined-head-teacher');
    await kiosk.getByRole('button', { name: '确认', exact: true }).tap();
    await kiosk.getByTestId('signed').waitFor();
    t.match(await kiosk.getByTestId('signed-facts').innerText(), /迟到 14 分钟/);
    await kiosk.getByText(`由 ${HEAD.username} 人工确认`, { exact: false }).waitFor();
    const audit = db.prepare("SELECT actor FROM audit_log WHERE action = 'training.check_in.confirmed' ORDER BY seq DESC LIMIT 1").get() as
      | { actor: string }
      | undefined;
    t.equal(audit?.actor, `user:${HEAD.username}`, 'the confirmation is audited as the 班主任');
    await kiosk.getByRole('button', { name: '下一位' }).tap();
  });

  let firstQr: string | null = null;
  await step(t, 'signing out of the first teacher’s last lesson: the hours, then the rating at the kiosk beside its QR code', async (t) => {
    clock.set(at('10:31'));
    await sign('签退', MATHIEU.id);
    await kiosk.getByTestId('roster').waitFor();
    await kiosk.getByTestId('signed').waitFor();
    t.equal(await kiosk.getByTestId('signed').getAttribute('data-decision'), 'checked_out');
    t.match(await kiosk.getByTestId('signed-facts').innerText(), /本节计 2 学时/);
    await kiosk.getByTestId('rating').waitFor();
    t.match(await kiosk.getByTestId('rate-title').innerText(), '王建国');
    firstQr = await readQr(kiosk);
    t.match(firstQr, new RegExp(`^${base.replace(/[.]/g, '\\.')}/rate/#t=[A-Za-z0-9_-]{20,}$`), 'the QR code carries the rating page and a one-time token');
    await kiosk.getByRole('radio', { name: /^4 分/ }).tap();
    await kiosk.getByTestId('rating-comment').fill('案例讲解清楚');
    await shot(kiosk, '07-rating-at-kiosk');
    await kiosk.getByRole('button', { name: '提交评价' }).tap();
    await kiosk.getByTestId('rated').waitFor();
    t.same(ratings(), [{ score: 4, comment: '案例讲解清楚' }]);
    await shot(kiosk, '08-rated');
    await kiosk.getByRole('button', { name: '下一位' }).tap();
  });

  // The trainee's phone is set to another zone: the page still speaks the site's clock.
  const trainee = await open({ width: 360, height: 740 }, true, 'Europe/London');
  await step(t, 'the same QR code on the phone is refused: the teacher is rated already', async (t) => {
    await trainee.goto(firstQr!);
    await trainee.getByTestId('refused').waitFor();
    t.match(await trainee.getByTestId('refused').innerText(), /已经使用过|已经评价过/);
    t.equal(ratings().length, 1, 'still one rating');
    await shot(trainee, '09-phone-refused', true);
  });

  await step(t, 'late to the second lesson, signed out after it; the QR code rates its teacher from the phone', async (t) => {
    clock.set(at('10:50'));
    await sign('签到', MATHIEU.id);
    await kiosk.getByTestId('signed').waitFor();
    t.match(await kiosk.getByTestId('signed-facts').innerText(), /迟到 10 分钟/);
    await kiosk.getByRole('button', { name: '下一位' }).tap();
    clock.set(at('12:11'));
    await sign('签退', MATHIEU.id);
    await kiosk.getByTestId('rating').waitFor();
    t.match(await kiosk.getByTestId('rate-title').innerText(), '李秀英');
    const qr = await readQr(kiosk);
    t.ok(qr && qr !== firstQr, 'a new token for the second teacher');
    await shot(kiosk, '10-rating-qr');

    await trainee.goto('about:blank');
    await trainee.goto(qr!);
    await trainee.getByTestId('teacher').waitFor();
    t.match(await trainee.getByTestId('teacher').innerText(), '李秀英');
    const expiry = new Date(at('12:11') + 7 * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    await trainee.getByText(`评价码有效期至 ${expiry}`).waitFor();
    await trainee.getByRole('radio', { name: /^5 分/ }).tap();
    await trainee.locator('textarea[name=comment]').fill('讲得很好，案例贴近实际');
    await shot(trainee, '11-phone-rating', true);
    await trainee.getByRole('button', { name: '提交评价' }).tap();
    await trainee.getByTestId('thanks').waitFor();
    await shot(trainee, '12-phone-thanks', true);
    t.same(
      ratings().map((r) => r.score),
      [4, 5],
    );
    // The kiosk's own rating of the same teacher now says it is done, and nothing more is stored.
    await kiosk.getByRole('radio', { name: /^3 分/ }).tap();
    await kiosk.getByRole('button', { name: '提交评价' }).tap();
    await kiosk.getByTestId('rating-error').waitFor();
    t.equal(ratings().length, 2, 'a second rating by the same trainee is refused');
    await shot(kiosk, '13-kiosk-second-refused');
  });

  await step(t, 'after the last lesson the 班主任 signs the district report on the phone; it is frozen', async (t) => {
    clock.set(at('12:45'));
    await phone.goto(`${base}/admin/#/training?class=${encodeURIComponent(cls.id)}&tab=report`);
    await phone.getByTestId('report-counts').waitFor();
    t.match(await phone.getByTestId('report-counts').innerText(), /学员 3 人：完成 0 人，学时不足 2 人，从未到课 1 人/);
    t.match(await phone.getByTestId('report-short').innerText(), new RegExp(`${MATHIEU.name}.*${MATHIEU.id}.*3\\.8`, 's'));
    await phone.getByRole('button', { name: '班主任签字确认' }).tap();
    await phone.getByRole('button', { name: '确认签字' }).tap();
    await phone.locator('[data-testid=report][data-state=signed]').waitFor();
    t.match(await phone.getByTestId('report-state').innerText(), /已由 陈老师 于 .* 签字，内容已冻结/);
    const width = await phone.evaluate('document.documentElement.scrollWidth');
    t.ok((width as number) <= 360, `the report fits the phone (${width} px)`);
    await shot(phone, '14-report-signed-phone', true);
  });

  const office = await open({ width: 1366, height: 768 }, false);
  await step(t, 'the office: a new class, its timetable file refused row by row, the hours, the ratings and the class file', async (t) => {
    await office.goto(`${base}/admin/#/training`);
    await office.fill('input[name=username]', 'admin');
    await office.fill('input[name=password]', PASSWORDS.admin);
    await office.click('form.login button[type=submit]');
    await office.getByTestId('class-list').waitFor();
    await office.getByText('新建培训班').click();
    const form = office.getByTestId('new-class');
    await form.locator('input[name=name]').fill('第4期安全管理人员培训班');
    await form.locator('input[name=institution]').fill('安全生产培训中心');
    await form.locator('select[name=category]').selectOption('safety_manager');
    await form.locator('input[name=startsOn]').fill(DAY);
    await form.locator('input[name=endsOn]').fill(DAY);
    await form.locator('select[name=roomId]').selectOption('R2');
    await form.locator('select[name=headteacher]').selectOption(HEAD.username);
    await form.getByRole('button', { name: '创建' }).click();
    await office.getByTestId('timetable-import').waitFor();
    // Two bad rows: a day outside the class, and 王建国 in two rooms at once (his lesson in the first class).
    const bad = join(dir, 'timetable.csv');
    const next = new Date(Date.parse(`${DAY}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    writeFileSync(
      bad,
      `日期,开始,结束,课程,教师,学时\n${DAY},13:00,17:00,安全管理制度,李秀英,4\n${next},08:30,12:30,隐患排查,李秀英,4\n${DAY},09:00,10:30,应急预案,王建国,2\n`,
    );
    await office.locator('input[name=timetable]').setInputFiles(bad);
    await office.getByRole('button', { name: '导入', exact: true }).click();
    const problems = office.getByTestId('problems');
    await problems.waitFor();
    const rows = await problems.locator('tbody tr').evaluateAll((trs) => trs.map((r) => r.getAttribute('data-row')));
    t.ok(rows.includes('3') && rows.includes('4'), `rows 3 and 4 are named (${rows.join(', ')})`);
    const stored = db.prepare('SELECT count(*) AS n FROM training_lessons l JOIN training_classes c ON c.id = l.class_id WHERE c.room_id = ?').get('R2') as {
      n: number;
    };
    t.equal(stored.n, 0, 'a refused file stores no lesson');
    await shot(office, '15-timetable-refused', true);

    // Back at 10:50, the second lesson (10:40–12:10) is running: 进行中, neither held nor missed.
    clock.set(at('10:50'));
    await office.goto(`${base}/admin/#/training?class=${encodeURIComponent(cls.id)}&tab=hours`);
    const running = office.locator('[data-testid=hours-table] th[data-in-progress=yes]');
    await running.waitFor();
    t.match(await running.innerText(), /10:40[\s\S]*进行中/, 'the running lesson is marked 进行中');
    t.equal(await office.locator('[data-testid=hours-table] th[data-in-progress]').count(), 1, 'and only it');
    t.match(await office.getByTestId('in-progress-hours').innerText(), /进行中 2 学时/);
    await shot(office, '16a-hours-in-progress', true);
    clock.set(at('12:45'));
    await office.reload();
    await office.getByTestId('hours-table').waitFor();
    await office.locator('[data-testid=hours-table] th[data-in-progress]').waitFor({ state: 'detached' });
    t.match(await office.getByTestId('hours-table').innerText(), /张伟[\s\S]*2[\s\S]*1\.8[\s\S]*3\.8/);
    await shot(office, '16-hours', true);
    await office.getByTestId('tab-ratings').click();
    await office.getByTestId('rating-summary').first().waitFor();
    const ratingText = await office.getByTestId('ratings').innerText();
    t.match(ratingText, /王建国[\s\S]*1 \/ 1 人评价 · 平均 4\.0 分/);
    t.notMatch(ratingText, MATHIEU.name, 'no rater is named');
    await shot(office, '17-ratings', true);
    await office.getByTestId('tab-file').click();
    await office.getByRole('button', { name: '生成档案' }).click();
    await office.locator('[data-testid=archive-versions] [data-version="1"]').waitFor({ timeout: 60_000 });
    await shot(office, '18-class-file', true);
  });

  t.same(pageErrors, [], 'no page error in any profile');
});
