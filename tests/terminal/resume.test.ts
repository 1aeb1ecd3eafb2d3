// Resume: after a network drop, a terminal crash or a server restart the candidate continues with
// every acked answer and the right remaining time; continuing on another terminal needs approval.
import t from 'tap';
import { timerOf } from '../../terminal/index.ts';
import { A, B, DURATION_MS, START, Term, logIn, room, startApp } from './fixture.ts';

const MIN = 60_000;

t.test('after a network drop the candidate continues on the same terminal, clock and answers intact', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  await t1.ask({ type: 'save', seq: 1, no: 1, choice: [1] }, 'ack');
  r.clock.advance(10 * MIN);
  t1.ws.terminate();
  await t1.closed;
  r.clock.advance(5 * MIN); // offline: the exam clock does not stop for a broken cable
  const again = await Term.open(t, r.port, r.tokens.T1);
  t.match(await again.take('logged_in'), { resumed: true, candidate: { ticketNo: r.ticket(A) } });
  t.match(await again.take('paper'), { answers: [{ no: 1, choice: [1], seq: 1 }], lastSeq: 1 });
  t.match(await again.take('time'), { state: 'running', remainingMs: DURATION_MS - 15 * MIN, deadline: START + DURATION_MS });
  t.match(await again.take('lock'), { locked: false });
});

t.test('after a server restart the candidate continues with acked answers and the right remaining time', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  await t1.ask({ type: 'save', seq: 1, no: 2, choice: [0] }, 'ack');
  await t1.ask({ type: 'save', seq: 2, no: 7, choice: [3] }, 'ack');
  r.clock.advance(20 * MIN);
  await r.app.close();
  t.equal((await t1.closed).code, 1001, 'the terminal is told the server is going away');

  r.clock.advance(3 * MIN);
  const { app, port } = await startApp(t, r.dir, r.clock);
  const again = await Term.open(t, port, r.tokens.T1);
  t.match(await again.take('logged_in'), { resumed: true });
  t.match(await again.take('paper'), {
    answers: [
      { no: 2, choice: [0], seq: 1 },
      { no: 7, choice: [3], seq: 2 },
    ],
    lastSeq: 2,
  });
  t.match(await again.take('time'), { state: 'running', startedAt: START, remainingMs: DURATION_MS - 23 * MIN });
  t.same(await again.ask({ type: 'save', seq: 3, no: 3, choice: [1] }, 'ack'), { type: 'ack', seq: 3, no: 3 });
  t.equal(app.terminal.store.answers(r.sessionId, A).length, 3);
});

t.test('a second connection of the same terminal takes over; the older is told, closed and it is an incident', async (t) => {
  const r = await room(t, { start: true });
  const first = await Term.open(t, r.port, r.tokens.T1);
  await logIn(first, r.ticket(A), true);
  const second = await Term.open(t, r.port, r.tokens.T1);
  t.match(await first.take('bye'), { reason: 'replaced' });
  t.equal((await first.closed).code, 4409);
  t.match(await second.take('logged_in'), { resumed: true });
  t.match(r.app.terminal.incidents(r.sessionId), [{ kind: 'second_connection', source: 'server', idNumber: A, terminalId: 'T1' }]);
  t.same(await second.ask({ type: 'save', seq: 1, no: 1, choice: [0] }, 'ack'), { type: 'ack', seq: 1, no: 1 });
  t.equal(r.app.terminal.presence('T1').online, true, 'the replaced socket closing does not make the terminal offline');
});

t.test('continuing on another terminal needs an invigilator of the room to approve', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  await t1.ask({ type: 'save', seq: 1, no: 1, choice: [1] }, 'ack');
  r.clock.advance(30 * MIN);

  const t2 = await Term.open(t, r.port, r.tokens.T2);
  const refused = await t2.ask({ type: 'login', credential: r.ticket(A) }, 'login_refused');
  t.match(refused, { reason: 'wrong_seat', moveRequestId: String });
  t.match(await t2.ask({ type: 'save', seq: 2, no: 1, choice: [0] }, 'error'), { code: 'not_logged_in' }, 'nothing is possible before approval');
  const again = await t2.ask({ type: 'login', credential: r.ticket(A) }, 'login_refused');
  t.equal(again.moveRequestId, refused.moveRequestId, 'asking again does not make a second request');

  // A still holds T1's socket: the request is contested, so approvals carry the stronger confirmation.
  const approve = async (who: string) =>
    r.app.inject({
      method: 'POST',
      url: `/api/terminal/moves/${refused.moveRequestId}/approve`,
      headers: { cookie: who },
      payload: { confirm: '01', reason: '原考试机故障' },
    });
  t.equal((await approve(await r.as('invig2'))).statusCode, 403, 'an invigilator of another room may not approve');
  const taken = await approve(await r.as('invig'));
  t.equal(taken.statusCode, 409, 'T2 is seat 02, which B holds');
  t.match(taken.json(), { error: 'seat_taken', message: /seat 02 of room R1 is taken/ });
  t.same(
    taken.json().params,
    { seat: '02', room: 'R1', name: r.app.exam.plans.roster(r.sessionId).find((e) => e.seat === '02')!.name },
    'with what the console words it from',
  );

  r.app.exam.plans.reseat(r.sessionId, B, '04', 'user:admin', { reason: 'test' });
  const ok = await approve(await r.as('invig'));
  t.equal(ok.statusCode, 200);
  t.match(ok.json(), { status: 'approved', toTerminal: 'T2', fromTerminal: 'T1', decidedBy: 'user:invig', idNumber: /\*/ });

  t.match(await t1.take('bye'), { reason: 'moved' });
  t.equal((await t1.closed).code, 4410, 'the old terminal lets go');
  t.match(await t2.take('logged_in'), { resumed: true, candidate: { seat: '02' } });
  t.match(await t2.take('paper'), { answers: [{ no: 1, choice: [1], seq: 1 }], lastSeq: 1 });
  t.match(await t2.take('time'), { state: 'running', remainingMs: DURATION_MS - 30 * MIN });
  t.same(await t2.ask({ type: 'save', seq: 2, no: 1, choice: [0] }, 'ack'), { type: 'ack', seq: 2, no: 1 });
  t.equal(r.app.exam.plans.roster(r.sessionId).find((e) => e.idNumber === A)!.seat, '02', 're-seated');
  t.ok(
    r.app.ctx.audit.list({ action: 'terminal.move.approve' }).length === 1 &&
      r.app.ctx.audit.list({ action: 'exam.seat.change' }).some((e) => e.actor === 'user:invig'),
  );
  t.equal((await approve(await r.as('invig'))).statusCode, 409, 'a decided request cannot be approved twice');

  // Back at T1 (e.g. T2 failed too) the seat no longer matches: another request.
  const t1b = await Term.open(t, r.port, r.tokens.T1);
  t.match(await t1b.ask({ type: 'login', credential: r.ticket(A) }, 'login_refused'), { reason: 'wrong_seat' });
});

t.test('a declined move leaves the candidate where they were', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  r.app.exam.plans.reseat(r.sessionId, B, '04', 'user:admin');
  const t2 = await Term.open(t, r.port, r.tokens.T2);
  const { moveRequestId } = await t2.ask({ type: 'login', credential: r.ticket(A) }, 'login_refused');
  const res = await r.app.inject({ method: 'POST', url: `/api/terminal/moves/${moveRequestId}/reject`, headers: { cookie: await r.as('invig') } });
  t.equal(res.statusCode, 200);
  const declined = await t2.take('login_refused');
  t.match(declined, { reason: 'wrong_seat', message: /did not approve/ });
  t.notOk('moveRequestId' in declined, 'nothing left to wait for');
  t.same(await t1.ask({ type: 'save', seq: 1, no: 1, choice: [0] }, 'ack'), { type: 'ack', seq: 1, no: 1 }, 'T1 still holds the attempt');

  // Revoking a terminal's token cuts its exam socket at once, like any device socket.
  t.equal((await r.app.inject({ method: 'POST', url: '/api/devices/T1/revoke', headers: { cookie: await r.as('admin') } })).statusCode, 200);
  t.equal((await t1.closed).code, 4401);
});

t.test('the clock kept in memory is what the stored pauses and added time say, before and after a restart', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  const term = () => r.app.terminal;
  const fromSql = (app: typeof r.app, id: string) =>
    timerOf({
      startedAt: START,
      durationMs: DURATION_MS,
      addedMs: app.terminal.store.addedMs(r.sessionId, id),
      pauses: app.terminal.store.pausesFor(r.sessionId, id),
      now: r.clock.now(),
    });
  const inMemory = (app: typeof r.app, id: string) => app.terminal.timerFor(app.exam.plans.session(r.sessionId), id, null);
  const steps: [string, () => unknown][] = [
    ['room paused', () => term().pause(r.sessionId, null, 'fire alarm', 'user:invig')],
    ['A paused too', () => term().pause(r.sessionId, A, 'toilet', 'user:invig')],
    ['room resumed', () => term().resume(r.sessionId, null, 'user:invig')],
    ['A resumed', () => term().resume(r.sessionId, A, 'user:invig')],
    ['10 min for all', () => term().addTime(r.sessionId, null, 10, 'alarm', 'user:invig')],
    ['5 min for A', () => term().addTime(r.sessionId, A, 5, 'toilet', 'user:invig')],
    ['A paused again', () => term().pause(r.sessionId, A, 'dizzy', 'user:invig')],
  ];
  for (const [what, step] of steps) {
    r.clock.advance(3 * MIN);
    step();
    r.clock.advance(MIN);
    for (const id of [A, B]) t.same(inMemory(r.app, id), fromSql(r.app, id), `${what}: ${id === A ? 'A' : 'B'}`);
  }
  t.match(inMemory(r.app, A), { state: 'paused', addedMs: 15 * MIN });
  const before = inMemory(r.app, A);
  await r.app.close();
  const { app, port } = await startApp(t, r.dir, r.clock);
  t.same(inMemory(app, A), before, 'the same clock after a restart');
  t.same(inMemory(app, B), fromSql(app, B));
  const again = await Term.open(t, port, r.tokens.T1);
  await again.take('logged_in');
  t.match(await again.take('time'), {
    state: 'paused',
    remainingMs: before.remainingMs,
    deadline: before.deadline,
    addedMs: 15 * MIN,
    pause: { scope: 'candidate', reason: 'dizzy' },
  });
  app.terminal.resume(r.sessionId, A, 'user:invig');
  r.clock.advance(2 * MIN);
  t.same(inMemory(app, A), fromSql(app, A), 'and after a command on the restarted server');
});

t.test('a submitted paper comes back on reconnect only while its result may be on screen, never later', async (t) => {
  const r = await room(t, { start: true, extraYaml: 'exam: { resultDisplaySeconds: 30 }\n' });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  t1.send({ type: 'submit', confirm: true });
  await t1.take('submitted');
  await t1.close();
  r.clock.advance(10_000);
  const soon = await Term.open(t, r.port, r.tokens.T1);
  t.match(await soon.take('logged_in'), { resumed: true }, 'a connection lost around the submission: the result is shown again');
  t.match(await soon.take('submitted'), { by: 'candidate' });
  await soon.close();
  r.clock.advance(30_000);
  const later = await Term.open(t, r.port, r.tokens.T1);
  const said = (await later.settle(300)).map((m) => m.type);
  t.notOk(
    said.includes('logged_in') || said.includes('submitted'),
    `past exam.resultDisplaySeconds only hello: the next person sees no name or score (got ${said.join(', ') || 'nothing more'})`,
  );
});

t.test('time added is in every time message, with how much, for whom and why', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  await t1.settle();
  r.app.terminal.addTime(r.sessionId, null, 5, '全场网络故障', 'user:invig');
  t.match(await t1.take('time'), { addedMs: 5 * MIN, lastAdded: { minutes: 5, scope: 'room', reason: '全场网络故障' } });
  await t1.settle();
  r.clock.advance(1000);
  r.app.terminal.addTime(r.sessionId, r.ticket(A), 10, '设备故障', 'user:invig');
  t.match(await t1.take('time'), {
    addedMs: 15 * MIN,
    lastAdded: { minutes: 10, scope: 'candidate', reason: '设备故障', at: r.clock.now() },
  });
});
