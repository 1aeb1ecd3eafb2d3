// The kernel every module may use: errors, clock, ids, the event bus. It imports nothing of ours.
export * from './errors.ts';
export * from './clock.ts';
export * from './ids.ts';
export * from './events.ts';
export * from './jurisdiction.ts';
export * from './address-range.ts';
export * from './schema-problems.ts';
export * from './text-table.ts';
export * from './site-time.ts';
export * from './id-number.ts';
export * from './recording-windows.ts';
export * from './error-reply.ts';
export * from './personnel.ts';
export * from './event-stream.ts';
export * from './csv.ts';
export * from './redact.ts';
