// End to end: the admin console's results and people pages in Chromium on a real server. A graded
// session is seeded through the plan functions (tests/e2e/admin/results-seed.ts); the admin sees its
// results, score reports, results sheet and room log, revokes a certificate behind a confirmation,
// makes its archive with the server's progress, opens a person file, and manages a user through to
// their log-in with a reset password. Screenshots in tests/artifacts/admin/.
import type { Test } from 'tap';
import { chainedSteps } from '../browser.ts';
import { openAdminConsole } from './harness.ts';
import { GRADED_PEOPLE, seedGradedSession } from './results-seed.ts';
import { archiveFromResults, personFile, resultsShow, revokeCertificate } from './results-steps.ts';
import { usersFlow } from './people-steps.ts';

/** results, certificates, archive, person file and users from the admin console */
export async function resultsWalk(t: Test): Promise<void> {
  const c = await openAdminConsole(t);
  const step = chainedSteps((name) => c.shot(`failed-results-${name.replace(/\W+/g, '-')}`));
  const { sessionId } = await seedGradedSession(c);
  await step(t, 'the graded session comes first in the picker and shows its results and documents', async (t) => {
    await c.open('results');
    const first = await c.page.$eval('[data-testid=session-picker] option:nth-child(2)', (o) => o.getAttribute('value'));
    t.equal(first, sessionId, 'graded sessions are listed first');
    await resultsShow(t, c, sessionId, { rows: 4, passed: 2, graded: 3 });
  });
  await step(t, 'a certificate is revoked with a reason after a confirmation', async (t) => {
    await revokeCertificate(t, c, sessionId, '资料不实');
  });
  await step(t, 'the session archive is made with the progress from the server', async (t) => {
    await archiveFromResults(t, c, sessionId);
  });
  await step(t, 'the person file of a candidate', async (t) => {
    await personFile(t, c, GRADED_PEOPLE[0].idNumber);
  });
  await step(t, 'users: add, change role, disable, reset the password; the user logs in with it', async (t) => {
    await usersFlow(t, c);
  });
  await step(t, 'the results page in English at 1920×1080', async (t) => {
    await c.page.setViewportSize({ width: 1920, height: 1080 });
    await c.page.goto(`${c.base}/admin/?lang=en#/results?session=${sessionId}`);
    await c.page.waitForSelector('[data-testid=results-table] tbody tr');
    t.match(await c.page.textContent('[data-testid=results]'), /Results/);
    await c.shot('results-session-en-1920');
  });
  t.same(c.pageErrors, [], 'no uncaught error in the page');
}
