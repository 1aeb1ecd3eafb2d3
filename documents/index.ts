// Shared machinery for what records, training, exam and backups read and write as documents: the table
// reader, the zip-bomb bounds every uploaded zip is read under, the PDF kit, signed archives and their checker, the site signing key, and the job runner for
// long exports. It imports only core/ and storage/, and never knows which module's rows it carries:
// meaning belongs to the caller.
export { readTable, headerKey, TABLE_EXTENSIONS, type Table, type TableRow } from './table-file.ts';
export { xlsxRows, BANK_SHEET_LIMITS, TABLE_SHEET_LIMITS, type SheetLimits, type XlsxRow } from './sheet-rows.ts';
export { inflateBounded, ZipLimitError, type ZipBudget, type EntryBounds } from './bounded-zip.ts';
export * from './pdf-kit.ts';
export * from './signing.ts';
export * from './cancel.ts';
export * from './archive-writer.ts';
export * from './archive-check.ts';
export * from './jobs.ts';
export * from './audit-anchors.ts';
export * from './audit-check.ts';
export * from './part-archive.ts';
export * from './archive-index.ts';
