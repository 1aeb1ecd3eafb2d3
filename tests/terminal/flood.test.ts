// A terminal that floods the gateway with garbage is answered, then cut off — and nobody else notices.
import t from 'tap';
import { A, B, Term, logIn, room } from './fixture.ts';
import { LIMITS } from '../../terminal/protocol.ts';
import { createRegistry } from '../../terminal/gateway.ts';

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
  t.ok(
    errors.slice(0, -1).every((e) => e.code === 'bad_json' || e.code === 'bad_message'),
    'each malformed frame got its own error',
  );
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

// The token bucket with a clock the test drives: a backlog read at once after the server stalled was
// sent over the stall and is no flood; the same burst from a terminal heard all along is one.
t.test('a backlog read at once after a stall of the server is counted as it arrived, not as a flood', async (t) => {
  let now = 0;
  const reg = createRegistry(() => now);
  const socket = { readyState: 1, send() {}, close() {}, terminate() {} };
  const { conn } = reg.add({ id: 'T9', room: 'R1', seat: '09' }, socket, null);
  t.teardown(() => reg.remove(conn));
  const tick = (ms: number) => {
    for (let i = 0; i < ms / 50; i++) {
      now += 50;
      reg.beat();
    }
  };
  // 15 frames a second for 4 s, read as they come.
  let steady = 0;
  for (let i = 0; i < 60; i++) {
    tick(i % 3 === 0 ? 100 : 50);
    if (reg.take(conn)) steady++;
  }
  t.equal(steady, 60, 'a terminal at 15 frames/s passes');
  // The server stalls 4 s (no beat): the terminal's next 60 frames queue up and are read together.
  now += 4000;
  const backlog = Array.from({ length: 60 }, () => reg.take(conn));
  t.equal(backlog.filter(Boolean).length, 60, 'a 4 s backlog at 15 frames/s passes');
  // A terminal that truly sends faster than the sustained rate is still cut off after such a stall.
  now += 4000;
  const flood = Array.from({ length: 300 }, () => reg.take(conn));
  const passed = flood.filter(Boolean).length;
  t.ok(passed >= 80 && passed <= 80 + LIMITS.burst + 1, `300 frames over a 4 s stall: about the stall's share at 20/s and the burst pass (${passed})`);
  t.notOk(flood.at(-1), 'the flood runs dry');
});

t.test('the same burst from a terminal heard all along is a flood', async (t) => {
  let now = 0;
  const reg = createRegistry(() => now);
  const socket = { readyState: 1, send() {}, close() {}, terminate() {} };
  const { conn } = reg.add({ id: 'T9', room: 'R1', seat: '09' }, socket, null);
  t.teardown(() => reg.remove(conn));
  // Idle for 4 s while the server turns normally: the bucket is full, no more.
  for (let i = 0; i < 80; i++) {
    now += 50;
    reg.beat();
  }
  const burst = Array.from({ length: 60 }, () => reg.take(conn));
  t.equal(burst.filter(Boolean).length, LIMITS.burst, 'the burst passes, the rest does not');
});
