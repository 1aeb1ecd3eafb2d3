// End to end: an exam day run from the office console alone, in one Chromium on a real server (scratch
// data, HTTPS by name). From a site with nothing but its config: a question file with bad rows is
// refused with each row named, a good one imported; the template checks feasible; a plan and a session
// through the forms; a roster with photos in a zip; seats drawn; papers generated; admission tickets
// printed; two exam PCs ask for pairing codes and are approved as the codes appear; check-in opens and
// the exam starts; the candidates at those PCs sit the exam on them (the terminal app) and submit; the
// admin ends, grades and archives the session, reads the results and the audit log. Every page of the
// console is shown once, and another role is turned away. Then each page's own walk, on a fresh site of
// its own (tests/e2e/admin/*-walk.ts): every admin-console browser test in this one file and one Chromium
// (a Chromium launch and a test process each cost seconds the suite's budget has not got).
// Screenshots in tests/artifacts/admin/.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Page } from 'playwright-core';
import { PASSWORDS, ROOT } from '../helpers.ts';
import { HEADER, csv, person } from '../exam/plans-fixture.ts';
import { makeZip } from '../exam/zip-fixture.ts';
import { chainedSteps, requireChromiumAndApps } from './browser.ts';
import { openAdminConsole, WAIT } from './admin/harness.ts';
import { BAD_FILE_LINES, BANK_TEMPLATE_ID, importBankFile, templateIsFeasible, writeBankFiles } from './admin/bank-steps.ts';
import { createPlanAndSession, downloadAdmissionTickets, drawSeats, generatePapers, importRoster } from './admin/plans-steps.ts';
import { approveTerminalsAsTheyAppear } from './admin/devices-steps.ts';
import { checklistShows, end, grade, openCheckIn, start } from './admin/today-steps.ts';
import { archiveFromResults, resultsShow } from './admin/results-steps.ts';
import { auditShows, openSystemSection } from './admin/system-steps.ts';
import { exportAndErase, faceDataCount, nameReportingBasis } from './admin/privacy-steps.ts';
import { bankWalk } from './admin/bank-walk.ts';
import { devicesWalk } from './admin/devices-walk.ts';
import { plansWalk } from './admin/plans-walk.ts';
import { resultsWalk } from './admin/results-walk.ts';
import { systemWalk } from './admin/system-walk.ts';
import { todayWalk } from './admin/today-walk.ts';

requireChromiumAndApps('admin', 'terminal');
// Seven walks in one file: about three minutes on an idle machine, so more than tap's 180 s per file.
t.setTimeout(15 * 60_000);

const PAGES = ['today', 'devices', 'bank', 'templates', 'plans', 'results', 'people', 'system'];
/** Six candidates for room R1's six seats; the two who draw seats 01 and 02 sit at T1 and T2, the rest stay away. */
const NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊'];

t.test('an exam day from an empty site, run from the admin console', async (t) => {
  // The harness's Chromium has a fake camera: it answers the terminals' seat-check getUserMedia without a prompt.
  const c = await openAdminConsole(t);
  const step = chainedSteps((name) => c.shot(`failed-exam-day-${name.replace(/\W+/g, '-')}`));
  const startsAt = c.clock.now() + 60 * 60_000;
  let sessionId = '';
  const pcs: { id: string; seat: string; page: Page; ticket: string; name: string }[] = [];

  await step(t, 'every page opens from the list; an empty site', async (t) => {
    for (const p of PAGES) {
      await c.page.click(`[data-testid=nav-${p}]`);
      await c.page.waitForSelector(`[data-testid=page-${p}]`);
      t.equal(await c.page.getAttribute(`[data-testid=nav-${p}]`, 'aria-current'), 'page', `${p} is the current page`);
      await c.shot(`empty-${p}`);
    }
  });

  await step(t, 'with no GB/T 28181 platform configured, the System page says so and names the gb28181: section', async (t) => {
    await openSystemSection(c, 'upstream');
    const none = await c.page.waitForSelector('[data-testid=gb-not-configured]', { timeout: WAIT });
    t.match(await none.textContent(), /未配置 GB\/T 28181 平台[\s\S]*gb28181: 段/);
    t.notMatch(await c.page.textContent('[data-testid=system-gb28181]'), /尚未支持/, 'not claimed unsupported');
    await c.shot('empty-system-gb28181');
  });

  await step(t, 'the bank: a file with bad rows is refused, each row named; the good one is imported', async (t) => {
    const files = writeBankFiles(c.dir);
    await importBankFile(t, c, files.bad, { refused: BAD_FILE_LINES }, 'exam-day-bank-refused');
    t.equal(c.app.exam.bank.versions().length, 0, 'nothing stored');
    await importBankFile(t, c, files.good, { done: 184 }, 'exam-day-bank-imported');
    await templateIsFeasible(t, c, BANK_TEMPLATE_ID, 'exam-day-template');
  });

  await step(t, 'a plan and a session, a roster with photos, seats, papers and admission tickets', async (t) => {
    sessionId = await createPlanAndSession(t, c, { room: 'R1', startsAt, templateId: BANK_TEMPLATE_ID });
    const zip = join(c.dir, '一号考场名单.zip');
    writeFileSync(
      zip,
      makeZip([
        { name: '照片/张伟.jpg', data: readFileSync(join(ROOT, 'tests/fixtures/faces/Alejandro_Toledo_0021.jpg')) },
        { name: '照片/王芳.jpg', data: readFileSync(join(ROOT, 'tests/fixtures/faces/John_Abizaid_0002.jpg')) },
        {
          name: '名单.csv',
          data: csv(
            NAMES.map((n, i) => person(i + 1, n, i < 2 ? { photo: `${n}.jpg` } : {})),
            HEADER,
          ),
        },
      ]),
    );
    await importRoster(t, c, sessionId, [zip], { added: NAMES.length });
    await drawSeats(t, c, sessionId);
    await generatePapers(t, c, sessionId);
    const tickets = await downloadAdmissionTickets(t, c, sessionId);
    t.ok(tickets, `admission tickets printed: ${tickets}`);
    await c.shot('exam-day-session-ready');
  });

  await step(t, 'two exam PCs ask for pairing codes; the admin approves them as they appear', async (t) => {
    const roster = c.app.exam.plans.roster(sessionId);
    for (const [id, seat] of [
      ['T1', '01'],
      ['T2', '02'],
    ] as const) {
      const who = roster.find((e) => e.seat === seat)!;
      const page = await c.newPage();
      await page.goto(`${c.base}/terminal/?device=${id}`);
      await page.getByTestId('pairing-code').waitFor();
      pcs.push({ id, seat, page, ticket: who.ticketNo, name: who.name });
    }
    await approveTerminalsAsTheyAppear(t, c, ['T1', 'T2']);
    for (const pc of pcs) {
      await pc.page.getByLabel('准考证号或身份证号').waitFor();
      t.pass(`${pc.id} shows its log-in screen`);
    }
    await pcs[0]!.page.screenshot({ path: join(ROOT, 'tests/artifacts/admin/exam-day-terminal-login.png') });
  });

  await step(t, 'the checklist is complete; check-in opens and the exam starts', async (t) => {
    // Both PCs paired and online; six candidates for two PCs is worth a look, not a stop.
    await checklistShows(t, c, sessionId, { bank: 'ok', template: 'ok', roster: 'ok', seats: 'ok', papers: 'ok', terminals: 'warn', photos: 'missing' });
    t.match(await c.page.textContent(`[data-testid=check-terminals]`), /2\/2 台考试机已配对/, 'both PCs paired');
    await c.shot('exam-day-checklist');
    await openCheckIn(t, c, sessionId);
    // The entrance kiosk admits the two who came (人证合一 is its own test: tests/e2e/kiosk*.test.ts).
    for (const pc of pcs) {
      const idNumber = c.app.exam.plans.roster(sessionId).find((e) => e.seat === pc.seat)!.idNumber;
      const res = await c.app.inject({ method: 'POST', url: `/api/exam/sessions/${sessionId}/admit/${idNumber}`, headers: { cookie: c.adminCookie } });
      t.equal(res.statusCode, 200, `${pc.name} admitted at the door`);
    }
    for (const pc of pcs) {
      await pc.page.getByLabel('准考证号或身份证号').fill(pc.ticket);
      await pc.page.getByRole('button', { name: '登录' }).click();
      await pc.page.getByRole('heading', { name: '考试须知' }).waitFor();
    }
    await start(t, c, sessionId);
  });

  await step(t, 'during the exam, back up now asks first, saying candidates are answering', async (t) => {
    await openSystemSection(c, 'backup');
    const asked = new Promise<string>((resolve) =>
      c.page.once('dialog', (d) => {
        resolve(d.message());
        void d.dismiss();
      }),
    );
    await c.page.click('[data-testid=backup-now]');
    t.match(await asked, /1 场考试正在进行，考生正在作答/);
    t.equal(c.app.backups.status().running, null, 'dismissed: no backup is taken');
    t.equal(await c.page.$('[data-testid=backup-list] tbody tr'), null, 'and none is listed');
  });

  await step(t, 'the candidates sit the exam on the two PCs and submit', async (t) => {
    for (const pc of pcs) {
      await pc.page.locator('button:has-text("开始答题"):not([disabled])').waitFor();
      await pc.page.getByRole('button', { name: '开始答题' }).click();
      await pc.page.locator('[data-testid="question"][data-no="1"]').waitFor();
      await pc.page.getByTestId('option').nth(0).click();
      await pc.page.locator('[data-testid="question"][data-no="1"] [data-testid="save-state"][data-state="saved"]').waitFor();
      await pc.page.getByRole('button', { name: '交卷' }).click();
      await pc.page.getByTestId('confirm-submit').getByRole('button', { name: '确认交卷' }).click();
      await pc.page.getByTestId('result').waitFor();
      t.pass(`${pc.name} at ${pc.id} submitted`);
    }
    await pcs[0]!.page.screenshot({ path: join(ROOT, 'tests/artifacts/admin/exam-day-terminal-result.png') });
  });

  await step(t, 'the admin ends and grades the session, reads the results and archives it', async (t) => {
    await end(t, c, sessionId);
    await grade(t, c, sessionId);
    await resultsShow(t, c, sessionId, { rows: NAMES.length, passed: 0, graded: 2 });
    await c.shot('exam-day-results');
    await archiveFromResults(t, c, sessionId);
    t.equal(c.app.exam.plans.session(sessionId).status, 'archived', 'the session is archived');
  });

  await step(t, "face data: the count of people, a legal basis for photos in reports, a person's export and erasure", async (t) => {
    t.ok((await faceDataCount(t, c)) >= 1, "the roster's photos count");
    await nameReportingBasis(t, c, '《某省安全生产培训考核管理办法》第二十条：上报考生入场核验照片');
    const someone = c.app.exam.plans.roster(sessionId)[0]!.idNumber;
    const zip = await exportAndErase(t, c, someone, '本人书面申请删除人脸数据（申请书已存档）');
    t.ok(zip.includes(Buffer.from('person.json')), "the export holds the person's record");
    await c.shot('exam-day-face-data');
  });

  await step(t, 'the audit log shows the day', async (t) => {
    t.ok((await auditShows(t, c, 'exam.')) > 0, 'the exam steps are in the audit log');
    await c.shot('exam-day-audit');
  });

  await step(t, 'an invigilator who signs in is told this console is not theirs', async (t) => {
    await c.page.click('header.top .who button');
    await c.page.waitForSelector('form.login');
    await c.page.fill('input[name=username]', 'invig');
    await c.page.fill('input[name=password]', PASSWORDS.invig);
    await c.page.click('form.login button[type=submit]');
    t.match(await c.page.textContent('[data-testid=not-allowed]'), /invigilator/);
    t.notOk(await c.page.$('nav.admin-nav'), 'no page list');
  });

  t.same(c.pageErrors, [], 'no uncaught error in any page');
});

// Each page in depth, each on a site of its own (what the other pages would have made is seeded through the services).
t.test('the today page: a session from an empty checklist to archived', todayWalk);
t.test('the bank page imports, browses, retires and uploads; the templates page shows feasibility', bankWalk);
t.test('plans page: plan, session, roster with photos, seats, papers, tickets', plansWalk);
t.test('pairing requests arrive on the open devices page and are approved singly and by room; one device is revoked', devicesWalk);
t.test('results, certificates, archive, person file and users from the admin console', resultsWalk);
t.test('the System page: health, disk, recording, upstream, config and the audit log, with no secret shown', systemWalk);
