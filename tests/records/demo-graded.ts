// The demo's session already taken and graded (exam/demo/graded.ts), checked inside tests/exam/demo.test.ts
// on the demo it seeds (one demo seed per file: it is most of a demo test's time). A third session hours
// in the past is graded through the plan functions — results from each stored paper, the one who never
// came absent — its results sheet opens at once, the guide points at it, the two live sessions are as
// they were, and a later start finds it again without adding anything.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { seedDemoSite, type DemoSummary } from '../../exam/index.ts';
import type { App } from '../../server/app.ts';
import { ROOT } from '../helpers.ts';

export async function checkGradedSession(t: Test, app: App, demo: DemoSummary, now: number, guide: string): Promise<void> {
  t.equal(demo.sessions.length, 2, 'the two live sessions are still the ones to try');
  const g = demo.graded!;
  t.ok(g, 'a third session, taken and graded');
  const s = app.exam.plans.session(g.id);
  t.equal(s.status, 'graded');
  t.ok(s.endsAt < now, 'it is over before the demo starts');
  t.same(
    app.exam.plans.sessionTimes(g.id),
    { checkinAt: s.startsAt - 30 * 60_000, startedAt: s.startsAt, endedAt: s.endsAt },
    'its times are where they happened',
  );
  const roster = app.exam.plans.roster(g.id);
  const results = roster.map((e) => app.exam.plans.resultOf(g.id, e.idNumber));
  t.equal(results.filter(Boolean).length, 5, 'five graded');
  t.equal(roster.filter((e) => e.status === 'absent').length, 1, 'one absent');
  t.ok(
    results.every((r) => !r || app.exam.papers.ofSession(g.id).some((p) => p.id === r.paperId)),
    'each result is graded from the paper stored for that candidate',
  );
  const passed = results.filter((r) => r?.passed).length;
  t.ok(passed > 0 && passed < 5, `some pass, some do not (${passed} of 5)`);

  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'jiankao1', password: 'demo-invig-2026' } });
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const sheet = await app.inject({ method: 'GET', url: `/api/records/sessions/${g.id}/results.pdf`, headers: { cookie } });
  t.equal(sheet.statusCode, 200, 'its results sheet opens at once');
  const out = join(ROOT, 'tests/artifacts/records');
  mkdirSync(out, { recursive: true });
  const file = join(out, 'demo-results-sheet.pdf');
  writeFileSync(file, sheet.rawPayload);
  spawnSync('pdftoppm', ['-png', '-r', '60', file, join(out, 'demo-results-sheet')]);
  const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout;
  for (const e of roster) t.match(text, e.name, `${e.name} is on the sheet`);
  t.match(text, /缺考/);
  t.match(text, new RegExp(`合格率\\s+${((passed / 5) * 100).toFixed(1)}%`));
  const log = await app.inject({ method: 'GET', url: `/api/records/sessions/${g.id}/room-log`, headers: { cookie } });
  t.match(log.json(), { state: 'open', ended: true, log: { checkIn: { roster: 6, admitted: 5, absent: 1 } } }, 'its room log waits for the sign-off');
  t.match(guide, `/api/records/sessions/${g.id}/results.pdf`, 'the guide points at its results sheet');

  const again = await seedDemoSite(app.exam, { now: now + 60_000, dataDir: app.ctx.paths.root });
  t.equal(again.created, false);
  t.equal(again.graded?.id, g.id, 'a later start finds the graded session again');
  t.same(
    again.sessions.map((x) => x.id),
    demo.sessions.map((x) => x.id),
    'and the live two, in room order',
  );
}
