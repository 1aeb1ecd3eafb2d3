// The face vault (storage/face-vault.ts): face images and descriptors sealed with AES-256-GCM under a key
// id, rotation that keeps old data readable, a first start that seals what was plain, and a start that
// refuses — changing nothing — when the key for the data is missing or another one.
import t from 'tap';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers.ts';
import {
  FACE_KEY_FILE,
  dataPaths,
  ensureDataFolders,
  faceDataUsage,
  isSealed,
  loadFaceVault,
  openDatabase,
  openFaceVaultAtStart,
  pruneFaceKeys,
  readKeyFile,
  removeKeyFile,
  rotateFaceKey,
  sealedKeyId,
  writeKeyFile,
} from '../../storage/index.ts';

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('a face, as far as this test cares')]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.from('another face')]);

function site(t: Parameters<typeof scratchDir>[0]) {
  const root = scratchDir(t);
  const paths = dataPaths(join(root, 'data'));
  ensureDataFolders(paths);
  const db = openDatabase(paths.dbFile);
  t.teardown(() => db.close());
  return { paths, db, keysDir: join(root, 'keys') };
}

t.test('a sealed object is neither a JPEG nor a float array, opens to its bytes, and names its key', async (t) => {
  const { keysDir } = site(t);
  const v = loadFaceVault(keysDir, { create: true })!;
  const sealed = v.seal(JPEG);
  t.ok(isSealed(sealed));
  t.not(sealed[0], 0xff, 'no JPEG magic');
  t.equal(sealedKeyId(sealed), v.keyId);
  t.same(v.open(sealed, 'x'), JPEG);
  t.not(v.seal(JPEG).toString('hex'), sealed.toString('hex'), 'a fresh IV each time');
  const d = new Float32Array([0.25, -0.5, 0.125]);
  const blob = v.sealDescriptor(d);
  t.ok(isSealed(blob));
  t.notOk(blob.includes(Buffer.from(d.buffer)), 'the floats are not in the blob');
  t.same([...v.openDescriptor(blob, 'x')], [...d]);
  t.same(v.open(PNG, 'plain'), PNG, 'plain bytes of before the vault still read');
});

t.test('an altered object or key id does not open, and says where', async (t) => {
  const { keysDir } = site(t);
  const v = loadFaceVault(keysDir, { create: true })!;
  const sealed = v.seal(JPEG);
  const flipped = Buffer.from(sealed);
  flipped[flipped.length - 20]! ^= 1;
  t.throws(() => v.open(flipped, 'captures/a.jpg'), { name: 'FaceKeyError', message: /captures\/a\.jpg: .*altered or damaged/ });
  const otherId = Buffer.from(sealed);
  otherId[6]! ^= 1;
  t.throws(() => v.open(otherId, 'captures/b.jpg'), /captures\/b\.jpg is sealed under face key .* which the keys folder does not hold/);
});

t.test('the first start seals the plain files and descriptors in place; later starts leave them be', async (t) => {
  const { paths, db, keysDir } = site(t);
  mkdirSync(join(paths.captures, 'roster'), { recursive: true });
  writeFileSync(join(paths.captures, 'roster', 'p1.jpg'), JPEG);
  writeFileSync(join(paths.captures, 'c1.png'), PNG);
  writeFileSync(join(paths.captures, '.x.jpg.1234.partial'), JPEG);
  const plainDescriptor = Buffer.from(new Float32Array([1, 2, 3]).buffer);
  db.prepare(`INSERT INTO face_enrolments (photo, status, descriptor, enrolled_at) VALUES ('roster/p1.jpg', 'ok', ?, 1)`).run(plainDescriptor);
  const s = openFaceVaultAtStart({ keysDir, paths, db, now: 1000 });
  t.ok(s.created);
  t.same(s.migrated, { files: 2, blobs: 1 });
  for (const f of ['roster/p1.jpg', 'c1.png']) t.ok(isSealed(readFileSync(join(paths.captures, f))), `${f} sealed`);
  t.same(s.vault.readFile(join(paths.captures, 'roster', 'p1.jpg')), JPEG);
  const blob = (db.prepare(`SELECT descriptor FROM face_enrolments`).get() as { descriptor: Buffer }).descriptor;
  t.same([...s.vault.openDescriptor(blob, 'x')], [1, 2, 3]);
  t.same(faceDataUsage(paths, db), { byKey: { [s.vault.keyId]: 3 }, plainFiles: 0, plainBlobs: 0 });
  const again = openFaceVaultAtStart({ keysDir, paths, db, now: 2000 });
  t.equal(again.created, false);
  t.equal(again.migrated, null, 'the migration runs once');
  t.equal(again.vault.keyId, s.vault.keyId);
});

t.test('a missing or wrong face key is a clear start-up error that makes no key and touches no data', async (t) => {
  const { paths, db, keysDir } = site(t);
  const s = openFaceVaultAtStart({ keysDir, paths, db, now: 1 });
  s.vault.writeFile(join(paths.captures, 'c.jpg'), JPEG);
  const stored = readFileSync(join(paths.captures, 'c.jpg'));
  const ring = readKeyFile(keysDir, FACE_KEY_FILE)!;
  removeKeyFile(keysDir, FACE_KEY_FILE);
  t.throws(() => openFaceVaultAtStart({ keysDir, paths, db, now: 2 }), {
    name: 'FaceKeyError',
    message: /face-data\.key is missing, but face data .* is sealed under key .*examroom keys import/,
  });
  t.equal(readKeyFile(keysDir, FACE_KEY_FILE), null, 'no new key was made');
  // Another site's key (a wrong bundle restored).
  loadFaceVault(keysDir, { create: true });
  t.throws(() => openFaceVaultAtStart({ keysDir, paths, db, now: 3 }), /sealed under key .* which .*face-data\.key does not hold/);
  t.same(readFileSync(join(paths.captures, 'c.jpg')), stored, 'the data is untouched');
  // The key restored (what `examroom keys import` writes; the bundle carries face-data.key, tests/storage/key-bundle.test.ts): the data reads again.
  removeKeyFile(keysDir, FACE_KEY_FILE);
  writeKeyFile(keysDir, FACE_KEY_FILE, ring);
  t.same(openFaceVaultAtStart({ keysDir, paths, db, now: 5 }).vault.readFile(join(paths.captures, 'c.jpg')), JPEG);
});

t.test('rotation: new data under the new key, old data readable, the old key dropped once its last data is gone', async (t) => {
  const { paths, db, keysDir } = site(t);
  const first = openFaceVaultAtStart({ keysDir, paths, db, now: 1 }).vault;
  first.writeFile(join(paths.captures, 'old.jpg'), JPEG);
  const r = rotateFaceKey({ keysDir, paths, now: 2 });
  t.equal(r.from, first.keyId);
  t.not(r.to, first.keyId);
  const ring = JSON.parse(readKeyFile(keysDir, FACE_KEY_FILE)!.toString());
  t.same(Object.keys(ring.retired[0]).sort(), ['createdAt', 'id', 'retiredAt', 'wrapped'], 'the old key is kept only wrapped by the new one');
  const second = openFaceVaultAtStart({ keysDir, paths, db, now: 3 }).vault;
  t.equal(second.keyId, r.to);
  t.same(second.keyIds, [r.to, r.from]);
  second.writeFile(join(paths.captures, 'new.jpg'), PNG);
  t.equal(sealedKeyId(readFileSync(join(paths.captures, 'new.jpg'))), r.to);
  t.same(second.readFile(join(paths.captures, 'old.jpg')), JPEG);
  t.same(pruneFaceKeys({ keysDir, paths, db, reseal: false }), { resealed: null, dropped: [], kept: [r.from] });
  const p = pruneFaceKeys({ keysDir, paths, db, reseal: true });
  t.same(p, { resealed: { files: 1, blobs: 0 }, dropped: [r.from], kept: [] });
  const third = openFaceVaultAtStart({ keysDir, paths, db, now: 4 }).vault;
  t.same(third.keyIds, [r.to]);
  t.same(third.readFile(join(paths.captures, 'old.jpg')), JPEG);
});

t.test('a lost face key with no face data sealed under it is no loss: the start makes a new key', async (t) => {
  const { paths, db, keysDir } = site(t);
  const first = openFaceVaultAtStart({ keysDir, paths, db, now: 1 }).vault;
  removeKeyFile(keysDir, FACE_KEY_FILE);
  const s = openFaceVaultAtStart({ keysDir, paths, db, now: 2 });
  t.ok(s.created);
  t.not(s.vault.keyId, first.keyId);
  t.equal(openFaceVaultAtStart({ keysDir, paths, db, now: 3 }).vault.keyId, s.vault.keyId, 'and the next start keeps it');
});
