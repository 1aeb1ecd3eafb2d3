// The demo site `npm start` runs: its first start installs a signed bank, a plan, two sessions with
// rosters, seats and papers; later starts change nothing.
import t from 'tap';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { loadConfig } from '../../config/index.ts';
import { buildApp } from '../../server/app.ts';
import { demoIdNumber } from '../../exam/demo/seed.ts';
import { checkIdNumber } from '../../core/index.ts';
// Through the index, as server/main.ts calls it: the seed module is loaded on first use.
import { poolFor, resolveTemplate, seedDemoSite, verifyPaper } from '../../exam/index.ts';
import { ROOT, scratchDir } from '../helpers.ts';

t.test('the first demo start installs a signed bank, sessions, rosters, seats and verifiable papers', async (t) => {
  const dir = scratchDir(t);
  const app = await buildApp({ config: loadConfig(join(ROOT, 'config/demo.yaml'), { dataDir: dir }) });
  t.teardown(() => app.close());
  const now = app.ctx.clock.now();
  const demo = await seedDemoSite(app.exam, { now, dataDir: dir, admit: (sessionId, idNumber) => app.terminal.admitCandidate(sessionId, idNumber, 'system') });
  t.equal(demo.created, true);
  t.equal(app.exam.bank.latest()?.kind, 'package', 'the bank arrived as a signed package');
  t.ok(demo.packageFile && existsSync(demo.packageFile), 'the package file is left for `bank accept` to be tried');
  t.equal(demo.sessions.length, 2);
  for (const s of demo.sessions) {
    const session = app.exam.plans.session(s.id);
    const first = s === demo.sessions[0];
    t.equal(
      session.status,
      first ? 'checkin' : 'papers_ready',
      first ? `${s.room} has check-in open, so a terminal can be tried at once` : `${s.room} is ready for check-in`,
    );
    const roster = app.exam.plans.roster(s.id);
    if (first)
      t.ok(
        roster.every((r) => r.status === 'admitted'),
        "the first session's candidates are admitted, as the kiosk would",
      );
    t.equal(roster.length, s.candidates);
    t.ok(
      roster.every((r) => r.seat),
      'everyone has a seat',
    );
    const papers = app.exam.papers.ofSession(s.id);
    t.equal(papers.length, s.candidates, 'one paper per candidate');
    t.equal(new Set(papers.map((p) => p.seed)).size, papers.length, 'each paper has its own seed');
    const template = resolveTemplate(app.exam.bank, papers[0]!.bankVersion, s.templateId)!;
    const pool = poolFor(app.exam.bank, papers[0]!.bankVersion, template);
    t.ok(
      papers.every((p) => verifyPaper(p, template, pool)),
      'every paper regenerates from its seed',
    );
  }
  // Safety-sign picture questions: their images are on the site, and the first session's papers show some.
  const pictured = app.exam.papers
    .ofSession(demo.sessions[0]!.id)
    .flatMap((p) => p.items.map((i) => app.exam.bank.question(i.questionId)!))
    .filter((q) => q.images.length > 0);
  t.ok(pictured.length > 0, `the first session's papers carry sign pictures (${pictured.length} questions)`);
  t.ok(
    pictured.every((q) => q.images.every((id) => app.exam.images.has(id))),
    'every pictured question names an image the site holds',
  );
  const again = await seedDemoSite(app.exam, { now: now + 60_000, dataDir: dir });
  t.equal(again.created, false, 'a second start adds nothing');
  t.equal(app.exam.plans.listPlans().length, 1);
  t.equal(again.tickets.length, demo.sessions[0]!.candidates, 'the guide still lists the tickets to log in with');
});

t.test('demo ID numbers pass the GB 11643 check', async (t) => {
  for (let i = 1; i <= 20; i++) t.ok(checkIdNumber(demoIdNumber(i), '2026-11-23').ok, demoIdNumber(i));
});
