// Database backups: a consistent online copy of the SQLite file (and the audit anchors and face-vault
// marker beside it), compressed, checksummed and encrypted with the backup key, kept by a keep rule in
// a folder or the object store, verified by restoring it. It never holds the key with the data, and
// never stalls a save: the copy moves in small steps beside the server's own connection.
export * from './key.ts';
export * from './format.ts';
export * from './snapshot.ts';
export * from './keep.ts';
export * from './destination.ts';
export * from './check.ts';
export * from './service.ts';
export * from './restore.ts';
