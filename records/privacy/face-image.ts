// The one place records/privacy and records/reporting read a face image's bytes. The face-vault work
// (issue 23, encryption at rest) decrypts here; callers only ever see plain bytes, and only for a purpose
// that was checked before the call (a person's own export, a destination with a legal basis).
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';

/** The bytes of a face image stored under captures/ (`rel` as a row names it), or null when it is gone. */
export function readFaceImage(capturesDir: string, rel: string | null): Buffer | null {
  if (!rel) return null;
  const root = resolve(capturesDir);
  const file = resolve(root, rel);
  // A stored path is ours, but nothing outside captures/ is read whatever a row says.
  if (!file.startsWith(root + sep)) return null;
  try {
    return readFileSync(file);
  } catch {
    // Deleted by retention or by the person's request: the caller says so.
    return null;
  }
}
