// Storage: the SQLite database (schema, migrations, repositories), the data folder layout and the
// audit log. It imports only core/. It never decides policy; callers do.
export * from './db.ts';
export * from './paths.ts';
export * from './audit.ts';
export * from './audit-key.ts';
export * from './users.ts';
export * from './devices.ts';
export * from './media-store.ts';
export * from './durable-file.ts';
export * from './retention.ts';
export * from './disk-forecast.ts';
export { migrations, type Migration } from './migrations/index.ts';
export * from './keys.ts';
export * from './key-bundle.ts';
export * from './face-retention.ts';
export * from './face-vault.ts';
export * from './media-reader/index.ts';
export * from './tier/index.ts';
export * from './backup/index.ts';
// The object-store client is imported from ./object-store/index.ts directly, so only its users load the AWS SDK.
