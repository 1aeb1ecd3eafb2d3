// The proctor console's live feed over a real WebSocket: a snapshot on connect, alerts pushed the
// moment their event happens, seat changes as candidates log in and answer; other rooms refused.
import t from 'tap';
import { A, B, Console, Term, logIn, room } from './fixture.ts';

t.test('the feed opens with a snapshot, pushes alert.new on the event, then seat and ack changes', async (t) => {
  // No reconnect grace: the alert is raised in the offline event's own tick.
  const r = await room(t, { start: true, extraYaml: 'exam: { reconnectGraceSeconds: 0 }\n' });
  const invig = await r.as('invig');
  const c = await Console.open(t, r.port, invig, 'room=R1');
  const snap = await c.take('snapshot');
  t.equal(snap.room.room.id, 'R1');
  t.equal(snap.room.session.id, r.sessionId);
  t.same(snap.alerts, []);
  t.same(
    snap.room.seats.map((s: { seat: string; state: string }) => [s.seat, s.state]),
    [
      ['01', 'admitted'],
      ['02', 'admitted'],
      ['03', 'assigned'],
      ['04', 'empty'],
      ['05', 'empty'],
      ['06', 'empty'],
    ],
  );

  const term = await Term.open(t, r.port, r.tokens.T1);
  await logIn(term, r.ticket(A), true);
  const seat = await c.take('seat', (m) => m.seat.seat === '01' && m.seat.state === 'answering');
  t.match(seat.seat, { answered: 0, questions: 10, terminal: { id: 'T1', online: true } });
  t.not(seat.seat.candidate.idNumber, A, 'the invigilator gets masked ID numbers');

  // The alert goes out inside the event's own tick: no polling, no timer between event and push.
  // (The latency is reported, not asserted: speed belongs to benchmarks.)
  const at = Date.now();
  term.ws.terminate();
  const pushed = await c.take('alert.new', (m) => m.alert.kind === 'terminal_offline');
  t.comment(`offline alert pushed ${Date.now() - at} ms after the terminal's socket dropped`);
  t.ok(pushed.serverTime >= pushed.alert.at, 'the push carries the server time');
  t.match(pushed.alert, { terminalId: 'T1', seat: '01', roomId: 'R1' });
  const offline = await c.take('seat', (m) => m.seat.seat === '01' && m.seat.state === 'offline');
  t.ok(offline.seat.offlineSince, 'the seat says since when it is offline');

  const ack = await r.app.inject({
    method: 'POST',
    url: `/api/proctor/alerts/${pushed.alert.id}/ack`,
    headers: { cookie: invig },
    payload: { note: '已处理' },
  });
  t.equal(ack.statusCode, 200);
  const acked = await c.take('alert.ack');
  t.match(acked.alert, { id: pushed.alert.id, acknowledged: { by: 'user:invig', note: '已处理' } });

  const inc = await r.app.inject({
    method: 'POST',
    url: `/api/proctor/sessions/${r.sessionId}/incidents`,
    headers: { cookie: invig },
    payload: { category: 'talking', note: '与邻座交谈', candidate: r.ticket(B) },
  });
  t.equal(inc.statusCode, 201, inc.body);
  const pushedInc = await c.take('incident.new');
  t.match(pushedInc.incident, { category: 'talking', seat: '02', categoryText: { zh: '交谈' } });

  const pause = await r.app.inject({
    method: 'POST',
    url: `/api/terminal/sessions/${r.sessionId}/pause`,
    headers: { cookie: invig },
    payload: { reason: '停电' },
  });
  t.equal(pause.statusCode, 200, pause.body);
  const whole = await c.take('room');
  t.equal(whole.room.session.roomPaused, true, 'a room-wide pause pushes the whole room');
});

t.test('the feed is refused before the upgrade to an invigilator of another room', async (t) => {
  const r = await room(t);
  const invig2 = await r.as('invig2');
  await t.rejects(Console.open(t, r.port, invig2, 'room=R1'), /HTTP 403/);
  await t.rejects(Console.open(t, r.port, await r.as('admin'), 'room=R9'), /HTTP 404/);
  const own = await Console.open(t, r.port, invig2, 'room=R2');
  const snap = await own.take('snapshot');
  t.equal(snap.room.room.id, 'R2');
  t.equal(snap.room.session, null, 'R2 has no session');
});
