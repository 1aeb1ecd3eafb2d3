// The devices page driven as the office's IT person does it: watch the pending pairing requests arrive,
// approve each as the id its PC asked for (pre-selected) or a whole room at once after reviewing it,
// revoke one after the confirmation, and read the device list.
import type { Test } from 'tap';
import type { AdminConsole } from './harness.ts';

async function onDevicesPage(c: AdminConsole): Promise<void> {
  if (!(await c.page.$('[data-testid=page-devices]'))) await c.open('devices');
}

/** The pending request whose PC asked to be `id` (its `?device=`). */
const pendingRowOf = (id: string) => `tr[data-testid=pending-row]:has(td[data-testid=asked]:text-is("${id}"))`;

/**
 * Waits for each terminal's pairing request to appear on the open page (live: no reload) and approves it
 * with one click as the id it asked for, which the page has pre-selected. Returns the codes approved.
 */
export async function approveTerminalsAsTheyAppear(t: Test, c: AdminConsole, ids: string[]): Promise<string[]> {
  await onDevicesPage(c);
  const codes: string[] = [];
  for (const id of ids) {
    const row = c.page.locator(pendingRowOf(id));
    await row.waitFor();
    const code = (await row.getAttribute('data-code')) ?? '';
    t.equal(await row.locator('select[data-testid=approve-as]').inputValue(), id, `the request for ${id} (code ${code}) appears with ${id} pre-selected`);
    await row.getByRole('button', { name: /^(批准|Approve)$/ }).click();
    await c.page.locator(`[data-testid=toast]:has-text("${code}")`).waitFor();
    await row.waitFor({ state: 'detached' });
    codes.push(code);
  }
  return codes;
}

/** Approves a pending request (found by its code) as an id picked from the select: for a PC that named no id. */
export async function approvePendingAs(t: Test, c: AdminConsole, code: string, deviceId: string): Promise<void> {
  await onDevicesPage(c);
  const row = c.page.locator(`tr[data-testid=pending-row][data-code="${code}"]`);
  await row.locator('select[data-testid=approve-as]').selectOption(deviceId);
  await row.getByRole('button', { name: /^(批准|Approve)$/ }).click();
  await row.waitFor({ state: 'detached' });
  t.pass(`code ${code} approved as ${deviceId}`);
}

/** Rejects a pending request by its code. */
export async function rejectPending(t: Test, c: AdminConsole, code: string): Promise<void> {
  await onDevicesPage(c);
  const row = c.page.locator(`tr[data-testid=pending-row][data-code="${code}"]`);
  await row.getByRole('button', { name: /^(拒绝|Reject)$/ }).click();
  await row.waitFor({ state: 'detached' });
  t.pass(`code ${code} rejected`);
}

/**
 * Bulk approval of a room: opens the review (each request's code, address and browser), checks it would
 * approve exactly `expectIds` and leave `expectLeftCodes` for a person, confirms, and checks the server's
 * answer shown on the page. `shot` names a screenshot of the review dialog.
 */
export async function approveRoom(t: Test, c: AdminConsole, roomId: string, expect: { ids: string[]; leftCodes?: string[]; shot?: string }): Promise<void> {
  await onDevicesPage(c);
  await c.page.selectOption('[data-testid=bulk-room]', roomId);
  await c.page.click('[data-testid=bulk-open]');
  const dialog = c.page.locator('[data-testid=bulk-dialog]');
  await dialog.waitFor();
  for (const id of expect.ids) await dialog.locator(`tr:has(td:text-is("${id}"))`).first().waitFor();
  for (const code of expect.leftCodes ?? []) await dialog.locator(`tr[data-code="${code}"]`).waitFor();
  t.equal(
    await dialog.locator('[data-testid=bulk-confirm]').textContent(),
    (await c.page.evaluate('document.documentElement.lang')) === 'en' ? `Approve ${expect.ids.length}` : `批准 ${expect.ids.length} 台`,
  );
  if (expect.shot) await c.shot(expect.shot);
  await dialog.locator('[data-testid=bulk-confirm]').click();
  const result = c.page.locator('[data-testid=bulk-result]');
  await result.waitFor();
  const text = (await result.textContent()) ?? '';
  for (const id of expect.ids) t.match(text, id, `${id} approved with room ${roomId}`);
  for (const code of expect.leftCodes ?? []) t.match(text, code, `code ${code} is listed as left for a person`);
}

/** Revokes a paired device through the confirmation dialog. */
export async function revokeDevice(t: Test, c: AdminConsole, id: string, shot?: string): Promise<void> {
  await onDevicesPage(c);
  await c.page.click(`tr[data-device="${id}"] [data-testid=revoke]`);
  const dialog = c.page.locator('[data-testid=revoke-dialog]');
  await dialog.waitFor();
  if (shot) await c.shot(shot);
  await dialog.locator('[data-testid=revoke-confirm]').click();
  await c.page.locator(`tr[data-device="${id}"][data-state=revoked]`).waitFor();
  t.pass(`${id} revoked after the confirmation`);
}

export interface ExpectedDevice {
  id: string;
  state?: 'unpaired' | 'paired' | 'revoked';
  online?: boolean;
  /** "R1 · 01" as the list shows room and seat. */
  roomSeat?: string;
  /** Words the health cell must show (e.g. 安全连接, the browser). */
  health?: string[];
}

/** Waits until the device list shows each device as expected (it follows the server live). */
export async function deviceListShows(t: Test, c: AdminConsole, expected: ExpectedDevice[]): Promise<void> {
  await onDevicesPage(c);
  for (const e of expected) {
    let sel = `tr[data-testid=device-row][data-device="${e.id}"]`;
    if (e.state) sel += `[data-state=${e.state}]`;
    if (e.online !== undefined) sel += `[data-online=${e.online}]`;
    const row = c.page.locator(sel);
    await row.waitFor();
    if (e.roomSeat) t.equal((await row.locator('td').nth(2).textContent())?.trim(), e.roomSeat, `${e.id} at ${e.roomSeat}`);
    for (const h of e.health ?? []) await row.locator(`[data-testid=health]:has-text("${h}")`).waitFor();
    t.pass(`${e.id}: ${[e.state, e.online === undefined ? '' : e.online ? 'online' : 'offline', ...(e.health ?? [])].filter(Boolean).join(', ')}`);
  }
}

/**
 * Checks what a pending request's row offers: the id pre-selected in 批准为 ('' for none), and, when
 * none is, the words beside the greyed 批准 saying why.
 */
export async function pendingRowOffers(t: Test, c: AdminConsole, code: string, expect: { selected: string; why?: RegExp }): Promise<void> {
  await onDevicesPage(c);
  const row = c.page.locator(`tr[data-testid=pending-row][data-code="${code}"]`);
  await row.waitFor();
  t.equal(await row.locator('select[data-testid=approve-as]').inputValue(), expect.selected, `code ${code}: 批准为 shows "${expect.selected || '选择编号…'}"`);
  const approve = row.getByRole('button', { name: /^(批准|Approve)$/ });
  t.equal(await approve.isDisabled(), !expect.selected, expect.selected ? '批准 is ready' : '批准 is greyed');
  if (expect.why) t.match(await row.locator('[data-testid=approve-why]').textContent(), expect.why, 'and the row says why');
}
