// Backups in the object store (a real Ceph RADOS Gateway on loopback, one per file): `backup now` ships
// the copy there, verified; `list` and `verify` read it back from the store; and a fresh server given
// only the config (which names the store), the key bundle and the backup's name restores the site.
import t from 'tap';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createObjectStore } from '../../storage/object-store/index.ts';
import { objectStoreDestination } from '../../storage/backup/object-store-destination.ts';
import { backupFileName, fileSha256 } from '../../storage/index.ts';
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
