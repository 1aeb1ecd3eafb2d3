// The today page's checklist route (server/routes/session-checklist.ts) on a real app and SQLite file:
// an empty session shows every item it lacks as missing and blocks check-in; bank, roster, seats and
// papers turn their items ok and the session ready; pairing the room's terminals moves them from missing
// to "paired but offline"; the route is the admin's alone; an unknown session is a 404.
import t from 'tap';
import { fixedClock } from '../../core/index.ts';
import type { SessionChecklist } from '../../exam/protocol.ts';
import { login, pairDevice, PASSWORDS, testApp } from '../helpers.ts';
import { bankQuestions, csv, person, T0, TEMPLATE } from './plans-fixture.ts';

t.test('a session checklist from empty to ready', async (t) => {
  const app = await testApp(t, { clock: fixedClock(T0) });
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const plans = app.exam.plans;
  const plan = plans.createPlan({ name: '2026年3月主要负责人考试', from: '2026-03-01', to: '2026-03-31' }, 'user:admin');
  // The template is the session's own snapshot; the bank it draws from comes later.
  app.exam.bank.createVersion({ id: 'v0', kind: 'import', questions: [], templates: [TEMPLATE] });
  const s = plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-10T09:00', templateId: TEMPLATE.id }, 'user:admin');
  const get = async (cookie = admin, id = s.id) => app.inject({ method: 'GET', url: `/api/exam/sessions/${id}/checklist`, headers: { cookie } });
  const items = (c: SessionChecklist) => Object.fromEntries(c.items.map((i) => [i.id, i]));

  await t.test('empty: every item it lacks is missing, and check-in is blocked', async (t) => {
    const res = await get();
    t.equal(res.statusCode, 200, res.body);
    const c = res.json() as SessionChecklist;
    const i = items(c);
    t.same(
      c.items.map((x) => x.id),
      ['bank', 'template', 'roster', 'photos', 'seats', 'papers', 'terminals', 'cameras', 'disk'],
    );
    t.equal(c.ready, false);
    t.equal(i.template!.state, 'missing', 'an empty bank cannot fill the template');
    t.match(i.template!.detail, /cannot be filled from bank version v0/);
    t.equal(i.template!.blocks, true);
    for (const id of ['roster', 'photos', 'seats', 'papers'] as const) t.equal(i[id]!.state, 'missing', `${id} missing`);
    t.same(i.roster!.fix, { page: 'plans', params: { session: s.id } }, 'the roster is fixed on the plans page, at this session');
    t.same(i.template!.fix, { page: 'templates', params: { template: TEMPLATE.id } });
    t.equal(i.terminals!.state, 'missing', 'T1 and T2 are not paired');
    t.same(i.terminals!.names, ['T1', 'T2']);
    t.match(i.terminals!.counts, { unpairedNamed: 2, offlineNamed: 0, named: 2 }, 'the names are the unpaired part');
    t.same(i.terminals!.fix, { page: 'devices', params: { room: 'R1' } });
    t.equal(i.cameras!.state, 'warn', 'the test site has no camera in R1');
    t.equal(i.disk!.fix.page, 'system');
    const refused = await app.inject({ method: 'POST', url: `/api/exam/sessions/${s.id}/status`, headers: { cookie: admin }, payload: { status: 'checkin' } });
    t.equal(refused.statusCode, 409, 'the server agrees: check-in is refused');
  });

  await t.test('bank, roster, seats and papers turn their items ok and the session ready', async (t) => {
    app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
    let i = items((await get()).json() as SessionChecklist);
    t.equal(i.bank!.state, 'ok');
    t.same(i.bank!.names, ['v1']);
    t.equal(i.template!.state, 'ok');
    await plans.importRoster(s.id, { bytes: csv([person(1), person(2), person(3)]), filename: 'roster.csv' }, 'user:admin');
    i = items((await get()).json() as SessionChecklist);
    t.equal(i.roster!.state, 'ok');
    t.equal(i.roster!.counts.roster, 3);
    t.equal(i.photos!.state, 'missing', 'nobody has a photo');
    t.equal(i.photos!.counts.noPhoto, 3);
    t.match(i.photos!.names, ['考生1 ('], 'the candidates without one are named');
    t.equal(i.seats!.state, 'missing');
    t.equal(i.seats!.counts.unseated, 3);
    plans.assignSeats(s.id, 'user:admin');
    plans.generateSessionPapers(s.id, 'user:admin');
    const c = (await get()).json() as SessionChecklist;
    i = items(c);
    t.equal(i.seats!.state, 'ok');
    t.equal(i.papers!.state, 'ok');
    t.equal(i.papers!.counts.papers, 3);
    t.equal(c.status, 'papers_ready');
    t.equal(c.ready, true, 'nothing blocks check-in any more');
    t.equal(i.terminals!.state, 'missing', 'still not paired: missing, but it does not block');
    t.equal(i.terminals!.blocks, false);
    const opened = await app.inject({ method: 'POST', url: `/api/exam/sessions/${s.id}/status`, headers: { cookie: admin }, payload: { status: 'checkin' } });
    t.equal(opened.statusCode, 200, 'and the server opens check-in');
    const after = (await get()).json() as SessionChecklist;
    t.equal(after.status, 'checkin');
    t.equal(after.ready, true);
    t.same(after.people, { roster: 3, admitted: 0, atTerminal: 0, submitted: 0, absent: 0 }, 'nobody through the door yet');
    // The door admits, a terminal logs one in: the counts the start and end confirmations show.
    const ids = plans.roster(s.id).map((e) => e.idNumber);
    plans.setRosterStatus(s.id, ids[0]!, 'admitted');
    plans.setRosterStatus(s.id, ids[1]!, 'admitted');
    plans.setRosterStatus(s.id, ids[1]!, 'in_exam');
    t.same(((await get()).json() as SessionChecklist).people, { roster: 3, admitted: 2, atTerminal: 1, submitted: 0, absent: 0 });
  });

  await t.test("pairing the room's terminals leaves them paired but offline (a warning, named)", async (t) => {
    await pairDevice(app, 'terminal', 'T1', admin);
    await pairDevice(app, 'terminal', 'T2', admin);
    // The draw is random: the three sit at 01–03 here, so both PCs (seats 01, 02) have a candidate and
    // neither is a spare (a PC nobody sits at may be off: tests/server/device-health.test.ts).
    app.ctx.db.prepare('UPDATE roster_entries SET seat = NULL WHERE session_id = ?').run(s.id);
    plans
      .roster(s.id)
      .forEach((e, n) => app.ctx.db.prepare('UPDATE roster_entries SET seat = ? WHERE session_id = ? AND id_number = ?').run(`0${n + 1}`, s.id, e.idNumber));
    const i = items((await get()).json() as SessionChecklist);
    t.equal(i.terminals!.state, 'warn');
    t.equal(i.terminals!.counts.unpaired, 0);
    t.equal(i.terminals!.counts.offline, 2);
    t.equal(i.terminals!.counts.spare, 0);
    t.equal(i.terminals!.counts.seatsWithoutPc, 1, 'the third candidate sits at 03, where no PC is');
    t.same(i.terminals!.names, ['T1', 'T2', '03'], 'the offline PCs, then the seat without a PC');
    t.equal(i.terminals!.counts.named, 2);
    t.match(i.terminals!.counts, { unpairedNamed: 0, offlineNamed: 2 }, 'the names are the offline part, said after 不在线');
  });

  await t.test('a paired PC at a seat nobody sits at is named spare, not offline; the seats without a PC are named', async (t) => {
    const at02 = plans.roster(s.id).find((e) => e.seat === '02')!;
    plans.reseat(s.id, at02.idNumber, '04', 'user:admin', { reason: 'test' });
    const i = items((await get()).json() as SessionChecklist);
    t.equal(i.terminals!.state, 'warn', 'T1 is still offline and two sit without a PC');
    t.same(
      {
        offline: i.terminals!.counts.offline,
        spare: i.terminals!.counts.spare,
        seatsWithoutPc: i.terminals!.counts.seatsWithoutPc,
        named: i.terminals!.counts.named,
        spareNamed: i.terminals!.counts.spareNamed,
      },
      { offline: 1, spare: 1, seatsWithoutPc: 2, named: 1, spareNamed: 1 },
    );
    t.same(i.terminals!.names, ['T1', 'T2', '03', '04'], 'offline T1, spare T2, then seats 03 and 04');
    t.match(i.terminals!.detail, /1 paired but offline \(T1\).*1 spare .*: T2; 2 candidates sit at a seat without a paired terminal: 03, 04/);
  });

  await t.test('the checklist is the admin’s alone; an unknown session is named', async (t) => {
    t.equal((await app.inject({ method: 'GET', url: `/api/exam/sessions/${s.id}/checklist` })).statusCode, 401, 'no log-in');
    for (const who of ['invig', 'gd'] as const) {
      const res = await get(await login(app, who, PASSWORDS[who]));
      t.equal(res.statusCode, 403, `${who} refused`);
    }
    const missing = await get(admin, 'NO-SUCH');
    t.equal(missing.statusCode, 404);
    t.match(missing.json().message, /NO-SUCH/);
  });
});
