// The demo site `npm start` runs: its first start installs a signed bank, a plan, two sessions with
// rosters, seats and papers; later starts change nothing.
import t from 'tap';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { loadConfig } from '../../config/index.ts';
import { demoIdNumber } from '../../exam/demo/seed.ts';
import { checkIdNumber, fixedClock } from '../../core/index.ts';
import { demoGuide, sessionsNow } from '../../server/demo-guide.ts';
// Through the index, as server/main.ts calls it: the seed module is loaded on first use.
import { poolFor, resolveTemplate, seedDemoSite, verifyPaper } from '../../exam/index.ts';
import { buildTestApp, ROOT, scratchDir } from '../helpers.ts';
import { checkGradedSession } from '../records/demo-graded.ts';

t.test('the first demo start installs a signed bank, sessions, rosters, seats and verifiable papers', async (t) => {
  const dir = scratchDir(t);
  const app = await buildTestApp({ config: loadConfig(join(ROOT, 'config/demo.yaml'), { dataDir: dir }) });
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

t.test('the start-up guide says what is true of each session now, also after a restart mid-exam', async (t) => {
  const dir = scratchDir(t);
  const config = loadConfig(join(ROOT, 'config/demo.yaml'), { dataDir: dir });
  // 02:00 in Guangzhou: the graded session, four hours earlier, is yesterday on the site's calendar.
  const clock = fixedClock(Date.parse('2026-11-23T02:00:00+08:00'));
  const app = await buildTestApp({ config, clock });
  t.teardown(() => app.close());
  const demo = await seedDemoSite(app.exam, {
    now: clock.now(),
    dataDir: dir,
    admit: (sessionId, idNumber) => app.terminal.admitCandidate(sessionId, idNumber, 'system'),
    kiosk: true,
  });
  const [first, second] = [demo.sessions[0]!, demo.sessions[1]!];
  const guide = () =>
    demoGuide(
      'https://examroom.test:8443',
      config,
      demo,
      sessionsNow(
        app.exam,
        demo.sessions.map((s) => s.id),
      ),
    );
  const section = (text: string, head: string) => text.slice(text.indexOf(head), text.indexOf('\n\n', text.indexOf(head)));

  await checkGradedSession(t, app, demo, clock.now(), guide());

  const fresh = guide();
  t.match(section(fresh, 'Sit the exam'), /check-in is open, \d+ of \d+ candidates admitted/, 'a fresh demo: check-in is open');
  t.match(section(fresh, 'Sit the exam'), /start the exam now instead of at/, 'and the exam may be started early');
  t.match(section(fresh, 'Try the entrance kiosk'), /check-in is open, 0 of \d+ candidates admitted/);

  // The exam is started 20 minutes early, then the server restarts: the guide is printed again.
  clock.set(first.startsAt - 20 * 60_000);
  app.exam.plans.advanceSession(first.id, 'in_progress', 'user:admin');
  const running = guide();
  const terminal = section(running, 'Sit the exam');
  t.match(terminal, /the exam is in progress since .* \(started early; planned /, 'the running exam is said to be running');
  const hm = (ms: number) => new Date(ms).toLocaleTimeString('zh-CN', { timeZone: config.site.timezone, hour: '2-digit', minute: '2-digit' });
  t.match(
    terminal,
    `ends at ${hm(app.exam.plans.session(first.id).endsAt - 20 * 60_000)} unless time is added`,
    'the end follows the early start, not the plan',
  );
  t.notMatch(terminal, /check-in is open/, 'no longer "check-in is open"');
  t.notMatch(terminal, /start the exam now/, 'no longer "start the exam now"');
  t.match(terminal, /goes on where they were/);
  t.match(running, new RegExp(`session ${first.id} .* in_progress`), 'the session list shows the status');

  clock.set(app.exam.plans.session(first.id).endsAt + 5 * 60_000);
  app.exam.plans.advanceSession(first.id, 'ended', 'user:admin');
  app.exam.plans.advanceSession(second.id, 'in_progress', 'user:admin');
  const after = guide();
  t.match(section(after, 'Sit the exam'), /the exam ended at .*, \d+ absent\):\n.*replay it:/, 'an ended exam says who was absent and points at its replay');
  t.notMatch(section(after, 'Sit the exam'), /start the exam now|log in with the ticket/);
  t.match(section(after, 'Try the entrance kiosk'), /the exam is in progress since/);
  t.notMatch(after, /close a logged-in terminal tab/, 'nothing to try on an ended exam');
});

t.test("a session's recording window runs from its actual start to its actual end, with 30 minutes either side", async (t) => {
  const dir = scratchDir(t);
  const config = loadConfig(join(ROOT, 'config/demo.yaml'), { dataDir: dir });
  const clock = fixedClock(Date.parse('2026-11-23T08:00:00+08:00'));
  const app = await buildTestApp({ config, clock });
  t.teardown(() => app.close());
  const demo = await seedDemoSite(app.exam, { now: clock.now(), dataDir: dir, admit: (s, id) => app.terminal.admitCandidate(s, id, 'system') });
  const s = app.exam.plans.session(demo.sessions[0]!.id);
  const checkinAt = clock.now();
  const min = 60_000;
  t.same(app.exam.plans.sessionTimes(s.id), { checkinAt, startedAt: null, endedAt: null }, 'the seed opened check-in now');
  t.same(app.exam.plans.recordingWindow(s.id), { from: Math.min(s.startsAt, checkinAt) - 30 * min, to: s.endsAt + 30 * min });

  clock.set(s.startsAt - 45 * min);
  app.exam.plans.advanceSession(s.id, 'in_progress', 'user:admin');
  // The exam runs 10 minutes past its planned end (added time) and is ended then.
  clock.set(s.endsAt + 10 * min);
  t.equal(app.exam.plans.recordingWindow(s.id).to, s.endsAt + 40 * min, 'a running exam past its planned end reaches now + 30 min');
  app.exam.plans.advanceSession(s.id, 'ended', 'user:admin');
  clock.set(s.endsAt + 300 * min);
  t.same(
    app.exam.plans.recordingWindow(s.id),
    { from: Math.min(checkinAt, s.startsAt - 45 * min) - 30 * min, to: s.endsAt + 40 * min },
    'early start and late end are both inside, and the window no longer grows',
  );
});
