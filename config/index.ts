// The configuration: one YAML file, validated against a TypeBox schema before anything starts.
// It never half-loads: a file with any problem is refused whole, with every problem listed.
export * from './schema.ts';
export * from './load.ts';
export * from './rules.ts';
export * from './masking.ts';
export * from './gb28181.ts';
export * from './sections/backup.ts';
export * from './sections/object-store.ts';
