// What goes into a session archive (一期一档), as a list of parts each owned by the file that knows its
// rows: the archive job asks every part for its members in order and streams them into one signed zip.
// A part reads; it never writes, so an archive can be made again at any time as a new version.
import type { ArchiveMember } from '../documents/index.ts';

export interface ArchivePartContext {
  sessionId: string;
  /** `--with-media`: the recorded segments themselves, not only their index. */
  withMedia: boolean;
  /** Server time the archive is made at, ms. */
  now: number;
  signal?: AbortSignal;
}

export interface ArchivePart {
  /** Short stable name (`roster`, `results-sheet`, `video-index` …): the folder its members go under. */
  id: string;
  /** What a reader of docs/records.md and of the archive's meta sees for this part. */
  title: string;
  members(ctx: ArchivePartContext): Iterable<ArchiveMember> | AsyncIterable<ArchiveMember>;
}

export interface ArchiveParts {
  add(part: ArchivePart): void;
  list(): readonly ArchivePart[];
}

export function createArchiveParts(): ArchiveParts {
  const parts: ArchivePart[] = [];
  return {
    add(part) {
      if (parts.some((p) => p.id === part.id)) throw new Error(`archive part ${part.id} is added twice`);
      parts.push(part);
    },
    list: () => parts,
  };
}
