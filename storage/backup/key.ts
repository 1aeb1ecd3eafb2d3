// The backup key: 32 random bytes in the keys folder (KEY_FILES 'backup'), made on first use, never in a
// backup itself. A backup names the key it was sealed with by an id (an HMAC of a fixed text), so a wrong
// key is told apart from a damaged file before any byte is decrypted.
import { createHmac } from 'node:crypto';
import { DomainError } from '../../core/index.ts';
import { loadRandomKeyFile } from '../keys.ts';

export const BACKUP_KEY_FILE = 'backup.key';

/** The backup key is missing or unusable, or a backup was sealed with another key. Says what to do. */
export class BackupKeyError extends DomainError {
  override readonly code = 'backup_key';
  constructor(message: string) {
    super(message);
    this.name = 'BackupKeyError';
  }
}

export interface BackupKey {
  id: string;
  key: Buffer;
}

export function backupKeyOf(secret: Buffer): BackupKey {
  if (secret.length !== 32) throw new BackupKeyError(`a backup key is 32 bytes, this one is ${secret.length}`);
  return { id: createHmac('sha256', secret).update('examroom backup key id').digest('hex').slice(0, 16), key: secret };
}

/** Parses the key file's text (64 hex digits and a newline); `where` names it in the error. */
export function parseBackupKey(text: Buffer, where: string): BackupKey {
  const hex = text.toString('utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new BackupKeyError(`${where} is not a backup key (64 hex digits); restore it from the key bundle (examroom keys import)`);
  return backupKeyOf(Buffer.from(hex, 'hex'));
}

/**
 * Reads the backup key; with `create`, makes it first (0600, never replacing one another process made
 * meanwhile). `created` says this call made it: the caller audits that, since a new key means the key
 * bundle exported before does not hold it.
 */
export function loadBackupKey(keysDir: string, opts: { create: boolean }): { key: BackupKey; created: boolean } | null {
  const got = loadRandomKeyFile(keysDir, BACKUP_KEY_FILE, opts);
  return got && { key: parseBackupKey(got.text, got.where), created: got.created };
}
