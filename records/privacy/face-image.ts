// The one place records/privacy and records/reporting read a face image's bytes: through the face vault,
// which decrypts; callers only ever see plain bytes, and only for a purpose that was checked before the
// call (a person's own export, a destination with a legal basis).
import { resolve, sep } from 'node:path';
import type { FaceVault } from '../../storage/index.ts';

/** The bytes of a face image stored under captures/ (`rel` as a row names it), or null when it is gone. */
export function readFaceImage(vault: FaceVault, capturesDir: string, rel: string | null): Buffer | null {
  if (!rel) return null;
  const root = resolve(capturesDir);
  const file = resolve(root, rel);
  // A stored path is ours, but nothing outside captures/ is read whatever a row says.
  if (!file.startsWith(root + sep)) return null;
  try {
    return vault.readFile(file);
  } catch (err) {
    // Deleted by retention or by the person's request: the caller says so. A key that does not open the
    // file is not "gone": that error goes up.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
