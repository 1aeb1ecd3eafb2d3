// Backups in the object store (a real Ceph RADOS Gateway on loopback, one per file): `backup now` ships
// the copy there, verified; `list` and `verify` read it back from the store; and a fresh server given
// only the config (which names the store), the key bundle and the backup's name restores the site;
// under object lock, a copy the keep rule keeps as a week's or a month's stays locked that long.
import t from 'tap';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createObjectStore } from '../../storage/object-store/index.ts';
import { objectStoreDestination } from '../../storage/backup/object-store-destination.ts';
import {
  backupFileName,
  createAuditLog,
  createBackupService,
  dataPaths,
  ensureDataFolders,
  fileSha256,
  loadAuditKey,
  openDatabase,
} from '../../storage/index.ts';
import { localDate } from '../../core/index.ts';
import { ROOT, scratchDir } from '../helpers.ts';
import { startRadosgw } from '../helpers/radosgw.ts';
import { cli } from '../processes.ts';

// One gateway for the file (starting one takes ~12 s).
const gw = await startRadosgw(t);

t.test('backups go to the object store, verify from it, and restore a fresh server from it', async (t) => {
  const dir = scratchDir(t);
  const store = createObjectStore({
    endpoint: gw.endpoint,
    bucket: 'backups',
    region: gw.region,
    addressing: 'path',
    accessKeyId: gw.accessKeyId,
    secret: gw.secret,
    prefix: 'centre',
    objectLock: 'none',
  });
  t.teardown(() => store.destroy());
  await store.s3.send(new CreateBucketCommand({ Bucket: 'backups' }));
  writeFileSync(join(dir, 's3.secret'), `${gw.secret}\n`, { mode: 0o600 });
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `${readFileSync(join(ROOT, 'config/default.yaml'), 'utf8')}\nobjectStore: { endpoint: "${gw.endpoint}", bucket: backups, region: ${gw.region}, accessKeyId: ${gw.accessKeyId}, secretFile: s3.secret, prefix: centre }\n`,
  );
  const data = join(dir, 'data');
  const at = ['--config', config, '--data', data];
  t.equal((await cli(['migrate', ...at])).code, 0);
  t.equal((await cli(['user', 'add', 'clerk', '--role', 'admin', ...at])).code, 0, 'something worth restoring');

  const now = await cli(['backup', 'now', ...at]);
  t.equal(now.code, 0, now.stderr);
  t.match(now.stdout, /copied to .*bucket backups, centre\/[^/]+\/backups\/ and verified there/);
  t.notMatch(`${now.stdout}${now.stderr}`, gw.secret, 'the secret is never printed');
  const name = /^backup (\S+\.erbk):/m.exec(now.stdout)![1]!;
  t.same(
    readdirSync(join(data, 'backups')).filter((n) => n.endsWith('.erbk')),
    [],
    'the local copy is gone once the store holds a verified one',
  );
  const head = await store.head(`centre/${/^examroom-(.+)-\d{8}T/.exec(name)![1]}/backups/${name}`);
  t.match(head?.sha256, /^[0-9a-f]{64}$/, "the object carries the backup's SHA-256 in its metadata");

  const list = await cli(['backup', 'list', ...at]);
  t.match(list.stdout, new RegExp(`${name.replace(/\./g, '\\.')} .* manual .* object-store +yes`));
  const verify = await cli(['backup', 'verify', name, ...at]);
  t.equal(verify.code, 0, verify.stdout + verify.stderr);
  t.match(verify.stdout, /good — checksum matches, PRAGMA integrity_check ok, audit chain intact/);

  const pass = join(dir, 'pass.txt');
  writeFileSync(pass, 'the passphrase in the safe\n', { mode: 0o600 });
  t.equal((await cli(['keys', 'export', join(dir, 'keys.bundle'), '--passphrase-file', pass, ...at])).code, 0);
  const fresh = join(dir, 'new-server');
  const restored = await cli(['backup', 'restore', name, '--bundle', join(dir, 'keys.bundle'), '--passphrase-file', pass, '--config', config, '--data', fresh]);
  t.equal(restored.code, 0, restored.stderr);
  const users = await cli(['user', 'list', '--config', config, '--data', fresh]);
  t.match(users.stdout, /clerk/, 'the restored site has the user made before the backup');
  const audit = await cli(['audit', 'verify', '--config', config, '--data', fresh]);
  t.equal(audit.code, 0, audit.stdout);
});

t.test("with object lock, a backup is kept from deletion for the keep rule's daily count of days, and pruning leaves it until then", async (t) => {
  const dir = scratchDir(t);
  const store = createObjectStore({
    endpoint: gw.endpoint,
    bucket: 'locked-backups',
    region: gw.region,
    addressing: 'path',
    accessKeyId: gw.accessKeyId,
    secret: gw.secret,
    prefix: 'centre',
    objectLock: 'governance',
  });
  t.teardown(() => store.destroy());
  await store.s3.send(new CreateBucketCommand({ Bucket: 'locked-backups', ObjectLockEnabledForBucket: true }));
  const takenAt = Math.floor(Date.now() / 1000) * 1000;
  const name = backupFileName('site-a', takenAt, 'nightly');
  const file = join(dir, name);
  writeFileSync(file, 'ERBK stand-in bytes');
  const dest = objectStoreDestination(store, 'site-a', { retainDays: 14 });
  await dest.put(file, name, await fileSha256(file));
  const head = await store.head(`centre/site-a/backups/${name}`);
  t.equal(head?.retainUntil, takenAt + 14 * 86_400_000, 'retain-until = taken + 14 days');
  t.equal(await dest.remove(name), false, 'a prune inside retention leaves it');
  t.same(
    (await dest.list()).map((b) => b.name),
    [name],
    'and it is still there',
  );
});

t.test("with object lock, a backup the keep rule keeps as a week's or a month's newest is locked as long as the rule keeps it", async (t) => {
  const dir = scratchDir(t);
  const store = createObjectStore({
    endpoint: gw.endpoint,
    bucket: 'held-backups',
    region: gw.region,
    addressing: 'path',
    accessKeyId: gw.accessKeyId,
    secret: gw.secret,
    prefix: 'centre',
    objectLock: 'governance',
  });
  t.teardown(() => store.destroy());
  await store.s3.send(new CreateBucketCommand({ Bucket: 'held-backups', ObjectLockEnabledForBucket: true }));
  const DAY = 86_400_000;
  const now = Math.floor(Date.now() / 1000) * 1000;
  // Today's, one 3 weeks old (its week's newest), one 100 days old (its month's newest); written as
  // any backup is, locked for the daily count (14 days): the old one's lock has already run out.
  const backups = [now, now - 21 * DAY, now - 100 * DAY].map((at) => ({ at, name: backupFileName('site-h', at, 'nightly') }));
  const dest = objectStoreDestination(store, 'site-h', { retainDays: 14 });
  const unlockedDest = objectStoreDestination(store, 'site-h', { retainDays: 0 });
  for (const b of backups) {
    const file = join(dir, b.name);
    writeFileSync(file, `ERBK stand-in ${b.at}`);
    // A lock that would already have ended cannot be set; that copy is written as it stands today.
    await (b.at + 14 * DAY > now ? dest : unlockedDest).put(file, b.name, await fileSha256(file));
  }
  const paths = dataPaths(join(dir, 'data'));
  ensureDataFolders(paths);
  const db = openDatabase(paths.dbFile);
  t.teardown(() => db.close());
  const keysDir = join(dir, 'keys');
  const clock = { now: () => Date.now() };
  const keep = { daily: 14, weekly: 8, monthly: 36 };
  const service = createBackupService({
    db,
    paths,
    keysDir,
    site: { id: 'site-h', timezone: 'Asia/Shanghai' },
    settings: { at: null, keep },
    audit: createAuditLog(db, clock, { key: loadAuditKey(keysDir, { create: true }) }),
    clock,
    destination: dest,
  });
  t.same(await service.prune('system:test'), [], 'the prune removes nothing: the rule keeps all three');
  const until = async (b: { name: string }) => (await store.head(`centre/site-h/backups/${b.name}`))?.retainUntil;
  // Today's is this week's and month's newest only until tomorrow's: its lock stays the daily count's.
  t.equal(await until(backups[0]!), now + 14 * DAY, "today's keeps the daily count's lock");
  const month = (at: number) => localDate(at, 'Asia/Shanghai').slice(0, 7);
  t.equal(
    await until(backups[1]!),
    month(backups[1]!.at) === month(now) ? backups[1]!.at + 8 * 7 * DAY : monthLater(backups[1]!.at, 36),
    "the 3-week-old one is locked for as long as the rule keeps it (8 weeks, or 36 months as a past month's newest)",
  );
  t.equal(await until(backups[2]!), monthLater(backups[2]!.at, 36), 'the 100-day-old one is locked for 36 months from when it was taken');
  const audited = db.prepare("SELECT detail FROM audit_log WHERE action = 'backup.lock.extended'").all() as { detail: string }[];
  t.equal(audited.length, 1, 'the extension is audited');
  t.same((JSON.parse(audited[0]!.detail) as { held: { name: string }[] }).held.map((h) => h.name).sort(), [backups[1]!.name, backups[2]!.name].sort());
  await service.prune('system:test');
  t.same(db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'backup.lock.extended'").get(), { n: 1 }, 'a second prune finds the locks long enough');
  await t.rejects(
    store.deleteAllVersions(`centre/site-h/backups/${backups[2]!.name}`, { retainUntil: null }),
    "and the store refuses to delete the month's copy",
  );
});

/** The same moment `months` calendar months later (UTC), as the keep rule counts a month's life. */
function monthLater(at: number, months: number): number {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}
