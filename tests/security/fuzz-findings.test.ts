// What the fuzz bench (bench/fuzz.ts) found, kept found: each case is the smallest request that did it.
import t from 'tap';
import { login, PASSWORDS, testApp } from '../helpers.ts';

// One app for the file: each case leaves nothing the next one reads.
const app = await testApp(t);

t.test('a log-in name with a lone UTF-16 surrogate leaves the audit chain verifiable', async (t) => {
  // JSON may escape half of a surrogate pair; the failed log-in is audited with that name as its target.
  for (const name of ['\\ud800', 'a\\udc00b', '\\ud83d\\ude00\\ud83d']) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: `{"username":"${name}","password":"whatever-1234"}`,
    });
    t.equal(res.statusCode, 401, res.body);
  }
  const cookie = await login(app, 'admin', PASSWORDS.admin);
  const verdict = (await app.inject({ method: 'GET', url: '/api/audit/verify', headers: { cookie } })).json();
  t.same({ ok: verdict.ok, problem: verdict.problem }, { ok: true, problem: undefined }, JSON.stringify(verdict));
  const entries = (await app.inject({ method: 'GET', url: '/api/audit?action=user.login.failed', headers: { cookie } })).json();
  t.ok(JSON.stringify(entries).includes('\ufffd'), 'the stored name shows the replacement character where the half pair was');
});

t.test('a query number too big for a double ("1e309", coerced to Infinity) is refused by name, not a 500', async (t) => {
  const cookie = await login(app, 'admin', PASSWORDS.admin);
  for (const url of ['/api/kiosk/attempts?limit=1e309', '/api/kiosk/attempts?limit=-1e309', '/api/audit?limit=1e309']) {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    t.equal(res.statusCode, 400, `${url}: ${res.body}`);
    t.match(res.json(), { error: 'invalid', problems: [{ path: 'querystring.limit' }] }, url);
  }
  t.equal((await app.inject({ method: 'GET', url: '/api/kiosk/attempts?limit=5', headers: { cookie } })).statusCode, 200, 'a finite limit still works');
});
