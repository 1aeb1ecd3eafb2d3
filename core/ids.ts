import { createHash, randomBytes, randomInt } from 'node:crypto';

/** A sortable, unique id: time prefix keeps inserts in index order, the random tail keeps it unguessable. */
export function newId(now = Date.now()): string {
  return now.toString(36).padStart(9, '0') + randomBytes(8).toString('hex');
}

/** A bearer secret (session cookie, device token): 32 random bytes, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Secrets are stored only as hashes, so a copied database grants no access. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A code a person reads off one screen and types into another: digits only, no look-alikes. */
export function newPairingCode(digits = 6): string {
  let s = '';
  for (let i = 0; i < digits; i++) s += String(randomInt(10));
  return s;
}
