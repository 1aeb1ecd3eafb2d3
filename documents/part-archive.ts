// An archive made of parts: the one way every 一期一档 is put together — an exam session's (records/archive)
// and a training class's (training/archive). Each part is owned by the file that knows its rows and
// yields its members under its own folder; the parts are streamed in order into one signed zip by
// writeArchive, and progress is reported per part. The caller owns the meaning (meta, the index row,
// the status change); this file owns only the assembly, so both archives have one format.
import { existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { isSealedFile, type MediaReader } from '../storage/index.ts';
import { writeArchive, type ArchiveMember, type ArchiveWritten } from './archive-writer.ts';
import type { SiteSigner } from './signing.ts';

/** What every part of every archive is told; an archive kind adds what it is of (a session, a class). */
export interface PartContext {
  /** `--with-media`: the recorded segments themselves, not only their index. */
  withMedia: boolean;
  /** Server time the archive is made at, ms. */
  now: number;
  signal?: AbortSignal;
}

export interface DocumentPart<C extends PartContext = PartContext> {
  /** Short stable name (`roster`, `report`, `video-index` …): the folder its members go under. */
  id: string;
  /** What a reader of the docs and of the archive's meta sees for this part. */
  title: string;
  members(ctx: C): Iterable<ArchiveMember> | AsyncIterable<ArchiveMember>;
}

export interface PartList<C extends PartContext = PartContext> {
  add(part: DocumentPart<C>): void;
  list(): readonly DocumentPart<C>[];
}

export function createPartList<C extends PartContext>(): PartList<C> {
  const parts: DocumentPart<C>[] = [];
  return {
    add(part) {
      if (parts.some((p) => p.id === part.id)) throw new Error(`archive part ${part.id} is added twice`);
      parts.push(part);
    },
    list: () => parts,
  };
}

/** Keys whose epoch-millisecond values are instants: written as ISO 8601 (UTC) so a person can read them. */
const INSTANT_KEY = /^(at|start|end|lastAt|from|to)$|At$|Until$/;

/** One JSON member; instants as ISO 8601 strings. */
export function jsonMember(path: string, value: unknown, mtime?: number): ArchiveMember {
  const text = JSON.stringify(value, (key, v) => (typeof v === 'number' && INSTANT_KEY.test(key) && v > 1e11 ? new Date(v).toISOString() : v), 2);
  return { path, source: Buffer.from(`${text}\n`), ...(mtime !== undefined ? { mtime } : {}) };
}

/**
 * A stored file under `root` as a member, or null when it is missing (or points outside root). Face
 * images are stored sealed (storage/face-vault.ts) and go in as stored: the manifest flags them, so
 * checking the archive never needs the face key.
 */
export function storedFileMember(root: string, relative: string | null, path: string): { member: ArchiveMember; bytes: number } | null {
  if (!relative) return null;
  const base = resolve(root);
  const file = resolve(base, relative);
  if (!file.startsWith(base + sep) || !existsSync(file)) return null;
  const st = statSync(file);
  if (!st.isFile()) return null;
  return { member: { path, source: { file }, mtime: st.mtimeMs, encrypted: isSealedFile(file) }, bytes: st.size };
}

/**
 * A recorded media file (a segment, by its path relative to the media folder) as a member, read from
 * wherever it lives now: the local file, or the object store's copy once tiered — streamed by ranges
 * as the zip takes it, never fetched whole first. The writer hashes what it reads into the manifest.
 */
export function mediaFileMember(files: MediaReader, relPath: string, path: string, mtime: number): ArchiveMember {
  const f = files.open(relPath);
  return { path, source: f.where === 'local' ? { file: f.localFile! } : { stream: () => f.read() }, mtime };
}

/** 2026-03-10T02:30:00.000Z → 20260310T023000Z: sorts by time, no characters a file system minds. */
export const archiveStamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

export interface PartsProgress {
  /** Parts finished, of `parts`. */
  partsDone: number;
  parts: number;
  part: string;
  members: number;
  bytes: number;
}

/**
 * Streams every part's members, in order, into one signed archive at `file`. A part's paths are relative
 * to its folder; one that already names its folder is taken as is. `meta.parts` is added (id and title of
 * each, in order) so a reader of the manifest sees what the archive was meant to hold.
 */
export async function writePartsArchive<C extends PartContext>(o: {
  file: string;
  parts: readonly DocumentPart<C>[];
  ctx: C;
  signer: SiteSigner;
  meta: Record<string, unknown>;
  onProgress?: (p: PartsProgress) => void;
}): Promise<ArchiveWritten> {
  const list = o.parts;
  if (list.length === 0) throw new Error('an archive needs at least one part');
  let partIndex = 0;
  async function* members(): AsyncGenerator<ArchiveMember> {
    for (const [i, part] of list.entries()) {
      partIndex = i;
      for await (const m of part.members(o.ctx)) yield m.path.startsWith(`${part.id}/`) ? m : { ...m, path: `${part.id}/${m.path}` };
    }
    partIndex = list.length;
  }
  const written = await writeArchive({
    file: o.file,
    members: members(),
    signer: o.signer,
    createdAt: o.ctx.now,
    meta: { ...o.meta, parts: list.map((x) => ({ id: x.id, title: x.title })) },
    ...(o.ctx.signal ? { signal: o.ctx.signal } : {}),
    onProgress: (x) =>
      o.onProgress?.({ partsDone: partIndex, parts: list.length, part: list[Math.min(partIndex, list.length - 1)]!.id, members: x.members, bytes: x.bytes }),
  });
  o.onProgress?.({ partsDone: list.length, parts: list.length, part: list[list.length - 1]!.id, members: written.members, bytes: written.bytes });
  return written;
}
