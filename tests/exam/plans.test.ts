// Exam plans and sessions: the status machines, one session per room at a time, seats drawn at random
// and reproducibly, papers made for the whole session at once (or not at all), and who may see what.
import t from 'tap';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Conflict, NotFound, ValidationError, fixedClock } from '../../core/index.ts';
import { seatIds } from '../../config/index.ts';
import { seatPlan } from '../../exam/plans/seats.ts';
import { SESSION_STATUSES, type SessionStatus } from '../../exam/plans/model.ts';
import { siteInJurisdiction } from '../../core/index.ts';
import { login, PASSWORDS, scratchDir, testApp, TEST_CONFIG_YAML } from '../helpers.ts';
import { main, reportError } from '../../server/cli.ts';
import { T0, TEMPLATE, bankQuestions, csv, idn, person, planAndSession, site, wrongCheck, type Site } from './plans-fixture.ts';

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

async function caughtAsync(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

async function withRoster(s: Site, n: number, opts: { day?: string; room?: string } = {}) {
  const { plan, session } = planAndSession(s, opts);
  await s.plans.importRoster(session.id, { bytes: csv(Array.from({ length: n }, (_, i) => person(i + 1))), filename: 'roster.csv' }, s.actor);
  return { plan, session };
}

t.test('a plan needs a name and a date range that runs forward', async (t) => {
  const s = site(t, { bank: false });
  const err = caught(() => s.plans.createPlan({ name: ' ', from: '2026-02-30', to: '2026-03-01' }, s.actor));
  t.ok(err instanceof ValidationError);
  t.match((err as ValidationError).problems, [
    { path: 'name', problem: 'must not be empty' },
    { path: 'from', problem: /YYYY-MM-DD/, got: '2026-02-30' },
  ]);
  t.match(
    caught(() => s.plans.createPlan({ name: 'x', from: '2026-03-10', to: '2026-03-01' }, s.actor)),
    { problems: [{ path: 'to', problem: 'must not be before from (2026-03-10)' }] },
  );
  const p = s.plans.createPlan({ name: '三月', from: '2026-03-01', to: '2026-03-31' }, s.actor);
  t.match(p, { name: '三月', startsOn: '2026-03-01', endsOn: '2026-03-31', status: 'scheduled', createdBy: 'user:admin' });
  t.match(s.plans.listPlans(), [{ id: p.id, sessions: 0 }]);
  t.match(s.audit.list({ action: 'exam.plan.create' }), [{ target: p.id, actor: 'user:admin' }]);
});

t.test('a plan moves one step at a time and is archived only after its sessions', async (t) => {
  const s = site(t);
  const { plan, session } = planAndSession(s);
  await s.plans.importRoster(session.id, { bytes: csv([person(1)]), filename: 'r.csv' }, s.actor);
  t.match(
    caught(() => s.plans.setPlanStatus(plan.id, 'closed', s.actor)),
    { name: 'Conflict', message: `exam plan ${plan.id} is scheduled; it cannot become closed (next is active)` },
  );
  s.plans.setPlanStatus(plan.id, 'active', s.actor);
  t.match(
    caught(() => s.plans.setPlanStatus(plan.id, 'closed', s.actor)),
    { name: 'Conflict', message: new RegExp(`cannot close: session ${session.id} is scheduled`) },
  );
  t.match(
    caught(() => s.plans.setPlanStatus(plan.id, 'bogus' as never, s.actor)),
    { name: 'ValidationError' },
  );
});

t.test('a session needs a configured room, a future start within the plan, and a template that resolves', async (t) => {
  const s = site(t);
  const plan = s.plans.createPlan({ name: '三月', from: '2026-03-01', to: '2026-03-31' }, s.actor);
  const err = caught(() => s.plans.createSession({ planId: plan.id, room: 'R9', startsAt: 'tomorrow', templateId: 'nope' }, s.actor)) as ValidationError;
  t.ok(err instanceof ValidationError);
  t.match(err.problems, [
    { path: 'room', problem: 'no such room (rooms are R1, R2)', got: 'R9' },
    { path: 'startsAt', problem: /ISO 8601/ },
    { path: 'templateId', problem: /no such template .*test-principal-machinery/, got: 'nope' },
  ]);
  t.match(
    caught(() => s.plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-02-28T09:00', templateId: TEMPLATE.id }, s.actor)),
    { problems: [{ path: 'startsAt', problem: /is in the past/ }] },
  );
  t.match(
    caught(() => s.plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-04-01T09:00', templateId: TEMPLATE.id }, s.actor)),
    { problems: [{ path: 'startsAt', problem: "is on 2026-04-01, outside the plan's dates 2026-03-01 – 2026-03-31" }] },
  );
  t.ok(caught(() => s.plans.createSession({ planId: 'nope', room: 'R1', startsAt: '2026-03-02T09:00', templateId: TEMPLATE.id }, s.actor)) instanceof NotFound);
  // A shipped template resolves too.
  t.match(s.plans.createSession({ planId: plan.id, room: 'R2', startsAt: '2026-03-02T09:00', templateId: 'gm-principal-general' }, s.actor), {
    templateId: 'gm-principal-general',
    durationMinutes: 120,
  });
});

t.test('the template is snapshotted into the session; its duration is the default; times are the site clock', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  t.equal(session.durationMinutes, 90, "the template's duration");
  t.equal(session.startsAt, Date.parse('2026-03-10T09:00:00+08:00'), 'a time without an offset is Guangzhou time');
  s.exam.bank.createVersion({ id: 'v2', kind: 'import', parent: 'v1', questions: [], templates: [{ ...TEMPLATE, passMark: 95 }] });
  t.equal(s.plans.session(session.id).template.passMark, 80, 'a later bank version leaves the session alone');
  const explicit = s.plans.createSession(
    { planId: session.planId, room: 'R2', startsAt: '2026-03-10T01:00:00Z', templateId: TEMPLATE.id, durationMinutes: 60 },
    s.actor,
  );
  t.match(explicit, { startsAt: Date.parse('2026-03-10T09:00:00+08:00'), durationMinutes: 60, template: { passMark: 95 } });
});

t.test('a room cannot host two overlapping sessions', async (t) => {
  const s = site(t);
  const { plan, session } = planAndSession(s); // R1 09:00–10:30
  const at = (room: string, time: string, durationMinutes?: number) => () =>
    s.plans.createSession(
      { planId: plan.id, room, startsAt: `2026-03-10T${time}`, templateId: TEMPLATE.id, ...(durationMinutes ? { durationMinutes } : {}) },
      s.actor,
    );
  const err = caught(at('R1', '10:00'));
  t.ok(err instanceof Conflict);
  t.equal(
    err.message,
    `room R1 already hosts session ${session.id} from 2026-03-10 09:00 to 2026-03-10 10:30; this one would run 2026-03-10 10:00 – 2026-03-10 11:30`,
  );
  t.ok(caught(at('R1', '08:00', 120)) instanceof Conflict, 'one that starts before and runs into it');
  t.ok(caught(at('R1', '09:30', 30)) instanceof Conflict, 'one inside it');
  t.match(at('R1', '10:30')(), { roomId: 'R1' }, 'back to back is fine');
  t.match(at('R2', '09:00')(), { roomId: 'R2' }, 'another room at the same time is fine');
});

t.test('a room opens check-in for one session at a time: another in check-in or in progress is named in the refusal', async (t) => {
  const s = site(t);
  let seq = 0;
  // Each session its own two people: one person sits one exam once.
  const ready = async (day: string, room = 'R1') => {
    const { session } = planAndSession(s, { day, room });
    await s.plans.importRoster(session.id, { bytes: csv([person(++seq), person(++seq)]), filename: 'roster.csv' }, s.actor);
    s.plans.assignSeats(session.id, s.actor);
    s.plans.generateSessionPapers(session.id, s.actor);
    return session;
  };
  const tonight = await ready('2026-03-10');
  const tomorrow = (await ready('2026-03-11')).id;
  const otherRoom = (await ready('2026-03-11', 'R2')).id;
  s.plans.advanceSession(tonight.id, 'checkin', s.actor);
  for (const status of ['checkin', 'in_progress'] as const) {
    if (status === 'in_progress') s.plans.advanceSession(tonight.id, 'in_progress', s.actor);
    const err = caught(() => s.plans.advanceSession(tomorrow, 'checkin', s.actor)) as Conflict;
    t.ok(err instanceof Conflict, `refused while the other is ${status}`);
    t.equal(err.code, 'room_busy');
    t.match(err.message, new RegExp(`room R1 is busy with session ${tonight.id} \\(${status}, from 2026-03-10 09:00\\)`));
    t.match(err.params, { session: tomorrow, room: 'R1', other: tonight.id, otherStatus: status, otherStartsLocal: '2026-03-10 09:00' });
    t.equal(s.plans.session(tomorrow).status, 'papers_ready', 'nothing changed');
  }
  t.equal(s.plans.advanceSession(otherRoom, 'checkin', s.actor).status, 'checkin', 'another room is not held up');
  s.plans.advanceSession(tonight.id, 'ended', s.actor);
  t.equal(s.plans.advanceSession(tomorrow, 'checkin', s.actor).status, 'checkin', 'once the other has ended, it opens');
});

t.test('every illegal session transition is refused, naming the current and requested status', async (t) => {
  const s = site(t);
  const { session } = await withRoster(s, 2);
  const id = session.id;
  const tryAll = (current: SessionStatus, next: SessionStatus | null) => {
    for (const to of SESSION_STATUSES) {
      if (to === next) continue;
      const err = caught(() => s.plans.advanceSession(id, to, s.actor));
      t.ok(err instanceof Conflict, `${current} → ${to} refused`);
      t.match(
        err.message,
        new RegExp(`is ${current}; it (cannot move to|becomes) ${to === 'papers_ready' ? 'papers_ready' : to}`),
        `${current} → ${to} names both`,
      );
    }
    t.equal(s.plans.session(id).status, current, `still ${current}`);
  };
  tryAll('scheduled', null);
  t.match(
    caught(() => s.plans.advanceSession(id, 'checkin', s.actor)),
    { message: /is scheduled; it cannot move to checkin \(next is papers_ready\)/ },
  );
  s.plans.generateSessionPapers(id, s.actor);
  t.match(
    caught(() => s.plans.advanceSession(id, 'checkin', s.actor)),
    { message: /2 of 2 candidates have no seat/ },
    'check-in needs seats',
  );
  s.plans.assignSeats(id, s.actor);
  tryAll('papers_ready', 'checkin');
  const chain: SessionStatus[] = ['checkin', 'in_progress', 'ended', 'graded', 'archived'];
  for (const [i, to] of chain.entries()) {
    if (to === 'archived') {
      // archived means the session archive exists (records/archive tells plans where to look).
      t.match(
        caught(() => s.plans.advanceSession(id, to, s.actor)),
        { name: 'Conflict', message: /has no session archive .*examroom archive session/ },
      );
      t.equal(s.plans.session(id).status, 'graded', 'refused without an archive');
      s.plans.setArchiveLookup((sid) => (sid === id ? { version: 1, file: `${id}-v1.zip`, manifestSha256: '0'.repeat(64) } : null));
    }
    s.plans.advanceSession(id, to, s.actor);
    tryAll(to, chain[i + 1] ?? null);
  }
  t.match(
    caught(() => s.plans.advanceSession(id, 'papers_ready', s.actor)),
    { message: /is archived; it becomes papers_ready by generating its papers/ },
  );
  t.match(
    caught(() => s.plans.advanceSession(id, 'scheduled', s.actor)),
    { message: /is archived; it cannot move to scheduled \(archived is final\)/ },
  );
  t.same(
    s.events.filter((e) => e.name === 'session.status').map((e) => (e.payload as { to: string }).to),
    ['papers_ready', 'checkin', 'in_progress', 'ended', 'graded', 'archived'],
  );
  t.equal(s.plans.plan(session.planId).status, 'active', 'opening check-in made the plan active');
  t.same(
    s.plans.roster(id).map((e) => e.status),
    ['absent', 'absent'],
    'nobody was admitted, so marking graded marks them absent',
  );
});

t.test('seats are a permutation within the room, reproducible from the stored seed', async (t) => {
  const s = site(t);
  const { session } = await withRoster(s, 5);
  const room = s.config.rooms.find((r) => r.id === 'R1')!;
  const first = s.plans.assignSeats(session.id, s.actor);
  const seats = first.entries.map((e) => e.seat!);
  t.equal(new Set(seats).size, 5, 'no two candidates share a seat');
  t.ok(
    seats.every((x) => seatIds(room).includes(x)),
    'every seat is one of the room’s',
  );
  const stored = s.plans.session(session.id).seatSeed!;
  t.equal(stored, first.seed);
  const replay = seatPlan(
    stored,
    first.entries.map((e) => e.ticketNo),
    seatIds(room),
  );
  t.same(Object.fromEntries(first.entries.map((e) => [e.ticketNo, e.seat])), Object.fromEntries(replay), 'the stored seed replays the draw');
  // Different seeds give different draws (the chance of the same 5-of-6 arrangement twice is 1/720 per pair).
  const draws = new Set(Array.from({ length: 20 }, () => JSON.stringify(s.plans.assignSeats(session.id, s.actor).entries.map((e) => e.seat))));
  t.ok(draws.size > 1, 'a redraw is random');
  t.match(s.audit.list({ action: 'exam.seats.assign' }).at(0), { detail: { redraw: true } });
});

t.test('one candidate can be moved to a free seat, audited; an occupied or unknown seat is refused', async (t) => {
  const s = site(t);
  const { session } = await withRoster(s, 5);
  const { entries } = s.plans.assignSeats(session.id, s.actor);
  const [free] = s.plans.freeSeats(session.id);
  const who = entries[0]!;
  const moved = s.plans.reseat(session.id, who.idNumber, free!, s.actor, { reason: '终端故障' });
  t.equal(moved.seat, free);
  t.match(s.audit.list({ action: 'exam.seat.change' }), [
    { target: session.id, detail: { ticketNo: who.ticketNo, from: who.seat, to: free, reason: '终端故障' } },
  ]);
  t.match(
    s.events.filter((e) => e.name === 'seat.changed'),
    [{ payload: { idNumber: who.idNumber, from: who.seat, to: free } }],
  );
  const other = entries[1]!;
  t.match(
    caught(() => s.plans.reseat(session.id, who.idNumber, other.seat!, s.actor)),
    { name: 'Conflict', message: `seat ${other.seat} of room R1 is taken by ${other.name} (ticket ${other.ticketNo}); choose a free seat` },
  );
  t.match(
    caught(() => s.plans.reseat(session.id, who.idNumber, '07', s.actor)),
    { name: 'ValidationError', problems: [{ path: 'seat', problem: 'room R1 has seats 01–06' }] },
  );
  t.match(
    caught(() => s.plans.reseat(session.id, idn(99), '01', s.actor)),
    { name: 'NotFound' },
  );
});

t.test('the printable seat list is zh-CN A4 HTML or CSV, with ID numbers masked', async (t) => {
  const s = site(t);
  const { session } = await withRoster(s, 3);
  s.plans.assignSeats(session.id, s.actor);
  const list = s.plans.seatList(session.id);
  t.equal(list.rows.length, 3);
  t.same(
    list.rows.map((r) => r.seat),
    [...list.rows.map((r) => r.seat!)].sort(),
    'in seat order',
  );
  const { seatListHtml, seatListCsv } = await import('../../exam/plans/seat-list.ts');
  const html = seatListHtml(list);
  t.match(html, /<html lang="zh-CN">/);
  t.match(html, /@page \{ size: A4/);
  t.match(html, /考场：一号考场（R1）/);
  t.match(html, /时间：2026-03-10 09:00–10:30/);
  for (let i = 1; i <= 3; i++) {
    t.notOk(html.includes(idn(i)), `whole ID number ${i} absent`);
    t.ok(html.includes(`440106********${idn(i).slice(-4)}`), `masked ID number ${i} present`);
  }
  const text = seatListCsv(list);
  t.ok(text.startsWith('\uFEFF座位号,准考证号,姓名,身份证号\r\n'));
  t.notOk(text.includes(idn(1)));
});

t.test('papers: one per roster entry, distinct seeds, the bank version pinned, questions marked used', async (t) => {
  const s = site(t);
  const { session } = await withRoster(s, 4);
  const r = s.plans.generateSessionPapers(session.id, s.actor);
  t.match(r, { papers: 4, replaced: 0, bankVersion: 'v1' });
  const papers = s.plans.paperStore.ofSession(session.id);
  t.same(papers.map((p) => p.idNumber).sort(), [1, 2, 3, 4].map((i) => idn(i)).sort(), 'every candidate has one');
  t.equal(new Set(papers.map((p) => p.seed)).size, 4, 'seeds are distinct');
  t.ok(papers.every((p) => p.bankVersion === 'v1' && p.templateId === TEMPLATE.id && p.items.length === 10));
  t.match(s.plans.session(session.id), { status: 'papers_ready', bankVersion: 'v1' });
  const used = bankQuestions().length && (s.db.prepare('SELECT SUM(used_in_papers) AS n FROM questions').get() as { n: number }).n;
  t.equal(used, 40, 'each question counted once per paper it is on');
  t.match(s.audit.list({ action: 'exam.papers.generate' }), [{ target: session.id, detail: { bankVersion: 'v1', papers: 4, replaced: 0 } }]);

  // A newer bank before check-in: regenerating replaces every paper and pins the new version.
  s.exam.bank.createVersion({ id: 'v2', kind: 'import', parent: 'v1', questions: [] });
  const again = s.plans.generateSessionPapers(session.id, s.actor);
  t.match(again, { papers: 4, replaced: 4, bankVersion: 'v2' });
  const now = s.plans.paperStore.ofSession(session.id);
  t.equal(now.length, 4);
  t.ok(now.every((p) => p.bankVersion === 'v2' && !papers.some((old) => old.id === p.id || old.seed === p.seed)));
  t.match(s.audit.list({ action: 'exam.papers.regenerate' }), [{ detail: { replaced: 4, previousBankVersion: 'v1', bankVersion: 'v2' } }]);
  t.equal(
    (s.db.prepare('SELECT SUM(used_in_papers) AS n FROM questions').get() as { n: number }).n,
    40,
    'the replaced papers no longer count: still once per paper that exists',
  );

  s.plans.assignSeats(session.id, s.actor);
  s.plans.advanceSession(session.id, 'checkin', s.actor);
  t.match(
    caught(() => s.plans.generateSessionPapers(session.id, s.actor)),
    { name: 'Conflict', message: /is checkin; papers can be generated or replaced only before check-in opens/ },
  );
  t.equal(s.plans.paperStore.ofSession(session.id).length, 4, 'and the papers stay');
});

t.test('a failure part-way through generation stores no paper and changes nothing', async (t) => {
  const s = site(t);
  const { session } = await withRoster(s, 5);
  // The disk "fills up" at the third paper: a real SQLite failure inside the one transaction.
  s.db.exec(`CREATE TEMP TRIGGER third_paper_fails BEFORE INSERT ON papers
    WHEN (SELECT COUNT(*) FROM papers WHERE session_id = NEW.session_id) >= 2
    BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
  t.match(
    caught(() => s.plans.generateSessionPapers(session.id, s.actor)),
    { message: /disk is full/ },
  );
  t.equal(s.plans.paperStore.ofSession(session.id).length, 0, 'no paper stored');
  t.match(s.plans.session(session.id), { status: 'scheduled', bankVersion: null });
  t.equal((s.db.prepare('SELECT SUM(used_in_papers) AS n FROM questions').get() as { n: number }).n, 0, 'no question marked used');
  t.same(s.audit.list({ action: 'exam.papers.generate' }), []);
  t.same(
    s.events.filter((e) => e.name === 'papers.generated'),
    [],
  );
  s.db.exec('DROP TRIGGER third_paper_fails');
  t.match(s.plans.generateSessionPapers(session.id, s.actor), { papers: 5 }, 'and it works once the fault is gone');
});

t.test("a template the bank cannot fill is refused with the template check's problems", async (t) => {
  const s = site(t);
  s.exam.bank.createVersion({
    id: 'v2',
    kind: 'import',
    parent: 'v1',
    questions: [],
    templates: [{ ...TEMPLATE, id: 'too-big', total: 200, sections: [{ type: 'judge', count: 20, score: 10 }] }],
  });
  const plan = s.plans.createPlan({ name: 'x', from: '2026-03-01', to: '2026-03-31' }, s.actor);
  const session = s.plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-10T09:00', templateId: 'too-big' }, s.actor);
  await s.plans.importRoster(session.id, { bytes: csv([person(1)]), filename: 'r.csv' }, s.actor);
  const err = caught(() => s.plans.generateSessionPapers(session.id, s.actor)) as ValidationError;
  t.ok(err instanceof ValidationError);
  t.match(err.problems, [{ path: /^sections\[0\]/, problem: /needs 20.*12/ }]);
  t.equal(s.plans.session(session.id).status, 'scheduled');
});

t.test('an inspector sees a site inside their province, city or site, and nothing else', async (t) => {
  const sites = [{ id: 'a', name: 'A', province: '440000', city: '440100', timezone: 'Asia/Shanghai' }];
  const js = [
    null,
    { level: 'province', code: '440000' },
    { level: 'province', code: '110000' },
    { level: 'city', code: '440100' },
    { level: 'city', code: '440300' },
    { level: 'site', code: 'a' },
    { level: 'site', code: 'b' },
  ] as const;
  const expected = [false, true, false, true, false, true, false];
  for (const site of sites) js.forEach((j, i) => t.equal(siteInJurisdiction(site, j), expected[i], JSON.stringify(j)));
});

t.test('HTTP: admins change, invigilators read their own rooms, inspectors read within jurisdiction', async (t) => {
  const app = await testApp(t, { clock: fixedClock(T0) });
  app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
  const admin = { cookie: await login(app, 'admin', PASSWORDS.admin) };
  const invig = { cookie: await login(app, 'invig', PASSWORDS.invig) }; // R1
  const invig2 = { cookie: await login(app, 'invig2', PASSWORDS.invig2) }; // R2
  const gd = { cookie: await login(app, 'gd', PASSWORDS.gd) }; // province 440000: this site
  const sz = { cookie: await login(app, 'sz', PASSWORDS.sz) }; // city 440300: not this site

  const plan = await app.inject({ method: 'POST', url: '/api/exam/plans', headers: admin, payload: { name: '三月', from: '2026-03-01', to: '2026-03-31' } });
  t.equal(plan.statusCode, 201, 'plan: 201', { body: plan.body });
  const planId = (plan.json() as { id: string }).id;
  t.equal(
    (await app.inject({ method: 'POST', url: '/api/exam/plans', headers: gd, payload: { name: 'x', from: '2026-03-01', to: '2026-03-31' } })).statusCode,
    403,
    'inspectors change nothing',
  );
  t.equal(
    (await app.inject({ method: 'POST', url: '/api/exam/plans', headers: invig, payload: { name: 'x', from: '2026-03-01', to: '2026-03-31' } })).statusCode,
    403,
  );

  const created = await app.inject({
    method: 'POST',
    url: '/api/exam/sessions',
    headers: admin,
    payload: { planId, room: 'R1', startsAt: '2026-03-10T09:00:00+08:00', templateId: TEMPLATE.id },
  });
  t.equal(created.statusCode, 201, 'created: 201', { body: created.body });
  const session = created.json() as { id: string; startsAt: string; endsAt: string; roomName: string; status: string };
  t.match(session, { startsAt: '2026-03-10T01:00:00.000Z', endsAt: '2026-03-10T02:30:00.000Z', roomName: '一号考场', status: 'scheduled' });
  const clash = await app.inject({
    method: 'POST',
    url: '/api/exam/sessions',
    headers: admin,
    payload: { planId, room: 'R1', startsAt: '2026-03-10T10:00:00+08:00', templateId: TEMPLATE.id },
  });
  t.equal(clash.statusCode, 409);
  const r2 = await app.inject({
    method: 'POST',
    url: '/api/exam/sessions',
    headers: admin,
    payload: { planId, room: 'R2', startsAt: '2026-03-10T09:00:00+08:00', templateId: TEMPLATE.id },
  });
  t.equal(r2.statusCode, 201);

  const roster = await app.inject({
    method: 'POST',
    url: `/api/exam/sessions/${session.id}/roster?filename=roster.csv`,
    headers: { ...admin, 'content-type': 'application/octet-stream' },
    payload: csv([person(1), person(2)]),
  });
  t.equal(roster.statusCode, 201, 'roster: 201', { body: roster.body });
  t.match(roster.json(), { added: 2, total: 2 });
  const bad = await app.inject({
    method: 'POST',
    url: `/api/exam/sessions/${session.id}/roster?filename=roster.csv`,
    headers: { ...admin, 'content-type': 'application/octet-stream' },
    payload: csv([person(3), [wrongCheck(idn(4)), ...person(4).slice(1)]]),
  });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { error: 'invalid', problems: [{ path: 'row 3, column 身份证号', problem: /check digit should be/ }] });
  t.equal((await app.inject({ method: 'POST', url: `/api/exam/sessions/${session.id}/seats`, headers: admin })).statusCode, 200);

  const get = (url: string, headers: Record<string, string>) => app.inject({ url, headers });
  t.equal((await get(`/api/exam/sessions/${session.id}`, invig)).statusCode, 200, 'invigilator of R1 reads the R1 session');
  const other = await get(`/api/exam/sessions/${session.id}`, invig2);
  t.equal(other.statusCode, 403, 'invigilator of R2 may not');
  t.match(other.json(), { error: 'forbidden', message: 'this session is in room R1; you invigilate R2' });
  t.equal((await get(`/api/exam/sessions/${session.id}/seat-list`, invig2)).statusCode, 403);
  t.equal((await get(`/api/exam/sessions/${session.id}/roster`, invig2)).statusCode, 403);
  t.same(
    ((await get('/api/exam/sessions', invig2)).json() as { roomId: string }[]).map((x) => x.roomId),
    ['R2'],
    'the list shows an invigilator their rooms only',
  );
  const rosterAsInvig = (await get(`/api/exam/sessions/${session.id}/roster`, invig)).json() as { idNumber: string }[];
  t.ok(
    rosterAsInvig.every((e) => e.idNumber.includes('********')),
    'invigilators see masked ID numbers',
  );

  const list = await get(`/api/exam/sessions/${session.id}/seat-list`, invig);
  t.equal(list.statusCode, 200);
  t.match(list.headers['content-type'], /^text\/html; charset=utf-8/);
  t.notOk(list.body.includes(idn(1)));
  const csvList = await get(`/api/exam/sessions/${session.id}/seat-list?format=csv`, admin);
  t.match(csvList.headers['content-type'], /^text\/csv/);
  t.match(csvList.headers['content-disposition'], /attachment; filename="seats-R1-2026-03-10-/);

  t.equal((await get(`/api/exam/plans/${planId}`, gd)).statusCode, 200, 'inspector within jurisdiction reads the plan');
  t.equal((await get(`/api/exam/sessions/${session.id}`, gd)).statusCode, 200);
  const outside = await get(`/api/exam/plans/${planId}`, sz);
  t.equal(outside.statusCode, 403, 'inspector outside jurisdiction may not');
  t.match(outside.json(), { message: /outside your jurisdiction/ });
  t.equal((await get(`/api/exam/sessions/${session.id}`, sz)).statusCode, 403);
  t.equal((await get('/api/exam/plans', invig)).statusCode, 403, 'plans are for admins and inspectors');

  const papers = await app.inject({ method: 'POST', url: `/api/exam/sessions/${session.id}/papers`, headers: admin });
  t.equal(papers.statusCode, 200, 'papers: 200', { body: papers.body });
  t.match(papers.json(), { papers: 2, bankVersion: 'v1' });
  const wrong = await app.inject({ method: 'POST', url: `/api/exam/sessions/${session.id}/status`, headers: admin, payload: { status: 'ended' } });
  t.equal(wrong.statusCode, 409);
  t.match(wrong.json(), { message: /is papers_ready; it cannot move to ended \(next is checkin\)/ });
  const open = await app.inject({ method: 'POST', url: `/api/exam/sessions/${session.id}/status`, headers: admin, payload: { status: 'checkin' } });
  t.equal(open.statusCode, 200, 'open: 200', { body: open.body });
  t.match(open.json(), { status: 'checkin' });
  t.match(app.ctx.audit.list({ action: 'exam.session.status' }), [{ actor: 'user:admin', target: session.id }]);
});

/** The CLI in-process (a child process costs seconds of start-up per call): exit code and output. */
async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((s: string | Uint8Array) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => (err.push(String(s)), true)) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(args);
  } catch (e) {
    code = reportError(e);
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

t.test('CLI: plan and session commands work, and bad input exits 1 with the reason', async (t) => {
  const dir = scratchDir(t);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, TEST_CONFIG_YAML);
  const base = ['--config', config, '--data', join(dir, 'data')];
  const plan = await runCli(['plan', 'create', '2099年', '考试', '--from', '2099-03-01', '--to', '2099-03-31', ...base]);
  t.equal(plan.code, 0, plan.stderr);
  const planId = /^created plan (\S+) "2099年 考试" 2099-03-01 – 2099-03-31$/m.exec(plan.stdout)?.[1];
  if (!planId) return t.fail(plan.stdout);
  const bad = await runCli([
    'session',
    'create',
    '--plan',
    planId,
    '--room',
    'R9',
    '--start',
    '2099-03-02T09:00',
    '--template',
    'gm-principal-general',
    ...base,
  ]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /room: no such room \(rooms are R1, R2\) \(got "R9"\)/);
  t.notMatch(bad.stderr, /^\s+at /m, 'no stack trace');
  const ok = await runCli([
    'session',
    'create',
    '--plan',
    planId,
    '--room',
    'R1',
    '--start',
    '2099-03-02T09:00',
    '--template',
    'gm-principal-general',
    ...base,
  ]);
  t.equal(ok.code, 0, ok.stderr);
  const sessionId = /^created session (\S+): room R1, 2099-03-02 09:00 – 2099-03-02 11:00 \(120 min\), template gm-principal-general$/m.exec(ok.stdout)?.[1];
  if (!sessionId) return t.fail(ok.stdout);
  const clash = await runCli([
    'session',
    'create',
    '--plan',
    planId,
    '--room',
    'R1',
    '--start',
    '2099-03-02T10:00',
    '--template',
    'gm-principal-general',
    ...base,
  ]);
  t.equal(clash.code, 1);
  t.match(clash.stderr, /room R1 already hosts session/);
  const list = await runCli(['session', 'list', ...base]);
  t.equal(list.code, 0);
  t.match(list.stdout, /R1\s+2099-03-02 09:00\s+120\s+gm-principal-general\s+scheduled/);
  const file = join(dir, 'roster.csv');
  writeFileSync(
    file,
    csv([
      [idn(1), '张三', '主要负责人'],
      [wrongCheck(idn(2)), '李四', '主要负责人'],
    ]),
  );
  const roster = await runCli(['roster', 'import', sessionId, file, ...base]);
  t.equal(roster.code, 1);
  t.match(roster.stderr, /row 3, column 身份证号: check digit should be \d \(got "…/);
  const usage = await runCli(['roster', 'import', sessionId, ...base]);
  t.equal(usage.code, 1);
  t.match(usage.stderr, /usage: examroom roster import SESSION FILE/);
  const status = await runCli(['session', 'status', sessionId, 'ended', ...base]);
  t.equal(status.code, 1);
  t.match(status.stderr, /is scheduled; it cannot move to ended/);
});
