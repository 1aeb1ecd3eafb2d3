// 一期一档, the session archive: the core parts, the archive job with its index and the session's move
// to archived, the CLI (`examroom archive session|verify|list`) and the HTTP routes. It reads other
// modules only through their index.ts and never deletes an archive or anything it lists.
export { coreArchiveParts } from './core-parts.ts';
export { jsonMember } from '../../documents/index.ts';
export { createSessionArchives, ARCHIVE_JOB, ARCHIVE_KIND, type SessionArchives, type ArchiveJobParams, type ArchiveMade } from './service.ts';
export type { SessionArchive } from './store.ts';
export { PLAIN_ARCHIVE_KIND, NO_ARCHIVE_EXPORT_BASIS, plainFileName, type PlainExport } from './plain.ts';
export { archiveRoutes } from './routes.ts';
export { archiveCommands } from './commands.ts';
