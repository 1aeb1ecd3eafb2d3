// Files that are indexed in the database (captures, snapshots): written under a temporary name, fsynced,
// renamed into place and the folder fsynced, so a file either exists whole under its name or not at all.
// A full disk or a read-only folder leaves nothing behind — no 0-byte orphan for the index to miss.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Leftovers of a write the process did not finish (a crash between open and rename) end in this. */
export const PARTIAL_SUFFIX = '.partial';

/**
 * Writes `bytes` to `file` durably: temp name in the same folder, fsync, rename, fsync of the folder.
 * On any failure the temp file is removed and the error thrown; `file` is then untouched (absent, or
 * the old content when it existed).
 */
export function writeFileDurably(file: string, bytes: Buffer, mode = 0o640): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const temp = join(dir, `.${basename(file)}.${randomBytes(4).toString('hex')}${PARTIAL_SUFFIX}`);
  let fd: number | null = null;
  try {
    fd = openSync(temp, 'wx', mode);
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temp, file);
  } catch (err) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // Already failing; the error that matters is the write's.
      }
    }
    removeQuietly(temp);
    throw err;
  }
  // The rename is durable only once the folder's entry is: without this a power cut may lose a file
  // whose row the database already holds.
  fsyncDir(dir);
}

/** Removes a file if it is there; never throws (used on the way out of a failure). */
export function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // A folder we cannot write: nothing more to do here; the caller's error says why.
  }
}

function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (err) {
    // Some file systems refuse fsync on a folder (EINVAL); the file itself is synced either way.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL' && (err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
