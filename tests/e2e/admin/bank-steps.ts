// The question bank and templates pages driven as the office's IT person uses them: import a question
// file and read what the page says (every bad row, or done with a new version), look at a template's
// feasibility table. For the exam-day e2e and the bank walk (bank-walk.ts).
import type { Test } from 'tap';
import type { AdminConsole } from './harness.ts';
import { WAIT } from './harness.ts';

export { writeBankFiles, BANK_TEMPLATE_ID, BAD_FILE_LINES, PICTURE_STEM } from '../../exam/bank-files.ts';

export type ImportExpectation =
  /** The import is refused; these `row N, column X` (as the CLI prints them) are listed, in this order. */
  | { refused: string[] }
  /** The import is done and made a version of this many questions. */
  | { done: number };

/**
 * Chooses `file` on the bank page and imports it; waits for the server's job to end and checks what
 * the page shows. Returns the new version's id when done, null when refused.
 */
export async function importBankFile(t: Test, c: AdminConsole, file: string, expect: ImportExpectation, shot?: string): Promise<string | null> {
  const { page } = c;
  if (!(await page.$('[data-testid=page-bank]'))) await c.open('bank');
  // An earlier import's outcome may still be on the page: wait for this job's.
  const OUTCOME = '[data-testid=import-done], [data-testid=import-failed]';
  const before = await page.$eval(OUTCOME, (el) => el.getAttribute('data-job')).catch(() => null);
  await page.setInputFiles('input[name=bank-file]', file);
  await page.click('[data-testid=bank-import] button[type=submit]');
  const fresh = ['import-done', 'import-failed'].map((id) => `[data-testid=${id}]${before ? `:not([data-job="${before}"])` : ''}`).join(', ');
  const outcome = await page.waitForSelector(fresh, { timeout: WAIT });
  const testid = await outcome.getAttribute('data-testid');
  if (shot) await c.shot(shot);
  if ('refused' in expect) {
    t.equal(testid, 'import-failed', 'the page says the file was refused');
    const lines = await page.$$eval('[data-testid=import-problems] tbody tr', (rows) => rows.map((r) => r.getAttribute('title') ?? ''));
    t.same(
      lines.map((l) => l.replace(/: .*$/u, '')),
      expect.refused,
      'every bad row is listed by row and column',
    );
    t.ok(
      lines.every((l) => /^(row|sheet|item|file)/u.test(l)),
      'each as the CLI prints it',
    );
    // A Chinese screen says the common problems in Chinese; English keeps the server's words.
    const cells = await page.$$eval('[data-testid=import-problems] tbody td[data-server-text]', (tds) =>
      tds.map((td) => ({ lang: td.getAttribute('lang'), text: td.textContent ?? '', server: td.getAttribute('data-server-text') ?? '' })),
    );
    const zhPage =
      (await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang)) === 'zh-CN';
    t.ok(
      cells.length > 0 &&
        cells.every((x) => (zhPage ? x.lang === 'zh-CN' && /[\u4e00-\u9fff]/u.test(x.text) && !/[a-z]{4}/u.test(x.text) : x.text === x.server)),
      `the problems in the page's language: ${cells.map((x) => x.text).join(' | ')}`,
    );
    t.notOk(await page.$('[data-testid=import-bar]'), 'no full progress bar for a refused file');
    return null;
  }
  t.equal(testid, 'import-done', 'the page says the import is done');
  const bar = await page.$eval('[data-testid=import-bar]', (el) => ({
    value: (el as unknown as { value: number; max: number }).value,
    max: (el as unknown as { value: number; max: number }).max,
  }));
  t.equal(bar.value, bar.max, 'the progress bar is full');
  const said = (await outcome.textContent()) ?? '';
  t.match(said, new RegExp(`${expect.done}`), 'the number of questions imported is shown');
  const version = /local-[0-9T]+-[0-9a-f]+/u.exec(said)?.[0] ?? null;
  t.ok(version, 'the new version is named');
  // The versions table shows it as the latest once the page reloaded its list.
  await page.waitForSelector(`[data-testid=bank-versions] tr[data-version="${version}"]`, { timeout: WAIT });
  return version;
}

/** Opens the templates page, checks `templateId` against the latest bank version, and expects it feasible. */
export async function templateIsFeasible(t: Test, c: AdminConsole, templateId: string, shot?: string): Promise<void> {
  const { page } = c;
  await c.open('templates');
  await page.click(`tr[data-template="${templateId}"] a.button`);
  const check = await page.waitForSelector('[data-testid=template-check]', { timeout: WAIT });
  if (shot) await c.shot(shot);
  t.equal(await check.getAttribute('data-feasible'), 'true', `template ${templateId} can be filled from the bank`);
  t.equal(await page.$$eval('[data-testid=template-check] tr.short', (r) => r.length), 0, 'no shortfall is marked');
}
