// The terminal protocol message by message, over a real WebSocket on loopback: every client message,
// every reply, every error code. One exam room is walked through check-in, the start and a submit;
// every message the server sends is checked against the published schema (fixture.ts).
import t from 'tap';
import WebSocket from 'ws';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventMap } from '../../core/index.ts';
import { LIMITS, PROTOCOL_VERSION } from '../../terminal/protocol.ts';
import { A, B, C, DURATION_MS, START, Term, logIn, rightAnswers, room, startExam } from './fixture.ts';

/** This walk sends more than the rate limit's burst on one socket; a pause lets the bucket refill. */
const refill = () => new Promise((resolve) => setTimeout(resolve, (LIMITS.burst / LIMITS.messagesPerSecond) * 1000));

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7), Buffer.from([0xff, 0xd9])]);

async function upgradeStatus(port: number, headers: Record<string, string>): Promise<number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/terminal`, { headers });
  ws.on('error', () => {});
  return new Promise<number>((resolve) =>
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      resolve(res.statusCode ?? 0);
    }),
  );
}

t.test('the terminal protocol, message by message', async (t) => {
  const r = await room(t, { admit: [A, B] });
  const events: { name: keyof EventMap; payload: unknown }[] = [];
  for (const name of [
    'terminal.online',
    'terminal.offline',
    'terminal.integrity',
    'terminal.snapshot',
    'terminal.login',
    'terminal.move_requested',
    'answer.saved',
    'attempt.submitted',
  ] as const) {
    r.app.ctx.bus.on(name, (payload: unknown) => events.push({ name, payload }));
  }
  const t1 = await Term.open(t, r.port, r.tokens.T1, 'cookie');

  await t.test('only a paired terminal may open the socket', async (t) => {
    t.equal(await upgradeStatus(r.port, {}), 401, 'no token');
    t.equal(await upgradeStatus(r.port, { authorization: 'Bearer not-a-token' }), 401, 'unknown token');
    t.equal(await upgradeStatus(r.port, { cookie: await r.as('admin') }), 403, 'a person is not a terminal');
  });

  await t.test('hello names the terminal, its seat, the open session, the server time, the site’s time zone and the limits', async (t) => {
    t.match(t1.hello, {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      terminalId: 'T1',
      roomId: 'R1',
      roomName: '一号考场',
      seat: '01',
      serverTime: r.clock.now(),
      timezone: 'Asia/Shanghai',
      session: { id: r.sessionId, roomId: 'R1', status: 'checkin', startsAt: START, startedAt: null, durationMinutes: 90 },
      snapshotIntervalSeconds: 60,
      resultDisplaySeconds: 60,
      // The site's cap (exam.snapshotMaxKiB, 64 by default) under the protocol's 256 KiB ceiling.
      limits: { ...LIMITS, maxSnapshotBytes: 64 * 1024 },
    });
  });

  await t.test('ping is answered with the server time and the echoed value', async (t) => {
    t.same(await t1.ask({ type: 'ping', t: 42.5 }, 'pong'), { type: 'pong', serverTime: r.clock.now(), t: 42.5 });
    t.same(await t1.ask({ type: 'ping' }, 'pong'), { type: 'pong', serverTime: r.clock.now() });
  });

  await t.test('malformed frames each get a specific error, and the socket stays up', async (t) => {
    const err = async (frame: string | Buffer, binary = false) => {
      t1.raw(frame, binary);
      return t1.take('error');
    };
    t.match(await err('{not json'), { code: 'bad_json', reason: /not valid JSON/ });
    t.match(await err(Buffer.from('{"type":"ping"}'), true), { code: 'bad_message', reason: /text frames, not binary/ });
    t.match(await err('[1,2]'), { code: 'bad_message', reason: /JSON object with a "type"/ });
    t.match(await err('{"kind":"ping"}'), { code: 'bad_message', reason: /"type"/ });
    t.match(await err('{"type":"launch"}'), { code: 'unknown_type', reason: /unknown message type "launch" \(known: ping, login/, for: 'launch' });
    t.match(await err('{"type":"ping","colour":"red"}'), { code: 'bad_message', reason: /colour: unknown field/, for: 'ping' });
    t.match(await err('{"type":"login"}'), { code: 'bad_message', reason: /login/, for: 'login' });
    t.match(await err('{"type":"login","credential":""}'), { code: 'bad_message', reason: /credential/ });
    t.match(await err('{"type":"save","seq":0,"no":1,"choice":[0]}'), { code: 'bad_message', reason: /seq/, for: 'save', seq: 0 });
    t.match(await err('{"type":"save","seq":3,"no":1,"choice":"A"}'), { code: 'bad_message', reason: /choice/, seq: 3 });
    t.match(await err('{"type":"integrity","kind":"telepathy"}'), { code: 'bad_message', reason: /kind/ });
    t.match(await err('{"type":"submit","confirm":false}'), { code: 'bad_message', reason: /confirm/, for: 'submit' });
    t.match(await err(JSON.stringify({ type: 'ping', t: 1, pad: 'x'.repeat(LIMITS.maxMessageBytes) })), { code: 'too_large', reason: /limit is 524288/ });
    t.equal((await t1.ask({ type: 'ping' }, 'pong')).type, 'pong', 'still connected and answering');
  });

  await t.test('before log-in: saves, submits and snapshots are refused; resync repeats hello', async (t) => {
    t.match(await t1.ask({ type: 'save', seq: 1, no: 1, choice: [0] }, 'error'), { code: 'not_logged_in', for: 'save', seq: 1 });
    t.match(await t1.ask({ type: 'submit', confirm: true }, 'error'), { code: 'not_logged_in', for: 'submit' });
    t.match(await t1.ask({ type: 'snapshot', jpegBase64: JPEG.toString('base64') }, 'error'), { code: 'not_logged_in', for: 'snapshot' });
    t.match(await t1.ask({ type: 'resync' }, 'hello'), { terminalId: 'T1', session: { status: 'checkin' } });
  });

  await t.test('log-in is refused for someone not on the roster, not admitted, or at the wrong seat', async (t) => {
    t.match(await t1.ask({ type: 'login', credential: 'NOBODY-1' }, 'login_refused'), { reason: 'not_on_roster', message: /not recognised/ });
    t.match(await t1.ask({ type: 'login', credential: r.ticket(C) }, 'login_refused'), { reason: 'not_admitted', message: /identity check/ });
    const wrong = await t1.ask({ type: 'login', credential: r.ticket(B) }, 'login_refused');
    t.match(wrong, { reason: 'wrong_seat', message: /not the seat for this ticket/, moveRequestId: String });
    t.notMatch(wrong.message, /02|乙/, 'naming neither their seat nor them (tests/security/tickets.test.ts)');
    t.match(events.find((e) => e.name === 'terminal.move_requested')?.payload, {
      moveId: wrong.moveRequestId,
      idNumber: B,
      fromTerminal: 'T2',
      toTerminal: 'T1',
    });
    t.match(r.app.terminal.incidents(r.sessionId), [{ kind: 'wrong_seat_login', source: 'server', idNumber: B, terminalId: 'T1' }]);
  });

  await t.test('log-in by ID number before the start: candidate, waiting clock, lock state — no paper', async (t) => {
    const s = await logIn(t1, A.toLowerCase(), false);
    t.match(s.loggedIn, {
      resumed: false,
      candidate: { name: '甲', ticketNo: r.ticket(A), idNumber: /^440106\*{8}\d{3}[\dX]$/, seat: '01' },
      session: { id: r.sessionId },
      exam: { questions: 10, total: 100, passMark: 80 },
    });
    t.match(s.time, { state: 'waiting', startedAt: null, deadline: null, remainingMs: null, durationMs: DURATION_MS });
    t.same(s.lock, { type: 'lock', locked: false, reason: null });
    t.notOk(t1.types().includes('paper'), 'the paper stays on the server until the exam starts');
    t.equal(r.app.exam.plans.roster(r.sessionId).find((e) => e.idNumber === A)!.status, 'in_exam');
    t.match(await t1.ask({ type: 'login', credential: r.ticket(A) }, 'error'), { code: 'already_logged_in', for: 'login' });
    t.match(await t1.ask({ type: 'save', seq: 1, no: 1, choice: [0] }, 'error'), { code: 'not_started', seq: 1 });
    t.match(await t1.ask({ type: 'submit', confirm: true }, 'error'), { code: 'not_started' });
  });

  await t.test('integrity events are stored as incidents, raised on the bus and noted', async (t) => {
    const noted = await t1.ask({ type: 'integrity', kind: 'focus_lost', detail: 'away 4 s' }, 'noted');
    t.match(noted, { kind: 'focus_lost', incidentId: String });
    await t1.ask({ type: 'integrity', kind: 'paste' }, 'noted');
    const stored = r.app.terminal.incidents(r.sessionId).filter((i) => i.source === 'terminal');
    t.match(stored, [
      { id: noted.incidentId, kind: 'focus_lost', detail: 'away 4 s', idNumber: A, terminalId: 'T1', sessionId: r.sessionId },
      { kind: 'paste', detail: null },
    ]);
    t.match(
      events.filter((e) => e.name === 'terminal.integrity' && (e.payload as { source: string }).source === 'terminal'),
      [{ payload: { kind: 'focus_lost', roomId: 'R1' } }, { payload: { kind: 'paste' } }],
    );
  });

  await t.test('a snapshot is stored under captures/ and answered with the identity check; bad ones are refused', async (t) => {
    t.match(await t1.ask({ type: 'snapshot', jpegBase64: 'not base64!' }, 'error'), { code: 'bad_snapshot', reason: /not base64/ });
    t.match(await t1.ask({ type: 'snapshot', jpegBase64: Buffer.from('GIF89a…').toString('base64') }, 'error'), { code: 'bad_snapshot', reason: /not a JPEG/ });
    const big = Buffer.concat([JPEG.subarray(0, 4), Buffer.alloc(LIMITS.maxSnapshotBytes)]);
    t.match(await t1.ask({ type: 'snapshot', jpegBase64: big.toString('base64') }, 'error'), { code: 'bad_snapshot', reason: /limit is 65536/ });
    // The app's identity check (kiosk/) runs apart from the answers and may first load its face
    // models; this is no picture of a face, so whatever it finds, the verdict is 'unchecked'.
    t1.send({ type: 'snapshot', jpegBase64: JPEG.toString('base64') });
    const ok = await t1.take('snapshot_result', 40_000);
    t.match(ok, { snapshotId: String, identity: 'unchecked' });
    const ev = events.find((e) => e.name === 'terminal.snapshot')?.payload as EventMap['terminal.snapshot'];
    t.match(ev, { snapshotId: ok.snapshotId, idNumber: A, terminalId: 'T1', identity: 'unchecked', distance: null, detail: String });
    const file = join(r.app.ctx.paths.captures, ev.file);
    t.ok(ev.file.startsWith(join('terminal', r.sessionId, A)), 'filed by session and candidate');
    t.ok(existsSync(file) && r.app.exam.deps.faceVault.readFile(file).equals(JPEG) && !readFileSync(file).equals(JPEG), 'the JPEG is on disk as sent, sealed');
  });

  await t.test('the start pushes the session, the paper (no keys, no ids) and a running clock', async (t) => {
    startExam(r.app, r.clock, r.sessionId);
    t.match(await t1.take('session'), { session: { status: 'in_progress' } });
    const paper = await t1.take('paper');
    t.equal(paper.questions.length, 10);
    t.same(paper.answers, []);
    t.equal(paper.lastSeq, 0);
    t.same(Object.keys(paper.questions[0]!).sort(), ['images', 'no', 'options', 'score', 'stem', 'type']);
    t.notMatch(JSON.stringify(paper), /key|questionId|knowledgePoint|answer"/);
    t.match(await t1.take('time'), { state: 'running', startedAt: START, deadline: START + DURATION_MS, remainingMs: DURATION_MS });
  });

  await t.test('saves are acked; wrong questions, options and seqs are refused with a reason', async (t) => {
    await refill();
    t.same(await t1.ask({ type: 'save', seq: 1, no: 1, choice: [1] }, 'ack'), { type: 'ack', seq: 1, no: 1 });
    t.match(await t1.ask({ type: 'save', seq: 2, no: 11, choice: [0] }, 'error'), {
      code: 'invalid_answer',
      reason: /question 11 does not exist; the paper has 10/,
      seq: 2,
    });
    t.match(await t1.ask({ type: 'save', seq: 3, no: 1, choice: [2] }, 'error'), { code: 'invalid_answer', reason: /options 0–1; 2 is not one/, seq: 3 });
    t.match(await t1.ask({ type: 'save', seq: 4, no: 1, choice: [0, 1] }, 'error'), { code: 'invalid_answer', reason: /true\/false question; choose one/ });
    t.match(await t1.ask({ type: 'save', seq: 5, no: 6, choice: [0, 2] }, 'error'), { code: 'invalid_answer', reason: /single-choice question/ });
    t.match(await t1.ask({ type: 'save', seq: 6, no: 6, choice: [2, 2] }, 'error'), { code: 'invalid_answer', reason: /chosen twice/ });
    t.match(await t1.ask({ type: 'save', seq: 1, no: 2, choice: [0] }, 'error'), {
      code: 'seq_reused',
      reason: /seq 1 was already used for question 1/,
      seq: 1,
    });
    t.same(r.app.terminal.store.answers(r.sessionId, A), [{ no: 1, choice: [1], seq: 1 }], 'only the good save counts');
    t.match(
      events.filter((e) => e.name === 'answer.saved'),
      [{ payload: { idNumber: A, no: 1, seq: 1, applied: true } }],
    );
  });

  await t.test('resync sends the whole state again', async (t) => {
    t1.send({ type: 'resync' });
    t.match(await t1.take('logged_in'), { resumed: true });
    t.match(await t1.take('paper'), { answers: [{ no: 1, choice: [1], seq: 1 }], lastSeq: 1 });
    t.match(await t1.take('time'), { state: 'running' });
    t.match(await t1.take('lock'), { locked: false });
  });

  await t.test('submit grades the committed answers and sends the result; later saves are refused', async (t) => {
    await refill();
    const key = rightAnswers(r.app, r.sessionId, A);
    let seq = 10;
    for (const [i, choice] of key.entries()) await t1.ask({ type: 'save', seq: seq++, no: i + 1, choice }, 'ack');
    r.clock.advance(20 * 60_000);
    const done = await t1.ask({ type: 'submit', confirm: true }, 'submitted');
    t.same(done, { type: 'submitted', by: 'candidate', at: r.clock.now(), result: { score: 100, total: 100, passMark: 80, passed: true } });
    t.match(await t1.take('time'), { state: 'over' });
    t.match(r.app.exam.plans.resultOf(r.sessionId, A), { score: 100, passed: true });
    t.match(events.find((e) => e.name === 'attempt.submitted')?.payload, { idNumber: A, by: 'candidate', actor: 'device:T1', answered: 10, score: 100 });
    t.match(await t1.ask({ type: 'save', seq: 99, no: 1, choice: [0] }, 'error'), { code: 'submitted', seq: 99 });
    t.same(await t1.ask({ type: 'submit', confirm: true }, 'submitted'), done, 'submitting again repeats the first submission');
  });

  await t.test('a submitted candidate cannot log in again, on any terminal', async (t) => {
    const t2 = await Term.open(t, r.port, r.tokens.T2);
    t.match(await t2.ask({ type: 'login', credential: r.ticket(A) }, 'login_refused'), { reason: 'already_submitted' });
    await t2.close();
    t.match(
      await t1.ask({ type: 'login', credential: r.ticket(B) }, 'login_refused'),
      { reason: 'wrong_seat' },
      'a terminal showing a submitted paper is free for the next log-in',
    );
  });

  await t.test('once the session has ended, log-in is refused: no session is open', async (t) => {
    r.app.exam.plans.advanceSession(r.sessionId, 'ended', 'user:admin');
    t.match(await t1.take('session'), { session: null });
    const t2 = await Term.open(t, r.port, r.tokens.T2);
    t.equal(t2.hello.session, null);
    t.match(await t2.ask({ type: 'login', credential: r.ticket(B) }, 'login_refused'), {
      reason: 'session_not_open',
      message: /no exam session is open in room R1/,
    });
  });

  await t.test('presence: online and offline (with since) are on the bus', async (t) => {
    await t1.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    t.match(
      events.filter((e) => e.name === 'terminal.online').map((e) => e.payload),
      [{ terminalId: 'T1', roomId: 'R1', seat: '01' }, { terminalId: 'T2' }, { terminalId: 'T2' }],
    );
    t.match(
      events.filter((e) => e.name === 'terminal.offline').map((e) => e.payload),
      [{ terminalId: 'T2', since: Number }, { terminalId: 'T2' }, { terminalId: 'T1', since: r.clock.now(), sessionId: r.sessionId, idNumber: A }],
    );
  });
});
