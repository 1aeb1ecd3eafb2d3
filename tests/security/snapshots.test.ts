// Issue 16 item 7: a terminal cannot fill the disk with snapshots. The server stores one per interval,
// a quota per candidate and session, none over the size cap, and a snapshot it cannot store leaves no
// file and no row. Real terminal WebSockets on loopback against a real app on a scratch data folder.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTerminalService } from '../../terminal/index.ts';
import { writeDurably } from '../../kiosk/service/images.ts';
import { loadFaceVault } from '../../storage/index.ts';
import { A, B, Term, logIn, room } from '../terminal/fixture.ts';
import { scratchDir } from '../helpers.ts';

const KiB = 1024;
/** A JPEG of exactly `size` bytes (the server checks the magic bytes only; the identity check finds no face). */
const jpeg = (size: number, fill = 7) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(size - 6, fill), Buffer.from([0xff, 0xd9])]);
const snap = (bytes: Buffer) => ({ type: 'snapshot', jpegBase64: bytes.toString('base64') });

/** Every file under a folder (relative names), leftovers of unfinished writes included. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

/** Mounting a tmpfs needs root (or CAP_SYS_ADMIN); where it is refused, the full-disk cases are skipped and say why. */
function mountRefusal(): string | false {
  const probe = mkdtempSync(join(tmpdir(), 'examroom-mount-probe-'));
  try {
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { encoding: 'utf8' });
    if (m.status !== 0) return `cannot mount a tmpfs for the full-disk case (needs root and mount permission): ${m.stderr?.trim() || m.error?.message}`;
    spawnSync('umount', [probe]);
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
const noMount = mountRefusal();

/** A small tmpfs at `dir`, so a real full disk can be had; unmounted at the test's end. */
function mountSmall(t: Test, dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (m.status !== 0) throw new Error(`mount failed: ${m.stderr}`);
  t.teardown(() => void spawnSync('umount', ['-l', dir]));
}

t.test('snapshots on disk', async (t) => {
  // A cap of 256 KiB so the flood is the one reported (255 KiB each); quota 5 snapshots or 1 MiB.
  const r = await room(t, { start: true, extraYaml: 'exam: { snapshotMaxKiB: 256, snapshotQuota: { count: 5, mebibytes: 1 } }\n' });
  const db = r.app.ctx.db;
  const captures = r.app.ctx.paths.captures;
  const folderOf = (idNumber: string) => join(captures, 'terminal', r.sessionId, idNumber);
  const rows = (idNumber: string) =>
    (db.prepare('SELECT COUNT(*) AS n FROM terminal_snapshots WHERE session_id = ? AND id_number = ?').get(r.sessionId, idNumber) as { n: number }).n;
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  const t2 = await Term.open(t, r.port, r.tokens.T2);
  await logIn(t1, r.ticket(A), true);
  await logIn(t2, r.ticket(B), true);

  await t.test('a flood of 18 snapshots a second of 255 KiB stores one per interval; the rest are refused, counted and reported once', async (t) => {
    const big = jpeg(255 * KiB);
    for (let i = 0; i < 36; i++) {
      t1.send(snap(big));
      // 18 a second, on the server's clock and on the wire, as the review measured.
      await new Promise((resolve) => setTimeout(resolve, 55));
      r.clock.advance(55);
    }
    const stored = await t1.take('snapshot_result', 20_000);
    const refused: { code: string; reason: string; for?: string }[] = [];
    while (refused.length < 35) refused.push(await t1.take('error', 20_000));
    t.ok(
      refused.every((e) => e.code === 'snapshot_too_soon' && e.for === 'snapshot'),
      'every other one: snapshot_too_soon',
    );
    t.match(refused[0]!.reason, /^a snapshot was stored \d+ s ago; send one every 60 s \(the next from \d+ s on\); this one is not stored$/);
    t.equal(rows(A), 1, 'one row');
    const row = db.prepare('SELECT id, file FROM terminal_snapshots WHERE session_id = ? AND id_number = ?').get(r.sessionId, A) as {
      id: string;
      file: string;
    };
    t.equal(row.id, stored.snapshotId);
    t.same(filesUnder(join(captures, 'terminal')), [row.file.slice('terminal/'.length)], 'one snapshot file on disk, the one its row names');
    t.match(r.app.terminal.snapshotsRefused(), { too_soon: 35 });
    const metrics = await r.app.inject({ method: 'GET', url: '/metrics' });
    t.match(metrics.body, /examroom_terminal_snapshots_refused_total\{reason="too_soon"\} 35/, 'counted on /metrics');
    t.same(
      r.app.terminal
        .incidents(r.sessionId)
        .filter((i) => i.kind === 'message_flood')
        .map((i) => i.detail),
      ['snapshots faster than one every 60 s (5 refused on this connection); only one per interval is stored'],
      'one incident for the invigilators, not one per frame',
    );
    t.match(await t1.ask({ type: 'save', seq: 1, no: 1, choice: [0] }, 'ack'), { seq: 1 }, 'answers go on');
  });

  await t.test('one a minute is stored; the interval survives a reconnect; the per-attempt count quota holds', async (t) => {
    r.clock.advance(55_000); // about 57 s after the stored one: within the 6 s tolerance of a 60 s interval
    t.match((await t1.ask(snap(jpeg(2 * KiB)), 'snapshot_result')).identity, 'unchecked');
    // A new socket does not reset the interval: it is kept per candidate, in the database.
    await t1.close();
    const again = await Term.open(t, r.port, r.tokens.T1);
    t.teardown(() => again.ws.terminate());
    await again.take('logged_in'); // the attempt resumes on the new socket
    t.match(await again.ask(snap(jpeg(2 * KiB)), 'error'), { code: 'snapshot_too_soon', for: 'snapshot' });
    for (let i = 0; i < 3; i++) {
      r.clock.advance(60_000);
      await again.ask(snap(jpeg(2 * KiB)), 'snapshot_result');
    }
    t.equal(rows(A), 5, 'the quota: 5');
    r.clock.advance(60_000);
    t.match(await again.ask(snap(jpeg(2 * KiB)), 'error'), {
      code: 'snapshot_quota',
      reason: /the snapshot quota is reached: 5 snapshots, the most stored for one candidate in a session; this one is not stored/,
    });
    r.clock.advance(60_000);
    t.match(await again.ask(snap(jpeg(2 * KiB)), 'error'), { code: 'snapshot_quota' });
    t.equal(rows(A), 5);
    t.equal(filesUnder(folderOf(A)).length, 5, 'a file per row, no more');
    t.equal(r.app.terminal.incidents(r.sessionId).filter((i) => i.kind === 'message_flood' && /quota reached/.test(i.detail ?? '')).length, 1, 'reported once');
    t.match(r.app.terminal.snapshotsRefused(), { quota_count: 2 });
  });

  await t.test('the byte quota holds, and no snapshot over the cap is stored', async (t) => {
    t.match(await t2.ask(snap(jpeg(256 * KiB + 1)), 'error'), { code: 'bad_snapshot', reason: 'snapshot is 262145 bytes; the limit is 262144' });
    for (let i = 0; i < 4; i++) {
      r.clock.advance(60_000);
      await t2.ask(snap(jpeg(250 * KiB)), 'snapshot_result');
    }
    r.clock.advance(60_000);
    t.match(await t2.ask(snap(jpeg(250 * KiB)), 'error'), {
      code: 'snapshot_quota',
      reason: /1024000 bytes of snapshots; this one \(256000\) would pass the 1048576-byte quota/,
    });
    t.match(await t2.ask(snap(jpeg(24 * KiB)), 'snapshot_result'), { identity: 'unchecked' }, 'a small one still fits');
    t.equal(rows(B), 5);
    t.match(r.app.terminal.snapshotsRefused(), { too_large: 1, quota_bytes: 1 });
    db.prepare('DELETE FROM terminal_snapshots WHERE session_id = ? AND id_number = ?').run(r.sessionId, B); // room for the next tests
  });

  await t.test('a full disk leaves no file (not even an empty one) and no row, and the terminal is told', { skip: noMount }, async (t) => {
    const folder = folderOf(B);
    mountSmall(t, folder, '64k');
    writeFileSync(join(folder, 'ballast'), Buffer.alloc(60 * KiB)); // what is left is smaller than the snapshot
    r.clock.advance(60_000);
    t.match(await t2.ask(snap(jpeg(32 * KiB)), 'error'), {
      code: 'internal',
      for: 'snapshot',
      reason: 'the server could not store the snapshot (its disk is full); nothing was kept',
    });
    t.same(filesUnder(folder), ['ballast'], 'nothing left beside the ballast');
    t.equal(rows(B), 0, 'no row');
    t.match(r.app.terminal.snapshotsRefused(), { write_failed: 1 });
    t.match(await t2.ask({ type: 'save', seq: 1, no: 1, choice: [1] }, 'ack'), { seq: 1 }, 'answers go on');
  });

  await t.test('a file in place of the folder: no row, and the reply says why', async (t) => {
    const folder = folderOf(B);
    rmSync(folder, { recursive: true, force: true });
    writeFileSync(folder, 'not a folder');
    t.teardown(() => rmSync(folder, { force: true }));
    r.clock.advance(60_000);
    t.match(await t2.ask(snap(jpeg(8 * KiB)), 'error'), {
      code: 'internal',
      reason: /^the server could not store the snapshot \((ENOTDIR|EEXIST)\); nothing was kept$/,
    });
    t.equal(rows(B), 0);
    t.equal(readFileSync(folder, 'utf8'), 'not a folder', 'the file in its way is untouched');
  });

  await t.test('an index that fails removes the file it was for', async (t) => {
    // A real SQLite failure on the app's own connection: the insert aborts, as on a full or broken database.
    db.exec("CREATE TEMP TRIGGER refuse_snapshots BEFORE INSERT ON terminal_snapshots BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    t.teardown(() => db.exec('DROP TRIGGER IF EXISTS temp.refuse_snapshots'));
    const before = filesUnder(folderOf(B));
    r.clock.advance(60_000);
    t.match(await t2.ask(snap(jpeg(8 * KiB)), 'error'), { code: 'internal', reason: 'the server could not index the snapshot; nothing was kept' });
    t.same(filesUnder(folderOf(B)), before, 'no file without its row');
    t.equal(rows(B), 0);
  });

  await t.test('at start, leftovers of an unfinished write in an open session are removed; indexed files stay', async (t) => {
    const folder = folderOf(A);
    const kept = filesUnder(folder);
    writeFileSync(join(folder, '.1-x.jpg.ab12cd34.partial'), Buffer.alloc(0));
    writeFileSync(join(folder, '2-orphan.jpg'), jpeg(1 * KiB));
    const { clock, bus, config, audit, paths } = r.app.ctx;
    const again = createTerminalService({ db, clock, bus, config, audit, paths, exam: r.app.exam });
    again.start();
    again.stop();
    t.same(filesUnder(folder).sort(), kept.sort());
    t.equal(rows(A), 5);
  });
});

t.test('a kiosk capture whose write fails (full disk) leaves nothing under its name or beside it', { skip: noMount }, async (t) => {
  const dir = join(scratchDir(t), 'small');
  mountSmall(t, dir, '16k');
  const vault = loadFaceVault(join(scratchDir(t), 'keys'), { create: true })!;
  t.throws(() => writeDurably(vault, join(dir, 'kiosk', 'a.jpg'), Buffer.alloc(64 * KiB)), { code: 'ENOSPC' });
  t.same(readdirSync(join(dir, 'kiosk')), [], 'no partial capture');
  writeDurably(vault, join(dir, 'kiosk', 'b.jpg'), Buffer.alloc(4 * KiB, 1));
  t.same(readdirSync(join(dir, 'kiosk')), ['b.jpg'], 'one that fits is written under its name only');
});
