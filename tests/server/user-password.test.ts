// Resetting a password from the admin console over HTTP (app.inject, real SQLite): a typed password and a
// generated one shown once both let the user in, the old one no longer does, a lock-out is lifted, the
// user's sessions end, the audit says who reset whom without the password; a weak or missing user is
// refused in words and changes nothing; no other role may reset.
import t from 'tap';
import { login, PASSWORDS, testApp } from '../helpers.ts';

t.test('an admin resets a password, typed or generated; others are refused', async (t) => {
  const app = await testApp(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const reset = (who: string, payload: object, cookie = admin) =>
    app.inject({ method: 'POST', url: `/api/users/${who}/reset-password`, headers: { cookie }, payload });
  const logIn = (username: string, password: string) => app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });

  const invigSession = await login(app, 'invig', PASSWORDS.invig);
  for (let i = 0; i < 10; i++) await logIn('invig', 'wrong-password-1');
  t.equal((await logIn('invig', PASSWORDS.invig)).statusCode, 423, 'locked out after failed log-ins');

  const weak = await reset('invig', { password: 'short' });
  t.equal(weak.statusCode, 400);
  t.match(weak.json(), { problems: [{ path: 'password', problem: /at least 10/ }] }, 'a weak password is refused with the rule');
  t.equal((await reset('nobody', { password: 'new-pass-2026' })).statusCode, 404, 'an unknown user is named as unknown');

  const typed = await reset('invig', { password: 'new-pass-2026' });
  t.equal(typed.statusCode, 200);
  t.match(typed.json(), { user: { username: 'invig', lockedUntil: null }, password: null }, 'a typed password is not echoed; the lock is lifted');
  t.equal(typed.headers['cache-control'], 'no-store');
  t.equal((await logIn('invig', PASSWORDS.invig)).statusCode, 401, 'the old password no longer works');
  t.equal((await logIn('invig', 'new-pass-2026')).statusCode, 200, 'the typed one does');
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: invigSession } })).json().kind ?? null,
    null,
    "the user's old session ended",
  );

  const gen = await reset('invig', {});
  const password = gen.json().password as string;
  t.match(password, /^(?=.*[A-Za-z])(?=.*[2-9])[A-Za-z2-9]{14}$/, 'a generated password: 14 letters and digits');
  t.equal((await logIn('invig', password)).statusCode, 200, 'the generated one lets the user in');

  const entries = app.ctx.audit.list({ action: 'user.password.reset' });
  t.ok(entries.length === 2 && entries.every((e) => e.actor === 'user:admin' && e.target === 'invig'), 'each reset audited: who reset whom');
  t.same(new Set(entries.map((e) => JSON.stringify(e.detail))), new Set(['{"generated":false}', '{"generated":true}']), 'audited: typed and generated');
  t.notOk(JSON.stringify(app.ctx.audit.list({ limit: 1000 })).includes(password), 'the password is in no audit entry');
  t.notOk(JSON.stringify(app.ctx.audit.list({ limit: 1000 })).includes('new-pass-2026'), 'nor the typed one');

  for (const [who, pw] of [
    ['invig2', PASSWORDS.invig2],
    ['gd', PASSWORDS.gd],
  ] as const) {
    const cookie = await login(app, who, pw);
    t.equal((await reset('admin', { password: 'taken-over-2026' }, cookie)).statusCode, 403, `${who} may not reset a password`);
  }
  t.equal((await app.inject({ method: 'POST', url: '/api/users/admin/reset-password', payload: {} })).statusCode, 401, 'nor may nobody');
  t.equal((await logIn('admin', PASSWORDS.admin)).statusCode, 200, "the admin's password is unchanged");
});
