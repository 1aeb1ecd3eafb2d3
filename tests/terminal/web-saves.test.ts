// The terminal app's answer queue (terminal/web/src/saves.ts): no pick is lost, whatever the
// connection does, and no seq is ever reused with other content. Pure logic, no browser.
import t from 'tap';
import { SaveQueue, type KeyValueStore } from '../../terminal/web/src/saves.ts';

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

const KEY = 'examroom.terminal.S1.001.saves';

t.test('a pick is saving until acked, then saved', async (t) => {
  const q = new SaveQueue(KEY, memoryStore());
  q.sync([], 0);
  q.answer(1, [2]);
  t.equal(q.status(1), 'saving');
  t.same(q.choiceOf(1), [2]);
  const sent = q.drain();
  t.same(sent, [{ type: 'save', seq: 1, no: 1, choice: [2] }]);
  t.same(q.drain(), [], 'nothing is sent twice on one connection');
  q.ack(1, 1);
  t.equal(q.status(1), 'saved');
  t.equal(q.unsaved, 0);
});

t.test('seqs continue after the highest the server has seen', async (t) => {
  const q = new SaveQueue(KEY, memoryStore());
  q.sync([{ no: 3, choice: [1], seq: 41 }], 41);
  q.answer(1, [0]);
  t.same(
    q.drain().map((m) => m.seq),
    [42],
  );
  t.equal(q.status(3), 'saved', 'what the server holds shows as saved');
});

t.test('a pick changed while its save is in flight is sent again, and the older ack does not settle it', async (t) => {
  const q = new SaveQueue(KEY, memoryStore());
  q.sync([], 0);
  q.answer(1, [0]);
  q.drain();
  q.answer(1, [1]);
  q.ack(1, 1);
  t.equal(q.status(1), 'saving');
  t.same(q.choiceOf(1), [1]);
  t.same(q.drain(), [{ type: 'save', seq: 2, no: 1, choice: [1] }]);
  q.ack(2, 1);
  t.equal(q.status(1), 'saved');
});

t.test('changing back to what the server holds while a save is in flight still sends it (the newer seq wins there)', async (t) => {
  const q = new SaveQueue(KEY, memoryStore());
  q.sync([{ no: 1, choice: [0], seq: 1 }], 1);
  q.answer(1, [1]);
  q.drain(); // seq 2: [1] in flight
  q.answer(1, [0]);
  t.same(q.drain(), [{ type: 'save', seq: 3, no: 1, choice: [0] }]);
});

t.test('a lost connection loses nothing: unacked picks go again, renumbered, after the paper comes back', async (t) => {
  const store = memoryStore();
  const q = new SaveQueue(KEY, store);
  q.sync([], 0);
  q.answer(1, [0]);
  q.answer(2, [1]);
  q.drain(); // seqs 1, 2
  q.ack(1, 1);
  q.disconnected();
  q.answer(3, [2]); // made offline
  t.same(
    q.drain().map((m) => m.no),
    [2, 3],
    'the queue does not care whether the socket is up; the caller gates it',
  );
  q.disconnected();
  // The server had committed seq 2 after all (its ack was lost) and has seen seqs up to 4.
  q.sync(
    [
      { no: 1, choice: [0], seq: 1 },
      { no: 2, choice: [1], seq: 2 },
    ],
    4,
  );
  t.equal(q.status(2), 'saved', 'the server holds it: nothing to resend');
  t.same(q.drain(), [{ type: 'save', seq: 5, no: 3, choice: [2] }], 'the rest goes again with a seq the server has not seen');
});

t.test('unsaved picks survive a page reload through the store, and leave it once acked', async (t) => {
  const store = memoryStore();
  const q = new SaveQueue(KEY, store);
  q.sync([], 0);
  q.answer(4, [3, 1]);
  t.ok(store.data.get(KEY)?.includes('[4,[1,3]]'), 'kept, choice in order');
  const again = new SaveQueue(KEY, store);
  t.same(again.choiceOf(4), [1, 3]);
  t.equal(again.status(4), 'saving');
  again.sync([], 0);
  const [m] = again.drain();
  again.ack(m!.seq, 4);
  t.same(JSON.parse(store.data.get(KEY)!).pending, []);
});

t.test('a damaged store entry is ignored, not fatal', async (t) => {
  const store = memoryStore();
  store.data.set(KEY, '{"v":1,"pending":[[1,');
  const q = new SaveQueue(KEY, store);
  t.equal(q.unsaved, 0);
});

t.test('a final refusal drops the pick; any other keeps it for another try', async (t) => {
  const q = new SaveQueue(KEY, memoryStore());
  q.sync([{ no: 1, choice: [1], seq: 1 }], 1);
  q.answer(1, [0]);
  q.answer(2, [0]);
  const [a, b] = q.drain();
  t.same(q.refused(a!.seq, 'invalid_answer'), { no: 1, dropped: true });
  t.same(q.choiceOf(1), [1], 'the question shows the server’s answer again');
  t.same(q.refused(b!.seq, 'rate_limited'), { no: 2, dropped: false });
  t.equal(q.status(2), 'saving');
  t.same(
    q.drain().map((m) => [m.no, m.seq]),
    [[2, 4]],
  );
});

t.test('no more than the in-flight limit is sent at once', async (t) => {
  const q = new SaveQueue(KEY, memoryStore(), 3);
  q.sync([], 0);
  for (let no = 1; no <= 5; no++) q.answer(no, [0]);
  t.equal(q.drain().length, 3);
  q.ack(1, 1);
  t.same(
    q.drain().map((m) => m.no),
    [4],
  );
});

t.test('after submitting, the attempt’s entry is removed', async (t) => {
  const store = memoryStore();
  const q = new SaveQueue(KEY, store);
  q.answer(1, [0]);
  q.forget();
  t.notOk(store.data.has(KEY));
});
