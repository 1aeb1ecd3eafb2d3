// The plans page driven as the office's IT person does it, for the exam-day end-to-end test and for
// the plans walk (plans-walk.ts): create a plan and a session, import a roster (a file or a zip with the
// photos), draw seats, generate papers (a job on the server, followed on the page), download the
// admission tickets. Each step waits for what a person would see, and checks it.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Test } from 'tap';
import { ARTIFACTS, WAIT, fetchInPage, siteLocal, type AdminConsole } from './harness.ts';

export { fetchInPage };

/** What an import should end in: so many added, or a refusal naming these rows (and columns). */
export type ImportExpectation = { added: number; total?: number } | { problems: { row: number; column?: string }[] };

/** Does `act`, saying yes to the confirmation it may ask (only while it runs: no handler is left behind). */
async function confirming(c: AdminConsole, act: () => Promise<void>): Promise<void> {
  const accept = (d: { accept(): Promise<void> }) => void d.accept();
  c.page.on('dialog', accept);
  try {
    await act();
  } finally {
    c.page.off('dialog', accept);
  }
}

async function openSession(c: AdminConsole, sessionId: string): Promise<void> {
  if (!c.page.url().includes(`session=${encodeURIComponent(sessionId)}`)) await c.open('plans', `session=${encodeURIComponent(sessionId)}`);
  await c.page.waitForSelector(`[data-testid=session-panel] [data-testid=session-id]:text-is("${sessionId}")`, { timeout: WAIT });
}

/**
 * A plan around the day (made unless one covers it) and a session in it, through the page's forms.
 * startsAt: server time in ms (the site's clock shows it; the form takes it as the site's local time).
 */
export async function createPlanAndSession(
  t: Test,
  c: AdminConsole,
  o: { room: string; startsAt: number; templateId: string; planName?: string },
): Promise<string> {
  const { page } = c;
  await c.open('plans');
  const local = siteLocal(o.startsAt);
  const day = local.slice(0, 10);
  const name = o.planName ?? `${day.slice(0, 7).replace('-', '年')}月 考试计划`;
  const existing = page.locator('[data-testid=plan-list] a', { hasText: name });
  if ((await existing.count()) > 0) await existing.first().click();
  else {
    await page.fill('[data-testid=new-plan] input[name=planName]', name);
    await page.fill('[data-testid=new-plan] input[name=from]', day);
    await page.fill('[data-testid=new-plan] input[name=to]', day);
    await page.click('[data-testid=new-plan] button[type=submit]');
  }
  await page.waitForSelector('[data-testid=new-session]', { timeout: WAIT });
  await page.selectOption('[data-testid=new-session] select[name=room]', o.room);
  await page.fill('[data-testid=new-session] input[name=startsAt]', local);
  await page.selectOption('[data-testid=new-session] select[name=template]', o.templateId);
  await page.click('[data-testid=new-session] button[type=submit]');
  const id = await page.waitForSelector('[data-testid=session-panel] [data-testid=session-id]', { timeout: WAIT }).then((h) => h.textContent());
  t.ok(id, `session ${id} made`);
  t.match(page.url(), `session=${encodeURIComponent(id!)}`, 'the session is in the address, for links from other pages');
  const row = await page.textContent(`[data-testid=session-row-${id}]`);
  t.match(row, local.slice(11, 16), 'listed at the time typed (the site’s clock)');
  return id!;
}

/** Imports a roster file or a zip (roster + photos) through the page's file field, and checks the outcome. */
export async function importRoster(t: Test, c: AdminConsole, sessionId: string, files: string[], expect: ImportExpectation): Promise<void> {
  const { page } = c;
  await openSession(c, sessionId);
  const before = await page.locator('[data-testid=roster-table] tbody tr').count();
  await page.setInputFiles('[data-testid=roster-import] input[type=file]', files);
  await page.click('[data-testid=roster-import] button[type=submit]');
  if ('added' in expect) {
    const done = await page.waitForSelector('[data-testid=import-done]', { timeout: WAIT }).then((h) => h.textContent());
    t.match(done, new RegExp(`${expect.added}`), `${files.map((f) => basename(f)).join(', ')}: ${done}`);
    const total = expect.total ?? before + expect.added;
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll(
          '[data-testid=roster-table] tbody tr',
        ).length === n,
      total,
      { timeout: WAIT },
    );
    t.pass(`the roster lists ${total}`);
  } else {
    await page.waitForSelector('[data-testid=import-problems]', { timeout: WAIT });
    const rows = await page.$$eval('[data-testid=import-problems] tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    for (const p of expect.problems) {
      t.ok(
        rows.some((r) => r[0] === String(p.row) && (p.column === undefined || r[1] === p.column) && r[2]!.length > 0),
        `row ${p.row}${p.column ? `, column ${p.column}` : ''} is named with its problem`,
      );
    }
    t.equal(rows.length, expect.problems.length, 'every bad row, and only those');
    t.equal(await page.locator('[data-testid=roster-table] tbody tr').count(), before, 'nothing was imported');
  }
}

/** Draws every seat (confirming a redraw when seats exist) and checks each candidate has one. */
export async function drawSeats(t: Test, c: AdminConsole, sessionId: string): Promise<void> {
  const { page } = c;
  await openSession(c, sessionId);
  // A redraw asks first; the first draw does not.
  await confirming(c, () => page.click('[data-testid=draw-seats]'));
  await page.waitForSelector('[data-testid=session-note]', { timeout: WAIT });
  await page.waitForFunction(
    () => {
      type Doc = { querySelectorAll(s: string): Iterable<{ textContent: string | null }> };
      const doc = (globalThis as unknown as { document: Doc }).document;
      const seats = [...doc.querySelectorAll('[data-testid=roster-table] [data-testid=seat]')].map((x) => x.textContent?.trim());
      return seats.length > 0 && seats.every((s) => s && s !== '—');
    },
    undefined,
    { timeout: WAIT },
  );
  const seats = await page.$$eval('[data-testid=roster-table] [data-testid=seat]', (xs) => xs.map((x) => x.textContent?.trim() ?? ''));
  t.equal(new Set(seats).size, seats.length, `every candidate seated, no seat twice (${seats.join(' ')})`);
}

/** Generates the papers as a job: the button, the server's progress, the end in words, the status. */
export async function generatePapers(t: Test, c: AdminConsole, sessionId: string): Promise<void> {
  const { page } = c;
  await openSession(c, sessionId);
  await confirming(c, () => page.click('[data-testid=generate-papers]'));
  const done = await page.waitForSelector('[data-testid=papers-done]', { timeout: WAIT }).then((h) => h.textContent());
  t.match(done, /\d/, `papers: ${done}`);
  await page.waitForSelector(`[data-testid=session-row-${sessionId}] .s-papers_ready`, { timeout: WAIT });
  t.pass('the session is papers_ready');
}

/** Downloads the admission tickets PDF as the link gives it; checks it has a page per candidate. Returns the file. */
export async function downloadAdmissionTickets(t: Test, c: AdminConsole, sessionId: string): Promise<string> {
  const { page } = c;
  await openSession(c, sessionId);
  const href = await page.waitForSelector('[data-testid=tickets-pdf]', { timeout: WAIT }).then((h) => h.getAttribute('href'));
  const res = await fetchInPage(c, href!);
  t.equal(res.status, 200, 'the tickets download');
  t.equal(res.type, 'application/pdf');
  const file = join(ARTIFACTS, `admission-tickets-${sessionId}.pdf`);
  writeFileSync(file, res.bytes);
  const candidates = await page.locator('[data-testid=roster-table] tbody tr').count();
  const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  if (info.error) throw new Error('pdfinfo is not installed (poppler-utils)');
  t.match(info.stdout, new RegExp(`Pages:\\s+${candidates}\\b`), `one page per candidate (${candidates})`);
  return file;
}
