// Move requests in the proctor console: a candidate logging in at another seat's terminal (a real
// WebSocket terminal) raises a move_requested alert on the room's console feed and marks both seats;
// approving or rejecting through the terminal API settles the alert in the decider's name; the
// candidate logging in back at their own seat withdraws it (cleared, still to be acknowledged).
import t, { type Test } from 'tap';
import { A, B, Console, Term, logIn, room, type Room } from './fixture.ts';
import { until } from '../wait.ts';

const MIN = 60_000;

/** A answering at T1 (seat 01), B moved out of seat 02, then A logs in at T2 (seat 02): wrong seat. */
async function wrongSeat(t: Test, r: Room) {
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  await t1.ask({ type: 'save', seq: 1, no: 1, choice: [1] }, 'ack');
  r.app.exam.plans.reseat(r.sessionId, B, '04', 'user:admin', { reason: 'test' });
  r.clock.advance(10 * MIN);
  const t2 = await Term.open(t, r.port, r.tokens.T2);
  const refused = await t2.ask({ type: 'login', credential: r.ticket(A) }, 'login_refused');
  t.match(refused, { reason: 'wrong_seat', moveRequestId: String });
  return { t1, t2, moveId: refused.moveRequestId! };
}

const post = async (r: Room, url: string, who: 'invig' | 'invig2' | 'admin', payload?: object) =>
  r.app.inject({ method: 'POST', url, headers: { cookie: await r.as(who) }, ...(payload ? { payload } : {}) });

t.test('a wrong-seat log-in raises a move alert; approving settles it and the candidate continues at the new terminal', async (t) => {
  const r = await room(t, { start: true });
  const desk = await Console.open(t, r.port, await r.as('invig'), 'room=R1');
  await desk.take('snapshot');
  const { t1, t2, moveId } = await wrongSeat(t, r);

  const pushed = await desk.take('alert.new', (m) => m.alert.kind === 'move_requested');
  // A still answers at T1: the request is contested, hence critical (tests/security/tickets.test.ts).
  t.match(pushed.alert, {
    kind: 'move_requested',
    severity: 'critical',
    roomId: 'R1',
    sessionId: r.sessionId,
    seat: '02',
    terminalId: 'T2',
    idNumber: /\*/,
    params: {
      moveId,
      fromSeat: '01',
      fromTerminal: 'T1',
      toSeat: '02',
      toTerminal: 'T2',
      name: '甲',
      ticketNo: r.ticket(A),
      contested: { terminalId: 'T1', seat: '01' },
    },
    clearedAt: null,
    acknowledged: null,
  });
  t.match(pushed.alert.text.zh, /可能冒名顶替！换机申请：有人用 甲.*02 号座（考试机 T2）.*01 号座（考试机 T1）在线作答/);
  t.match(pushed.alert.text.en, /Possible impersonation! Move request: .*甲 .*seat 02 \(terminal T2\).*seat 01 \(terminal T1\)/);

  // Both seats show the request: the candidate's own and the one they stand at.
  const view = r.app.proctor.rooms.view('R1', { masked: true });
  const seat = (no: string) => view.seats.find((s) => s.seat === no)!;
  t.match(seat('01').pendingMove, { moveId, side: 'out', name: '甲', fromSeat: '01', toSeat: '02', toTerminal: 'T2' });
  t.match(seat('02').pendingMove, { moveId, side: 'in', fromSeat: '01', toSeat: '02' });
  t.equal(seat('03').pendingMove, null);
  // Pushed as a seat, or as the whole room when B's re-seat fell in the same 300 ms.
  const seat02 = await until('seat 02 pushed with the request', () =>
    desk.queue
      .flatMap((m) => (m.type === 'seat' ? [m.seat] : m.type === 'room' ? m.room.seats : []))
      .find((s: { seat: string; pendingMove: unknown }) => s.seat === '02' && s.pendingMove),
  );
  t.match(seat02.pendingMove, { moveId, side: 'in' }, 'the feed pushes seat 02 with the request');

  // Asking again from the same terminal is the same request: no second alert.
  await t2.ask({ type: 'login', credential: r.ticket(A) }, 'login_refused');
  t.equal(r.app.proctor.alerts.list({ rooms: ['R1'] }).filter((a) => a.kind === 'move_requested').length, 1);

  const url = `/api/terminal/moves/${moveId}/approve`;
  t.equal((await post(r, url, 'invig2')).statusCode, 403, 'the invigilator of R2 may not decide an R1 move');
  t.equal(r.app.proctor.alerts.get(pushed.alert.id).clearedAt, null, 'a refused decision changes nothing');
  t.equal((await post(r, url, 'invig')).statusCode, 409, 'A answers at T1: a plain approval is refused');
  const ok = await post(r, url, 'invig', { confirm: '01', reason: '原考试机故障，已核对身份证' });
  t.equal(ok.statusCode, 200, 'approved with the seat typed and a reason');

  const settled = await desk.take('alert.ack', (m) => m.alert.id === pushed.alert.id);
  t.match(settled.alert, { params: { decision: 'approved', decidedBy: 'user:invig' }, acknowledged: { by: 'user:invig', note: /已批准换机.*T2/ } });
  t.ok(settled.alert.clearedAt, 'cleared');
  t.notOk(
    r.app.proctor.alerts.list({ rooms: ['R1'], open: true }).some((a) => a.kind === 'move_requested'),
    'nothing left to acknowledge',
  );

  // The candidate continues at T2 with the answer saved at T1; T1 lets go.
  t.match(await t1.take('bye'), { reason: 'moved' });
  t.match(await t2.take('logged_in'), { resumed: true, candidate: { seat: '02' } });
  t.match(await t2.take('paper'), { answers: [{ no: 1, choice: [1], seq: 1 }] });
  t.same(await t2.ask({ type: 'save', seq: 2, no: 2, choice: [0] }, 'ack'), { type: 'ack', seq: 2, no: 2 });

  const after = await until('seats without the request', () => {
    const v = r.app.proctor.rooms.view('R1', { masked: true });
    return v.seats.every((s) => s.pendingMove === null) && v;
  });
  t.match(
    after.seats.find((s) => s.seat === '02'),
    { candidate: { name: '甲' }, state: 'answering', terminal: { id: 'T2' } },
  );
  t.equal(after.seats.find((s) => s.seat === '01')!.candidate, null, 'seat 01 is free');
  t.equal((await post(r, url, 'invig')).statusCode, 409, 'a decided request cannot be decided again');
});

t.test('rejecting settles the alert and the terminal tells the candidate to go back', async (t) => {
  const r = await room(t, { start: true });
  const { t1, t2, moveId } = await wrongSeat(t, r);
  const alert = await until('move alert', () => r.app.proctor.alerts.list({ rooms: ['R1'] }).find((a) => a.kind === 'move_requested'));
  t.equal((await post(r, `/api/terminal/moves/${moveId}/reject`, 'invig2')).statusCode, 403);
  const res = await post(r, `/api/terminal/moves/${moveId}/reject`, 'invig');
  t.equal(res.statusCode, 200, 'rejected');
  t.match(await t2.take('login_refused'), { reason: 'wrong_seat', message: /did not approve/ });
  t.match(r.app.proctor.alerts.get(alert.id), {
    clearedAt: Number,
    params: { decision: 'rejected', decidedBy: 'user:invig' },
    acknowledged: { by: 'user:invig', note: /已拒绝/ },
  });
  t.ok(
    r.app.proctor.rooms.view('R1', { masked: true }).seats.every((s) => s.pendingMove === null),
    'no seat shows the request',
  );
  t.same(await t1.ask({ type: 'save', seq: 2, no: 1, choice: [0] }, 'ack'), { type: 'ack', seq: 2, no: 1 }, 'T1 still holds the attempt');
  t.equal(r.app.exam.plans.roster(r.sessionId).find((e) => e.idNumber === A)!.seat, '01', 'not re-seated');
});

t.test('logging in at the own seat withdraws the request: the alert clears but stays to be acknowledged', async (t) => {
  const r = await room(t, { start: true });
  r.app.exam.plans.reseat(r.sessionId, B, '04', 'user:admin', { reason: 'test' });
  // A has not logged in anywhere yet and tries seat 02's terminal first.
  const t2 = await Term.open(t, r.port, r.tokens.T2);
  const { moveRequestId: moveId } = await t2.ask({ type: 'login', credential: r.ticket(A) }, 'login_refused');
  const alert = await until('move alert', () => r.app.proctor.alerts.list({ rooms: ['R1'] }).find((a) => a.kind === 'move_requested'));
  t.match(alert.params, { fromSeat: '01', fromTerminal: 'T1', toSeat: '02' });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  const now = r.app.proctor.alerts.get(alert.id);
  t.match(now, { params: { moveId, decision: 'withdrawn', decidedBy: 'system' }, acknowledged: null });
  t.ok(now.clearedAt, 'cleared');
  t.ok(r.app.proctor.rooms.view('R1', { masked: true }).seats.every((s) => s.pendingMove === null));
  t.equal((await post(r, `/api/terminal/moves/${moveId}/approve`, 'invig')).statusCode, 409, 'a withdrawn request cannot be approved');
});
