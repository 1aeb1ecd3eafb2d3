// The exam PC's checks at every log-in (config examPcs.loginChecks; docs/exam-pcs.md "Integrity at
// log-in"): the page's app build is the server's, it records the whole monitor, it is full screen. Each
// failed check refuses the log-in with its own reason, before any credential is looked at, and is audited.
// Over a real socket to a real app; the expected build is the terminal app as built in this worktree.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers.ts';
import { builtEntryOf } from '../../server/routes/web.ts';
import type { PcState } from '../../terminal/protocol.ts';
import { A, Term, room } from './fixture.ts';

if (!builtEntryOf('terminal/web')) {
  const built = spawnSync(process.execPath, [join(ROOT, 'server/build-web.mjs'), '--if-stale', 'terminal'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building the terminal app failed: ${built.stderr}`);
}
const BUILD = builtEntryOf('terminal/web')!;
const CHECKS_ON = 'examPcs: { loginChecks: { build: true, monitor: true, fullscreen: true } }\n';
const GOOD: PcState = { appHash: BUILD, surface: 'monitor', fullscreen: true };

/** Candidate A logs in at T1 with what the page says of its PC; `expect` is the answer awaited. */
async function attempt(t: Test, pc: PcState | undefined, expect: 'login_refused' | 'logged_in' = 'login_refused') {
  const r = await room(t, { start: true, extraYaml: CHECKS_ON });
  const term = await Term.open(t, r.port, r.tokens.T1);
  term.send({ type: 'login', credential: r.ticket(A), ...(pc ? { pc } : {}) });
  const m = await term.take(expect);
  const audited = r.app.ctx.db.prepare("SELECT detail FROM audit_log WHERE action = 'terminal.login_pc_refused'").all() as { detail: string }[];
  return { m, audited: audited.map((a) => JSON.parse(a.detail) as Record<string, unknown>) };
}

t.test('a log-in from a page of another build is refused as app_outdated, naming both builds, and audited', async (t) => {
  const { m, audited } = await attempt(t, { ...GOOD, appHash: 'index-0ld0ld00.js' });
  t.match(m, {
    type: 'login_refused',
    reason: 'app_outdated',
    message: new RegExp(`another build of the exam app \\(index-0ld0ld00\\.js\\), not the server's \\(${BUILD.replace('.', '\\.')}\\)`),
  });
  t.match(audited, [{ reason: 'app_outdated', appHash: 'index-0ld0ld00.js' }]);
});

t.test('a log-in from a page that says nothing of its PC (an app older than the checks) is refused as app_outdated', async (t) => {
  const { m } = await attempt(t, undefined);
  t.match(m, { type: 'login_refused', reason: 'app_outdated', message: /runs an old exam app/ });
});

t.test('a log-in from a page recording a window, a tab or nothing is refused as not_whole_screen', async (t) => {
  const { m } = await attempt(t, { ...GOOD, surface: 'browser' });
  t.match(m, { type: 'login_refused', reason: 'not_whole_screen', message: /records a browser, not the whole screen/ });
});

t.test('a log-in from a page that is not full screen is refused as not_fullscreen', async (t) => {
  const { m } = await attempt(t, { ...GOOD, fullscreen: false });
  t.match(m, { type: 'login_refused', reason: 'not_fullscreen' });
});

t.test('a log-in from a provisioned PC (server build, whole monitor, full screen) goes ahead', async (t) => {
  const { m, audited } = await attempt(t, GOOD, 'logged_in');
  t.equal(m.type, 'logged_in');
  t.same(audited, [], 'nothing refused');
});
