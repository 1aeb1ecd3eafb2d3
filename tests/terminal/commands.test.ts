// Invigilators' commands and the server's own: pause, add time, force submit, lock; auto-submit at
// time end with the terminal offline or the server restarted; admission at the door.
import t from 'tap';
import { A, B, C, DURATION_MS, START, Term, logIn, rightAnswers, room, startApp, type Room } from './fixture.ts';

const MIN = 60_000;

async function post(r: Room, url: string, body: Record<string, unknown> | undefined, who: 'admin' | 'invig' | 'invig2' = 'invig') {
  const res = await r.app.inject({ method: 'POST', url, headers: { cookie: await r.as(who) }, ...(body ? { payload: body } : {}) });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}
const cmd = (r: Room, path: string) => `/api/terminal/sessions/${r.sessionId}${path}`;

t.test('pausing one candidate stops their clock only; resuming gives the time back', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  const t2 = await Term.open(t, r.port, r.tokens.T2);
  await logIn(t1, r.ticket(A), true);
  await logIn(t2, r.ticket(B), true);
  r.clock.advance(10 * MIN);

  t.equal((await post(r, cmd(r, '/pause'), { candidate: r.ticket(A) }, 'invig2')).status, 403, 'not their room');
  const paused = await post(r, cmd(r, '/pause'), { candidate: r.ticket(A), reason: '身体不适' });
  t.equal(paused.status, 200);
  t.match(await t1.take('time'), {
    state: 'paused',
    remainingMs: DURATION_MS - 10 * MIN,
    pause: { scope: 'candidate', since: START + 10 * MIN, reason: '身体不适' },
  });
  t.equal((await post(r, cmd(r, '/pause'), { candidate: r.ticket(A) })).status, 409, 'already paused');

  r.clock.advance(7 * MIN);
  t.match(r.app.terminal.timerFor(r.app.exam.plans.session(r.sessionId), A, null), { state: 'paused', remainingMs: DURATION_MS - 10 * MIN });
  t.match(
    r.app.terminal.timerFor(r.app.exam.plans.session(r.sessionId), B, null),
    { state: 'running', remainingMs: DURATION_MS - 17 * MIN },
    'B’s clock ran on',
  );
  t.match(await t1.ask({ type: 'save', seq: 1, no: 1, choice: [0] }, 'ack'), { seq: 1 }, 'a save sent before the pause still lands');

  t.equal((await post(r, cmd(r, '/resume'), { candidate: A })).status, 200, 'by ID number works too');
  t.match(await t1.take('time'), { state: 'running', remainingMs: DURATION_MS - 10 * MIN, pausedMs: 7 * MIN, deadline: START + DURATION_MS + 7 * MIN });
  t.equal((await post(r, cmd(r, '/resume'), { candidate: A })).status, 409, 'not paused');
  t.same(
    r.app.ctx.audit.list({ action: 'terminal.pause' }).map((e) => [e.actor, e.detail]),
    [['user:invig', { scope: 'candidate', ticketNo: r.ticket(A), reason: '身体不适' }]],
  );
  t.equal(r.app.ctx.audit.list({ action: 'terminal.resume' }).length, 1);
});

t.test('pausing the room stops every clock in it', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  const t2 = await Term.open(t, r.port, r.tokens.T2);
  await logIn(t1, r.ticket(A), true);
  await logIn(t2, r.ticket(B), true);
  r.clock.advance(5 * MIN);
  t.equal((await post(r, cmd(r, '/pause'), { reason: '停电' })).status, 200);
  for (const term of [t1, t2]) t.match(await term.take('time'), { state: 'paused', pause: { scope: 'room', reason: '停电' } });
  r.clock.advance(20 * MIN);
  t.equal((await post(r, cmd(r, '/resume'), {})).status, 200);
  for (const term of [t1, t2]) t.match(await term.take('time'), { state: 'running', remainingMs: DURATION_MS - 5 * MIN, pausedMs: 20 * MIN });
  t.match(await post(r, cmd(r, '/resume'), {}), { status: 409, body: { message: /room R1 is not paused/ } });
});

t.test('adding time moves the deadline, needs a reason, and is audited', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  t.match(await post(r, cmd(r, '/time'), { candidate: r.ticket(A), minutes: 10 }), {
    status: 400,
    body: { problems: [{ path: 'body.reason', problem: 'missing' }] },
  });
  t.equal((await post(r, cmd(r, '/time'), { candidate: r.ticket(A), minutes: 0, reason: 'x' })).status, 400);
  t.equal((await post(r, cmd(r, '/time'), { candidate: r.ticket(A), minutes: 10, reason: '迟到，经批准' })).status, 200);
  t.match(await t1.take('time'), { remainingMs: DURATION_MS + 10 * MIN, addedMs: 10 * MIN, deadline: START + DURATION_MS + 10 * MIN });
  t.equal((await post(r, cmd(r, '/time'), { minutes: 5, reason: '系统故障' }, 'admin')).status, 200, 'for the whole room');
  t.match(await t1.take('time'), { addedMs: 15 * MIN });
  t.same(
    r.app.ctx.audit.list({ action: 'terminal.add_time' }).map((e) => [e.actor, (e.detail as { minutes: number }).minutes]),
    [
      ['user:admin', 5],
      ['user:invig', 10],
    ],
  );
  // The deadline really moved: at the old one the candidate may still save.
  r.clock.set(START + DURATION_MS + 1);
  t.same(await t1.ask({ type: 'save', seq: 1, no: 1, choice: [0] }, 'ack'), { type: 'ack', seq: 1, no: 1 });
});

t.test('force submit grades at once and tells the terminal; lock and unlock are pushed and survive a reconnect', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);

  t.equal((await post(r, cmd(r, `/candidates/${r.ticket(A)}/lock`), { reason: '请举手等待监考员' })).status, 200);
  t.same(await t1.take('lock'), { type: 'lock', locked: true, reason: '请举手等待监考员' });
  t1.ws.terminate();
  await t1.closed;
  const again = await Term.open(t, r.port, r.tokens.T1);
  t.same(await again.take('lock'), { type: 'lock', locked: true, reason: '请举手等待监考员' }, 'the lock is stored, not just pushed');
  t.equal((await post(r, cmd(r, `/candidates/${r.ticket(A)}/unlock`), {})).status, 200);
  t.same(await again.take('lock'), { type: 'lock', locked: false, reason: null });

  const key = rightAnswers(r.app, r.sessionId, A);
  for (let i = 0; i < 8; i++) await again.ask({ type: 'save', seq: i + 1, no: i + 1, choice: key[i]! }, 'ack');
  t.match(await post(r, cmd(r, `/candidates/${r.ticket(A)}/submit`), {}), { status: 400 }, 'a reason is required');
  const forced = await post(r, cmd(r, `/candidates/${r.ticket(A)}/submit`), { reason: '违纪' });
  t.match(forced, { status: 200, body: { ticketNo: r.ticket(A), score: 80, passed: true } });
  t.match(await again.take('submitted'), { by: 'invigilator', result: { score: 80, passed: true } });
  t.match(r.app.ctx.audit.list({ action: 'terminal.submit' }), [{ actor: 'user:invig', detail: { by: 'invigilator', reason: '违纪', answered: 8 } }]);
  t.equal((await post(r, cmd(r, `/candidates/${r.ticket(A)}/submit`), { reason: 'again' })).status, 409, 'already submitted');
  t.equal((await post(r, cmd(r, `/candidates/${r.ticket(B)}/submit`), { reason: 'x' })).status, 409, 'B never logged in');
  t.equal((await post(r, cmd(r, `/candidates/NOBODY/lock`), {})).status, 404);
});

t.test('auto-submit at time end while the terminal is offline', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  const key = rightAnswers(r.app, r.sessionId, A);
  for (let i = 0; i < 9; i++) await t1.ask({ type: 'save', seq: i + 1, no: i + 1, choice: key[i]! }, 'ack');
  t1.ws.terminate();
  await t1.closed;

  r.clock.set(START + DURATION_MS - 1);
  r.app.terminal.sweep();
  t.equal(r.app.terminal.store.attempt(r.sessionId, A)!.status, 'active', 'not a moment early');
  r.clock.set(START + DURATION_MS);
  r.app.terminal.sweep();
  t.match(r.app.terminal.store.attempt(r.sessionId, A), {
    status: 'submitted',
    submittedBy: 'auto',
    submittedActor: 'system',
    submittedAt: START + DURATION_MS,
  });
  t.match(r.app.exam.plans.resultOf(r.sessionId, A), { score: 90, passed: true });

  const back = await Term.open(t, r.port, r.tokens.T1);
  t.match(await back.take('logged_in'), { resumed: true });
  t.match(await back.take('submitted'), { by: 'auto', at: START + DURATION_MS, result: { score: 90 } });
  t.match(await back.take('time'), { state: 'over' });
});

t.test('a save that arrives after the deadline is refused and the paper is submitted at once', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  r.app.terminal.stop(); // no background sweeper: the save itself must notice
  r.clock.set(START + DURATION_MS + 500);
  t.match(await t1.ask({ type: 'save', seq: 1, no: 1, choice: [0] }, 'error'), { code: 'time_up', seq: 1 });
  t.match(await t1.take('submitted'), { by: 'auto' });
});

t.test('auto-submit survives a restart: what ran out while the server was down is submitted at start-up', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  await t1.ask({ type: 'save', seq: 1, no: 1, choice: [0] }, 'ack');
  await r.app.close();
  r.clock.set(START + DURATION_MS + 60 * MIN);
  const { app } = await startApp(t, r.dir, r.clock);
  t.match(app.terminal.store.attempt(r.sessionId, A), { status: 'submitted', submittedBy: 'auto' });
  t.ok(app.exam.plans.resultOf(r.sessionId, A), 'graded');
});

t.test('ending the session submits every attempt still open', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  const t2 = await Term.open(t, r.port, r.tokens.T2);
  await logIn(t1, r.ticket(A), true);
  await logIn(t2, r.ticket(B), true);
  r.clock.advance(30 * MIN);
  r.app.exam.plans.advanceSession(r.sessionId, 'ended', 'user:admin');
  for (const term of [t1, t2]) t.match(await term.take('submitted'), { by: 'auto' });
  t.same(
    r.app.terminal.store.attemptsOf(r.sessionId).map((a) => a.status),
    ['submitted', 'submitted'],
  );
});

t.test('admission at the door: admin or an invigilator of the room, audited, idempotent', async (t) => {
  const r = await room(t, { admit: [] });
  const url = (id: string) => `/api/exam/sessions/${r.sessionId}/admit/${id}`;
  t.equal((await post(r, url(C), undefined, 'invig2')).status, 403);
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  t.match(await t1.ask({ type: 'login', credential: r.ticket(A) }, 'login_refused'), { reason: 'not_admitted' });
  const ok = await post(r, url(A), undefined, 'invig');
  t.match(ok, { status: 200, body: { ticketNo: r.ticket(A), status: 'admitted', seat: '01', idNumber: /\*{8}/ } });
  t.equal((await post(r, url(A), undefined, 'admin')).status, 200, 'admitting twice changes nothing');
  t.equal(r.app.ctx.audit.list({ action: 'exam.candidate.admit' }).length, 1);
  t.equal((await post(r, url('440106198503129999'), undefined, 'admin')).status, 404);
  await logIn(t1, r.ticket(A), false);
  t.equal(r.app.exam.plans.roster(r.sessionId).find((e) => e.idNumber === A)!.status, 'in_exam');
});

t.test('the room at a glance: attempts, presence, remaining time, incidents', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  await t1.ask({ type: 'save', seq: 1, no: 1, choice: [0] }, 'ack');
  await t1.ask({ type: 'integrity', kind: 'copy' }, 'noted');
  r.clock.advance(MIN);
  const res = await r.app.inject({ url: cmd(r, ''), headers: { cookie: await r.as('invig') } });
  t.equal(res.statusCode, 200);
  const body = res.json() as { candidates: { ticketNo: string; idNumber: string }[] };
  t.match(body, {
    session: { id: r.sessionId, status: 'in_progress' },
    startedAt: START,
    roomPaused: false,
    candidates: [
      {
        ticketNo: r.ticket(A),
        seat: '01',
        rosterStatus: 'in_exam',
        attempt: { status: 'active', answered: 1, lastSeq: 1 },
        terminal: { id: 'T1', online: true },
        time: { state: 'running', remainingMs: DURATION_MS - MIN },
        incidents: 1,
      },
      { ticketNo: r.ticket(B), rosterStatus: 'admitted', attempt: null, terminal: { id: 'T2', online: false } },
      { ticketNo: r.ticket(C), rosterStatus: 'registered', attempt: null, terminal: null },
    ],
    pendingMoves: [],
  });
  t.notOk(
    body.candidates.some((c) => c.idNumber === A),
    'ID numbers are masked for invigilators',
  );
  const incidents = await r.app.inject({ url: cmd(r, '/incidents'), headers: { cookie: await r.as('invig') } });
  t.match(incidents.json(), [{ kind: 'copy', source: 'terminal', terminalId: 'T1' }]);
  t.equal((await r.app.inject({ url: cmd(r, ''), headers: { cookie: await r.as('invig2') } })).statusCode, 403);
});

t.test('a site that does not show scores on the terminal sends the submission without the result', async (t) => {
  const r = await room(t, { start: true, extraYaml: 'exam: { showScore: false, snapshotIntervalSeconds: 0 }\n' });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  t.equal(t1.hello.snapshotIntervalSeconds, 0, 'snapshots are off on this site');
  await logIn(t1, r.ticket(A), true);
  t.match(await t1.ask({ type: 'submit', confirm: true }, 'submitted'), { by: 'candidate', result: null });
  t.match(r.app.exam.plans.resultOf(r.sessionId, A), { score: 0 }, 'graded all the same');
});
