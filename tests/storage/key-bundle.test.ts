// The key bundle and the keys folder (storage/): sealed with a passphrase, the header bound to the content,
// a restore that never replaces a different key without being told to.
import t from 'tap';
import { mkdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers.ts';
import { collectKeys, ensureKeysFolder, openKeyBundle, restoreKeyBundle, sealKeyBundle, writeKeyFile, KEY_FILES } from '../../storage/index.ts';

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
