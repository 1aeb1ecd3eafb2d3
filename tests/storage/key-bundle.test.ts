// The key bundle and the keys folder (storage/): sealed with a passphrase, the header bound to the content,
// a restore that never replaces a different key without being told to; the random keys made in it on
// first use (audit, backup) made and read one way.
import t from 'tap';
import { mkdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers.ts';
import { collectKeys, ensureKeysFolder, loadAuditKey, openKeyBundle, restoreKeyBundle, sealKeyBundle, writeKeyFile, KEY_FILES } from '../../storage/index.ts';
import { loadBackupKey } from '../../storage/backup/key.ts';

const PASS = 'a long enough passphrase';

t.test('every kind of key in KEY_FILES that exists travels in the bundle, and nothing else', async (t) => {
  const dir = ensureKeysFolder(join(scratchDir(t), 'keys'));
  writeKeyFile(dir, 'site-ca.key', 'CA KEY');
  writeKeyFile(dir, 'site-ca.crt', 'CA CERT');
  writeKeyFile(dir, 'audit.key', 'AUDIT');
  writeKeyFile(dir, 'server.key', 'SERVER KEY (re-issued, not bundled)');
  const files = collectKeys(dir);
  t.same(
    files.map((f) => f.name),
    ['site-ca.key', 'site-ca.crt', 'audit.key'],
  );
  const sealed = sealKeyBundle(files, PASS, { site: 's1', now: 1 });
  t.notMatch(sealed, /CA KEY|AUDIT/);
  t.same(JSON.parse(sealed).keys, ['site-ca', 'audit']);
  t.same(
    openKeyBundle(sealed, PASS).files.map((f) => [f.name, f.data.toString()]),
    [
      ['site-ca.key', 'CA KEY'],
      ['site-ca.crt', 'CA CERT'],
      ['audit.key', 'AUDIT'],
    ],
  );
  t.ok(KEY_FILES.some((k) => k.id === 'face-data') && KEY_FILES.some((k) => k.id === 'site-signing'), 'the later keys are already listed');
});

t.test('a short passphrase is refused; a wrong one or an altered header opens nothing', async (t) => {
  const dir = ensureKeysFolder(join(scratchDir(t), 'keys'));
  writeKeyFile(dir, 'site-ca.key', 'CA KEY');
  t.throws(() => sealKeyBundle(collectKeys(dir), 'short', { site: 's1', now: 1 }), /must be at least 12 characters/);
  const sealed = sealKeyBundle(collectKeys(dir), PASS, { site: 's1', now: 1 });
  t.throws(() => openKeyBundle(sealed, 'another long passphrase'), /wrong passphrase, or the file was altered/);
  const altered = JSON.stringify({ ...JSON.parse(sealed), site: 's2' });
  t.throws(() => openKeyBundle(altered, PASS), /wrong passphrase, or the file was altered/, 'the header is authenticated');
});

t.test('a restore replaces a different key only with force, and keeps the replaced one beside it', async (t) => {
  const dir = ensureKeysFolder(join(scratchDir(t), 'keys'));
  writeKeyFile(dir, 'site-ca.key', 'OLD');
  const { files } = openKeyBundle(sealKeyBundle(collectKeys(dir), PASS, { site: 's1', now: 1 }), PASS);
  writeKeyFile(dir, 'site-ca.key', 'NEW');
  const refused = restoreKeyBundle(dir, files, { force: false, now: 5 });
  t.same(refused, { written: [], unchanged: [], differing: ['site-ca.key'] });
  t.equal(readFileSync(join(dir, 'site-ca.key'), 'utf8'), 'NEW', 'unchanged without force');
  const done = restoreKeyBundle(dir, files, { force: true, now: 5 });
  t.same(done.written, ['site-ca.key']);
  t.equal(readFileSync(join(dir, 'site-ca.key'), 'utf8'), 'OLD');
  t.equal(readFileSync(join(dir, 'site-ca.key.replaced-5'), 'utf8'), 'NEW');
  t.equal(statSync(join(dir, 'site-ca.key')).mode & 0o777, 0o600);
});

t.test('the keys folder is closed to others: created 0700, a wider one is closed again', async (t) => {
  const root = scratchDir(t);
  t.equal(statSync(ensureKeysFolder(join(root, 'a'))).mode & 0o777, 0o700);
  mkdirSync(join(root, 'b'));
  chmodSync(join(root, 'b'), 0o755);
  t.equal(statSync(ensureKeysFolder(join(root, 'b'))).mode & 0o777, 0o700);
  writeFileSync(join(root, 'c'), '');
  t.throws(() => ensureKeysFolder(join(root, 'c')), /keys folder .*\/c: is not a folder/);
});

t.test('the audit and backup keys are made once, 0600, and a second start reads the same key', async (t) => {
  const dir = join(scratchDir(t), 'keys');
  const audit = loadAuditKey(dir, { create: true })!;
  const backup = loadBackupKey(dir, { create: true })!;
  t.equal(backup.created, true, 'the first start made the backup key (the caller audits that)');
  for (const name of ['audit.key', 'backup.key']) {
    t.equal(statSync(join(dir, name)).mode & 0o777, 0o600, `${name} is readable by the service alone`);
    t.match(readFileSync(join(dir, name), 'utf8'), /^[0-9a-f]{64}\n$/, `${name} is 64 hex digits`);
  }
  t.equal(loadAuditKey(dir, { create: true })!.id, audit.id, 'the audit key is read again, not replaced');
  t.match(loadBackupKey(dir, { create: true }), { key: { id: backup.key.id }, created: false }, 'so is the backup key');
  t.equal(loadAuditKey(dir, { create: false })!.id, audit.id, 'a reader reads the same key');
});

t.test('a reader without a keys folder has no key; a key file that is not 64 hex digits is refused, named', async (t) => {
  const dir = join(scratchDir(t), 'keys');
  t.equal(loadAuditKey(dir, { create: false }), null, 'no folder: no audit key');
  t.equal(loadBackupKey(dir, { create: false }), null, 'no folder: no backup key');
  ensureKeysFolder(dir);
  writeKeyFile(dir, 'audit.key', 'not a key\n');
  writeKeyFile(dir, 'backup.key', 'not a key\n');
  t.throws(() => loadAuditKey(dir, { create: true }), {
    code: 'audit_key',
    message: `${dir}/audit.key is not an audit key (64 hex digits); restore it from the key bundle (examroom keys import)`,
  });
  t.throws(() => loadBackupKey(dir, { create: true }), {
    code: 'backup_key',
    message: `${dir}/backup.key is not a backup key (64 hex digits); restore it from the key bundle (examroom keys import)`,
  });
  t.equal(readFileSync(join(dir, 'audit.key'), 'utf8'), 'not a key\n', 'and the file is left as it was');
});
