// The people page's browser steps (the admin console, pages/people): users — add one (the form refuses
// a weak password before sending and shows the server's refusal of a taken name), change the role,
// disable, reset the password to a generated one shown once — and the person file by ID number.
import type { Test } from 'tap';
import { WAIT, fetchInPage, type AdminConsole } from './harness.ts';

const row = (username: string) => `[data-testid=users-table] tr[data-username="${username}"]`;

async function logInOverHttp(c: AdminConsole, username: string, password: string): Promise<number> {
  return (await c.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } })).statusCode;
}

/** Adds `username` as an invigilator of R1, makes them an inspector of the city, disables and enables them, resets their password. */
export async function usersFlow(t: Test, c: AdminConsole, username = 'clerk1'): Promise<void> {
  const p = c.page;
  await c.open('people');
  await p.waitForSelector(row('admin'));
  const form = '[data-testid=add-user]';
  // The form says no before sending, in words.
  await p.fill(`${form} input[name=username]`, username);
  await p.fill(`${form} input[name=displayName]`, '文员甲');
  await p.selectOption(`${form} select[name=role]`, 'invigilator');
  await p.fill(`${form} input[name=password]`, 'short');
  await p.click(`${form} button[type=submit]`);
  const local = await p.textContent(`${form} ul.problems`, { timeout: WAIT });
  t.match(local, /监考员至少要绑定一个考场/, 'an invigilator without a room is refused before sending');
  t.match(local, /密码至少 10 位/, 'so is a weak password');
  t.notOk(await p.$(row(username)), 'nothing was added');
  // The server refuses a taken name; its sentence is shown.
  await p.fill(`${form} input[name=username]`, 'invig');
  await p.check(`${form} input[name=rooms][value=R1]`);
  await p.fill(`${form} input[name=password]`, 'clerk-pass-2026');
  await p.click(`${form} button[type=submit]`);
  await p.waitForSelector(`${form} ul.problems >> text=已有名为 invig 的用户`, { timeout: WAIT });
  t.pass("the server's refusal of a taken name is shown in its words");
  await c.shot('people-add-refused');
  await p.fill(`${form} input[name=username]`, username);
  await p.click(`${form} button[type=submit]`);
  await p.waitForSelector(`[data-testid=users-notice] >> text=${username}`, { timeout: WAIT });
  t.match(await p.textContent(`${row(username)} [data-field=role]`), '监考员', 'added as an invigilator');
  t.equal(await logInOverHttp(c, username, 'clerk-pass-2026'), 200, 'the new user logs in with the initial password');

  // Change the role: an inspector of the city.
  await p.click(`${row(username)} button[data-action=edit]`);
  await p.selectOption('[data-testid=edit-user] select[name=role]', 'inspector');
  await p.selectOption('[data-testid=edit-user] select[name=level]', 'city');
  await p.fill('[data-testid=edit-user] input[name=code]', '4401');
  await p.click('[data-testid=edit-user] button[type=submit]');
  t.match(await p.textContent('[data-testid=edit-user] ul.problems'), /六位/, 'a short division code is refused before sending');
  await p.fill('[data-testid=edit-user] input[name=code]', '440100');
  await p.click('[data-testid=edit-user] button[type=submit]');
  await p.waitForSelector(`${row(username)} [data-field=role] >> text=巡查员`, { timeout: WAIT });
  t.pass('the role is now inspector');

  // Disable (confirmed), refused at log-in, enable again.
  await p.click(`${row(username)} button[data-action=disable]`);
  await c.shot('people-disable-confirm');
  await p.click('[role=alertdialog] button[data-action=confirm]');
  await p.waitForSelector(`${row(username)} [data-field=state] >> text=已停用`, { timeout: WAIT });
  t.equal(await logInOverHttp(c, username, 'clerk-pass-2026'), 401, 'a disabled user cannot log in');
  await p.click(`${row(username)} button[data-action=enable]`);
  await p.waitForSelector(`${row(username)} [data-field=state] >> text=正常`, { timeout: WAIT });

  // Reset to a generated password, shown once; the user logs in with it and not with the old one.
  await p.click(`${row(username)} button[data-action=reset]`);
  await p.check('[data-testid=reset-password] input[value=generate]');
  await p.click('[data-testid=reset-password] button[type=submit]');
  const password = (await p.textContent('[data-testid=generated-password] code', { timeout: WAIT }))!.trim();
  t.match(password, /^[A-Za-z2-9]{14}$/, 'a generated password is shown');
  await c.shot('people-generated-password');
  await p.click('[data-testid=generated-password] button');
  await p.waitForSelector('[data-testid=generated-password]', { state: 'detached', timeout: WAIT });
  t.equal(await logInOverHttp(c, username, 'clerk-pass-2026'), 401, 'the old password no longer works');
  t.equal(await logInOverHttp(c, username, password), 200, 'the user logs in with the new password');
  t.notOk(JSON.stringify(c.app.ctx.audit.list({ limit: 500 })).includes(password), 'the password is in no audit entry');
  await c.shot('people-users');
}

/** Looks up the person file of `idNumber` from the people page; its exams are listed and its PDF opens. */
export async function personFile(t: Test, c: AdminConsole, idNumber: string): Promise<void> {
  const p = c.page;
  await c.open('people');
  await p.fill('[data-testid=person-file] input[name=idNumber]', '12345');
  await p.click('[data-testid=person-file] button[type=submit]');
  t.match(await p.textContent('[data-testid=person-file] [role=alert]'), /18 位/, 'a short ID number is refused in words');
  await p.fill('[data-testid=person-file] input[name=idNumber]', idNumber);
  await p.click('[data-testid=person-file] button[type=submit]');
  await p.waitForSelector('[data-testid=person-name]', { timeout: WAIT });
  t.ok((await p.$$('[data-testid=person-exams] tbody tr')).length >= 1, 'the person file lists the exams sat');
  const href = (await p.getAttribute('[data-testid=person-pdf]', 'href'))!;
  const pdf = await fetchInPage(c, href);
  t.match(pdf, { status: 200, type: 'application/pdf' }, 'the person file PDF opens');
  await c.shot('people-person-file');
}
