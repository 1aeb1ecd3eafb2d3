// End to end: the today page in Chromium on a real server. Sessions are seeded through the services as
// the other pages would make them; the page shows today's and tomorrow's sessions by day and room, the
// checklist turning from missing to ready (each item linking to the page that fixes it), a refused
// check-in in words, then open check-in → start → end → grade → archive, one confirmed click each.
// Screenshots land in tests/artifacts/admin/today-*.png.
import type { Test } from 'tap';
import { pairDevice } from '../../helpers.ts';
import { bankQuestions, csv, person, TEMPLATE } from '../../exam/plans-fixture.ts';
import { chainedSteps } from '../browser.ts';
import { openAdminConsole, siteLocal } from './harness.ts';
import { archive, checklistShows, confirmSays, end, grade, openCheckIn, refused, reloadSession, showSession, start } from './today-steps.ts';

/** the today page: a session from an empty checklist to archived */
export async function todayWalk(t: Test): Promise<void> {
  const c = await openAdminConsole(t);
  const step = chainedSteps((name) => c.shot(`failed-today-${name.replace(/\W+/g, '-')}`));
  const plans = c.app.exam.plans;
  const actor = 'user:admin';
  const now = c.clock.now();
  // A bank version that knows the template but cannot fill it: the checklist says so.
  c.app.exam.bank.createVersion({ id: 'v0', kind: 'import', questions: [], templates: [TEMPLATE] });
  const plan = plans.createPlan({ name: '本周主要负责人考试', from: siteLocal(now).slice(0, 10), to: siteLocal(now + 7 * 86_400_000).slice(0, 10) }, actor);
  const s = plans.createSession({ planId: plan.id, room: 'R1', startsAt: siteLocal(now + 2 * 3600_000), templateId: TEMPLATE.id }, actor);
  const other = plans.createSession({ planId: plan.id, room: 'R2', startsAt: siteLocal(now + 26 * 3600_000), templateId: TEMPLATE.id }, actor);
  // Tomorrow's session in the same room as s: its check-in must wait until s is over.
  const tomorrow = plans.createSession({ planId: plan.id, room: 'R1', startsAt: siteLocal(now + 24 * 3600_000), templateId: TEMPLATE.id }, actor);

  await step(t, 'without a link the page opens on the next session to start', async (t) => {
    await c.open('today');
    // The console signed in on this page before the sessions existed: load it afresh.
    await c.page.reload();
    await c.page.waitForSelector('[data-testid=session-detail]');
    t.equal(await c.page.getAttribute('[data-testid=session-detail]', 'data-session'), s.id);
  });

  await step(t, 'the empty session: every missing item named, each with its link', async (t) => {
    await checklistShows(t, c, s.id, {
      bank: 'ok',
      template: 'missing',
      roster: 'missing',
      photos: 'missing',
      seats: 'missing',
      papers: 'missing',
      terminals: 'missing',
      cameras: 'warn',
    });
    t.ok(await c.page.$(`[data-testid=session-${other.id}]`), "tomorrow's session in R2 is listed too");
    t.equal(await c.page.getAttribute('[data-testid=fix-roster]', 'href'), `#/plans?session=${s.id}`, 'the roster is fixed on the plans page');
    t.equal(await c.page.getAttribute('[data-testid=fix-terminals]', 'href'), '#/devices?room=R1');
    t.equal(await c.page.getAttribute('[data-testid=fix-template]', 'href'), `#/templates?template=${TEMPLATE.id}`);
    t.ok(await c.page.isDisabled('[data-testid=do-openCheckIn]'), 'no step before the papers exist');
    await c.shot('today-empty');
    await c.page.click('[data-testid=fix-roster]');
    await c.page.waitForSelector('[data-testid=page-plans]');
    t.pass('the link leads to the plans page');
  });

  await step(t, 'bank, roster, seats, papers and paired terminals turn the list ready', async (t) => {
    c.app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
    await plans.importRoster(s.id, { bytes: csv([person(1), person(2), person(3)]), filename: 'roster.csv' }, actor);
    plans.assignSeats(s.id, actor);
    plans.generateSessionPapers(s.id, actor);
    await pairDevice(c.app, 'terminal', 'T1', c.adminCookie);
    await pairDevice(c.app, 'terminal', 'T2', c.adminCookie);
    // The draw is random: re-seat (as the plans page's 调座 would) so that someone sits at T1's seat 01 and
    // nobody at T2's seat 02. T1 is then offline and T2 a spare; the other two sit where no PC is.
    const free = () => plans.freeSeats(s.id).filter((x) => x !== '01' && x !== '02');
    const at = (seat: string) => plans.roster(s.id).find((e) => e.seat === seat);
    const at02 = at('02');
    if (at02) plans.reseat(s.id, at02.idNumber, free()[0]!, actor, { reason: 'test: nobody at T2' });
    if (!at('01')) plans.reseat(s.id, plans.roster(s.id)[0]!.idNumber, '01', actor, { reason: 'test: someone at T1' });
    const noPc = plans
      .roster(s.id)
      .map((e) => e.seat!)
      .filter((x) => x !== '01')
      .sort();
    await checklistShows(t, c, s.id, { bank: 'ok', template: 'ok', roster: 'ok', seats: 'ok', papers: 'ok', terminals: 'warn', photos: 'missing' });
    t.equal(
      (await c.page.textContent('[data-testid=check-terminals] .detail'))?.trim(),
      `2/2 台考试机已配对，1 台已配对但不在线（T1）；1 台备用（本场无人坐该座位，可以关机）：T2；2 名考生的座位没有已配对的考试机：座位 ${noPc.join('、')}`,
      'T1 offline, T2 spare (not offline), the two seats without a PC named',
    );
    t.match(await c.page.textContent('[data-testid=check-photos]'), /3 人没有照片/);
    t.ok(await c.page.isEnabled('[data-testid=do-openCheckIn]'), 'check-in can be opened');
    await c.shot('today-ready');
  });

  await step(t, 'a late roster addition: check-in refused in words, nothing moves', async (t) => {
    await plans.importRoster(s.id, { bytes: csv([person(4)]), filename: 'late.csv' }, actor);
    await reloadSession(c, s.id);
    await c.page.waitForSelector('[data-testid=check-seats][data-state=missing]');
    await refused(t, c, s.id, 'openCheckIn', /4 名考生中有 1 人未排座/, 'today-refused');
    plans.assignSeats(s.id, actor);
    plans.generateSessionPapers(s.id, actor);
    await c.page.click('[data-testid=refresh]');
    await c.page.waitForSelector('[data-testid=check-seats][data-state=ok]');
  });

  await step(t, 'open check-in, start, end and grade: one confirmed click each', async (t) => {
    await openCheckIn(t, c, s.id);
    t.match(await c.page.textContent('[data-testid=notice]'), /已开启检录/);
    // During check-in the checklist is still the to-do (terminals paired and online): open, not folded.
    t.ok(await c.page.isVisible('[data-testid=checklist]'), 'the checklist stays open during check-in');
    t.notOk(await c.page.$('details.after'), 'not folded during check-in');
    await c.shot('today-checkin');
    plans.setRosterStatus(s.id, person(1)[0]!, 'admitted');
    plans.setRosterStatus(s.id, person(2)[0]!, 'admitted');
    await confirmSays(t, c, s.id, 'start', /入口已核验入场 2 人（名单共 4 人），已在考试机登录 0 人/, 'today-start-confirm');
    await start(t, c, s.id);
    t.ok(await c.page.$('details.after'), 'folded once the exam is under way');
    t.match(await c.page.textContent('details.after summary'), /考试进行中或已结束/);
    await confirmSays(t, c, s.id, 'end', /距计划结束还有 \d+ 分钟。已入场 2 人，已交卷 0 人；结束后未交卷者按现有答案自动交卷/, 'today-end-confirm');
    await end(t, c, s.id);
    await grade(t, c, s.id);
    t.equal(plans.session(s.id).status, 'graded', 'the server agrees');
    t.equal(plans.sessionSummary(s.id).absent, 4, 'nobody sat: all four absent');
  });

  await step(t, "tomorrow's session in the same room: the confirmation says how far off it is; refused while the room is busy", async (t) => {
    await plans.importRoster(tomorrow.id, { bytes: csv([person(5), person(6)]), filename: 'roster.csv' }, actor);
    plans.assignSeats(tomorrow.id, actor);
    plans.generateSessionPapers(tomorrow.id, actor);
    await reloadSession(c, tomorrow.id);
    await confirmSays(t, c, tomorrow.id, 'openCheckIn', /本场次 .+ 开考，距现在 2[34] 小时 \d+ 分/, 'today-early-confirm');
    // Another session of R1 in check-in (as s was an hour ago): the server refuses and names it.
    const busy = plans.createSession({ planId: plan.id, room: 'R1', startsAt: siteLocal(now + 4 * 3600_000), templateId: TEMPLATE.id }, actor);
    await plans.importRoster(busy.id, { bytes: csv([person(7)]), filename: 'roster.csv' }, actor);
    plans.assignSeats(busy.id, actor);
    plans.generateSessionPapers(busy.id, actor);
    plans.advanceSession(busy.id, 'checkin', actor);
    await refused(
      t,
      c,
      tomorrow.id,
      'openCheckIn',
      new RegExp(`考场 R1 的场次（${siteLocal(now + 4 * 3600_000).replace('T', ' ')} 开考）正处于「检录中」`),
      'today-room-busy',
    );
    t.equal(plans.session(tomorrow.id).status, 'papers_ready', 'the server agrees: nothing moved');
  });

  await step(t, 'archive: the job runs on the server and the session ends archived', async (t) => {
    await archive(t, c, s.id);
    t.equal(plans.session(s.id).status, 'archived');
    t.match(await c.page.textContent('[data-testid=notice]'), /归档已完成/);
    await c.shot('today-archived');
  });

  await step(t, 'in English, and on a 1920×1080 screen', async (t) => {
    await showSession(c, other.id);
    await c.page.click('header.top button.lang');
    await c.page.waitForSelector('text=Before the start');
    t.match(await c.page.textContent('[data-testid=check-roster]'), /no roster imported yet/);
    await c.shot('today-en');
    await c.page.setViewportSize({ width: 1920, height: 1080 });
    await c.shot('today-en-1920');
  });

  t.same(c.pageErrors, [], 'no uncaught error in the page');
}
