// A terminal that floods the gateway with garbage is answered, then cut off — and nobody else notices.
import t from 'tap';
import { A, B, Term, logIn, room } from './fixture.ts';
import { LIMITS } from '../../terminal/protocol.ts';

t.test('a malformed flood is rate-limited and closed (1008) without disturbing another candidate', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  const t2 = await Term.open(t, r.port, r.tokens.T2);
  await logIn(t1, r.ticket(A), true);
  await logIn(t2, r.ticket(B), true);

  // B saves steadily while A's terminal floods.
  const acks: number[] = [];
  const steady = (async () => {
    for (let seq = 1; seq <= 10; seq++) {
      acks.push((await t2.ask({ type: 'save', seq, no: seq, choice: [0] }, 'ack')).seq);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  for (let i = 0; i < 200; i++) t1.raw(i % 2 ? '{"type":' : JSON.stringify({ type: 'save', seq: -i, no: 'x' }));
  const closed = await t1.closed;
  t.equal(closed.code, 1008, 'closed for policy');
  const errors = t1.queue.filter((m) => m.type === 'error') as { code: string }[];
  t.ok(errors.length >= LIMITS.burst - 5 && errors.length <= LIMITS.burst + 5, `about a burst's worth of errors before the cut-off (${errors.length})`);
  t.ok(errors.slice(0, -1).every((e) => e.code === 'bad_json' || e.code === 'bad_message'), 'each malformed frame got its own error');
  t.equal(errors.at(-1)!.code, 'rate_limited');
  t.match(t1.queue.at(-1), { type: 'bye', reason: 'rate_limited' });
  t.match(r.app.terminal.incidents(r.sessionId), [{ kind: 'message_flood', idNumber: A, terminalId: 'T1' }]);

  await steady;
  t.same(acks, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'every one of B’s saves was acked');
  t.equal(r.app.terminal.store.answers(r.sessionId, B).length, 10);
  t.match(await t2.ask({ type: 'ping' }, 'pong'), { type: 'pong' }, 'B’s socket is untouched');
  t.same(r.app.terminal.store.answers(r.sessionId, A), [], 'the garbage changed nothing');

  // A's terminal comes back after a pause and continues.
  const back = await Term.open(t, r.port, r.tokens.T1);
  t.match(await back.take('logged_in'), { resumed: true });
  t.same(await back.ask({ type: 'save', seq: 1, no: 1, choice: [1] }, 'ack'), { type: 'ack', seq: 1, no: 1 });
});

t.test('a steady terminal under the limit is never cut off', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  // 60 saves at ~15/s (under the 20/s sustained rate), after a burst of 30 (under the burst of 40).
  for (let seq = 1; seq <= 30; seq++) t1.send({ type: 'save', seq, no: (seq % 10) + 1, choice: [0] });
  for (let seq = 1; seq <= 30; seq++) await t1.take('ack');
  for (let seq = 31; seq <= 60; seq++) {
    await t1.ask({ type: 'save', seq, no: (seq % 10) + 1, choice: [1] }, 'ack');
    await new Promise((resolve) => setTimeout(resolve, 1000 / 15));
  }
  t.equal(t1.ws.readyState, t1.ws.OPEN);
  t.equal(r.app.terminal.store.attempt(r.sessionId, A)!.lastSeq, 60);
});
