// The today page's steps, as a person at the office does them: pick the session, read its checklist,
// move it on with one click and a confirmation. Each step waits for the state the page shows (the
// session's status on the page, an item's mark), never for time. The lead's exam-day test composes them.
import type { Test } from 'tap';
import type { CheckState, ChecklistItemId, SessionTransitionId } from '../../../exam/protocol.ts';
import type { AdminConsole } from './harness.ts';

const detail = (sessionId: string) => `[data-testid=session-detail][data-session="${sessionId}"]`;

/** The today page with this session chosen (opens it unless it is already shown). */
export async function showSession(c: AdminConsole, sessionId: string): Promise<void> {
  if (await c.page.$(detail(sessionId))) return;
  await c.open('today', `session=${encodeURIComponent(sessionId)}`);
  await c.page.waitForSelector(detail(sessionId));
}

/** The today page loaded afresh with this session chosen (going to the same address only changes the hash, so reload). */
export async function reloadSession(c: AdminConsole, sessionId: string): Promise<void> {
  await c.open('today', `session=${encodeURIComponent(sessionId)}`);
  await c.page.reload();
  await c.page.waitForSelector(detail(sessionId));
}

/** Clicks a step, confirms it in the dialog and waits until the page shows the session in `status`. */
async function step(t: Test, c: AdminConsole, sessionId: string, id: SessionTransitionId, status: string): Promise<void> {
  await showSession(c, sessionId);
  await c.page.click(`${detail(sessionId)} [data-testid=do-${id}]`);
  await c.page.waitForSelector('dialog[data-testid=confirm][open]');
  await c.page.click('[data-testid=confirm-yes]');
  await c.page.waitForSelector(`${detail(sessionId)}[data-status=${status}]`);
  t.pass(`${id}: the page shows session ${sessionId} ${status}`);
}

export const openCheckIn = (t: Test, c: AdminConsole, sessionId: string) => step(t, c, sessionId, 'openCheckIn', 'checkin');
export const start = (t: Test, c: AdminConsole, sessionId: string) => step(t, c, sessionId, 'start', 'in_progress');
export const end = (t: Test, c: AdminConsole, sessionId: string) => step(t, c, sessionId, 'end', 'ended');
export const grade = (t: Test, c: AdminConsole, sessionId: string) => step(t, c, sessionId, 'grade', 'graded');
/** Starts the archive job; the page follows its progress and shows the session archived when the job has moved it. */
export const archive = (t: Test, c: AdminConsole, sessionId: string) => step(t, c, sessionId, 'archive', 'archived');

/**
 * Tries a step the server refuses: the dialog stays open with the refusal in words (matched by `words`),
 * the session keeps its status, and the dialog is cancelled.
 */
export async function refused(t: Test, c: AdminConsole, sessionId: string, id: SessionTransitionId, words: RegExp, shot?: string): Promise<void> {
  await showSession(c, sessionId);
  const before = await c.page.getAttribute(detail(sessionId), 'data-status');
  await c.page.click(`${detail(sessionId)} [data-testid=do-${id}]`);
  await c.page.waitForSelector('dialog[data-testid=confirm][open]');
  await c.page.click('[data-testid=confirm-yes]');
  const text = await c.page.textContent('[data-testid=refusal]');
  t.match(text, words, `${id} refused in words: ${text}`);
  if (shot) await c.shot(shot);
  await c.page.click('dialog[data-testid=confirm] button[type=button]');
  await c.page.waitForSelector('dialog[data-testid=confirm]', { state: 'detached' });
  t.equal(await c.page.getAttribute(detail(sessionId), 'data-status'), before, 'the session did not move');
}

/** The session's checklist shows each named item in the expected state (after a fresh load of the page). */
export async function checklistShows(t: Test, c: AdminConsole, sessionId: string, expectations: Partial<Record<ChecklistItemId, CheckState>>): Promise<void> {
  await reloadSession(c, sessionId);
  await c.page.waitForSelector(`${detail(sessionId)} [data-testid=checklist]`);
  for (const [id, state] of Object.entries(expectations)) {
    const got = await c.page.getAttribute(`${detail(sessionId)} [data-testid=check-${id}]`, 'data-state');
    t.equal(got, state, `${id} is ${state}`);
  }
}

/**
 * Opens a step's confirmation, checks that it states the facts (`words`: how far off the start is, who
 * came, the clock), and cancels it: nothing moves.
 */
export async function confirmSays(t: Test, c: AdminConsole, sessionId: string, id: SessionTransitionId, words: RegExp, shot?: string): Promise<void> {
  await showSession(c, sessionId);
  await c.page.click(`${detail(sessionId)} [data-testid=do-${id}]`);
  await c.page.waitForSelector('dialog[data-testid=confirm][open]');
  const facts = c.page.locator('[data-testid=confirm-facts]');
  await facts.waitFor();
  // Start and end ask the server for the counts as the dialog opens: wait for the words, not for time.
  await facts
    .filter({ hasText: words })
    .waitFor({ timeout: 5000 })
    .catch(() => undefined);
  const text = await facts.textContent();
  t.match(text, words, `the ${id} confirmation says: ${text}`);
  if (shot) await c.shot(shot);
  await c.page.click('dialog[data-testid=confirm] button[type=button]');
  await c.page.waitForSelector('dialog[data-testid=confirm]', { state: 'detached' });
}
