// Answers: durable before acknowledged, idempotent by seq, newest seq wins per question, and what a
// terminal re-sends after a reconnect lands exactly once.
import t from 'tap';
import Database from 'better-sqlite3';
import type { EventMap } from '../../core/index.ts';
import { A, Term, logIn, room } from './fixture.ts';
import { until } from '../wait.ts';

/** What another process would see in the database file right now (a separate, read-only connection). */
function onDisk(file: string, sessionId: string, idNumber: string) {
  const db = new Database(file, { readonly: true });
  try {
    return {
      answers: db.prepare('SELECT no, choice, seq FROM terminal_answers WHERE session_id = ? AND id_number = ? ORDER BY no').all(sessionId, idNumber) as {
        no: number;
        choice: string;
        seq: number;
      }[],
      saves: (db.prepare('SELECT COUNT(*) AS n FROM terminal_saves WHERE session_id = ? AND id_number = ?').get(sessionId, idNumber) as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

t.test('a save is acked only once it is committed: another connection to the file already sees it', async (t) => {
  const r = await room(t, { start: true });
  const file = r.app.ctx.paths.dbFile;
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  for (const [seq, no, choice] of [
    [1, 1, [0]],
    [2, 2, [1]],
    [3, 6, [3]],
  ] as const) {
    t.same(await t1.ask({ type: 'save', seq, no, choice: [...choice] }, 'ack'), { type: 'ack', seq, no });
    t.match(
      onDisk(file, r.sessionId, A).answers.find((x) => x.no === no),
      { choice: JSON.stringify(choice), seq },
      `save ${seq} is in the file when its ack arrives`,
    );
  }

  // A commit that fails is never acked: the terminal keeps the save and sends it again.
  r.app.ctx.db.exec("CREATE TEMP TRIGGER fail_seq_4 BEFORE INSERT ON terminal_saves WHEN NEW.seq = 4 BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  const failed = await t1.ask({ type: 'save', seq: 4, no: 7, choice: [0] }, 'error');
  t.match(failed, { code: 'internal', seq: 4, for: 'save' });
  t.notOk(t1.types().includes('ack'), 'no ack for a save that did not commit');
  t.equal(
    onDisk(file, r.sessionId, A).answers.find((x) => x.no === 7),
    undefined,
  );
  r.app.ctx.db.exec('DROP TRIGGER fail_seq_4');
  t.same(await t1.ask({ type: 'save', seq: 4, no: 7, choice: [0] }, 'ack'), { type: 'ack', seq: 4, no: 7 }, 'the re-sent save is acked once it commits');

  await t1.close();
  await r.app.close();
  const after = onDisk(file, r.sessionId, A);
  t.same(
    after.answers.map((x) => [x.no, JSON.parse(x.choice) as number[], x.seq]),
    [
      [1, [0], 1],
      [2, [1], 2],
      [6, [3], 3],
      [7, [0], 4],
    ],
    'every acked answer is in the file after the server has stopped',
  );
  t.equal(after.saves, 4);
});

t.test('replays and out-of-order saves', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  const saved: unknown[] = [];
  r.app.ctx.bus.on('answer.saved', (e) => saved.push(e));
  const answers = () => r.app.terminal.store.answers(r.sessionId, A);

  await t.test('a replayed save changes nothing and is acked again', async (t) => {
    await t1.ask({ type: 'save', seq: 5, no: 2, choice: [0] }, 'ack');
    await t1.ask({ type: 'save', seq: 6, no: 2, choice: [1] }, 'ack');
    t.same(await t1.ask({ type: 'save', seq: 5, no: 2, choice: [0] }, 'ack'), { type: 'ack', seq: 5, no: 2 });
    t.same(answers(), [{ no: 2, choice: [1], seq: 6 }], 'the replay of an older seq did not bring back its choice');
    t.equal(onDisk(r.app.ctx.paths.dbFile, r.sessionId, A).saves, 2, 'nothing new was recorded');
    t.equal(saved.length, 2, 'a replay raises no answer.saved');
  });

  await t.test('out of order, the newest seq per question is kept', async (t) => {
    await t1.ask({ type: 'save', seq: 9, no: 3, choice: [1] }, 'ack');
    t.same(await t1.ask({ type: 'save', seq: 8, no: 3, choice: [0] }, 'ack'), { type: 'ack', seq: 8, no: 3 }, 'a late older save is acked');
    t.same(
      answers().find((x) => x.no === 3),
      { no: 3, choice: [1], seq: 9 },
    );
    t.match(saved.at(-1), { no: 3, seq: 8, applied: false }, 'the late save is in the history but not applied');
    await t1.ask({ type: 'save', seq: 10, no: 3, choice: [] }, 'ack');
    t.same(
      answers().find((x) => x.no === 3),
      { no: 3, choice: [], seq: 10 },
      'an empty choice clears the answer',
    );
    t.equal(r.app.terminal.store.attempt(r.sessionId, A)!.lastSeq, 10);
  });

  await t.test('after a reconnect the terminal re-sends its unacked saves; each lands exactly once', async (t) => {
    // The socket drops with seq 11 sent but (as far as the terminal knows) unacknowledged.
    t1.send({ type: 'save', seq: 11, no: 4, choice: [1] });
    await t1.take('ack');
    t1.ws.terminate();
    await t1.closed;
    const again = await Term.open(t, r.port, r.tokens.T1);
    t.match(await again.take('logged_in'), { resumed: true });
    const paper = await again.take('paper');
    t.equal(paper.lastSeq, 11, 'lastSeq tells the terminal where to continue');
    t.same(paper.answers, [
      { no: 2, choice: [1], seq: 6 },
      { no: 3, choice: [], seq: 10 },
      { no: 4, choice: [1], seq: 11 },
    ]);
    t.same(await again.ask({ type: 'save', seq: 11, no: 4, choice: [1] }, 'ack'), { type: 'ack', seq: 11, no: 4 }, 'the re-sent save is a replay');
    t.same(await again.ask({ type: 'save', seq: 12, no: 5, choice: [0] }, 'ack'), { type: 'ack', seq: 12, no: 5 });
    t.equal(onDisk(r.app.ctx.paths.dbFile, r.sessionId, A).saves, 7, 'seqs 5, 6, 8, 9, 10, 11 and 12, each once');
  });
});

t.test('saves that arrive together are committed together, each answered on its own', async (t) => {
  const r = await room(t, { start: true });
  const file = r.app.ctx.paths.dbFile;
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  const submitted: EventMap['attempt.submitted'][] = [];
  r.app.ctx.bus.on('attempt.submitted', (e) => submitted.push(e));
  // One burst, read in one turn of the server's loop: new saves, a replay, a reused seq, an older seq
  // behind a newer one, and one whose commit fails (the others in its group commit still count).
  r.app.ctx.db.exec("CREATE TEMP TRIGGER fail_seq_7 BEFORE INSERT ON terminal_saves WHEN NEW.seq = 7 BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  const burst = [
    { seq: 1, no: 1, choice: [0] },
    { seq: 2, no: 2, choice: [1] },
    { seq: 1, no: 1, choice: [0] },
    { seq: 2, no: 3, choice: [0] },
    { seq: 5, no: 4, choice: [1] },
    { seq: 4, no: 4, choice: [0] },
    { seq: 7, no: 5, choice: [1] },
    { seq: 6, no: 7, choice: [0] },
  ];
  for (const s of burst) t1.send({ type: 'save', ...s });
  await until('a reply to every save of the burst', () => t1.queue.filter((m) => m.type === 'ack' || m.type === 'error').length >= burst.length, 5000, 10);
  const replies = t1.queue.splice(0).filter((m) => m.type === 'ack' || m.type === 'error');
  // A refusal is sent at once, an ack once the commit is on disk: each in the order of its kind.
  const said = replies.map((m) => (m.type === 'ack' ? `ack ${m.seq}` : `${m.code} ${m.seq}`));
  t.same(
    said.filter((x) => x.startsWith('ack')),
    ['ack 1', 'ack 2', 'ack 1', 'ack 5', 'ack 4', 'ack 6'],
    'each save acked, the replay too, in the order sent',
  );
  t.same(
    said.filter((x) => !x.startsWith('ack')),
    ['seq_reused 2', 'internal 7'],
    'the reused seq and the failed commit refused',
  );
  r.app.ctx.db.exec('DROP TRIGGER fail_seq_7');
  const expected = [
    [1, [0], 1],
    [2, [1], 2],
    [4, [1], 5],
    [7, [0], 6],
  ];
  t.same(
    r.app.terminal.store.answers(r.sessionId, A).map((x) => [x.no, x.choice, x.seq]),
    expected,
  );
  t.same(
    onDisk(file, r.sessionId, A).answers.map((x) => [x.no, JSON.parse(x.choice) as number[], x.seq]),
    expected,
    'and in the file',
  );

  // A submit right behind saves, in the same burst, is graded with them.
  t1.send({ type: 'save', seq: 8, no: 8, choice: [0] });
  t1.send({ type: 'save', seq: 9, no: 9, choice: [0] });
  t1.send({ type: 'submit', confirm: true });
  await until('the submission', () => t1.types().includes('submitted'), 10_000, 10);
  t.same(
    t1.types().filter((x) => x === 'ack' || x === 'submitted'),
    ['ack', 'ack', 'submitted'],
    'both acks came before the submission',
  );
  t.match(submitted, [{ idNumber: A, by: 'candidate', answered: 6 }]);
});
