// Database backups on real SQLite files: a tampered backup and a wrong key fail verify in words, the
// keep rule prunes, kill -9 of `examroom backup now` leaves nothing counted as good, and an upgrade's
// migrations at start-up run only after a local copy of the database as it was.
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedClock, parseInstant } from '../../core/index.ts';
import {
  BACKUP_KEY_FILE,
  createAuditLog,
  createBackupService,
  dataPaths,
  ensureDataFolders,
  fileSha256,
  keepHorizon,
  keptAs,
  loadAuditKey,
  migrate,
  migrations,
  openDatabase,
  readBackupHeader,
  snapshotDatabase,
  type Db,
} from '../../storage/index.ts';
import { ROOT, scratchDir } from '../helpers.ts';
import { cli, startProcess, startServer } from '../processes.ts';

const TZ = 'Asia/Shanghai';

function site(t: Test, opts: { clock?: ReturnType<typeof fixedClock>; keep?: { daily: number; weekly: number; monthly: number }; inProcess?: boolean } = {}) {
  const root = scratchDir(t);
  const paths = dataPaths(root);
  ensureDataFolders(paths);
  const keysDir = `${root}-keys`;
  const db = openDatabase(paths.dbFile);
  t.teardown(() => db.close());
  const clock = opts.clock ?? fixedClock(Date.UTC(2026, 11, 7, 3, 0, 0));
  const audit = createAuditLog(db, clock, { key: loadAuditKey(keysDir, { create: true }) });
  for (let i = 0; i < 20; i++) audit.append({ actor: 'system', action: 'test.entry', detail: { i } });
  const service = createBackupService({
    db,
    paths,
    keysDir,
    site: { id: 'test-site', timezone: TZ },
    settings: { at: '02:30', keep: opts.keep ?? { daily: 14, weekly: 8, monthly: 36 } },
    audit,
    clock,
    destination: null,
    ...(opts.inProcess ? { inProcess: true } : {}),
  });
  return { root, paths, keysDir, db, audit, clock, service };
}

t.test('a tampered backup fails verify, in words', async (t) => {
  const s = site(t);
  const taken = await s.service.take('manual', 'user:admin');
  t.ok((await s.service.verify(taken.name, 'user:admin')).ok, 'the untouched backup verifies');
  const file = join(s.service.stagingDir, taken.name);
  const bytes = readFileSync(file);
  bytes[bytes.length - 100]! ^= 0x01;
  writeFileSync(file, bytes);
  const r = await s.service.verify(taken.name, 'user:admin');
  t.equal(r.ok, false);
  t.match(r.problems.join('\n'), /SHA-256 is [0-9a-f]{64}, not [0-9a-f]{64} as recorded when it was written: the file was altered or damaged/);
  t.match(r.problems.join('\n'), /does not open under backup key [0-9a-f]{16}: it was altered or damaged/);
  // Someone who also rewrites the checksum beside it is still caught by the authenticated encryption.
  writeFileSync(`${file}.sha256`, `${await fileSha256(file)}  ${taken.name}\n`);
  const again = await s.service.verify(taken.name, 'user:admin');
  t.equal(again.ok, false);
  t.same(again.problems.length, 1);
  t.match(again.problems[0], /altered or damaged/);
  const audited = s.db.prepare("SELECT detail FROM audit_log WHERE action = 'backup.verified' ORDER BY seq").all() as { detail: string }[];
  t.same(
    audited.map((a) => JSON.parse(a.detail).ok),
    [true, false, false],
    'every verify is audited with its verdict',
  );
});

t.test('a wrong backup key fails verify, in words, and names both keys', async (t) => {
  const s = site(t);
  const taken = await s.service.take('manual', 'user:admin');
  const header = (await readBackupHeader(join(s.service.stagingDir, taken.name))).header;
  writeFileSync(join(s.keysDir, BACKUP_KEY_FILE), `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const r = await s.service.verify(taken.name, 'user:admin');
  t.equal(r.ok, false);
  t.match(
    r.problems.join('\n'),
    new RegExp(`was sealed with backup key ${header.keyId}, but the key given is [0-9a-f]{16}: import the key bundle of site test-site`),
  );
  t.equal(r.checksum, 'match', 'the file itself is intact: it is the key that is wrong');
  const keyHex = readFileSync(join(s.keysDir, BACKUP_KEY_FILE), 'utf8').trim();
  t.notOk(JSON.stringify(r).includes(keyHex), 'no key in the answer');
});

t.test('the keep rule prunes to the newest of each day, week and month', async (t) => {
  // Nightly at 02:30 site time from Thursday 1 January 2026 for 40 nights, the last on Monday 9 February.
  const clock = fixedClock(parseInstant('2026-01-01T02:30:05', TZ)!);
  // In-process: forty backups, and the rule does not depend on where the copy is made.
  const s = site(t, { clock, keep: { daily: 3, weekly: 2, monthly: 2 }, inProcess: true });
  for (let night = 0; night < 40; night++) {
    await s.service.tick();
    clock.advance(86_400_000);
  }
  const kept = (await s.service.list()).map((b) => b.name.replace(/^examroom-test-site-(\d{8})T.*$/, '$1'));
  // Site dates: the backups at 02:30 +08:00 are 18:30 UTC the day before, so the names carry the UTC day.
  t.same(kept, ['20260130', '20260206', '20260207', '20260208'], 'Jan 31, Feb 7, 8, 9 (site days): month, then week and days');
  const pruned = s.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'backup.pruned'").get() as { n: number };
  t.ok(pruned.n > 0, 'pruning is audited');
});

t.test("a past week's or month's newest is kept locked as long as the rule keeps it; this week's and month's are not yet", async (t) => {
  const rule = { daily: 14, weekly: 8, monthly: 36 };
  const at = (s: string) => parseInstant(s, TZ)!;
  // Nightly backups; today is Monday 7 December 2026 (site time).
  const items = ['2026-08-30T02:30', '2026-11-29T02:30', '2026-11-30T02:30', '2026-12-06T02:30', '2026-12-07T02:30'].map((s) => ({
    name: s,
    takenAt: at(s),
  }));
  const roles = keptAs(items, rule, TZ);
  const horizon = (s: string) => new Date(keepHorizon(at(s), roles.get(s)!, rule, { now: at('2026-12-07T09:00'), tz: TZ })).toISOString();
  t.equal(
    horizon('2026-12-07T02:30'),
    new Date(at('2026-12-07T02:30') + 14 * 86_400_000).toISOString(),
    "today's: this week's and month's newest for now, locked for the daily count",
  );
  t.equal(horizon('2026-12-06T02:30'), new Date(at('2026-12-06T02:30') + 8 * 7 * 86_400_000).toISOString(), "Sunday's: last week's newest, 8 weeks");
  t.equal(horizon('2026-11-30T02:30'), '2029-11-29T18:30:00.000Z', "30 November's: November's newest, 36 months");
  t.equal(
    horizon('2026-11-29T02:30'),
    new Date(at('2026-11-29T02:30') + 8 * 7 * 86_400_000).toISOString(),
    "29 November's: its week's newest (Sunday), not November's",
  );
  t.equal(horizon('2026-08-30T02:30'), '2029-08-29T18:30:00.000Z', "August's newest, 36 months");
});

t.test('after the copy, the saves its read transaction held back are already checkpointed: no save pays for it', async (t) => {
  const s = site(t);
  // Saves whose WAL frames no automatic checkpoint has written back yet, as during a backup's copy.
  s.db.pragma('wal_autocheckpoint = 0');
  s.db.exec('CREATE TABLE held (id INTEGER PRIMARY KEY, body TEXT)');
  for (let i = 0; i < 200; i++) s.db.prepare('INSERT INTO held (body) VALUES (?)').run('答'.repeat(500));
  // The WAL index (the -shm file): mxFrame at byte 16 of its header, nBackfill at byte 96 (sqlite's wal.c).
  const shm = () => {
    const b = readFileSync(`${s.paths.dbFile}-shm`);
    return { frames: b.readUInt32LE(16), backfilled: b.readUInt32LE(96) };
  };
  t.ok(shm().frames > shm().backfilled, `frames wait in the WAL before the backup (${shm().frames})`);
  await snapshotDatabase(s.paths.dbFile, join(s.root, 'copy.sqlite'));
  const after = shm();
  t.equal(after.backfilled, after.frames, 'the backup process checkpointed them (passively) right after its copy');
});

t.test('the backup never syncs its database-sized scratch copy, and syncs the sealed file 8 MiB at a time', async (t) => {
  const s = site(t);
  // 24 MiB that does not compress: the sealed file is as large, so it must reach the disk in steps.
  s.db.exec('CREATE TABLE noise (b BLOB)');
  for (let i = 0; i < 24; i++) s.db.prepare('INSERT INTO noise VALUES (?)').run(randomBytes(1024 * 1024));
  const work = join(s.root, 'work');
  mkdirSync(work);
  const partial = join(s.root, 'out.partial');
  const job = { dbFile: s.paths.dbFile, root: s.root, anchors: s.paths.anchors, work, partial, site: 'test-site', takenAt: Date.now(), reason: 'manual' };
  const trace = join(s.root, 'strace.txt');
  const script = `import { snapshotAndSeal } from ${JSON.stringify(join(ROOT, 'storage/backup/seal-job.ts'))};
import { backupKeyOf } from ${JSON.stringify(join(ROOT, 'storage/backup/key.ts'))};
await snapshotAndSeal(${JSON.stringify(job)}, backupKeyOf(Buffer.alloc(32, 7)));`;
  const run = spawnSync(
    'strace',
    ['-f', '-y', '-e', 'trace=fsync,fdatasync', '-o', trace, process.execPath, '--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  t.equal(run.status, 0, run.stderr);
  const syncs = readFileSync(trace, 'utf8')
    .split('\n')
    .filter((l) => /f(data)?sync\(/.test(l));
  t.same(
    syncs.filter((l) => l.includes(`${work}/examroom.sqlite`)),
    [],
    'the scratch copy is never synced',
  );
  const sealed = statSync(partial).size;
  const onSealed = syncs.filter((l) => l.includes(partial));
  t.ok(sealed > 16 * 1024 * 1024, `the sealed file is ${sealed} bytes`);
  t.ok(onSealed.length >= Math.floor(sealed / (8 * 1024 * 1024)), `synced ${onSealed.length} times while written, not once at the end`);
});

t.test('kill -9 during a backup leaves no backup counted as good', async (t) => {
  const root = scratchDir(t);
  const paths = dataPaths(root);
  ensureDataFolders(paths);
  const db = openDatabase(paths.dbFile);
  // About 60 MB that does not compress: long enough to kill the copy midway.
  db.exec('CREATE TABLE filler (b BLOB)');
  const ins = db.prepare('INSERT INTO filler (b) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 60; i++) ins.run(randomBytes(1024 * 1024));
  })();
  db.close();
  const args = ['--data', root];
  const child = startProcess(t, 'server/bin/examroom.mjs', ['backup', 'now', ...args]);
  const staging = join(root, 'backups');
  // Killed once the sealed file is being written: the snapshot is done, the backup is not.
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const names = existsSync(staging) ? readdirSync(staging) : [];
      if (names.some((n) => n.endsWith('.partial'))) {
        clearInterval(poll);
        child.child.kill('SIGKILL');
        resolve();
      } else if (Date.now() - started > 60_000) {
        clearInterval(poll);
        reject(new Error(`no backup in progress seen in ${staging}: ${child.stderr()}`));
      }
    }, 5);
  });
  t.same(await child.exited, { code: null, signal: 'SIGKILL' });
  const listed = await cli(['backup', 'list', ...args]);
  t.equal(listed.code, 0, listed.stderr);
  t.match(listed.stdout, /no backups yet/, 'the cut-short backup is not listed');
  const now = await cli(['backup', 'now', ...args]);
  t.equal(now.code, 0, now.stderr);
  const names = readdirSync(staging);
  t.same(
    names.filter((n) => n.endsWith('.partial') || n.startsWith('.work-')),
    [],
    'the next backup cleared what the killed one left',
  );
  t.equal(names.filter((n) => n.endsWith('.erbk')).length, 1, 'one good backup: the second');
});

t.test('the copy is made by a low-priority child process, and kill -9 of it leaves no backup counted as good', async (t) => {
  const s = site(t);
  // About 40 MB that does not compress: long enough to kill the copy midway.
  s.db.exec('CREATE TABLE filler (b BLOB)');
  const fill = s.db.prepare('INSERT INTO filler (b) VALUES (?)');
  s.db.transaction(() => {
    for (let i = 0; i < 40; i++) fill.run(randomBytes(1024 * 1024));
  })();
  const before = new Set(childPids());
  const taking = s.service.take('manual', 'user:admin');
  let child: number | null = null;
  while (child === null) {
    await new Promise((r) => setTimeout(r, 5));
    child = childPids().find((p) => !before.has(p)) ?? null;
  }
  // Its niceness (field 19 of /proc/PID/stat) once it has lowered itself.
  let nice = 0;
  for (let i = 0; i < 400 && nice !== 19; i++) {
    nice = Number(
      readFileSync(`/proc/${child}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ')[16],
    );
    if (nice !== 19) await new Promise((r) => setTimeout(r, 5));
  }
  t.equal(nice, 19, 'the child runs at the lowest CPU priority');
  process.kill(child, 'SIGKILL');
  await t.rejects(taking, /the backup process ended \(SIGKILL\)/, 'the server hears that the copy died');
  t.same(
    (await s.service.list()).map((b) => b.name),
    [],
    'nothing is listed',
  );
  t.same(
    readdirSync(s.service.stagingDir).filter((n) => n.endsWith('.partial') || n.endsWith('.erbk')),
    [],
    'and no sealed or partial file is left',
  );
  const failed = s.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'backup.failed'").get() as { n: number };
  t.equal(failed.n, 1, 'the failure is audited');
  const again = await s.service.take('manual', 'user:admin');
  t.ok((await s.service.verify(again.name, 'user:admin')).ok, 'the next backup is good');
});

/** This process's children, from /proc. */
function childPids(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.replace(/^.*\) /, '').split(' ')[1]) === process.pid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

t.test("the backup before migrations: at start-up, an upgrade's migrations run only after a local copy", async (t) => {
  const root = scratchDir(t);
  const paths = dataPaths(root);
  ensureDataFolders(paths);
  const latest = migrations.at(-1)!.version;
  const older: Db = openDatabase(paths.dbFile, { migrate: false });
  migrate(older, { to: latest - 1 });
  older.close();
  const server = await startServer(t, ['--config', join(ROOT, 'config/default.yaml'), '--data', root, '--port', '0']);
  server.child.kill('SIGTERM');
  await server.exited;
  const staging = join(root, 'backups');
  const files = readdirSync(staging).filter((n) => n.endsWith('-upgrade.erbk'));
  t.equal(files.length, 1, 'one upgrade backup on this disk');
  const { header } = await readBackupHeader(join(staging, files[0]!));
  t.equal(header.schemaVersion, latest - 1, 'it holds the database as it was before the migrations');
  const db = openDatabase(paths.dbFile);
  t.teardown(() => db.close());
  t.equal(db.pragma('user_version', { simple: true }), latest, 'then the server migrated');
  const taken = db.prepare("SELECT target, detail FROM audit_log WHERE action = 'backup.taken'").all() as { target: string; detail: string }[];
  t.equal(taken.length, 1);
  t.equal(taken[0]!.target, files[0]);
  t.match(JSON.parse(taken[0]!.detail), { reason: 'upgrade', fromSchema: latest - 1, toSchema: latest });
});
