// The one way every reader of recorded media (playback, excerpts, archives with media, GB/T 28181
// Playback/Download) opens a media-folder file by its relative path: the local file, or — once the tier
// has moved it to the object store and deleted the local copy — ranged GETs of the version written,
// streamed, never downloaded whole first, through a bounded read cache of what was just read. It must
// never write into the media folder, and a cached copy never counts as the local file.
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createLoopback, type FfmpegInputs } from './loopback.ts';
import { createReadCache, type ReadCacheStats } from './read-cache.ts';
import { mediaFileExists, openMediaFile, type GetRange, type MediaFile, type TieredLocation } from './reader.ts';

export type { FfmpegInputs, GetRange, MediaFile, ReadCacheStats, TieredLocation };

/** 1 GiB: about half an hour of four 5 Mbit/s cameras — what a person replays around one incident. */
export const DEFAULT_READ_CACHE_BYTES = 1024 ** 3;
/** A store that sends nothing for this long is taken as down: the player says so instead of waiting on. */
export const DEFAULT_STALL_MS = 15_000;

export interface MediaReaderOptions {
  mediaDir: string;
  /** Where the read cache lives: outside the media folder (emptied at start). */
  cacheDir: string;
  cacheBytes?: number;
  blockBytes?: number;
  stallMs?: number;
  /** The tier's row store: where a tiered file is (null = local only). Absent = nothing is tiered. */
  locate?: (relPath: string) => TieredLocation | null;
  /** The object store's ranged GET; absent = no store configured (a tiered file then says so). */
  getRange?: GetRange;
  /** For messages: "the object store at https://s3.example/bucket". */
  storeName?: string;
}

export interface MediaReader {
  /** The file by path relative to the media folder; NotFound when neither the folder nor the store has it. */
  open(relPath: string): MediaFile;
  exists(relPath: string): boolean;
  /** Bytes start..end (inclusive) of a file, streamed. */
  read(relPath: string, start?: number, end?: number): Readable;
  /** The files as ffmpeg inputs for one use (a concat list, a remux): release() when ffmpeg is done. */
  ffmpegInputs(relPaths: string[]): Promise<FfmpegInputs>;
  cacheStats(): ReadCacheStats;
  /** Tokens of ffmpeg uses not yet released. */
  openLeases(): number;
  close(): Promise<void>;
}

/** The cache folder of a data folder: beside the media folder, never in it. */
export const readCacheDir = (dataRoot: string) => join(dataRoot, 'cache', 'media-read');

export function createMediaReader(o: MediaReaderOptions): MediaReader {
  const cache = createReadCache({ dir: o.cacheDir, maxBytes: o.cacheBytes ?? DEFAULT_READ_CACHE_BYTES, ...(o.blockBytes ? { blockBytes: o.blockBytes } : {}) });
  const loopback = createLoopback();
  const deps = {
    mediaDir: o.mediaDir,
    locate: o.locate ?? (() => null),
    getRange: o.getRange ?? null,
    cache,
    storeName: o.storeName ?? 'the object store',
    stallMs: o.stallMs ?? DEFAULT_STALL_MS,
  };
  const api: MediaReader = {
    open: (relPath) => openMediaFile(deps, relPath),
    exists: (relPath) => mediaFileExists(deps, relPath),
    read: (relPath, start, end) => api.open(relPath).read(start, end),
    ffmpegInputs: (relPaths) => loopback.lease(relPaths.map(api.open)),
    cacheStats: () => cache.stats(),
    openLeases: () => loopback.leases(),
    async close() {
      await loopback.close();
      await cache.close();
    },
  };
  return api;
}
