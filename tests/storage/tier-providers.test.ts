// What the owning modules offer the tier worker, read from their real indexes (the worker itself, against a
// real store, is tests/storage/tier.test.ts): session archives (records) and class archives (training) are one
// kind, seen in one end-time order, each read by its own module.
import t from 'tap';
import { join } from 'node:path';
import { sessionArchiveTierFiles } from '../../records/index.ts';
import { mergeTierProviders, openDatabase } from '../../storage/index.ts';
import { classArchiveTierFiles } from '../../training/index.ts';
import { scratchDir } from '../helpers.ts';

t.test('session and class archives are offered as one kind, oldest first, counted together', async (t) => {
  const db = openDatabase(join(scratchDir(t), 'db.sqlite'));
  t.teardown(() => db.close());
  // Only the archive indexes are read here: their owners' rows (sessions, classes) are left out.
  db.pragma('foreign_keys = OFF');
  const add = (table: string, owner: string, id: string, at: number, bytes: number) =>
    db
      .prepare(
        `INSERT INTO ${table} (id, ${table === 'session_archives' ? 'session_id' : 'class_id'}, version, file, bytes, members, manifest_sha256, with_media, parts, created_by, created_at, retention_until)
         VALUES (?, ?, 1, ?, ?, 1, ?, 0, '[]', 'user:admin', ?, ?)`,
      )
      .run(id, owner, `${owner}/${id}.zip`, bytes, 'a'.repeat(64), at, at + 1000);
  add('session_archives', 'S-1', 'a1', 1000, 10);
  add('training_class_archives', 'C-1', 'b1', 2000, 20);
  add('session_archives', 'S-2', 'a2', 3000, 30);
  add('training_class_archives', 'C-2', 'b2', 4000, 40);
  const archives = mergeTierProviders('archive', [sessionArchiveTierFiles(db), classArchiveTierFiles(db)]);

  t.same(
    archives.candidates(1500, 5000, 2),
    [
      { kind: 'archive', path: 'C-1/b1.zip', source: 'C-1', start: 2000, end: 2000, bytes: 20, sha256: null },
      { kind: 'archive', path: 'S-2/a2.zip', source: 'S-2', start: 3000, end: 3000, bytes: 30, sha256: null },
    ],
    'the two oldest in the range, whoever owns them; no hash (the tier hashes the file)',
  );
  t.same(archives.sum(1000, 4000), { files: 3, bytes: 60 }, 'the range counts both owners');
  t.same(archives.total(), { files: 4, bytes: 100 }, 'and so does the whole index');
});
