// One backup file, sealed: compressed, encrypted and authenticated, readable with the backup key alone.
//
// "ERBK" | version 1 | header length (u32 BE) | header JSON | IV (12) | AES-256-GCM ciphertext | tag (16)
//
// Everything before the IV is the GCM additional data, so the header (site, time, reason, key id, the
// members' names and sizes) cannot be changed unseen, yet `backup list` reads it without the key. The
// ciphertext is the brotli-compressed members' bytes one after another, then a trailer JSON with each member's
// SHA-256. The whole file's SHA-256 is written beside it (NAME.sha256, sha256sum's format), so a copy on
// a NAS or in a bucket can be checked by anyone, without the key.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliCompress, createBrotliDecompress, createGunzip, constants as zlib } from 'node:zlib';
import { DomainError } from '../../core/index.ts';
import { BackupKeyError, type BackupKey } from './key.ts';

export const BACKUP_SUFFIX = '.erbk';
/** The database's member name inside a backup. */
export const DB_MEMBER = 'examroom.sqlite';
const MAGIC = Buffer.from('ERBK', 'ascii');
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A header is a few hundred bytes; a larger length is a damaged or foreign file, not a reason to allocate. */
const MAX_HEADER = 64 * 1024;
/**
 * Brotli quality 1 (Node 20 has no zstd). On the bench's 1 GB of site-like rows (bench/backup.ts, a
 * loaded 2-core machine) brotli -1 compressed at 343 MiB/s to 13.5 %, gzip -1 at 158 MiB/s to 15 %,
 * gzip -6 at 70 MiB/s to 13.5 %: the fastest was also among the smallest. Less CPU per backup is less
 * taken from the exam running beside it. The header names the compression, so a file says how to open it.
 */
const BROTLI_QUALITY = 1;
const compressor = () => createBrotliCompress({ params: { [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY }, chunkSize: 1 << 16 });
const decompressor = (c: BackupHeader['compression']) => (c === 'gzip' ? createGunzip({ finishFlush: zlib.Z_SYNC_FLUSH }) : createBrotliDecompress());

/** The sealed file reaches the disk 8 MiB at a time while it is written (sealBackup). */
export const SEAL_SYNC_EVERY = 8 * 1024 * 1024;

export type BackupReason = 'nightly' | 'manual' | 'upgrade';

export interface BackupMember {
  /** A plain file name: `examroom.sqlite`, `audit-anchors.jsonl`, `face-vault.json`. */
  name: string;
  bytes: number;
}

export interface BackupHeader {
  format: 'examroom-backup';
  version: 1;
  site: string;
  /** Server time when the database snapshot was taken (epoch ms). */
  takenAt: number;
  reason: BackupReason;
  /** The backup key's id (storage/backup/key.ts). */
  keyId: string;
  /** 'brotli' (quality 1) is what this version writes; 'gzip' is read too. */
  compression: 'brotli' | 'gzip';
  /** The database's schema version (PRAGMA user_version) in the snapshot. */
  schemaVersion: number;
  /** The audit log's newest entry in the snapshot: a restored site must show the same. */
  auditHead: { seq: number; hash: string };
  members: BackupMember[];
}

/** A backup that cannot be read: damaged, altered, truncated or not a backup. Names the file and why. */
export class BackupDamagedError extends DomainError {
  override readonly code = 'backup_damaged';
  constructor(message: string) {
    super(message);
    this.name = 'BackupDamagedError';
  }
}

export function isMemberName(name: unknown): boolean {
  return typeof name === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(name) && !name.includes('..');
}

/** `examroom-SITE-20261207T023000Z-nightly.erbk`: sorts by time, says what it is in any file browser. */
export function backupFileName(site: string, takenAt: number, reason: BackupReason): string {
  const t = new Date(takenAt)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `examroom-${site}-${t}-${reason}${BACKUP_SUFFIX}`;
}

export function isBackupFileName(name: string): boolean {
  return /^examroom-[A-Za-z0-9_.-]+-\d{8}T\d{6}Z-(nightly|manual|upgrade)\.erbk$/.test(name);
}

function prefixOf(header: BackupHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, Buffer.from([VERSION]), len, json]);
}

/**
 * Writes the sealed file `out` (which must not exist) from the members' files, in order. Returns its
 * size and SHA-256. The caller renames it into place: a process killed here leaves only `out`.
 */
export async function sealBackup(
  header: Omit<BackupHeader, 'format' | 'version' | 'keyId' | 'compression' | 'members'>,
  files: { name: string; file: string }[],
  key: BackupKey,
  out: string,
  opts: { syncEveryBytes?: number } = {},
): Promise<{ header: BackupHeader; bytes: number; sha256: string }> {
  const syncEvery = opts.syncEveryBytes ?? SEAL_SYNC_EVERY;
  const members: BackupMember[] = [];
  for (const f of files) members.push({ name: f.name, bytes: (await stat(f.file)).size });
  const full: BackupHeader = { format: 'examroom-backup', version: 1, ...header, keyId: key.id, compression: 'brotli', members };
  const aad = prefixOf(full);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(aad);
  const hashes: Record<string, string> = {};
  async function* plain() {
    for (const f of files) {
      const h = createHash('sha256');
      let n = 0;
      // 64 KiB reads: each chunk's hashing and hand-over runs on the event loop the exam's saves share,
      // and a 1 MiB chunk held it for milliseconds at a time (bench/backup.ts).
      for await (const chunk of createReadStream(f.file, { highWaterMark: 1 << 16 })) {
        h.update(chunk as Buffer);
        n += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      // A member that changed size while being read was not a snapshot: refuse rather than seal it.
      if (n !== members.find((m) => m.name === f.name)!.bytes) throw new BackupDamagedError(`${f.file} changed while it was being sealed`);
      hashes[f.name] = h.digest('hex');
    }
    yield Buffer.from(JSON.stringify({ sha256: hashes }));
  }
  const whole = createHash('sha256');
  let bytes = 0;
  async function* framed(src: AsyncIterable<Buffer>) {
    const start = Buffer.concat([aad, iv]);
    whole.update(start);
    bytes += start.length;
    yield start;
    for await (const c of src) {
      whole.update(c);
      bytes += c.length;
      yield c;
    }
    const tag = cipher.getAuthTag();
    whole.update(tag);
    bytes += tag.length;
    yield tag;
  }
  const fh = await open(out, 'wx', 0o640);
  try {
    let unsynced = 0;
    await pipeline(plain, compressor(), cipher, framed, async (src: AsyncIterable<Buffer>) => {
      for await (const c of src) {
        await fh.write(c);
        unsynced += c.length;
        // On the disk in steps, not at the end in one go: a save's fsync queues behind whatever this
        // sync sends to the disk, and the whole file at once (142 MiB for a 1 GiB database) held the
        // saves for hundreds of milliseconds (bench/backup-causes.ts).
        if (unsynced >= syncEvery) {
          await fh.datasync();
          unsynced = 0;
        }
      }
    });
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { header: full, bytes, sha256: whole.digest('hex') };
}

/** Reads a backup's header without the key (what `backup list` shows); refuses what is not a backup. */
export async function readBackupHeader(file: string): Promise<{ header: BackupHeader; bodyStart: number; size: number }> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(9);
    const { bytesRead } = await fh.read(head, 0, 9, 0);
    if (bytesRead < 9 || !head.subarray(0, 4).equals(MAGIC)) throw new BackupDamagedError(`${file} is not an examroom backup (it does not begin with ERBK)`);
    if (head[4] !== VERSION) throw new BackupDamagedError(`${file} is backup format version ${head[4]}; this examroom reads version ${VERSION}`);
    const len = head.readUInt32BE(5);
    if (len > MAX_HEADER || 9 + len + IV_BYTES + TAG_BYTES > size)
      throw new BackupDamagedError(`${file} is truncated or damaged (its header length ${len} does not fit)`);
    const json = Buffer.alloc(len);
    await fh.read(json, 0, len, 9);
    let header: BackupHeader;
    try {
      header = JSON.parse(json.toString('utf8')) as BackupHeader;
    } catch {
      throw new BackupDamagedError(`${file} is damaged (its header is not JSON)`);
    }
    if (header?.format !== 'examroom-backup' || !Array.isArray(header.members) || typeof header.keyId !== 'string')
      throw new BackupDamagedError(`${file} is damaged (its header lacks the backup fields)`);
    // Members are unpacked by name into a scratch folder: a name with a folder in it could write elsewhere.
    const bad = header.members.find((m) => !isMemberName(m?.name) || !Number.isSafeInteger(m.bytes) || m.bytes < 0);
    if (bad) throw new BackupDamagedError(`${file} names a member ${JSON.stringify(bad?.name)} that is not a plain file name`);
    return { header, bodyStart: 9 + len, size };
  } finally {
    await fh.close();
  }
}

/** The SHA-256 of a whole file, streamed. */
export async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file, { highWaterMark: 1 << 16 })) h.update(c as Buffer);
  return h.digest('hex');
}

/**
 * Decrypts and unpacks a backup into `dir` (one file per member), checking the key id first, the GCM
 * tag over everything, and each member's SHA-256. Nothing in `dir` is to be trusted unless this resolves.
 */
export async function openBackup(file: string, key: BackupKey, dir: string): Promise<{ header: BackupHeader; files: Record<string, string> }> {
  const { header, bodyStart, size } = await readBackupHeader(file);
  if (header.keyId !== key.id)
    throw new BackupKeyError(
      `${file} was sealed with backup key ${header.keyId}, but the key given is ${key.id}: import the key bundle of site ${header.site} (examroom keys import)`,
    );
  const fh = await open(file, 'r');
  const aad = Buffer.alloc(bodyStart);
  const iv = Buffer.alloc(IV_BYTES);
  const tag = Buffer.alloc(TAG_BYTES);
  try {
    await fh.read(aad, 0, bodyStart, 0);
    await fh.read(iv, 0, IV_BYTES, bodyStart);
    await fh.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await fh.close();
  }
  const decipher = createDecipheriv('aes-256-gcm', key.key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const files: Record<string, string> = {};
  const got: Record<string, string> = {};
  let trailer = Buffer.alloc(0);
  async function unpack(src: AsyncIterable<Buffer>) {
    let i = 0;
    let left = header.members[0]?.bytes ?? 0;
    let h = createHash('sha256');
    let ws = header.members[0] ? createWriteStream(join(dir, header.members[0].name), { flags: 'wx', mode: 0o640 }) : null;
    const next = async () => {
      if (ws) await new Promise<void>((done, fail) => ws!.end((err?: Error | null) => (err ? fail(err) : done())));
      got[header.members[i]!.name] = h.digest('hex');
      files[header.members[i]!.name] = join(dir, header.members[i]!.name);
      i++;
      h = createHash('sha256');
      left = header.members[i]?.bytes ?? 0;
      ws = header.members[i] ? createWriteStream(join(dir, header.members[i]!.name), { flags: 'wx', mode: 0o640 }) : null;
    };
    // A member of zero bytes is complete before any byte arrives.
    while (ws && left === 0 && i < header.members.length) await next();
    for await (let c of src) {
      while (c.length > 0) {
        if (i >= header.members.length) {
          trailer = Buffer.concat([trailer, c]);
          if (trailer.length > MAX_HEADER) throw new BackupDamagedError(`${file} is damaged (its trailer is too long)`);
          break;
        }
        const part = c.subarray(0, left);
        c = c.subarray(part.length);
        h.update(part);
        left -= part.length;
        if (!ws!.write(part)) await new Promise<void>((r) => ws!.once('drain', () => r()));
        while (left === 0 && i < header.members.length) await next();
      }
    }
    if (i < header.members.length) throw new BackupDamagedError(`${file} is truncated (member ${header.members[i]!.name} is short)`);
  }
  const body = createReadStream(file, { start: bodyStart + IV_BYTES, end: size - TAG_BYTES - 1, highWaterMark: 1 << 20 });
  try {
    await pipeline(body, decipher, decompressor(header.compression), unpack);
  } catch (err) {
    if (err instanceof DomainError) throw err;
    // The GCM tag failing, the decompressor meeting garbage and a short stream all mean the same to the person.
    throw new BackupDamagedError(`${file} does not open under backup key ${key.id}: it was altered or damaged (${(err as Error).message})`);
  }
  let sums: { sha256?: Record<string, string> };
  try {
    sums = JSON.parse(trailer.toString('utf8')) as typeof sums;
  } catch {
    throw new BackupDamagedError(`${file} is damaged (its trailer is not JSON)`);
  }
  for (const m of header.members) {
    if (sums.sha256?.[m.name] !== got[m.name]) throw new BackupDamagedError(`${file}: member ${m.name} does not match its SHA-256: it was altered or damaged`);
  }
  return { header, files };
}
