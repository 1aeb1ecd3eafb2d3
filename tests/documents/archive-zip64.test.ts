// A member past 4 GiB: its size fits only a zip64 extra field, so this is the test that the writer's
// zip64 is real and that the checker reads it back. 4 GiB of zeros go through deflate and SHA-256
// twice (write, check): 178 s measured on the two shared cores under load, too long for every
// `npm test`, so it runs when EXAMROOM_TEST_ZIP64=1 (and before a release: docs/documents.md).
import { join } from 'node:path';
import { Readable } from 'node:stream';
import t from 'tap';
import yauzl from 'yauzl';
import { checkArchive, loadSiteSigner, writeArchive } from '../../documents/index.ts';
import { scratchDir } from '../helpers.ts';

const enabled = process.env.EXAMROOM_TEST_ZIP64 === '1';
// The runner's per-file limit (package.json tap.timeout, 180 s) is too short for this file.
if (enabled) t.setTimeout(20 * 60_000);

t.test(
  'a member of 4 GiB + 1 byte is written as zip64 and verifies',
  { skip: enabled ? false : 'set EXAMROOM_TEST_ZIP64=1 to run (about 1–3 min)', timeout: 20 * 60_000 },
  async (t) => {
    const dir = scratchDir(t, 'examroom-zip64-');
    const signer = loadSiteSigner(join(dir, 'keys'));
    const huge = join(dir, 'huge.zip');
    const size = 2 ** 32 + 1;
    const chunk = Buffer.alloc(4 * 1024 * 1024);
    await writeArchive({
      file: huge,
      signer,
      createdAt: Date.UTC(2026, 11, 6),
      members: [
        {
          path: 'video/huge.ts',
          compress: true,
          source: {
            stream: () =>
              Readable.from(
                (function* () {
                  let left = size;
                  while (left > 0) {
                    const n = Math.min(left, chunk.length);
                    left -= n;
                    yield n === chunk.length ? chunk : chunk.subarray(0, n);
                  }
                })(),
              ),
          },
        },
      ],
    });
    const zip = await yauzl.openPromise(huge, { lazyEntries: true, autoClose: false });
    const sizes = await new Promise<Record<string, number>>((resolve, reject) => {
      const got: Record<string, number> = {};
      zip.on('entry', (e: yauzl.Entry) => {
        got[e.fileName] = e.uncompressedSize;
        zip.readEntry();
      });
      zip.on('end', () => resolve(got));
      zip.on('error', reject);
      zip.readEntry();
    });
    zip.close();
    t.equal(sizes['video/huge.ts'], size, 'the central directory carries the 33-bit size (only a zip64 extra field can)');
    const check = await checkArchive(huge, { publicKeys: [signer.publicKeyPem] });
    t.same({ ok: check.ok, checked: check.checked, problem: check.problem }, { ok: true, checked: 1, problem: null }, 'it reads back and verifies');
  },
);
