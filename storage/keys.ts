// The keys folder: every secret key the appliance holds lives here (ARCHITECTURE "Keys live in one
// place"), apart from the data folder, owned by the service and closed to everyone else (0700). It is
// never in git, never under /etc (read-only under systemd's ProtectSystem=strict), and never reached
// through a symlink: a link planted at the path would send the site CA's key wherever it points.
import { closeSync, constants, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { DomainError } from '../core/index.ts';

/** A key folder that cannot be used as one: names the path and what is wrong with it. */
export class KeysFolderError extends DomainError {
  override readonly code = 'keys_folder';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`keys folder ${path}: ${problem}`);
    this.name = 'KeysFolderError';
  }
}

/**
 * One kind of key the appliance keeps. The key bundle (`examroom keys export|import`) carries every
 * entry of KEY_FILES whose files exist, so a module that adds a key adds one entry here and its key
 * travels with the others; a restore from the bundle then brings it back.
 */
export interface KeyKind {
  id: string;
  /** What it is and what losing it costs, for `keys export` and the docs. */
  what: string;
  /** File names inside the keys folder; all of them go into the bundle together. */
  files: string[];
}

export const KEY_FILES: readonly KeyKind[] = [
  { id: 'site-ca', what: 'the site CA every exam PC, kiosk and phone trusts (its key and certificate)', files: ['site-ca.key', 'site-ca.crt'] },
  // Made on first use by documents/signing.ts. Lost, a new key is made, and archives and certificates
  // signed before no longer verify against the key the site publishes.
  { id: 'site-signing', what: 'the Ed25519 key that signs archive manifests, results packages and certificates', files: ['site-signing.key'] },
  // Made on the server's first start by storage/audit-key.ts. Lost, a new key starts a new keyed stretch
  // of the audit log, and the stretch keyed with the old one can no longer have its content checked.
  { id: 'audit', what: 'the audit log HMAC key', files: ['audit.key'] },
  // Made by its own issue (identity: face-data encryption); the bundle already carries it when it exists.
  { id: 'face-data', what: 'the key that encrypts face data at rest', files: ['face-data.key'] },
  // Made on the server's first start by storage/backup/key.ts. Lost, no backup taken with it opens again:
  // the bundle is the only other copy, which is why the console asks for an export until one is made.
  { id: 'backup', what: 'the key that encrypts database backups', files: ['backup.key'] },
];

/** A key file name: plain, no folders, so a bundle cannot write outside the keys folder. */
export function isKeyFileName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(name) && !name.includes('..');
}

/**
 * Creates the keys folder when missing (0700) and checks it: a real directory, not a symlink, owned
 * by this process's user, closed to group and others. A folder left wider than 0700 is closed again;
 * one owned by someone else is refused, because its owner could read or swap the keys.
 */
export function ensureKeysFolder(dir: string): string {
  const path = resolve(dir);
  try {
    // recursive: parents may be missing on a first start; the last component's mode is 0700.
    mkdirSync(path, { recursive: true, mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new KeysFolderError(path, `cannot create it (${(err as Error).message})`);
  }
  const st = lstatSync(path);
  if (st.isSymbolicLink()) throw new KeysFolderError(path, 'is a symbolic link; the keys folder must be a real folder (remove the link and restart)');
  if (!st.isDirectory()) throw new KeysFolderError(path, 'is not a folder');
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new KeysFolderError(path, `is owned by uid ${st.uid}, but the service runs as uid ${uid} (chown it to the service account)`);
  if ((st.mode & 0o077) !== 0) chmodSync(path, 0o700);
  return path;
}

/** Reads a key file, refusing a symlink in its place; null when it does not exist. */
export function readKeyFile(dir: string, name: string): Buffer | null {
  if (!isKeyFileName(name)) throw new KeysFolderError(dir, `${JSON.stringify(name)} is not a key file name`);
  let fd: number;
  try {
    fd = openSync(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new KeysFolderError(dir, `${name} is a symbolic link; key files must be real files`);
    throw err;
  }
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a key file atomically (temporary file, fsync, rename) with mode 0600, so a crash leaves the
 * old key or the new one, never half of one, and the file is never readable by others, even briefly.
 */
export function writeKeyFile(dir: string, name: string, data: string | Buffer): void {
  placeKeyFile(dir, name, data, false);
}

/**
 * Like writeKeyFile, but never replaces a key that is there: a key made on first use by two processes
 * at once (the server and a CLI command) must end as one key, not as the one whose rename came last
 * while the other already signed with its own. Returns false, writing nothing, when the file exists.
 */
export function createKeyFile(dir: string, name: string, data: string | Buffer): boolean {
  return placeKeyFile(dir, name, data, true);
}

function placeKeyFile(dir: string, name: string, data: string | Buffer, exclusive: boolean): boolean {
  if (!isKeyFileName(name)) throw new KeysFolderError(dir, `${JSON.stringify(name)} is not a key file name`);
  const tmp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  if (exclusive) {
    // link() fails with EEXIST where rename() would replace: the no-clobber form of the same atomic step.
    try {
      linkSync(tmp, join(dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      unlinkSync(tmp);
    }
  } else {
    renameSync(tmp, join(dir, name));
  }
  // The rename is durable only once the folder's entry is on disk too.
  const dfd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
  return true;
}

/**
 * A random 32-byte key kept as 64 hex digits and a newline (the audit key, the backup key): read from the
 * keys folder, or with `create` made first (0600, never replacing one another process made meanwhile).
 * Null when it is absent and not to be made, or when a reader may not enter the keys folder (a CLI run as
 * another user, a data folder the server never ran on); the server (`create`) must have it. `where` names
 * the file for the caller's errors; `created` says this call made it. The caller checks the text.
 */
export function loadRandomKeyFile(keysDir: string, name: string, opts: { create: boolean }): { text: Buffer; where: string; created: boolean } | null {
  const dir = opts.create ? ensureKeysFolder(keysDir) : keysDir;
  let text: Buffer | null;
  try {
    text = readKeyFile(dir, name);
  } catch (err) {
    if (!opts.create && ['EACCES', 'ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return null;
    throw err;
  }
  let created = false;
  if (!text && opts.create) {
    created = createKeyFile(dir, name, `${randomBytes(32).toString('hex')}\n`);
    text = readKeyFile(dir, name);
  }
  return text ? { text, where: `${dir}/${name}`, created } : null;
}

/** Removes a key file when present (a server certificate that must be issued again). */
export function removeKeyFile(dir: string, name: string): void {
  if (!isKeyFileName(name)) throw new KeysFolderError(dir, `${JSON.stringify(name)} is not a key file name`);
  try {
    unlinkSync(join(dir, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
