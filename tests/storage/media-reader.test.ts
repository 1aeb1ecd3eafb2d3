// The media reader's local half and its refusals, without a store: what every reader of recorded media
// meets when a file is local, missing, outside the media folder, or tiered while no store is configured.
// (Reads from a real store: tests/media/tiered-reads.test.ts, against radosgw.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createMediaReader } from '../../storage/index.ts';
import { scratchDir } from '../helpers.ts';

const dir = scratchDir(t);
const media = join(dir, 'media');
mkdirSync(join(media, 'CAM'), { recursive: true });
writeFileSync(join(media, 'CAM', 'a.mkv'), Buffer.from('0123456789'));
const tiered = { key: 'site-a/R1/CAM/b.mkv', versionId: 'v1', bytes: 10, sha256: 'ab'.repeat(32), localGone: true };
const reader = createMediaReader({ mediaDir: media, cacheDir: join(dir, 'cache'), locate: (p) => (p === 'CAM/b.mkv' ? tiered : null) });
t.teardown(() => reader.close());
const text = async (s: NodeJS.ReadableStream) => {
  let out = '';
  for await (const c of s) out += String(c);
  return out;
};

t.test('a local file is read from the media folder, by ranges, and handed to ffmpeg as its path', async (t) => {
  const f = reader.open('CAM/a.mkv');
  t.match(f, { where: 'local', bytes: 10, object: null });
  t.equal(await text(f.read(2, 4)), '234');
  const inputs = await reader.ffmpegInputs(['CAM/a.mkv']);
  t.same(inputs.inputs, [join(media, 'CAM', 'a.mkv')]);
  t.same(inputs.args, [], 'no protocol list for local files');
  inputs.release();
  t.equal(reader.cacheStats().bytes, 0, 'nothing cached for a local file');
});

t.test('a file neither on disk nor tiered is NotFound, in words', async (t) => {
  t.throws(() => reader.open('CAM/gone.mkv'), {
    name: 'NotFound',
    message: /CAM\/gone\.mkv: its file is missing from the media folder and it was never tiered/,
  });
  t.equal(reader.exists('CAM/gone.mkv'), false);
});

t.test('a path outside the media folder is refused', async (t) => {
  t.throws(() => reader.open('../secret.txt'), { name: 'NotFound', message: /points outside the media folder/ });
  t.equal(reader.exists('../secret.txt'), false);
});

t.test('a tiered file with no object store configured says to configure it, not that it is missing', async (t) => {
  t.equal(reader.exists('CAM/b.mkv'), true, 'it exists: in the store');
  t.throws(() => reader.open('CAM/b.mkv'), {
    name: 'Unavailable',
    code: 'store_unavailable',
    message: /CAM\/b\.mkv was tiered to the object store \(site-a\/R1\/CAM\/b\.mkv\), but no objectStore is configured now/,
  });
});
