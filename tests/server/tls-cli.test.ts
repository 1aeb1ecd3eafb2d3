// `examroom tls …` and `examroom keys export|import` as staff run them (real CLI processes, real openssl):
// the CA survives a restore from the key bundle, and a passphrase never comes from the command line.
import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { scratchDir, TEST_CONFIG_YAML } from '../helpers.ts';
import { cli } from '../processes.ts';
import { openDatabase, dataPaths } from '../../storage/index.ts';

const PASS = 'correct horse battery staple';

t.test('tls status, renew and export-ca; keys export and a restore that keeps the CA every PC trusts', async (t) => {
  const dir = scratchDir(t);
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    TEST_CONFIG_YAML.replace('server: { host: 127.0.0.1, port: 0 }', 'server: { host: 127.0.0.1, port: 0, tls: site-ca, names: [examroom.lan, 10.0.0.5] }'),
  );
  const data = join(dir, 'data');
  const keys = join(dir, 'data-keys');
  const args = ['--config', config, '--data', data];
  const env = { EXAMROOM_KEYS_PASSPHRASE: PASS };
  const caFingerprint = () => new X509Certificate(readFileSync(join(keys, 'site-ca.crt'))).fingerprint256;

  const made = await cli(['tls', 'renew', ...args]);
  t.equal(made.code, 0, made.stderr);
  t.match(
    made.stdout,
    /renewed: server certificate: .*server\.crt\n {2}subject .*\n {2}names +examroom\.lan, 10\.0\.0\.5\n {2}valid until .* \((396|397) days left\)/,
  );
  const original = caFingerprint();

  const status = await cli(['tls', 'status', ...args]);
  t.match(status.stdout, `SHA-256      ${original}`, 'status prints the fingerprint the PCs check');

  const cer = join(dir, 'site-ca.cer');
  const exported = await cli(['tls', 'export-ca', cer, ...args]);
  t.equal(exported.code, 0, exported.stderr);
  t.equal(new X509Certificate(readFileSync(cer)).fingerprint256, original, '.cer: the CA in DER');
  t.notMatch(readFileSync(cer).toString('latin1'), /BEGIN/, 'DER, not PEM');
  const onLine = await cli(['keys', 'export', join(dir, 'x.bundle'), '--passphrase', PASS, ...args]);
  t.equal(onLine.code, 1, 'a passphrase on the command line is refused (the process list shows it to every user)');
  t.match(onLine.stderr, /Unknown option '--passphrase'/);

  const bundle = join(dir, 'keys.bundle');
  const passFile = join(dir, 'pass.txt');
  writeFileSync(passFile, `${PASS}\n`, { mode: 0o600 });
  const exp = await cli(['keys', 'export', bundle, '--passphrase-file', passFile, ...args]);
  t.equal(exp.code, 0, exp.stderr);
  t.match(exp.stdout, /site-ca \(2 files\)/);
  t.equal(statSync(bundle).mode & 0o777, 0o600);
  const sealed = readFileSync(bundle, 'utf8');
  t.notMatch(sealed, /PRIVATE KEY|BEGIN/, 'nothing of the keys in clear');
  t.match(JSON.parse(sealed), { format: 'examroom-key-bundle', site: 'test-site', keys: ['site-ca'], kdf: { name: 'scrypt' }, cipher: 'aes-256-gcm' });

  // The keys are lost; the next start makes a new CA, loudly.
  rmSync(keys, { recursive: true });
  const lost = await cli(['tls', 'renew', ...args]);
  t.equal(lost.code, 0, lost.stderr);
  t.match(lost.stderr, /NEW SITE CA: the keys folder lost the CA the PCs trust/);
  t.not(caFingerprint(), original);
  t.match(
    (await cli(['tls', 'status', ...args])).stdout,
    /NEW SITE CA since .* \(lost\): every PC must trust it; 3 device\(s\) not connected since: K1, T1, T2/,
  );

  const wrong = await cli(['keys', 'import', bundle, ...args], { env: { EXAMROOM_KEYS_PASSPHRASE: 'not the passphrase' } });
  t.equal(wrong.code, 1);
  t.match(wrong.stderr, /cannot be opened: wrong passphrase, or the file was altered/);
  const noForce = await cli(['keys', 'import', bundle, ...args], { env });
  t.equal(noForce.code, 1);
  t.match(noForce.stderr, /already holds other site-ca\.key, site-ca\.crt .*Give --force/);
  t.not(caFingerprint(), original, 'nothing changed without --force');

  const restored = await cli(['keys', 'import', bundle, '--force', ...args], { env });
  t.equal(restored.code, 0, restored.stderr);
  t.match(restored.stdout, /restored into .*: site-ca\.key, site-ca\.crt; replaced: site-ca\.key, site-ca\.crt/);
  t.equal(caFingerprint(), original, 'the CA every PC trusts is back');

  // The next start re-issues the server certificate under the restored CA and says so quietly.
  const renewed = await cli(['tls', 'renew', ...args]);
  t.equal(renewed.code, 0, renewed.stderr);
  t.notMatch(renewed.stderr, /NEW SITE CA/);
  const verify = spawnSync('openssl', ['verify', '-CAfile', cer, '-inform', 'DER', join(keys, 'server.crt')], { encoding: 'utf8' });
  const verifyPem = spawnSync('openssl', ['verify', '-CAfile', join(keys, 'site-ca.crt'), join(keys, 'server.crt')], { encoding: 'utf8' });
  t.equal(verifyPem.status, 0, `${verifyPem.stdout}${verifyPem.stderr} (${verify.status})`);
  t.equal(
    new X509Certificate(readFileSync(join(keys, 'site-ca.crt'))).fingerprint256,
    new X509Certificate(readFileSync(cer)).fingerprint256,
    'the server certificate chains to the CA exported before the loss',
  );

  const db = openDatabase(dataPaths(data).dbFile);
  t.teardown(() => db.close());
  const actions = (db.prepare("SELECT action FROM audit_log WHERE action LIKE 'tls.%' OR action LIKE 'keys.%' ORDER BY seq").all() as { action: string }[]).map(
    (r) => r.action,
  );
  t.same(
    actions,
    [
      'tls.ca.create',
      'tls.certificate.issue',
      'tls.ca.export',
      'keys.export',
      'tls.ca.replace',
      'tls.certificate.issue',
      'keys.import',
      'tls.ca.restore',
      'tls.certificate.issue',
    ],
    'every privileged step audited',
  );
});
