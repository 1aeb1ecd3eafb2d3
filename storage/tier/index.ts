// The tier to an S3-compatible object store: files of the media, captures and archives folders that are
// closed and older than hotDays move to the centre's store, verified before the local copy goes. The index
// (tier_objects) says where each file lives; `locate` is how every reader finds out. Nothing that is not
// verified remote is ever deleted locally; nothing is deleted remotely inside retention.
export * from './rows.ts';
export * from './keys.ts';
export * from './worker.ts';
export * from './providers.ts';
