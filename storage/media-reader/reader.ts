// One way to open a media-folder file by its path relative to the media folder, wherever it lives now:
// the local file while there is one, else the tiered object by ranged GETs of the version written,
// streamed block by block through the read cache (read-cache.ts) — never downloaded whole first.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { NotFound, Unavailable } from '../../core/index.ts';
import type { ReadCache } from './read-cache.ts';

/** Where a tiered file's object is (storage/tier locate()); null = the file is local only. */
export interface TieredLocation {
  key: string;
  versionId: string | null;
  bytes: number;
  sha256: string;
  /** The local copy was deleted after the upload was verified: read the store. */
  localGone: boolean;
}

/** The object store's ranged read: bytes start..end inclusive (both absent = the whole object). */
export type GetRange = (key: string, versionId: string | undefined, start?: number, end?: number) => Promise<Readable> | Readable;

export interface MediaFile {
  /** Relative to the media folder, as the owning index stores it. */
  relPath: string;
  bytes: number;
  where: 'local' | 'store';
  /** The file on disk when `where` is local. */
  localFile: string | null;
  /** The object when `where` is store. */
  object: TieredLocation | null;
  /** Bytes start..end inclusive (default: all), streamed; a store that does not answer errors the stream with Unavailable. */
  read(start?: number, end?: number): Readable;
}

export interface OpenDeps {
  mediaDir: string;
  locate: (relPath: string) => TieredLocation | null;
  getRange: GetRange | null;
  cache: ReadCache;
  /** What the store is called in messages ("the object store at https://…/bucket"). */
  storeName: string;
  /** No byte from the store for this long = it is not answering (ms). */
  stallMs: number;
}

/** The file by relative path, or NotFound saying neither the media folder nor the store has it. */
export function openMediaFile(d: OpenDeps, relPath: string): MediaFile {
  const root = resolve(d.mediaDir);
  const file = resolve(root, relPath);
  if (!file.startsWith(root + sep)) throw new NotFound(`${relPath} points outside the media folder`);
  const loc = d.locate(relPath);
  if (!loc || !loc.localGone) {
    let bytes: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      bytes = st.size;
    } catch {
      // A row saying "uploaded, local copy kept" whose local copy is gone all the same: the store still has it.
      if (!loc) throw new NotFound(`${relPath}: its file is missing from the media folder and it was never tiered to the object store`);
      return storeFile(d, relPath, loc);
    }
    return {
      relPath,
      bytes,
      where: 'local',
      localFile: file,
      object: null,
      read: (start = 0, end = bytes - 1) => createReadStream(file, { start, end: Math.max(start, end) }),
    };
  }
  return storeFile(d, relPath, loc);
}

/** True when the file can be read: on disk, or tiered. */
export function mediaFileExists(d: Pick<OpenDeps, 'mediaDir' | 'locate'>, relPath: string): boolean {
  const root = resolve(d.mediaDir);
  const file = resolve(root, relPath);
  if (!file.startsWith(root + sep)) return false;
  return d.locate(relPath) !== null || existsSync(file);
}

function storeFile(d: OpenDeps, relPath: string, loc: TieredLocation): MediaFile {
  const getRange = d.getRange;
  if (!getRange)
    throw new Unavailable(
      `${relPath} was tiered to the object store (${loc.key}), but no objectStore is configured now: configure it again to read this recording`,
      'store_unavailable',
    );
  const id = `${loc.key}\0${loc.versionId ?? ''}`;
  const B = d.cache.blockBytes;
  const size = loc.bytes;
  const fail = (why: string) =>
    new Unavailable(
      `could not read ${relPath} from ${d.storeName} (object ${loc.key}): ${why}; the rest of the recording plays when the store answers again`,
      'store_unavailable',
    );

  /** One GET from block `first` through block `last`, yielding [start, end] of it and keeping whole blocks in the cache. */
  async function* fetchRun(first: number, last: number, start: number, end: number): AsyncGenerator<Buffer> {
    const from = first * B;
    const to = Math.min(size, (last + 1) * B) - 1;
    let body: Readable;
    try {
      body = await withStall(Promise.resolve(getRange!(loc.key, loc.versionId ?? undefined, from, to)), d.stallMs, 'did not answer');
    } catch (err) {
      throw fail((err as Error).message || String(err));
    }
    let pos = from;
    let block = first;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    try {
      for (;;) {
        let r: IteratorResult<Buffer>;
        try {
          r = await withStall(it.next(), d.stallMs, 'stopped sending');
        } catch (err) {
          throw fail((err as Error).message || String(err));
        }
        if (r.done) break;
        let chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
        while (chunk.length > 0) {
          const blockEnd = Math.min(size, (block + 1) * B);
          const take = Math.min(chunk.length, blockEnd - pos);
          const part = chunk.subarray(0, take);
          chunk = chunk.subarray(take);
          // What the caller asked for of this part, streamed as it arrives.
          const a = Math.max(pos, start);
          const b = Math.min(pos + take - 1, end);
          if (a <= b) yield part.subarray(a - pos, b - pos + 1);
          pending.push(part);
          pendingBytes += take;
          pos += take;
          if (pos === blockEnd) {
            await d.cache.put(id, block, Buffer.concat(pending, pendingBytes));
            pending = [];
            pendingBytes = 0;
            block++;
          }
        }
      }
      if (pos !== to + 1) throw fail(`the store sent ${pos - from} bytes of ${to + 1 - from} asked for`);
    } finally {
      body.destroy();
    }
  }

  async function* blocks(start: number, end: number): AsyncGenerator<Buffer> {
    const unpin = d.cache.pin(id);
    try {
      let b = Math.floor(start / B);
      const lastBlock = Math.floor(end / B);
      while (b <= lastBlock) {
        if (d.cache.has(id, b)) {
          const a = Math.max(start - b * B, 0);
          const z = Math.min(end - b * B + 1, Math.min(size - b * B, B));
          const buf = await d.cache.read(id, b, a, z);
          if (buf) {
            yield buf;
            b++;
            continue;
          }
        }
        // A run of blocks not here: one GET for all of them (a player reading on needs no request per block).
        let z = b;
        while (z < lastBlock && !d.cache.has(id, z + 1, false)) z++;
        yield* fetchRun(b, z, start, end);
        b = z + 1;
      }
    } finally {
      unpin();
    }
  }

  return {
    relPath,
    bytes: size,
    where: 'store',
    localFile: null,
    object: loc,
    read(start = 0, end = size - 1) {
      const e = Math.min(end, size - 1);
      if (size === 0 || start > e) return Readable.from([]);
      return Readable.from(blocks(start, e), { objectMode: false });
    },
  };
}

/** The promise, or an error saying the store `what` when it takes longer than `ms`. */
function withStall<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the store ${what} in ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
