// End to end: the question bank and templates pages in Chromium on a real server with an empty site.
// The admin uploads a picture, imports a file with bad rows (refused, every row listed, nothing
// stored), then a good one (done, with a full progress bar), finds the question with the picture,
// retires one after a confirmation, and sees the template's feasibility table. Screenshots in
// tests/artifacts/admin/bank-*.png and templates-*.png.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import sharp from 'sharp';
import { chainedSteps } from '../browser.ts';
import { openAdminConsole, WAIT } from './harness.ts';
import { BAD_FILE_LINES, BANK_TEMPLATE_ID, PICTURE_STEM, importBankFile, templateIsFeasible, writeBankFiles } from './bank-steps.ts';

const PICTURE = 'fig/sign.png';

/** A safety sign the size a question shows: a red circle with a bar (禁止), drawn by sharp from SVG. */
const signPng = () =>
  sharp(
    Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160"><rect width="160" height="160" fill="#fff"/><circle cx="80" cy="80" r="66" fill="none" stroke="#d00" stroke-width="16"/><line x1="33" y1="33" x2="127" y2="127" stroke="#d00" stroke-width="16"/></svg>',
    ),
  )
    .png()
    .toBuffer();

/** the bank page imports, browses, retires and uploads; the templates page shows feasibility */
export async function bankWalk(t: Test): Promise<void> {
  const c = await openAdminConsole(t);
  const { page } = c;
  const step = chainedSteps((name) => c.shot(`failed-${name.replace(/\W+/g, '-')}`));
  const files = writeBankFiles(c.dir, { picture: PICTURE });
  const versions = () => c.app.exam.bank.versions();

  await step(t, 'an empty bank says so, and that no central bank is configured', async (t) => {
    await c.open('bank');
    await page.waitForSelector('[data-testid=bank-empty]');
    t.match(await page.textContent('[data-testid=bank-sync]'), /未配置中心题库/);
    await c.shot('bank-empty');
  });

  let imageId = '';
  await step(t, 'a picture is uploaded under the name the question file uses, and its id is shown', async (t) => {
    const file = join(c.dir, 'sign.png');
    writeFileSync(file, await signPng());
    await page.setInputFiles('input[name=image-file]', file);
    t.equal(await page.inputValue('input[name=image-name]'), 'sign.png', 'the name starts as the file name');
    await page.fill('input[name=image-name]', PICTURE);
    await page.click('[data-testid=bank-images] button[type=submit]');
    imageId = (await (await page.waitForSelector('[data-testid=uploaded-images] code.image-id', { timeout: WAIT })).textContent()) ?? '';
    t.match(imageId, /^[0-9a-f]{64}\.png$/, 'the id is the content hash');
    t.equal(c.app.exam.images.resolve(PICTURE)?.id, imageId, 'stored under the name');
  });

  await step(t, 'a file with bad rows is refused with every row listed, and nothing is stored', async (t) => {
    await importBankFile(t, c, files.bad, { refused: BAD_FILE_LINES }, 'bank-import-refused');
    t.match(await page.textContent('[data-testid=import-failed]'), /什么都没有入库/);
    t.same(versions(), [], 'no version');
  });

  await step(t, 'the good file is imported with the progress bar full, and becomes the latest version', async (t) => {
    const version = await importBankFile(t, c, files.good, { done: 185 }, 'bank-import-done');
    t.equal(versions()[0]?.id, version);
    t.match(await page.textContent('[data-testid=import-phase]'), /185 \/ 185/, 'the bar says every question is stored');
  });

  await step(t, 'a reloaded page finds the import still waiting on the server and follows it to its end', async (t) => {
    // A job of another kind holds the runner (one job at a time), so the import waits in the queue
    // long enough for the page to be reloaded in between.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    c.app.ctx.jobs.define('test.hold', () => held);
    c.app.ctx.jobs.start('test.hold', null, 'user:admin');
    const res = await c.app.inject({
      method: 'POST',
      url: `/api/bank/imports?filename=${encodeURIComponent('机械主要负责人题库.csv')}`,
      headers: { cookie: c.adminCookie, 'content-type': 'application/octet-stream' },
      payload: readFileSync(files.good),
    });
    t.equal(res.statusCode, 202, res.body);
    await page.reload();
    await page.waitForSelector('[data-testid=import-progress] >> text=排队等待中', { timeout: WAIT });
    t.ok(await page.$('[data-testid=import-progress] progress'), 'the progress bar is shown for the job the page re-attached to');
    await c.shot('bank-import-reattached');
    release();
    const done = await page.waitForSelector('[data-testid=import-done]', { timeout: WAIT });
    t.match(await done.textContent(), /新增 0 题，重复 185 题/, 'the same file again: every row a duplicate, no new version');
  });

  await step(t, 'the question with the picture is found and its picture shows', async (t) => {
    await page.fill('[data-testid=bank-questions] input[name=q]', '安全标志');
    await page.click('[data-testid=bank-questions] button[type=submit]');
    await page.waitForSelector(`[data-testid=bank-questions] tr[data-question] >> text=${PICTURE_STEM}`, { timeout: WAIT });
    const img = await page.waitForSelector('[data-testid=bank-questions] img.picture', { timeout: WAIT });
    await page.waitForFunction(
      (el) =>
        (el as unknown as { complete: boolean; naturalWidth: number }).complete &&
        (el as unknown as { complete: boolean; naturalWidth: number }).naturalWidth > 0,
      img,
      { timeout: WAIT },
    );
    t.equal(await img.getAttribute('src'), `/api/bank/images/${imageId}`);
    t.match(page.url(), /q=%E5%AE%89/, 'the filter is in the address, so a reload keeps it');
    await c.shot('bank-browse-picture');
  });

  await step(t, 'a question is retired after a confirmation, and is listed as retired, never deleted', async (t) => {
    const row = await page.waitForSelector('[data-testid=bank-questions] tr[data-question]');
    const id = (await row.getAttribute('data-question'))!;
    await page.click(`tr[data-question="${id}"] button`);
    await page.waitForSelector('[data-testid=retire-dialog][open]');
    await c.shot('bank-retire-confirm');
    t.equal(c.app.exam.bank.question(id)?.retiredAt, null, 'nothing happens before the confirmation');
    await page.click('[data-testid=retire-dialog] button.danger');
    await page.waitForSelector(`tr[data-question="${id}"]`, { state: 'detached', timeout: WAIT });
    t.ok(c.app.exam.bank.question(id)?.retiredAt, 'retired');
    await page.check('[data-testid=bank-questions] input[name=retired]');
    await page.click('[data-testid=bank-questions] button[type=submit]');
    await page.waitForSelector(`tr[data-question="${id}"].retired`, { timeout: WAIT });
    t.match(await page.textContent(`tr[data-question="${id}"]`), /已停用/);
  });

  await step(t, 'the templates page shows the feasibility table, shortfalls marked', async (t) => {
    await templateIsFeasible(t, c, BANK_TEMPLATE_ID, 'templates-check-feasible');
    // Another industry's template: the bank holds only 机械 questions.
    await page.click('tr[data-template="gm-safety-manager-general"] a.button');
    await page.waitForSelector('[data-testid=template-check][data-feasible=false]', { timeout: WAIT });
    t.ok((await page.$$('[data-testid=template-check] tr.short')).length > 0, 'the shortfalls are marked');
    await c.shot('templates-check-short');
  });

  await step(t, 'the pages at 1920×1080 and in English', async (t) => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await c.open('bank');
    await page.waitForSelector('[data-testid=bank-questions] tr[data-question]');
    await c.shot('bank-1920');
    await page.goto(`${c.base}/admin/?lang=en#/templates?id=${BANK_TEMPLATE_ID}`);
    await page.waitForSelector('[data-testid=template-check] >> text=Feasible', { timeout: WAIT });
    await c.shot('templates-en-1920');
    await page.goto(`${c.base}/admin/?lang=en#/bank`);
    t.ok(await page.waitForSelector('[data-testid=bank-import] >> text=Import questions', { timeout: WAIT }));
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  t.same(c.pageErrors, [], 'no uncaught error in the page');
}
