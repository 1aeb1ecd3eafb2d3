// The tier index without a store: where a file lives, and the keys a person reads in an S3 browser.
import t from 'tap';
import { join } from 'node:path';
import { createTierRows, objectKey, openDatabase, type NewTierRow } from '../../storage/index.ts';
import { scratchDir } from '../helpers.ts';

const row = (over: Partial<NewTierRow> = {}): NewTierRow => ({
  area: 'media',
  path: 'cam1/20261201/1764547200000-00001.mkv',
  kind: 'segment',
  source: 'cam1',
  start: 1_764_547_200_000,
  end: 1_764_547_260_000,
  bytes: 1234,
  sha256: 'a'.repeat(64),
  key: 'exams/site1/cam1/2026/12/01/1764547200000-00001.mkv',
  versionId: 'v1',
  retainUntil: null,
  verifiedBy: 'readback',
  verifiedAt: 1_765_000_000_000,
  ...over,
});

t.test('a file is local until its verified upload is recorded, then located in the store', async (t) => {
  const db = openDatabase(join(scratchDir(t), 'db.sqlite'));
  t.teardown(() => db.close());
  const rows = createTierRows(db);
  t.equal(rows.locate('cam1/20261201/1764547200000-00001.mkv'), null);
  rows.record(row());
  t.same(rows.locate('cam1/20261201/1764547200000-00001.mkv'), {
    key: 'exams/site1/cam1/2026/12/01/1764547200000-00001.mkv',
    versionId: 'v1',
    bytes: 1234,
    sha256: 'a'.repeat(64),
    localGone: false,
  });
  t.equal(rows.locate('cam1/20261201/1764547200000-00001.mkv', 'captures'), null, 'the same path in another folder is another file');
  rows.markLocalDeleted('media', 'cam1/20261201/1764547200000-00001.mkv', 1_765_000_001_000);
  t.equal(rows.locate('cam1/20261201/1764547200000-00001.mkv')?.localGone, true);
  t.throws(() => rows.record(row({ key: 'other' })), /UNIQUE|PRIMARY/, 'a second row for one file is refused');
  rows.markRemoteDeleted('media', 'cam1/20261201/1764547200000-00001.mkv', 1_900_000_000_000);
  t.equal(rows.locate('cam1/20261201/1764547200000-00001.mkv'), null, 'deleted from the store after retention: nowhere to read');
});

t.test('object keys name the site, the source and the day in the site time zone; archives have their own branch', async (t) => {
  const base = { prefix: '/exams/', site: 'gz01', source: 'cam1', timeZone: 'Asia/Shanghai' };
  // 2026-11-30 20:00 UTC is 2026-12-01 04:00 in Shanghai.
  const start = Date.UTC(2026, 10, 30, 20);
  t.equal(objectKey({ ...base, kind: 'segment', start, path: 'cam1/20261130/1764532800000-00003.mkv' }), 'exams/gz01/cam1/2026/12/01/1764532800000-00003.mkv');
  t.equal(objectKey({ ...base, kind: 'archive', start, path: 'S-1/v2.zip' }), 'exams/gz01/archives/S-1/v2.zip');
  t.equal(objectKey({ ...base, kind: 'snapshot', source: 'T07', start, path: 'snapshots/x.jpg.sealed' }), 'exams/gz01/snapshots/T07/2026/12/01/x.jpg.sealed');
});
