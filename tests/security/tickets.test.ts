// Impersonation through tickets and moves (issue 16, item 4), replayed against a real server on
// loopback with real terminal WebSockets. The attack as found: tickets were `<last 6 of session id>-NNN`
// and every terminal's hello names the session, so from an empty seat a dozen guesses found candidates;
// a wrong-seat log-in answered "your seat is 17"; one approved move handed the attacker the answers of
// a victim who was answering at their own terminal. One room for the whole file, the steps in order:
// A at seat 01 (T1), B moved to seat 04 (no terminal), so T2's seat 02 is the attacker's empty seat.
import t from 'tap';
import { A, B, Console, Term, logIn, room } from '../proctor/fixture.ts';
import { dammValid } from '../../exam/plans/tickets.ts';
import { LOGIN_LOCK } from '../../terminal/protocol.ts';
import { until } from '../wait.ts';
import { idn } from '../exam/plans-fixture.ts';

const MIN = 60_000;

const r = await room(t, { start: true });
r.app.exam.plans.reseat(r.sessionId, B, '04', 'user:admin', { reason: 'test: seat 02 empty' });
const desk = await Console.open(t, r.port, await r.as('invig'), 'room=R1');
await desk.take('snapshot');
const post = async (url: string, who: 'invig' | 'invig2' | 'admin', payload?: object) =>
  r.app.inject({ method: 'POST', url, headers: { cookie: await r.as(who) }, ...(payload ? { payload } : {}) });
/** Everything a refusal says, for "names no seat and no candidate". */
const tellsNothing = /\b0[1-6]\b|甲|乙|丙|your seat|seat \d/;
const roster = () => r.app.exam.plans.roster(r.sessionId);

const attacker = await Term.open(t, r.port, r.tokens.T2);

t.test('tickets are random: guesses from an empty seat find nobody and learn no seat or name', async (t) => {
  for (const e of roster()) {
    t.match(e.ticketNo, /^\d{3}-\d{4}-\d{4}$/, `${e.name}'s ticket is 11 digits, printed 3-4-4`);
    t.ok(dammValid(e.ticketNo.replace(/-/g, '')), 'ending in its Damm check digit');
  }
  t.equal(attacker.hello.session?.id, r.sessionId, 'the attacker knows the session id, as every terminal does');

  const short = r.sessionId.slice(-6).toUpperCase();
  // The old scheme's first tickets, and a well-formed new one (check digit right) nobody holds.
  for (const guess of [`${short}-001`, '000-0000-0000']) {
    const refused = await attacker.ask({ type: 'login', credential: guess }, 'login_refused');
    t.equal(refused.reason, 'not_on_roster', `${guess} finds nobody`);
    t.notOk(refused.moveRequestId, 'and raises no move request');
    t.notMatch(refused.message, tellsNothing, 'and names no seat and no candidate');
  }
  // An ID number is on many papers: at someone else's seat it is refused exactly like an unknown one.
  const byId = await attacker.ask({ type: 'login', credential: A }, 'login_refused');
  const unknown = await attacker.ask({ type: 'login', credential: idn(990) }, 'login_refused');
  t.same(byId, unknown, "A's ID number at seat 02 reads the same as a number on nobody's card");
  t.equal(byId.reason, 'not_on_roster');
  t.same(r.app.terminal.sessionState(r.sessionId).pendingMoves, [], 'no move request was raised');
  t.notOk(
    r.app.proctor.alerts.list({ rooms: ['R1'] }).some((a) => a.kind === 'move_requested'),
    'and no move alert',
  );
  // Five unknown credentials within ten minutes lock a terminal (the last test); these were five, so the
  // window is left to pass before the next test.
  t.match(await attacker.ask({ type: 'login', credential: 'X' }, 'login_refused'), { reason: 'terminal_locked' }, 'the fifth unknown one locked T2');
  t.ok((await attacker.take('login_lock')).locked, 'and the terminal is told');
  const unlocked = await post('/api/terminal/terminals/T2/unlock-login', 'invig', { reason: '测试：继续下一步' });
  t.equal(unlocked.statusCode, 200, unlocked.body);
  await attacker.take('login_lock');
});

t.test('the ticket is the credential: an ID number logs in only at the own seat; a typo is told, not counted', async (t) => {
  // A typo in a real ticket: the check digit says so, and it does not count towards the lock.
  const real = r.ticket(A).replace(/-/g, '');
  const typo = real.slice(0, 5) + String((Number(real[5]) + 1) % 10) + real.slice(6);
  for (let i = 0; i < LOGIN_LOCK.failures + 1; i++) {
    const refused = await attacker.ask({ type: 'login', credential: typo }, 'login_refused');
    t.match(refused, { reason: 'ticket_mistyped', message: /check the number/ });
  }
  t.equal(r.app.terminal.loginLocked('T2'), null, `${LOGIN_LOCK.failures + 1} typos locked nothing`);

  const own = await Term.open(t, r.port, r.tokens.T1);
  const { loggedIn } = await logIn(own, A.toLowerCase(), true);
  t.match(loggedIn, { candidate: { name: '甲', seat: '01' } }, 'A logs in with the ID number at their own seat 01');
  own.ws.close();
  await own.closed;
});

t.test('a move away from a terminal that is answering is refused without the strong confirmation', async (t) => {
  const victim = await Term.open(t, r.port, r.tokens.T1);
  t.match(await victim.take('logged_in'), { resumed: true, candidate: { seat: '01' } }, 'A is back at T1');
  await victim.take('paper');
  for (let seq = 1; seq <= 3; seq++) await victim.ask({ type: 'save', seq, no: seq, choice: [1] }, 'ack');

  // The attacker has A's ticket (seen over a shoulder) and types it as people do: no dashes.
  const wrongSeat = await attacker.ask({ type: 'login', credential: r.ticket(A).replace(/-/g, ' ') }, 'login_refused');
  t.equal(wrongSeat.reason, 'wrong_seat');
  t.ok(wrongSeat.moveRequestId, 'a move request reaches the console');
  t.notMatch(wrongSeat.message, tellsNothing, 'the reply names no seat and no candidate');
  const moveId = wrongSeat.moveRequestId!;

  const pushed = await desk.take('alert.new', (m) => m.alert.kind === 'move_requested');
  t.match(pushed.alert, { severity: 'critical', seat: '02', params: { moveId, contested: { terminalId: 'T1', seat: '01' } } }, 'a critical alert');
  t.match(pushed.alert.text.zh, /可能冒名顶替.*01 号座（考试机 T1）在线作答/, 'saying loudly that the candidate is answering at their own terminal');
  const seat02 = r.app.proctor.rooms.view('R1', { masked: true }).seats.find((s) => s.seat === '02')!;
  t.match(seat02.pendingMove, { moveId, contested: { terminalId: 'T1', seat: '01' } }, 'the seat map says so too');

  const url = `/api/terminal/moves/${moveId}/approve`;
  const weak = await post(url, 'invig');
  t.equal(weak.statusCode, 409, 'the plain approval is refused by the server');
  t.match(weak.json(), { error: 'move_contested', params: { terminal: 'T1', seat: '01' } });
  t.match(weak.json().message, /answering at terminal T1/);
  t.equal((await post(url, 'invig', { confirm: '01' })).statusCode, 409, 'a confirmation without a reason too');
  const wrong = await post(url, 'invig', { confirm: '0000', reason: '原考试机故障' });
  t.equal(wrong.statusCode, 400, 'a confirmation that matches neither the seat nor the ID number is refused');
  t.match(wrong.json(), { problems: [{ path: 'confirm' }] });

  t.same(await victim.ask({ type: 'save', seq: 4, no: 4, choice: [0] }, 'ack'), { type: 'ack', seq: 4, no: 4 }, 'the victim answers on');
  t.equal(roster().find((e) => e.idNumber === A)!.seat, '01', 'not re-seated');
  t.equal(r.app.terminal.move(moveId).status, 'pending', 'the request still waits');
  t.equal(r.app.ctx.audit.list({ action: 'terminal.move.approve' }).length, 0, 'nothing approved');
  t.notOk(
    attacker.queue.some((m) => m.type === 'logged_in' || m.type === 'paper'),
    'the attacker got nothing',
  );

  // The invigilator checked both ID cards (A's own terminal really broke, say): the stronger approval goes through.
  const strong = await post(url, 'invig', { confirm: A.slice(-4).toLowerCase(), reason: '已核对身份证：原考试机键盘故障' });
  t.equal(strong.statusCode, 200, strong.body);
  t.match(await victim.take('bye'), { reason: 'moved' });
  t.match(await attacker.take('logged_in'), { resumed: true });
  const [entry] = r.app.ctx.audit.list({ action: 'terminal.move.approve' });
  t.match(
    entry?.detail,
    { contested: { terminal: 'T1', seat: '01', confirmedBy: 'id_last4', reason: /已核对身份证/ } },
    'audited with how it was confirmed and why',
  );
});

t.test('repeated failed log-ins lock the terminal with one alert until an invigilator unlocks it', async (t) => {
  r.clock.advance(11 * MIN);
  let term = await Term.open(t, r.port, r.tokens.T1);
  t.notOk(term.hello.loginLocked, 'T1 (now an empty seat) starts unlocked');
  const fail = () => term.ask({ type: 'login', credential: `guess-${Math.random().toString(36).slice(2, 8)}` }, 'login_refused');

  // Failures spread wider than the window do not add up.
  for (let i = 0; i < LOGIN_LOCK.failures - 1; i++) t.equal((await fail()).reason, 'not_on_roster');
  r.clock.advance(LOGIN_LOCK.windowMinutes * MIN + 1);
  for (let i = 0; i < LOGIN_LOCK.failures - 1; i++) t.equal((await fail()).reason, 'not_on_roster');
  t.equal(
    r.app.terminal.loginLocked('T1'),
    null,
    `${LOGIN_LOCK.failures - 1} + ${LOGIN_LOCK.failures - 1} failures ${LOGIN_LOCK.windowMinutes} min apart lock nothing`,
  );

  const fifth = await fail();
  t.match(fifth, { reason: 'terminal_locked', message: /call the invigilator/ }, `failure ${LOGIN_LOCK.failures} in the window locks T1`);
  t.match(await term.take('login_lock'), { locked: true, message: /call the invigilator/ });
  for (let i = 0; i < 5; i++) t.equal((await fail()).reason, 'terminal_locked', 'every further try is refused');
  // Even B's real ticket: nothing is looked up at a locked terminal, no move request is raised.
  t.equal((await term.ask({ type: 'login', credential: r.ticket(B) }, 'login_refused')).reason, 'terminal_locked');
  t.same(r.app.terminal.sessionState(r.sessionId).pendingMoves, []);

  const alerts = () => r.app.proctor.alerts.list({ rooms: ['R1'] }).filter((a) => a.kind === 'login_locked' && a.terminalId === 'T1');
  await desk.take('alert.new', (m) => m.alert.kind === 'login_locked' && m.alert.terminalId === 'T1');
  t.equal(alerts().length, 1, 'one alert');
  t.match(alerts()[0], { severity: 'critical', seat: '01', repeats: 1, params: { failures: LOGIN_LOCK.failures } }, 'raised once, not once per attempt');
  t.notOk(
    desk.queue.some((m) => (m.type === 'alert.new' || m.type === 'alert.update') && m.alert.kind === 'login_locked' && m.alert.terminalId === 'T1'),
    'the console was told once',
  );
  const locked = r.app.ctx.audit.list({ action: 'terminal.login_locked' }).filter((e) => e.target === 'T1');
  t.equal(locked.length, 1, 'the lock is audited once');
  t.notMatch(JSON.stringify(locked[0]), /guess-|\d{3}-\d{4}-\d{4}/, 'without the credentials typed');
  t.match(
    r.app.proctor.rooms.view('R1', { masked: true }).seats.find((s) => s.seat === '01'),
    { loginLocked: true },
    'the seat map shows it',
  );

  // A reload does not lift it: the new page hears it in the hello.
  term.ws.close();
  await term.closed;
  term = await Term.open(t, r.port, r.tokens.T1);
  t.equal(term.hello.loginLocked, true, 'a reconnected T1 is still locked');
  t.equal((await fail()).reason, 'terminal_locked');

  const unlock = '/api/terminal/terminals/T1/unlock-login';
  t.equal((await post(unlock, 'invig2', {})).statusCode, 403, "R2's invigilator may not unlock an R1 terminal");
  const ok = await post(unlock, 'invig', { reason: '已到场核实，考生输错准考证号' });
  t.equal(ok.statusCode, 200, ok.body);
  t.match(await term.take('login_lock'), { locked: false });
  t.equal((await post(unlock, 'invig', {})).statusCode, 409, 'unlocking twice is refused');
  t.match(
    r.app.ctx.audit.list({ action: 'terminal.login_unlocked' }).filter((e) => e.target === 'T1'),
    [{ actor: 'user:invig', detail: { seat: '01', failures: LOGIN_LOCK.failures, reason: /已到场核实/ } }],
  );
  const settled = await until('the alert settled', () => alerts().find((a) => a.acknowledged));
  t.match(settled, { acknowledged: { by: 'user:invig' }, params: { unlockedBy: 'user:invig' } }, 'the alert is settled in the unlocker’s name');
  t.equal((await fail()).reason, 'not_on_roster', 'the count starts again from nothing');
});
