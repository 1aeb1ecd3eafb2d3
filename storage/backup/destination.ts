// Where finished backups are kept. A folder (another disk, a mounted NAS, or this disk's staging folder
// when nothing else is configured) or the object store (storage/backup/object-store-destination.ts).
// A backup counts as good at a destination only when its file is there under its final name with its
// checksum beside it: both are written to a temporary name first, the data verified by reading it back,
// then renamed, so a copy cut short by a crash or a full NAS is never listed.
import { closeSync, constants, fsyncSync, openSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileSha256, isBackupFileName, type BackupReason } from './format.ts';

export interface StoredBackup {
  name: string;
  bytes: number;
  /** As recorded beside it when it was written; null when the checksum file is missing. */
  sha256: string | null;
  takenAt: number;
  reason: BackupReason;
}

export interface BackupDestination {
  kind: 'folder' | 'object-store' | 'this-disk';
  /** Where, in words an admin recognises (a path, a bucket and prefix); never a secret. */
  where: string;
  /** Copies `file` here as `name`, verified against `sha256`; says how it was verified. */
  put(file: string, name: string, sha256: string): Promise<{ verifiedBy: string }>;
  list(): Promise<StoredBackup[]>;
  /** Writes the backup `name` to the local file `to`. */
  fetch(name: string, to: string): Promise<void>;
  /** False when the destination still holds it under object lock (its retention has not ended): the next prune tries again. */
  remove(name: string): Promise<boolean>;
  /**
   * Only where copies are locked (an object store with object lock): keeps `name` locked until at least
   * `until`. Returns the new retain-until when it was lengthened, null when it already was long enough.
   */
  hold?(name: string, until: number): Promise<number | null>;
}

/** Time and reason from a backup's file name (format.ts backupFileName). */
export function parseBackupName(name: string): { takenAt: number; reason: BackupReason } | null {
  if (!isBackupFileName(name)) return null;
  const m = /-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-(nightly|manual|upgrade)\.erbk$/.exec(name)!;
  return {
    takenAt: Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])),
    reason: m[7] as BackupReason,
  };
}

/** The checksum file's line: `sha256sum -c NAME.sha256` checks the backup on any Linux machine. */
export const checksumLine = (sha256: string, name: string) => `${sha256}  ${name}\n`;

export function parseChecksum(text: string): string | null {
  return /^([0-9a-f]{64})\s/.exec(text)?.[1] ?? null;
}

function fsyncPath(path: string, flags = constants.O_RDONLY): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function folderDestination(dir: string, kind: 'folder' | 'this-disk' = 'folder'): BackupDestination {
  return {
    kind,
    where: dir,
    async put(file, name, sha256) {
      await mkdir(dir, { recursive: true, mode: 0o750 });
      const final = join(dir, name);
      const partial = `${final}.partial`;
      await rm(partial, { force: true });
      await copyFile(file, partial);
      fsyncPath(partial);
      // Read back from the destination: a NAS that acknowledged a write it did not keep is caught here.
      const got = await fileSha256(partial);
      if (got !== sha256) {
        await rm(partial, { force: true });
        throw new Error(`the copy in ${dir} reads back with SHA-256 ${got}, not ${sha256}: the destination damaged it`);
      }
      await writeFile(`${final}.sha256`, checksumLine(sha256, name), { mode: 0o640 });
      fsyncPath(`${final}.sha256`);
      await rename(partial, final);
      fsyncPath(dir);
      return { verifiedBy: 'read-back' };
    },
    async list() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const out: StoredBackup[] = [];
      for (const name of names) {
        const parsed = parseBackupName(name);
        if (!parsed) continue;
        const bytes = (await stat(join(dir, name))).size;
        let sha256: string | null = null;
        try {
          sha256 = parseChecksum(await readFile(join(dir, `${name}.sha256`), 'utf8'));
        } catch {
          sha256 = null;
        }
        out.push({ name, bytes, sha256, ...parsed });
      }
      return out.sort((a, b) => a.takenAt - b.takenAt);
    },
    async fetch(name, to) {
      await copyFile(join(dir, name), to);
    },
    async remove(name) {
      // The data first: a checksum left alone is ignored by list, a backup without its checksum is not.
      await rm(join(dir, name), { force: true });
      await rm(join(dir, `${name}.sha256`), { force: true });
      return true;
    },
  };
}

/** A scratch name in the staging folder that says which process owns it (`.work-PID-…`). */
export const workName = (suffix = '') => `.work-${process.pid}-${randomBytes(6).toString('hex')}${suffix}`;
/** The name a backup is written under before it is complete (`NAME.PID.partial`). */
export const partialName = (name: string) => `${name}.${process.pid}.partial`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The leftovers of an interrupted backup in the staging folder: scratch folders and partial files whose
 * process is gone (killed, crashed). Those of a live process — the server's nightly backup while an
 * admin runs `examroom backup now` — are someone's work in progress and are left alone.
 */
export async function leftovers(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names.filter((n) => {
    const pid = /^\.work-(\d+)-/.exec(n)?.[1] ?? /\.(\d+)\.partial$/.exec(n)?.[1];
    return pid !== undefined && !alive(Number(pid));
  });
}
