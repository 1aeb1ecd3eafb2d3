// The audit key: 32 random bytes in the keys folder (KEY_FILES 'audit', so `examroom keys export|import`
// carries it) that key the audit log's chain with HMAC-SHA-256. Someone who can write the database but
// not read the keys folder can then no longer re-hash the log after removing or editing an entry.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../core/index.ts';
import { loadRandomKeyFile } from './keys.ts';

export const AUDIT_KEY_FILE = 'audit.key';

/** The key file is there but unusable, or a process that must key its entries has no key. */
export class AuditKeyError extends DomainError {
  override readonly code = 'audit_key';
  constructor(message: string) {
    super(message);
    this.name = 'AuditKeyError';
  }
}

export interface AuditKey {
  /** Names the key without revealing it: the first 16 hex of an HMAC of a fixed text. */
  id: string;
  /** HMAC-SHA-256 of `text`, hex. */
  mac(text: string): string;
  /** Compares a MAC in constant time. */
  check(text: string, mac: string): boolean;
}

export function auditKeyOf(secret: Buffer): AuditKey {
  if (secret.length !== 32) throw new AuditKeyError(`an audit key is 32 bytes, this one is ${secret.length}`);
  const mac = (text: string) => createHmac('sha256', secret).update(text).digest('hex');
  return {
    id: mac('examroom audit key id').slice(0, 16),
    mac,
    check(text, got) {
      const want = Buffer.from(mac(text), 'hex');
      const have = Buffer.from(got, 'hex');
      return have.length === want.length && timingSafeEqual(have, want);
    },
  };
}

/**
 * Reads the audit key from the keys folder; with `create`, makes it first (0600, never replacing one
 * another process made meanwhile). Null when it is absent and not to be made: a CLI run as another user,
 * or a data folder the server never ran on.
 */
export function loadAuditKey(keysDir: string, opts: { create: boolean }): AuditKey | null {
  const got = loadRandomKeyFile(keysDir, AUDIT_KEY_FILE, opts);
  if (!got) return null;
  const hex = got.text.toString('utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new AuditKeyError(`${got.where} is not an audit key (64 hex digits); restore it from the key bundle (examroom keys import)`);
  return auditKeyOf(Buffer.from(hex, 'hex'));
}
