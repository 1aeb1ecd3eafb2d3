// After the exam: score reports and the room log, certificates and their public verification,
// 一期一档 session archives and 一人一档 person files, statistics and disclosure, and results reporting
// to the provincial exam platform. It reads other modules only through their index.ts and the event
// bus, owns its own tables, and never changes an exam's answers, marks or scores.
export { createRecordsService, type RecordsDeps, type RecordsService } from './service.ts';
export { lastSentAnchorOf } from './reporting/index.ts';
export { recordsRoutes, type RecordsRoutesOptions } from './routes.ts';
export { recordsCommands, type RecordsCliCommand, type RecordsCliContext } from './commands.ts';
export { createArchiveParts, type ArchivePart, type ArchivePartContext, type ArchiveParts } from './archive-parts.ts';
export type { Certificate, CertificateService, CertificateStatus } from './certificates/index.ts';
export { sessionArchiveTierFiles } from './tier-files.ts';
