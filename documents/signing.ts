// The site signing key: one Ed25519 key in the keys folder (storage/keys.ts KEY_FILES 'site-signing',
// so `examroom keys export|import` carries it) that signs archive manifests, results packages and
// certificates. Made on first use; the private half never leaves this module's signer.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { DomainError } from '../core/index.ts';
import { createKeyFile, ensureKeysFolder, readKeyFile } from '../storage/index.ts';

export const SITE_SIGNING_KEY_FILE = 'site-signing.key';

export interface SiteSigner {
  /** First 16 bytes of SHA-256 over the raw 32-byte public key, hex: names the key in manifests and certificates. */
  keyId: string;
  /** The raw 32-byte public key, base64: what a manifest carries and a QR payload's checker needs. */
  publicKeyRaw: string;
  /** SPKI PEM, for the well-known path where the site publishes it. */
  publicKeyPem: string;
  sign(data: Buffer): Buffer;
}

/** The signing key file is there but is not an Ed25519 private key (edited, or another kind of key). */
export class SigningKeyError extends DomainError {
  override readonly code = 'signing_key';
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

/** Loads the site signing key from the keys folder, making it (0600, never replacing one) on first use. */
export function loadSiteSigner(keysDir: string): SiteSigner {
  const dir = ensureKeysFolder(keysDir);
  let pem = readKeyFile(dir, SITE_SIGNING_KEY_FILE);
  if (!pem) {
    const { privateKey } = generateKeyPairSync('ed25519');
    // Another process may have made one meanwhile; then that one is the site's key and ours is dropped.
    createKeyFile(dir, SITE_SIGNING_KEY_FILE, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    pem = readKeyFile(dir, SITE_SIGNING_KEY_FILE)!;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new SigningKeyError(`${dir}/${SITE_SIGNING_KEY_FILE} is not a readable private key (${(err as Error).message}); restore it from the key bundle`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new SigningKeyError(`${dir}/${SITE_SIGNING_KEY_FILE} holds a ${key.asymmetricKeyType} key, not Ed25519; restore it from the key bundle`);
  const pub = createPublicKey(key);
  const raw = rawPublicKey(pub);
  return {
    keyId: keyIdOf(raw),
    publicKeyRaw: raw.toString('base64'),
    publicKeyPem: pub.export({ type: 'spki', format: 'pem' }) as string,
    sign: (data) => sign(null, data, key),
  };
}

function rawPublicKey(pub: KeyObject): Buffer {
  // An Ed25519 SPKI DER is a fixed 12-byte prefix and the 32-byte key.
  return (pub.export({ type: 'spki', format: 'der' }) as Buffer).subarray(-32);
}

export function keyIdOf(rawPublicKey: Buffer): string {
  return createHash('sha256').update(rawPublicKey).digest('hex').slice(0, 32);
}

/**
 * A public key from what people and manifests carry: SPKI PEM, or the raw 32 bytes as base64.
 * Throws a DomainError naming what was wrong.
 */
export function parsePublicKey(text: string): { key: KeyObject; keyId: string } {
  let key: KeyObject;
  try {
    if (text.includes('-----BEGIN')) key = createPublicKey(text);
    else {
      const raw = Buffer.from(text.trim(), 'base64');
      if (raw.length !== 32) throw new Error(`a raw Ed25519 key is 32 bytes, this is ${raw.length}`);
      key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
    }
  } catch (err) {
    throw new DomainError(`not an Ed25519 public key (PEM or 32 bytes base64): ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new DomainError(`a ${key.asymmetricKeyType} public key, not Ed25519`);
  return { key, keyId: keyIdOf(rawPublicKey(key)) };
}

export function verifySignature(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    return verify(null, data, key, signature);
  } catch {
    return false;
  }
}
