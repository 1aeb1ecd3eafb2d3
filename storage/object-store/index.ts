// The centre's S3-compatible object store, as the tier, its readers and the backups use it: one client
// made from plain options (the caller reads the secret and CA files), uploads verified before anyone may
// trust them, and a probe whose answer is words. It never decides what to tier or when; storage/tier does.
export * from './client.ts';
export * from './errors.ts';
export * from './probe.ts';
export * from './monitor.ts';
