// What every section of the configuration builds with: an id's spelling and the closed object (a misspelt
// key is an error at start-up instead of a setting silently ignored).
//
// `secret:` marks what config/masking.ts hides when the config in force is shown (GET /api/system/config):
// 'value' the whole value, 'url' a URL's password and query values, 'push-url' its path too; false = the name
// sounds secret but the value is not (a file path, a public key). An unmarked secret-sounding name is hidden
// whole, and tests/config/masking.test.ts fails on it until it is marked.
import { Type } from 'typebox';

export const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'letters, digits, _ . - (max 64)' });
export const closed = { additionalProperties: false } as const;
