// The System page's steps, driven as the centre's IT person would: open a section by its tab, read what it
// says, filter the audit log, run the check. The lead's exam-day test uses `systemHealthy` and
// `auditShows`; system-walk.ts walks every section.
import type { Test } from 'tap';
import { WAIT, type AdminConsole } from './harness.ts';

/** Opens a section of the System page by clicking its tab (the page itself from the list when elsewhere). */
export async function openSystemSection(c: AdminConsole, section: 'health' | 'disk' | 'recording' | 'upstream' | 'backup' | 'audit' | 'config'): Promise<void> {
  if (!(await c.page.$('[data-testid=page-system]'))) {
    await c.page.click('[data-testid=nav-system]');
    await c.page.waitForSelector('[data-testid=page-system]');
  }
  await c.page.click(`[data-testid=system-tab-${section}]`);
  await c.page.waitForSelector(`[data-testid=system-${section}]`);
}

/** The health section says the appliance works (status ok or degraded, never failing) and names its version. */
export async function systemHealthy(t: Test, c: AdminConsole): Promise<void> {
  await openSystemSection(c, 'health');
  const verdict = await c.page.waitForSelector('[data-testid=health-verdict]');
  const status = await verdict.getAttribute('data-status');
  t.not(status, 'failing', `the health verdict is ${status}: ${await verdict.textContent()}`);
  t.match(await c.page.textContent('[data-testid=system-health]'), /examroom \d+\.\d+\.\d+/, 'the version is shown');
  t.notMatch(await c.page.textContent('[data-testid=health-tls]'), /HTTP（明文|plain HTTP/, 'the console runs over HTTPS and says which certificates');
}

/**
 * The audit log, filtered by `action` (exact, or a family ending in a dot) through the page's form, lists at
 * least one such entry; returns how many it lists. The filter is cleared afterwards.
 */
export async function auditShows(t: Test, c: AdminConsole, action: string): Promise<number> {
  await openSystemSection(c, 'audit');
  await c.page.fill('[data-testid=audit-filter] input[name=action]', action);
  await c.page.click('[data-testid=audit-filter] button[type=submit]');
  const family = action.endsWith('.');
  await c.page.waitForFunction(
    ([a, fam]) => {
      type Row = { getAttribute(n: string): string | null };
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<Row> } }).document;
      const rows = [...doc.querySelectorAll('[data-testid=audit-table] tbody tr')];
      return rows.length > 0 && rows.every((r) => (fam ? (r.getAttribute('data-action') ?? '').startsWith(a!) : r.getAttribute('data-action') === a));
    },
    [action, family ? '1' : ''] as const,
    { timeout: WAIT },
  );
  const n = await c.page.$$eval('[data-testid=audit-table] tbody tr', (rows) => rows.length);
  t.ok(n > 0, `the audit log shows ${n} ${action} entr${n === 1 ? 'y' : 'ies'}`);
  return n;
}
