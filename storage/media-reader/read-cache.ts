// The bounded local read cache of tiered media: the blocks of objects just read from the store, kept in
// one sparse file per object under a folder of its own — never inside the media folder, so nothing
// (retention, the disk forecast, the tier's "local copy" test) ever takes a cached copy for the file
// itself. Blocks are fixed-size and aligned, so a player's many small range requests and ffmpeg's seeks
// both land on blocks already here; only whole blocks read to their end are kept. The bound is in bytes;
// when a new block would pass it, the least recently used objects not being read now are dropped whole.
// The index is in memory: the folder is emptied when first used and removed at close (a cache, not a store).
import { mkdirSync, rmSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** 1 MiB: a second or two of a 5–8 Mbit/s camera; small enough that the first one costs little before the first byte. */
export const DEFAULT_BLOCK_BYTES = 1024 * 1024;

interface Entry {
  file: string;
  blocks: Set<number>;
  bytes: number;
  usedAt: number;
  /** Readers holding it now: never dropped while one reads. */
  pins: number;
  handle: Promise<FileHandle> | null;
}

export interface ReadCacheStats {
  bytes: number;
  maxBytes: number;
  objects: number;
  hits: number;
  misses: number;
  evicted: number;
}

export interface ReadCache {
  readonly blockBytes: number;
  /** Marks the object in use until the returned function is called. */
  pin(id: string): () => void;
  /** Whether the block is here; `count` false = a look-ahead, not a read (kept out of hits and misses). */
  has(id: string, block: number, count?: boolean): boolean;
  /** Reads [start, end) of a cached block's bytes (null when it is gone meanwhile). */
  read(id: string, block: number, start: number, end: number): Promise<Buffer | null>;
  /** Keeps a whole block just read from the store (refused silently when the bound cannot make room). */
  put(id: string, block: number, data: Buffer): Promise<void>;
  stats(): ReadCacheStats;
  close(): Promise<void>;
}

export function createReadCache(o: { dir: string; maxBytes: number; blockBytes?: number }): ReadCache {
  const blockBytes = o.blockBytes ?? DEFAULT_BLOCK_BYTES;
  // Made at the first block kept: a reader with no store never touches the disk.
  let made = false;
  const ensureDir = () => {
    if (made) return;
    rmSync(o.dir, { recursive: true, force: true });
    mkdirSync(o.dir, { recursive: true, mode: 0o700 });
    made = true;
  };
  const entries = new Map<string, Entry>();
  let total = 0;
  let hits = 0;
  let misses = 0;
  let evicted = 0;
  let tick = 0;
  const nameOf = (id: string) => join(o.dir, createHash('sha256').update(id).digest('hex').slice(0, 32));

  const entry = (id: string): Entry => {
    let e = entries.get(id);
    if (!e) {
      e = { file: nameOf(id), blocks: new Set(), bytes: 0, usedAt: ++tick, pins: 0, handle: null };
      entries.set(id, e);
    }
    return e;
  };
  const handleOf = (e: Entry) => {
    // 'a+' would ignore positions on Linux: create first, then open for positional writes.
    e.handle ??= open(e.file, 'a').then((h) => h.close().then(() => open(e.file, 'r+')));
    return e.handle;
  };
  const drop = (id: string, e: Entry) => {
    entries.delete(id);
    total -= e.bytes;
    evicted++;
    const h = e.handle;
    e.handle = null;
    void (async () => {
      if (h) await (await h.catch(() => null))?.close().catch(() => {});
      await rm(e.file, { force: true });
    })();
  };
  /** Frees room for `need` bytes, oldest use first, skipping objects being read; false when it cannot. */
  const makeRoom = (need: number, keep: string): boolean => {
    if (need > o.maxBytes) return false;
    if (total + need <= o.maxBytes) return true;
    const idle = [...entries].filter(([id, e]) => id !== keep && e.pins === 0 && e.bytes > 0).sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [id, e] of idle) {
      drop(id, e);
      if (total + need <= o.maxBytes) return true;
    }
    return false;
  };

  return {
    blockBytes,
    pin(id) {
      const e = entry(id);
      e.pins++;
      e.usedAt = ++tick;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        e.pins--;
        // An object read to nothing (a store error at once) leaves no empty entry behind.
        if (e.pins === 0 && e.bytes === 0 && entries.get(id) === e) {
          entries.delete(id);
          if (e.handle)
            void e.handle
              .then((h) => h.close())
              .then(
                () => rm(e.file, { force: true }),
                () => {},
              );
        }
      };
    },
    has(id, block, count = true) {
      const ok = entries.get(id)?.blocks.has(block) ?? false;
      if (!count) return ok;
      if (ok) hits++;
      else misses++;
      return ok;
    },
    async read(id, block, start, end) {
      const e = entries.get(id);
      if (!e?.blocks.has(block)) return null;
      e.usedAt = ++tick;
      const buf = Buffer.allocUnsafe(end - start);
      const h = await handleOf(e);
      const { bytesRead } = await h.read(buf, 0, end - start, block * blockBytes + start);
      return bytesRead === end - start ? buf : null;
    },
    async put(id, block, data) {
      const e = entry(id);
      if (e.blocks.has(block) || !makeRoom(data.length, id)) return;
      ensureDir();
      // Counted before the write so two blocks written at once cannot both pass the bound.
      total += data.length;
      e.bytes += data.length;
      try {
        const h = await handleOf(e);
        await h.write(data, 0, data.length, block * blockBytes);
        if (entries.get(id) === e) e.blocks.add(block);
      } catch {
        if (entries.get(id) === e) {
          total -= data.length;
          e.bytes -= data.length;
        }
      }
    },
    stats: () => ({ bytes: total, maxBytes: o.maxBytes, objects: [...entries.values()].filter((e) => e.bytes > 0).length, hits, misses, evicted }),
    async close() {
      for (const e of entries.values()) if (e.handle) await (await e.handle.catch(() => null))?.close().catch(() => {});
      entries.clear();
      total = 0;
      if (made) await rm(o.dir, { recursive: true, force: true });
      made = false;
    },
  };
}
