// What goes into a session archive (一期一档), as a list of parts each owned by the file that knows its
// rows: the archive job asks every part for its members in order and streams them into one signed zip.
// A part reads; it never writes, so an archive can be made again at any time as a new version. The
// assembly is documents/part-archive.ts's, shared with the training class file: one format, one writer.
import { createPartList, type DocumentPart, type PartContext, type PartList } from '../documents/index.ts';

export interface ArchivePartContext extends PartContext {
  sessionId: string;
}

export type ArchivePart = DocumentPart<ArchivePartContext>;
export type ArchiveParts = PartList<ArchivePartContext>;

export const createArchiveParts = (): ArchiveParts => createPartList<ArchivePartContext>();
