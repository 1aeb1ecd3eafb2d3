// `examroom keys face-status | rotate-face | prune-face [reseal]` (server/face-keys-cli.ts), driven in-process
// through the keys command as the CLI calls it: objects counted per key, a rotation that keeps old data
// readable, a prune that drops the old key once nothing needs it; each change audited, no key printed.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedClock } from '../../core/index.ts';
import { keysCommand } from '../../server/tls/cli.ts';
import { FACE_KEY_FILE, createAuditLog, dataPaths, ensureDataFolders, openDatabase, openFaceVaultAtStart, readFaceKeyRing } from '../../storage/index.ts';
import { scratchDir, testConfig } from '../helpers.ts';

t.test('face-status, rotate-face, prune-face reseal', async (t) => {
  const config = testConfig(join(scratchDir(t), 'data'));
  const paths = dataPaths(config.paths.data);
  ensureDataFolders(paths);
  const db = openDatabase(paths.dbFile);
  t.teardown(() => db.close());
  const clock = fixedClock(Date.parse('2026-03-01T00:00:00Z'));
  const audit = createAuditLog(db, clock, { key: null });
  const first = openFaceVaultAtStart({ keysDir: config.paths.keys, paths, db, now: clock.now() }).vault;
  first.writeFile(join(paths.captures, 'roster', 'a.jpg'), Buffer.from([0xff, 0xd8, 0xff, 1, 2, 3]));
  const lines: string[] = [];
  const run = (sub: string, args: string[] = []) =>
    keysCommand(sub, {
      config,
      db,
      audit,
      clock,
      actor: 'cli:tester',
      args,
      values: {},
      devices: () => [],
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
    });

  t.equal(await run('face-status'), 0);
  t.match(lines.join('\n'), new RegExp(`current face key ${first.keyId} .*: 1 objects`));
  lines.length = 0;
  t.equal(await run('rotate-face'), 0);
  const ring = readFaceKeyRing(config.paths.keys)!;
  t.not(ring.current.id, first.keyId);
  t.same(
    ring.retired.map((r) => r.id),
    [first.keyId],
  );
  t.match(lines.join('\n'), /new face key .*restart the service/s);
  const hex = ring.current.key.toString('hex');
  t.ok(readFileSync(join(config.paths.keys, FACE_KEY_FILE), 'utf8').includes(hex), 'the key is in its file');
  t.notOk(lines.join('\n').includes(hex), 'and not in the output');
  lines.length = 0;
  t.equal(await run('prune-face'), 0);
  t.match(lines.join('\n'), /no retired face key could be dropped\nkept \(data still sealed under them\)/);
  lines.length = 0;
  t.equal(await run('prune-face', ['reseal']), 0);
  t.match(lines.join('\n'), new RegExp(`sealed again under the current key: 1 files, 0 descriptors\\ndropped retired face keys no data needs: ${first.keyId}`));
  t.same(readFaceKeyRing(config.paths.keys)!.retired, []);
  const second = openFaceVaultAtStart({ keysDir: config.paths.keys, paths, db, now: clock.now() }).vault;
  t.same([...second.readFile(join(paths.captures, 'roster', 'a.jpg'))], [0xff, 0xd8, 0xff, 1, 2, 3]);
  t.same(
    audit
      .list({})
      .map((e) => e.action)
      .sort(),
    ['keys.face.prune', 'keys.face.prune', 'keys.face.rotate'],
  );
});
