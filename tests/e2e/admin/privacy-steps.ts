// Face data in the admin console (issue 23), driven as the centre's office would: read how many people's
// face data the site holds, name the legal basis before face images may go with the results reports, and,
// in a person's file, export their face data for them and delete what evidence retention does not hold.
// Steps for the lead's exam-day test (no Chromium launch of their own); tests/records/privacy.test.ts
// checks the same rules through app.inject.
import type { Test } from 'tap';
import { fetchInPage, type AdminConsole } from './harness.ts';

/** System → 人脸数据 shows the count of people with face data; returns it. */
export async function faceDataCount(t: Test, c: AdminConsole): Promise<number> {
  await c.open('system', 'section=privacy');
  const count = await c.page.waitForSelector('[data-testid=face-count]');
  const text = (await count.textContent()) ?? '';
  const n = Number(/([\d,]+)\s*人/.exec(text)?.[1]?.replace(/,/g, '') ?? Number.NaN);
  t.ok(Number.isInteger(n), `the count is shown: ${text}`);
  t.match(await c.page.textContent('[data-testid=face-count-level]'), /100,000/, 'the filing threshold is named');
  return n;
}

/** Names the legal basis for sending face images with the results reports; the page then shows it with who set it. */
export async function nameReportingBasis(t: Test, c: AdminConsole, basis: string): Promise<void> {
  await c.open('system', 'section=privacy');
  const row = '[data-testid=outbound-reporting]';
  await c.page.fill(`${row} textarea`, basis);
  await c.page.click(`${row} button[type=submit]`);
  await c.page.waitForSelector(`${row} strong:has-text("${basis.slice(0, 12)}")`);
  t.match(await c.page.textContent(row), /由 admin|user:admin/, 'who set it is shown');
}

/**
 * In the person file: the export link gives that person's signed zip; the erasure asks for the request,
 * then a confirmation, and says what went and what evidence keeps. Returns the export's bytes.
 */
export async function exportAndErase(t: Test, c: AdminConsole, idNumber: string, reason: string): Promise<Buffer> {
  await c.open('people', `id=${idNumber}`);
  await c.page.waitForSelector('[data-testid=person-face-data]');
  const href = await c.page.getAttribute('[data-testid=person-export]', 'href');
  const zip = await fetchInPage(c, href!);
  t.equal(zip.status, 200);
  t.equal(zip.type, 'application/zip');
  t.equal(zip.bytes.subarray(0, 2).toString('latin1'), 'PK', 'a zip');
  t.ok(await c.page.isDisabled('[data-testid=person-erase]'), 'no erasure without the request written down');
  await c.page.fill('input[name=eraseReason]', reason);
  await c.page.click('[data-testid=person-erase]');
  await c.page.click('[data-testid=person-erase-confirm]');
  await c.page.waitForSelector('[data-testid=person-erased]');
  return zip.bytes;
}
