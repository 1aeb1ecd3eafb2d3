// End to end: the admin console's plans page in Chromium on a real server. From a site with only a bank
// (seeded through the service, as the bank page would have made it): a plan and a session through the
// forms, a roster refused with its bad rows in a table (nothing imported), then a zip from Windows (GBK
// names) with two face photos, the roster's thumbnails and enrolment column, seats drawn and one moved,
// papers generated as a job, the seat list and admission tickets as PDFs (pages drawn with pdftoppm to
// tests/artifacts/admin/ to look at), at 1366×768 and 1920×1080, in Chinese and English.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { ROOT } from '../../helpers.ts';
import { HEADER, TEMPLATE, bankQuestions, csv, idn, person } from '../../exam/plans-fixture.ts';
import { gbk, makeZip } from '../../exam/zip-fixture.ts';
import { chainedSteps } from '../browser.ts';
import { ARTIFACTS, WAIT, openAdminConsole, siteLocal } from './harness.ts';
import { createPlanAndSession, downloadAdmissionTickets, drawSeats, fetchInPage, generatePapers, importRoster } from './plans-steps.ts';

const DAY = 24 * 3600_000;

/** plans page: plan, session, roster with photos, seats, papers, tickets */
export async function plansWalk(t: Test): Promise<void> {
  const c = await openAdminConsole(t);
  c.app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
  const step = chainedSteps((name) => c.shot(`failed-plans-${name.replace(/\W+/g, '-')}`));
  // Two days on, at 09:00 on the site's clock (UTC+8).
  const startsAt = Math.floor((c.clock.now() + 8 * 3600_000) / DAY) * DAY + 2 * DAY + 9 * 3600_000 - 8 * 3600_000;
  let sessionId = '';

  await step(t, 'a plan and a session through the forms; a form refuses what the server would', async (t) => {
    await c.open('plans');
    await c.shot('plans-empty');
    await c.page.click('[data-testid=new-plan] button[type=submit]');
    t.match(await c.page.textContent('[data-testid=new-plan] [role=alert]'), /请填写计划名称/, 'said before sending');
    sessionId = await createPlanAndSession(t, c, { room: 'R1', startsAt, templateId: TEMPLATE.id });
    await c.shot('plans-session');
  });

  await step(t, 'a roster with bad rows is refused with each row named, nothing imported', async (t) => {
    const bad = join(c.dir, '名单-有错.csv');
    writeFileSync(bad, csv([person(1, '张三'), [`${idn(2).slice(0, 17)}Y`, '李四', '主要负责人'], person(3, '王五', { category: '特种作业人员' })]));
    await importRoster(t, c, sessionId, [bad], {
      problems: [
        { row: 3, column: '身份证号' },
        { row: 4, column: '人员类别' },
      ],
    });
    await c.shot('plans-roster-refused');
  });

  await step(t, 'a zip from Windows with the roster and two photos (GBK names)', async (t) => {
    const zip = join(c.dir, '考生名单.zip');
    writeFileSync(
      zip,
      makeZip([
        { name: gbk('照片/张三.jpg'), data: readFileSync(join(ROOT, 'tests/fixtures/faces/Alejandro_Toledo_0021.jpg')) },
        { name: `照片/${idn(2)}.jpg`, data: readFileSync(join(ROOT, 'tests/fixtures/faces/John_Abizaid_0002.jpg')) },
        { name: 'roster.csv', data: csv([person(1, '张三', { photo: '张三.jpg' }), person(2, '李四'), person(3, '王五')], HEADER) },
      ]),
    );
    await importRoster(t, c, sessionId, [zip], { added: 3 });
    // The thumbnails are the stored photos, loaded.
    await c.page.waitForFunction(
      () => {
        type Doc = { querySelectorAll(s: string): Iterable<{ complete: boolean; naturalWidth: number }> };
        const imgs = [...(globalThis as unknown as { document: Doc }).document.querySelectorAll('[data-testid=roster-table] td.thumb img')];
        return imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth > 0);
      },
      undefined,
      { timeout: WAIT },
    );
    t.pass('two thumbnails shown');
    const enrol = await c.page.$$eval('[data-testid=roster-table] [data-testid=enrolment]', (xs) => xs.map((x) => x.textContent ?? ''));
    t.ok(
      enrol.every((e) => /可用|不可用|登记中|无照片/.test(e)),
      `each row says where its face enrolment stands (${enrol.join(' / ')})`,
    );
    t.match(enrol.join(' '), /无照片/, '王五 has no photo, and the row says so');
    await c.shot('plans-roster');
  });

  await step(t, 'one candidate added by hand: refused as a roster row would be, by field, then added', async (t) => {
    const { page } = c;
    const form = page.locator('[data-testid=add-candidate]');
    await form.locator('summary').click();
    await form.locator('input[name=idNumber]').fill(idn(4).slice(0, 17) + (idn(4).endsWith('X') ? '1' : 'X'));
    await form.locator('input[name=name]').fill('赵六');
    await form.locator('input[name=institution]').fill('广州市安全培训中心');
    await form.getByRole('button', { name: '添加考生' }).click();
    const problems = form.locator('[data-testid=add-problems]');
    await problems.waitFor({ timeout: WAIT });
    t.match(await problems.textContent(), /身份证号：/, 'the refusal names the field');
    t.equal(c.app.exam.plans.roster(sessionId).length, 3, 'nothing was added');
    await c.shot('plans-add-refused');
    await form.locator('input[name=idNumber]').fill(idn(4));
    await form.getByRole('button', { name: '添加考生' }).click();
    t.match(await form.locator('[data-testid=add-done]').textContent({ timeout: WAIT }), /已添加 赵六（准考证号 \S+），名单共 4 人/);
    await page.locator('[data-testid=roster-table] tbody tr', { hasText: '赵六' }).waitFor({ timeout: WAIT });
    t.equal(c.app.ctx.audit.list({ limit: 20 }).filter((e) => e.action === 'exam.roster.add').length, 1, 'audited');
    await c.shot('plans-add-done');
  });

  await step(t, 'seats drawn, one candidate moved to a free seat', async (t) => {
    await drawSeats(t, c, sessionId);
    const row = c.page.locator('[data-testid=roster-table] tbody tr', { hasText: '王五' });
    await row.locator('[data-testid=move-seat]').click();
    const form = c.page.locator('[data-testid=move-seat-form]');
    // The free seats come from the server after the form shows: the select is greyed until then.
    await form.locator('select[name=seat]:enabled').waitFor({ timeout: WAIT });
    const seat = await form.locator('select[name=seat]').inputValue();
    t.match(seat, /^0[1-6]$/, `a free seat is offered first (${seat})`);
    await form.locator('input[name=reason]').fill('靠近门口');
    await form.locator('button[type=submit]').click();
    await c.page.waitForSelector(`[data-testid=session-note]:has-text("${seat}")`, { timeout: WAIT });
    // The note comes with the server's answer; the roster row follows when the roster is read again.
    await row.locator('[data-testid=seat]', { hasText: new RegExp(`^\\s*${seat}\\s*$`) }).waitFor({ timeout: WAIT });
    t.equal((await row.locator('[data-testid=seat]').textContent())?.trim(), seat, `王五 now at ${seat}`);
    await c.shot('plans-seats');
  });

  await step(t, 'papers generated as a job, followed on the page', async (t) => {
    await generatePapers(t, c, sessionId);
    const job = c.app.ctx.jobs.list({ kind: 'exam.papers' });
    t.equal(job.length, 1, 'one job ran on the server');
    t.equal(job[0]!.status, 'done');
    await c.shot('plans-papers');
  });

  await step(t, 'regenerating survives a reload: the page finds the job again and shows its end', async (t) => {
    // The runner runs one job at a time: a job that holds the slot keeps the papers job queued while the page reloads.
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    c.app.ctx.jobs.define('test.hold', async () => held);
    c.app.ctx.jobs.start('test.hold', {}, 'user:admin');
    c.page.once('dialog', (d) => void d.accept());
    await c.page.click('[data-testid=generate-papers]');
    // The progress shows once the server has answered 202: only then is the job surely there (the click
    // returns before the confirmation and the request).
    await c.page.waitForSelector('[data-testid=papers-progress]', { timeout: WAIT });
    t.equal(c.app.ctx.jobs.list({ kind: 'exam.papers', status: ['queued'] }).length, 1, 'queued behind the held job');
    await c.page.reload();
    await c.page.waitForSelector('[data-testid=papers-progress]', { timeout: WAIT });
    t.pass('after the reload the page follows the queued job again');
    await c.shot('plans-papers-queued');
    release();
    t.match(await c.page.waitForSelector('[data-testid=papers-done]', { timeout: WAIT }).then((h) => h.textContent()), /4/, 'and shows its end');
    const jobs = c.app.ctx.jobs.list({ kind: 'exam.papers' });
    t.equal(jobs.length, 2);
    t.ok(jobs.every((j) => j.status === 'done'));
  });

  await step(t, 'the seat list and admission tickets as PDFs', async (t) => {
    const tickets = await downloadAdmissionTickets(t, c, sessionId);
    const text = spawnSync('pdftotext', ['-layout', tickets, '-'], { encoding: 'utf8' }).stdout;
    t.match(text, /准考证/);
    t.match(text, /王五/);
    t.notOk(text.includes(idn(1)), 'the ID number is masked on the ticket');
    spawnSync('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '1', tickets, join(ARTIFACTS, 'plans-ticket')]);
    const href = await c.page.getAttribute('[data-testid=seat-list-pdf]', 'href');
    const res = await fetchInPage(c, href!);
    t.equal(res.type, 'application/pdf', 'the seat list is a PDF');
    const file = join(ARTIFACTS, 'plans-seat-list.pdf');
    writeFileSync(file, res.bytes);
    t.match(spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout, /考场座位表/);
    spawnSync('pdftoppm', ['-r', '60', '-png', '-singlefile', file, join(ARTIFACTS, 'plans-seat-list')]);
  });

  await step(t, 'a reload keeps the session (it is in the address); 1920×1080 and English', async (t) => {
    await c.page.reload();
    await c.page.waitForSelector(`[data-testid=session-panel] [data-testid=session-id]:text-is("${sessionId}")`, { timeout: WAIT });
    t.pass('the same session after a reload');
    await c.page.setViewportSize({ width: 1920, height: 1080 });
    await c.shot('plans-1920');
    await c.page.click('header.top button.lang');
    await c.page.waitForSelector('text=Roster', { timeout: WAIT });
    await c.shot('plans-en');
    await c.page.click('header.top button.lang');
    await c.page.setViewportSize({ width: 1366, height: 768 });
  });

  await step(t, 'after check-in opens: what is done stays on the page, greyed buttons say why, 调座 stays', async (t) => {
    c.app.exam.plans.advanceSession(sessionId, 'checkin', 'user:admin');
    await c.page.reload();
    const papers = await c.page.waitForSelector('[data-testid=papers-state]', { timeout: WAIT }).then((h) => h.textContent());
    t.match(papers, /已生成 4 份试卷（题库版本 \S+）/, `the papers are still there: ${papers}`);
    t.ok(await c.page.isDisabled('[data-testid=generate-papers]'), 'generating again is greyed');
    t.match(await c.page.textContent('[data-testid=papers-closed]'), /检录已开始，试卷和座位不能再修改/, 'and says why');
    t.match(await c.page.textContent('[data-testid=seats-closed]'), /检录已开始.*调座/, 'no new draw, and says one can still be moved');
    t.match(await c.page.textContent('[data-testid=seats-state]'), /4\/4/, 'who is seated (three imported, one added by hand)');
    t.ok(await c.page.locator('[data-testid=move-seat]').count(), '调座 is still offered (allowed until the session ends)');
    await c.shot('plans-checkin-open');
  });

  await step(t, 'a full room: the move form says in words that no seat is free', async (t) => {
    // R2 has two seats; two candidates fill it (seeded through the services, as the forms above would).
    const plans = c.app.exam.plans;
    const full = plans.createSession(
      { planId: plans.session(sessionId).planId, room: 'R2', startsAt: siteLocal(startsAt), templateId: TEMPLATE.id },
      'user:admin',
    );
    await plans.importRoster(full.id, { bytes: csv([person(5, '孙七'), person(6, '周八')]), filename: 'roster.csv' }, 'user:admin');
    plans.assignSeats(full.id, 'user:admin');
    await c.open('plans', `session=${full.id}`);
    const row = c.page.locator('[data-testid=roster-table] tbody tr', { hasText: '孙七' });
    await row.locator('[data-testid=move-seat]').click();
    const form = c.page.locator('[data-testid=move-seat-form]');
    t.match(await form.locator('[data-testid=no-free-seat]').textContent({ timeout: WAIT }), /二号考场已没有空座位：请先把另一名考生调开/);
    t.equal(await form.locator('select[name=seat]').count(), 0, 'no empty list offered');
    t.ok(await form.locator('button[type=submit]').isDisabled(), 'nothing to save');
    await c.shot('plans-move-no-free-seat');
  });

  t.same(c.pageErrors, [], 'no uncaught error in the page');
}
