// The identity re-check of webcam snapshots: with a checker, each stored snapshot is checked apart
// from the answers and the verdict goes to the terminal, the bus and the snapshot's row; a failing
// checker leaves it 'unchecked' with the reason. The checker here is a small deterministic function
// over the JPEG's bytes (the face engine is kiosk/'s); the service is a second one on the test app's
// database, driven through the gateway's socket interface, because the app wires its own checker.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { Compile } from 'typebox/compile';
import type { EventMap } from '../../core/index.ts';
import { migrate, migrations, openDatabase } from '../../storage/index.ts';
import { createTerminalService, type SnapshotChecker } from '../../terminal/index.ts';
import { ServerMessageT, type ServerMessage } from '../../terminal/protocol.ts';
import { scratchDir } from '../helpers.ts';
import { A, room } from './fixture.ts';

const serverMessage = Compile(ServerMessageT);
const jpeg = (marker: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(marker), Buffer.alloc(64, 7), Buffer.from([0xff, 0xd9])]);

/** A socket as the gateway sees one, keeping what it is sent (every message checked against the protocol). */
class Socket {
  readyState = 1;
  readonly sent: ServerMessage[] = [];
  send(data: string): void {
    const m = JSON.parse(data) as ServerMessage;
    if (!serverMessage.Check(m)) throw new Error(`outside the protocol: ${data}`);
    this.sent.push(m);
  }
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
  async next<K extends ServerMessage['type']>(type: K, ms = 3000): Promise<Extract<ServerMessage, { type: K }>> {
    const until = Date.now() + ms;
    for (;;) {
      const i = this.sent.findIndex((m) => m.type === type);
      if (i >= 0) return this.sent.splice(i, 1)[0] as Extract<ServerMessage, { type: K }>;
      if (Date.now() > until) throw new Error(`no ${type} within ${ms} ms; have ${this.sent.map((m) => m.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

async function withChecker(t: Test, checkSnapshot: SnapshotChecker | undefined) {
  const r = await room(t, { start: true });
  const warnings: unknown[] = [];
  const log = { error: (o: unknown) => warnings.push(o), warn: (o: unknown) => warnings.push(o) };
  const { db, clock, bus, config, audit, paths } = r.app.ctx;
  const terminal = createTerminalService({ db, clock, bus, config, audit, paths, exam: r.app.exam, log, ...(checkSnapshot ? { checkSnapshot } : {}) });
  const events: EventMap['terminal.snapshot'][] = [];
  bus.on('terminal.snapshot', (e) => events.push(e));
  const socket = new Socket();
  const conn = terminal.connect('T1', socket)!;
  t.teardown(() => terminal.disconnect(conn));
  const say = (m: unknown) => terminal.receive(conn, Buffer.from(JSON.stringify(m)), false);
  say({ type: 'login', credential: r.ticket(A) });
  await socket.next('paper');
  return { r, terminal, socket, say, events, warnings, row: (id: string) => terminal.store.snapshot(id) };
}

/** Looks at the bytes only: 'TWO' → two faces, 'NOBODY' → no face, 'OTHER' → someone else, else a match. */
const byMarker: SnapshotChecker = async ({ jpeg: bytes }) => {
  const text = bytes.toString('latin1');
  if (text.includes('TWO')) return { identity: 'several_faces', distance: null, detail: '2 faces in the picture' };
  if (text.includes('NOBODY')) return { identity: 'no_face', distance: null, detail: 'no face found' };
  if (text.includes('OTHER')) return { identity: 'mismatch', distance: 0.71, detail: 'distance 0.71 over the threshold 0.55' };
  return { identity: 'match', distance: 0.32, detail: 'distance 0.32 under the threshold 0.55' };
};

t.test('with an identity check, each snapshot is answered with its verdict, stored on its row and raised on the bus', async (t) => {
  const seen: Parameters<SnapshotChecker>[0][] = [];
  const x = await withChecker(t, async (s) => {
    seen.push(s);
    return byMarker(s);
  });
  for (const [marker, identity, distance] of [
    ['ME', 'match', 0.32],
    ['TWO', 'several_faces', null],
    ['NOBODY', 'no_face', null],
    ['OTHER', 'mismatch', 0.71],
  ] as const) {
    // One snapshot per interval (60 s here) is stored; the server's clock moves on between them.
    x.r.clock.advance(60_000);
    x.say({ type: 'snapshot', jpegBase64: jpeg(marker).toString('base64') });
    const result = await x.socket.next('snapshot_result');
    t.equal(result.identity, identity, `${marker}: the terminal is told ${identity}`);
    t.match(
      x.row(result.snapshotId),
      { identity, distance, detail: String, checkedAt: Number, idNumber: A, terminalId: 'T1' },
      `${marker}: the row keeps the verdict`,
    );
    t.match(
      x.events.at(-1),
      { snapshotId: result.snapshotId, identity, distance, detail: String, idNumber: A, roomId: 'R1' },
      `${marker}: the event carries it`,
    );
  }
  t.equal(x.events.length, 4, 'one event per snapshot, with the verdict (none with a provisional unchecked)');
  t.match(seen[0], { sessionId: x.r.sessionId, idNumber: A, terminalId: 'T1', roomId: 'R1' });
  t.ok(seen[0]!.jpeg.equals(jpeg('ME')), 'the checker gets the JPEG as sent');
});

t.test('answers never wait for the identity check', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const x = await withChecker(t, async (s) => {
    await gate;
    return byMarker(s);
  });
  x.say({ type: 'snapshot', jpegBase64: jpeg('ME').toString('base64') });
  x.say({ type: 'save', seq: 1, no: 1, choice: [0] });
  t.same(await x.socket.next('ack'), { type: 'ack', seq: 1, no: 1 }, 'the save is acked while the check is still running');
  x.say({ type: 'ping' });
  await x.socket.next('pong');
  t.notOk(
    x.socket.sent.some((m) => m.type === 'snapshot_result'),
    'no verdict yet',
  );
  release();
  t.match(await x.socket.next('snapshot_result'), { identity: 'match' });
});

t.test('a checker that throws leaves the snapshot unchecked, with the error as detail, and the gateway runs on', async (t) => {
  const x = await withChecker(t, async () => {
    throw new Error('face model not loaded');
  });
  x.say({ type: 'snapshot', jpegBase64: jpeg('ME').toString('base64') });
  const result = await x.socket.next('snapshot_result');
  t.equal(result.identity, 'unchecked');
  t.match(x.row(result.snapshotId), { identity: 'unchecked', distance: null, detail: /face model not loaded/ });
  t.match(x.events, [{ identity: 'unchecked', distance: null, detail: /face model not loaded/ }]);
  t.equal(x.warnings.length, 1, 'logged');
  x.say({ type: 'save', seq: 1, no: 1, choice: [1] });
  t.same(await x.socket.next('ack'), { type: 'ack', seq: 1, no: 1 });
});

t.test('a verdict outside the list counts as unchecked', async (t) => {
  const x = await withChecker(t, (async () => ({ identity: 'probably', distance: Number.NaN, detail: 'hm' })) as unknown as SnapshotChecker);
  x.say({ type: 'snapshot', jpegBase64: jpeg('ME').toString('base64') });
  const result = await x.socket.next('snapshot_result');
  t.equal(result.identity, 'unchecked');
  t.match(x.row(result.snapshotId), { identity: 'unchecked', distance: null, detail: /"probably", which is not a verdict/ });
});

t.test('without a checker a snapshot is answered unchecked at once, as before', async (t) => {
  const x = await withChecker(t, undefined);
  x.say({ type: 'snapshot', jpegBase64: jpeg('ME').toString('base64') });
  const result = x.socket.sent.find((m) => m.type === 'snapshot_result');
  t.match(result, { identity: 'unchecked' }, 'answered in the same turn');
  t.match(x.events, [{ identity: 'unchecked', distance: null, detail: /no identity check/ }]);
  t.match(x.row((result as { snapshotId: string }).snapshotId), { identity: 'unchecked', checkedAt: null });
});

t.test('migration 009 keeps the snapshots taken before it and lets several_faces in', async (t) => {
  const file = join(scratchDir(t), 'old.sqlite');
  const db = openDatabase(file, { migrate: false });
  t.teardown(() => db.close());
  migrate(db, { to: 5 });
  db.prepare(
    "INSERT INTO terminal_snapshots (id, at, session_id, id_number, terminal_id, file, bytes) VALUES ('s1', 1, 'x', 'y', 'T1', 'terminal/x/y/1.jpg', 10)",
  ).run();
  t.throws(() => db.prepare("UPDATE terminal_snapshots SET identity = 'several_faces'").run(), /CHECK/, 'version 5 does not know several_faces');
  migrate(db, { to: 9 });
  t.match(db.prepare("SELECT * FROM terminal_snapshots WHERE id = 's1'").get(), {
    identity: 'unchecked',
    file: 'terminal/x/y/1.jpg',
    bytes: 10,
    distance: null,
    detail: null,
    checked_at: null,
  });
  db.prepare("UPDATE terminal_snapshots SET identity = 'several_faces', distance = NULL, detail = '2 faces' WHERE id = 's1'").run();
  t.throws(() => db.prepare("UPDATE terminal_snapshots SET identity = 'maybe'").run(), /CHECK/);
  t.ok(migrations.some((m) => m.version === 9));
  t.ok(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'snapshots_by_candidate'").get() as object | undefined) !== undefined,
    'the index is back',
  );
});
