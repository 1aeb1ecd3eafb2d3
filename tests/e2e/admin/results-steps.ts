// The results page's browser steps (the admin console, pages/results), for the exam-day e2e and the
// page's own test: the session's results and documents, making its archive, revoking a certificate, and
// (from people-steps.ts) the person file.
import type { Test } from 'tap';
import { WAIT, fetchInPage, type AdminConsole } from './harness.ts';

export { personFile } from './people-steps.ts';

export interface ResultsExpectation {
  /** Rows of the results table (the roster). */
  rows: number;
  /** Candidates graded as passed (shown 合格). */
  passed: number;
  /** Candidates graded (a score shown). */
  graded: number;
}

/** Opens the results page on `sessionId`: the table as expected, each score report, the results sheet and room log are PDFs. */
export async function resultsShow(t: Test, c: AdminConsole, sessionId: string, expect: ResultsExpectation): Promise<void> {
  const p = c.page;
  await c.open('results', `session=${encodeURIComponent(sessionId)}`);
  await p.waitForSelector('[data-testid=results-table] tbody tr', { timeout: WAIT });
  await p.waitForSelector('[data-testid=room-log-state]', { timeout: WAIT });
  t.equal(await p.inputValue('[data-testid=session-picker]'), sessionId, 'the picker shows the session from the address');
  t.equal((await p.$$('[data-testid=results-table] tbody tr')).length, expect.rows, `${expect.rows} rows`);
  const verdicts = await p.$$eval('[data-testid=results-table] [data-field=verdict]', (cells) => cells.map((x) => x.textContent ?? ''));
  t.equal(verdicts.filter((v) => v === '合格').length, expect.passed, `${expect.passed} passed`);
  t.equal(verdicts.filter((v) => v === '合格' || v === '不合格').length, expect.graded, `${expect.graded} graded`);
  await p.waitForSelector('[data-testid=score-report]', { timeout: WAIT });
  const reports = await p.$$eval('[data-testid=score-report]', (as) => as.map((a) => a.getAttribute('href')!));
  t.equal(reports.length, expect.graded, 'a score report for each graded candidate');
  t.match(await fetchInPage(c, reports[0]!), { status: 200, type: 'application/pdf' }, 'a score report opens as a PDF');
  for (const id of ['results-sheet', 'room-log']) {
    const href = (await p.getAttribute(`[data-testid=${id}]`, 'href'))!;
    t.match(await fetchInPage(c, href), { status: 200, type: 'application/pdf' }, `the ${id} opens as a PDF`);
  }
  t.match(await p.getAttribute('[data-testid=room-log-state]', 'data-state'), /^(open|signed)$/, "the room log's sign-off state is shown");
  t.equal(await p.getAttribute('[data-testid=statistics-link]', 'href'), '/records/', 'the statistics app is a link away');
  await c.shot('results-session');
}

/** Makes the session's archive from the results page and waits until a new version is listed (the session is then archived). */
export async function archiveFromResults(t: Test, c: AdminConsole, sessionId: string): Promise<void> {
  const p = c.page;
  await c.open('results', `session=${encodeURIComponent(sessionId)}`);
  await p.waitForSelector('[data-testid=archive-versions] li', { timeout: WAIT });
  const before = (await p.$$('[data-testid=archive-versions] li[data-version]')).length;
  await p.click('button[data-action=make-archive]');
  await p.waitForSelector(`[data-testid=archive-versions] li[data-version="${before + 1}"]`, { timeout: 120_000 });
  t.match(await p.textContent('[data-testid=archive-message]'), /已生成/, 'the page says the archive was made');
  const href = (await p.getAttribute(`[data-testid=archive-versions] li[data-version="${before + 1}"] a`, 'href'))!;
  t.match(await fetchInPage(c, href), { status: 200 }, 'the new version downloads');
  await p.waitForSelector('.session-parts[data-status=archived]', { timeout: WAIT });
  t.equal(c.app.exam.plans.session(sessionId).status, 'archived', 'the session is archived');
  await c.shot('results-archived');
}

/** Revokes the first valid certificate of the session with a reason, through the confirmation. Returns its number. */
export async function revokeCertificate(t: Test, c: AdminConsole, sessionId: string, reason: string): Promise<string> {
  const p = c.page;
  await c.open('results', `session=${encodeURIComponent(sessionId)}`);
  await p.waitForSelector('[data-testid=certificates-table] button[data-action=revoke]', { timeout: WAIT });
  const number = (await p.getAttribute('[data-testid=certificates-table] tr:has(button[data-action=revoke])', 'data-number'))!;
  await p.click(`[data-testid=certificates-table] tr[data-number="${number}"] button[data-action=revoke]`);
  await p.click('[data-testid=revoke-form] button[type=submit]');
  t.match(await p.textContent('[data-testid=revoke-form] [role=alert]'), /吊销原因/, 'no reason, no revoke');
  await p.fill('[data-testid=revoke-form] input[name=reason]', reason);
  await c.shot('results-revoke-confirm');
  await p.click('[data-testid=revoke-form] button[type=submit]');
  await p.waitForSelector(`[data-testid=certificates-table] tr[data-number="${number}"] [data-field=status] >> text=已吊销`, { timeout: WAIT });
  t.pass(`${number} is revoked`);
  const exported = await fetchInPage(c, (await p.getAttribute('[data-testid=export-xlsx]', 'href'))!);
  t.equal(exported.status, 200, 'the ZWFW export downloads');
  return number;
}
