// End to end: the office console in Chromium on a real server — the admin signs in through its form,
// every page of the list opens by its link, the language toggles, and another role is turned away
// in words. Screenshots of every page land in tests/artifacts/admin/ (git-ignored).
import t from 'tap';
import { PASSWORDS } from '../helpers.ts';
import { chainedSteps, requireChromiumAndApps } from './browser.ts';
import { openAdminConsole } from './admin/harness.ts';

requireChromiumAndApps('admin');

const PAGES = ['today', 'devices', 'bank', 'templates', 'plans', 'results', 'people', 'system'];

t.test('the admin signs in and reaches every page of the console; an invigilator is turned away', async (t) => {
  const c = await openAdminConsole(t);
  const step = chainedSteps((name) => c.shot(`failed-${name.replace(/\W+/g, '-')}`));
  await step(t, 'every page opens from the list', async (t) => {
    for (const p of PAGES) {
      await c.page.click(`[data-testid=nav-${p}]`);
      await c.page.waitForSelector(`[data-testid=page-${p}]`);
      t.equal(await c.page.getAttribute(`[data-testid=nav-${p}]`, 'aria-current'), 'page', `${p} is marked as the current page`);
      await c.shot(`page-${p}`);
    }
  });
  await step(t, 'the language toggles to English and back', async (t) => {
    await c.page.click('header.top button.lang');
    await c.page.waitForSelector('text=Site office');
    t.pass('English');
    await c.page.click('header.top button.lang');
    await c.page.waitForSelector('text=考点管理');
  });
  await step(t, 'an invigilator who signs in is told this console is not theirs', async (t) => {
    await c.page.click('header.top .who button');
    await c.page.waitForSelector('form.login');
    await c.page.fill('input[name=username]', 'invig');
    await c.page.fill('input[name=password]', PASSWORDS.invig);
    await c.page.click('form.login button[type=submit]');
    const refusal = await c.page.textContent('[data-testid=not-allowed]');
    t.match(refusal, /invigilator/);
    t.notOk(await c.page.$('nav.admin-nav'), 'no page list');
  });
  t.same(c.pageErrors, [], 'no uncaught error in the page');
});
