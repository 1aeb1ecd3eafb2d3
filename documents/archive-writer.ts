// Writes a signed archive: a streamed zip (zip64 where sizes need it, by yazl) of the caller's members,
// then `manifest.json` (each member's path, size, SHA-256 of its bytes as stored, `encrypted` flag) and
// `manifest.sig` (Ed25519 over manifest.json's exact bytes). Members stream through one at a time, so
// memory stays flat for hours of video; the file appears under its name only when complete (a temp
// file, fsync, then a no-clobber link), so a cancel or a crash leaves no half archive.
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  createReadStream,
  createWriteStream,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { Conflict, ValidationError } from '../core/index.ts';
import type { SiteSigner } from './signing.ts';
import { JobCancelled } from './cancel.ts';
import { processAlive } from './process-alive.ts';

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const ARCHIVE_FORMAT = 'examroom-archive/1';

export interface ArchiveMember {
  /** Path inside the archive: forward slashes, no `..`, no leading slash (e.g. `roster/photos/3201….jpg`). */
  path: string;
  /** The bytes; a file path (read as a stream); or a function that opens a stream when the member's turn comes. */
  source: Buffer | { file: string } | { stream: () => Readable };
  /** The bytes are ciphertext (face data under the face key): the manifest says so, the checker needs no key. */
  encrypted?: boolean;
  /** Deflate the member. Default: yes for buffers (JSON, CSV, text), no for files and streams (video, photos are compressed already). */
  compress?: boolean;
  /** Server time of the member's content, ms; the archive's createdAt when absent. */
  mtime?: number;
}

export interface ManifestMember {
  path: string;
  size: number;
  sha256: string;
  encrypted: boolean;
}

export interface Manifest {
  format: typeof ARCHIVE_FORMAT;
  createdAt: string;
  /** The caller's description of what the archive is (kind, session, audit anchor …); signed with the rest. */
  meta: Record<string, unknown>;
  signer: { alg: 'Ed25519'; keyId: string; publicKey: string };
  members: ManifestMember[];
}

export interface SignatureFile {
  alg: 'Ed25519';
  keyId: string;
  /** base64 of the 64-byte signature over manifest.json's bytes as stored. */
  signature: string;
}

export interface WriteArchiveOptions {
  /** The archive's final path; an existing file there is never replaced (Conflict). */
  file: string;
  members: Iterable<ArchiveMember> | AsyncIterable<ArchiveMember>;
  signer: SiteSigner;
  /** Server time, ms. */
  createdAt: number;
  meta?: Record<string, unknown>;
  signal?: AbortSignal;
  /** After each chunk: members done, bytes through so far, the member being written. */
  onProgress?: (p: { members: number; bytes: number; path: string }) => void;
}

export interface ArchiveWritten {
  file: string;
  /** Size of the archive file. */
  bytes: number;
  members: number;
  /** SHA-256 of manifest.json: what an index or a report can quote to name this exact archive. */
  manifestSha256: string;
}

/** Checks a member path; the problem in words, or null when it is fine. */
export function memberPathProblem(path: string): string | null {
  if (typeof path !== 'string' || path === '') return 'is empty';
  if (path.length > 1024) return 'is longer than 1024 characters';
  if (path.includes('\\')) return 'contains a backslash (use "/")';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'is absolute';
  if (path.split('/').some((p) => p === '' || p === '.' || p === '..')) return 'has an empty, "." or ".." part';
  // Control characters in a name are how a listing is made to lie about what it shows.
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return 'contains a control character';
  }
  if (path === MANIFEST_FILE || path === SIGNATURE_FILE) return "is reserved for the archive's own manifest";
  return null;
}

/** Counts and hashes the bytes on their way into the zip: the manifest's size and SHA-256 "as stored". */
class Hasher extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  constructor(private readonly onChunk: (n: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    this.onChunk(chunk.length);
    cb(null, chunk);
  }
}

export async function writeArchive(o: WriteArchiveOptions): Promise<ArchiveWritten> {
  // Loaded here, not at the top: documents/index.ts is on every start-up's path, archives are not.
  const { default: yazl } = await import('yazl');
  const dir = dirname(o.file);
  mkdirSync(dir, { recursive: true });
  const exists = (() => {
    try {
      statSync(o.file);
      return true;
    } catch {
      return false;
    }
  })();
  if (exists) throw new Conflict(`${o.file} already exists; an archive is never overwritten (write a new version under a new name)`);

  // One controller for everything that can stop the write: the caller's cancel, a bad member, a read error.
  const ac = new AbortController();
  const onCallerAbort = () => ac.abort(new JobCancelled());
  if (o.signal?.aborted) throw new JobCancelled();
  o.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const tmp = join(dir, `.${basename(o.file)}.${process.pid}-${randomBytes(6).toString('hex')}.partial`);
  const out = createWriteStream(tmp, { flags: 'wx', mode: 0o640 });
  const zip = new yazl.ZipFile();
  const written = pipeline(zip.outputStream as Readable, out, { signal: ac.signal });
  // Until the member loop is done its failure is the one to report; keep the pipeline's quiet meanwhile.
  written.catch(() => {});

  const entries: ManifestMember[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  try {
    for await (const m of o.members) {
      if (ac.signal.aborted) throw ac.signal.reason;
      const problem = memberPathProblem(m.path);
      if (problem) throw new ValidationError([{ path: `member ${entries.length + 1}`, problem: `archive path ${problem}`, got: m.path }]);
      if (seen.has(m.path)) throw new ValidationError([{ path: m.path, problem: 'is in the archive twice' }]);
      seen.add(m.path);
      const mtime = new Date(m.mtime ?? o.createdAt);
      const path = m.path;
      const hasher = new Hasher((n) => {
        bytes += n;
        o.onProgress?.({ members: entries.length, bytes, path });
      });
      let source: Readable;
      let size: number | undefined;
      if (Buffer.isBuffer(m.source)) {
        const buf = m.source;
        source = Readable.from([buf]);
        size = buf.length;
      } else if ('file' in m.source) {
        // The size is stated up front so yazl refuses a file that grows or shrinks while it is read.
        size = statSync(m.source.file).size;
        source = createReadStream(m.source.file);
      } else {
        source = m.source.stream();
      }
      const compress = m.compress ?? Buffer.isBuffer(m.source);
      const fed = pipeline(source, hasher, { signal: ac.signal });
      zip.addReadStreamLazy(path, { mtime, compress, ...(size !== undefined ? { size } : {}) }, (cb) => cb(null, hasher));
      // One member at a time: the next source is not opened until this one is in the zip. The wait for
      // the hasher's end listens to the signal itself: once `fed` is done its pipeline no longer does,
      // and a zip whose output was destroyed never reads the hasher to its end (a server stop between
      // two members hung here until the job runner gave up, leaving the .partial file behind).
      await Promise.all([fed, finished(hasher, { signal: ac.signal })]);
      entries.push({ path, size: hasher.size, sha256: hasher.hash.digest('hex'), encrypted: m.encrypted === true });
      o.onProgress?.({ members: entries.length, bytes, path });
    }
    if (ac.signal.aborted) throw ac.signal.reason;

    const manifest: Manifest = {
      format: ARCHIVE_FORMAT,
      createdAt: new Date(o.createdAt).toISOString(),
      meta: o.meta ?? {},
      signer: { alg: 'Ed25519', keyId: o.signer.keyId, publicKey: o.signer.publicKeyRaw },
      members: entries,
    };
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    const sig: SignatureFile = { alg: 'Ed25519', keyId: o.signer.keyId, signature: o.signer.sign(manifestBytes).toString('base64') };
    const createdAt = new Date(o.createdAt);
    zip.addBuffer(manifestBytes, MANIFEST_FILE, { mtime: createdAt, compress: true });
    zip.addBuffer(Buffer.from(`${JSON.stringify(sig)}\n`), SIGNATURE_FILE, { mtime: createdAt, compress: false });
    zip.end();
    await written;

    const fd = openSync(tmp, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // link, not rename: a file that appeared under the name meanwhile is kept, and this write refused.
    try {
      linkSync(tmp, o.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new Conflict(`${o.file} appeared while the archive was written; an archive is never overwritten`);
      throw err;
    }
    unlinkSync(tmp);
    const dfd = openSync(dir, constants.O_RDONLY);
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
    return {
      file: o.file,
      bytes: statSync(o.file).size,
      members: entries.length,
      manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
    };
  } catch (err) {
    if (!ac.signal.aborted) ac.abort(err);
    await written.catch(() => {});
    out.destroy();
    // A stream aborted while its file is still being opened creates the file after destroy() returns
    // (the open finishes in the thread pool, then closes): unlink only once it has closed, or a cancel
    // right after the start leaves an empty .partial behind (seen under load by tests/records/archive).
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already gone
    }
    // An abort surfaces from streams as a generic AbortError; the caller's reason is what happened.
    const reason = ac.signal.reason;
    throw reason instanceof Error ? reason : err;
  } finally {
    o.signal?.removeEventListener('abort', onCallerAbort);
  }
}

const PARTIAL = /^\..+\.(\d+)-[0-9a-f]{12}\.partial$/;

/**
 * Removes the half-written archives of processes that are gone (a kill -9 or a power cut mid-write;
 * a clean stop or a cancel removes its own). A writer still running — a CLI archive beside the server,
 * or this process — keeps its file. Returns the names removed.
 */
export function sweepPartialArchives(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(PARTIAL.exec(name)?.[1]);
    if (!pid || pid === process.pid || processAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      // removed by another start meanwhile
    }
  }
  return removed;
}
