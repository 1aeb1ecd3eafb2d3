// Shared machinery for what records, training, exam and backups read and write as documents: today the
// table reader (CSV, .xlsx, JSON rows as people see them in Excel). It imports only core/ and storage/,
// and never knows which module's rows it carries: meaning belongs to the caller.
export { readTable, headerKey, TABLE_EXTENSIONS, type Table, type TableRow } from './table-file.ts';
