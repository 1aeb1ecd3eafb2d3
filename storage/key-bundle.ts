// The key bundle: every key in the keys folder (KEY_FILES), sealed with a passphrase, to keep offline.
// A server rebuilt from a backup of the data folder plus this bundle keeps the site CA every PC already
// trusts, and the signatures and encrypted data made with the other keys stay readable.
// scrypt (N=2^17, r=8: about 128 MiB and a few hundred ms, so guessing is slow) derives an AES-256-GCM key;
// the header (format, site, which keys) is the GCM additional data, so it cannot be altered unseen.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../core/index.ts';
import { KEY_FILES, isKeyFileName, readKeyFile, writeKeyFile } from './keys.ts';

const FORMAT = 'examroom-key-bundle';
const KDF = { name: 'scrypt', N: 2 ** 17, r: 8, p: 1 } as const;
export const MIN_PASSPHRASE = 12;

interface Header {
  format: typeof FORMAT;
  version: 1;
  site: string;
  createdAt: number;
  keys: string[];
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  iv: string;
}

interface Sealed extends Header {
  tag: string;
  data: string;
}

export interface BundleFile {
  kind: string;
  name: string;
  data: Buffer;
}

function deriveKey(passphrase: string, kdf: Header['kdf']): Buffer {
  return scryptSync(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * 1024 * 1024 });
}

function aad(h: Header): Buffer {
  // A fixed field order: the same header always gives the same bytes.
  return Buffer.from(JSON.stringify([h.format, h.version, h.site, h.createdAt, h.keys, h.kdf, h.cipher, h.iv]));
}

export function passphraseProblem(p: string): string | null {
  if (p.length < MIN_PASSPHRASE) return `must be at least ${MIN_PASSPHRASE} characters (got ${p.length})`;
  return null;
}

/** Collects every existing key file of KEY_FILES from the folder. */
export function collectKeys(dir: string): BundleFile[] {
  const out: BundleFile[] = [];
  for (const kind of KEY_FILES) {
    for (const name of kind.files) {
      const data = readKeyFile(dir, name);
      if (data) out.push({ kind: kind.id, name, data });
    }
  }
  return out;
}

export function sealKeyBundle(files: BundleFile[], passphrase: string, opts: { site: string; now: number }): string {
  const problem = passphraseProblem(passphrase);
  if (problem) throw new ValidationError([{ path: 'passphrase', problem }]);
  if (files.length === 0)
    throw new ValidationError([{ path: 'keys folder', problem: 'holds no keys to export yet (start the server once so it makes its site CA)' }]);
  const header: Header = {
    format: FORMAT,
    version: 1,
    site: opts.site,
    createdAt: opts.now,
    keys: [...new Set(files.map((f) => f.kind))],
    kdf: { ...KDF, salt: randomBytes(16).toString('base64') },
    cipher: 'aes-256-gcm',
    iv: randomBytes(12).toString('base64'),
  };
  const key = deriveKey(passphrase, header.kdf);
  const cipher = createCipheriv('aes-256-gcm', key, Buffer.from(header.iv, 'base64'));
  cipher.setAAD(aad(header));
  const plain = Buffer.from(JSON.stringify({ files: files.map((f) => ({ kind: f.kind, name: f.name, data: f.data.toString('base64') })) }));
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  const sealed: Sealed = { ...header, tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  return `${JSON.stringify(sealed, null, 1)}\n`;
}

/** Reads the header without the passphrase: which site and keys a bundle holds. */
export function bundleHeader(text: string, where = 'bundle'): Sealed {
  let v: Partial<Sealed>;
  try {
    v = JSON.parse(text) as Partial<Sealed>;
  } catch {
    throw new ValidationError([{ path: where, problem: 'is not an examroom key bundle (not JSON)' }]);
  }
  if (v?.format !== FORMAT) throw new ValidationError([{ path: where, problem: `is not an examroom key bundle (format is ${JSON.stringify(v?.format)})` }]);
  if (v.version !== 1) throw new ValidationError([{ path: where, problem: `is key bundle version ${String(v.version)}; this examroom reads version 1` }]);
  if (v.kdf?.name !== 'scrypt' || v.cipher !== 'aes-256-gcm' || typeof v.data !== 'string' || typeof v.tag !== 'string' || typeof v.iv !== 'string') {
    throw new ValidationError([{ path: where, problem: 'is damaged (header fields missing)' }]);
  }
  // An attacker-chosen cost would let a planted file exhaust memory before the passphrase is checked.
  if (v.kdf.N > 2 ** 20 || v.kdf.r > 16 || v.kdf.p > 4) throw new ValidationError([{ path: where, problem: 'asks for an unreasonable scrypt cost' }]);
  return v as Sealed;
}

export function openKeyBundle(text: string, passphrase: string, where = 'bundle'): { header: Sealed; files: BundleFile[] } {
  const header = bundleHeader(text, where);
  const key = deriveKey(passphrase, header.kdf);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.iv, 'base64'));
  decipher.setAAD(aad(header));
  decipher.setAuthTag(Buffer.from(header.tag, 'base64'));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(Buffer.from(header.data, 'base64')), decipher.final()]);
  } catch {
    throw new ValidationError([{ path: where, problem: 'cannot be opened: wrong passphrase, or the file was altered' }]);
  }
  const body = JSON.parse(plain.toString('utf8')) as { files: { kind: string; name: string; data: string }[] };
  const files = body.files.map((f) => {
    if (!isKeyFileName(f.name))
      throw new ValidationError([{ path: where, problem: `names a key file ${JSON.stringify(f.name)} that is not a plain file name` }]);
    return { kind: f.kind, name: f.name, data: Buffer.from(f.data, 'base64') };
  });
  return { header, files };
}

export interface RestoreResult {
  written: string[];
  unchanged: string[];
  /** Files that existed with other content: replaced only with force. */
  differing: string[];
}

/**
 * Writes the bundle's files into the keys folder. A file already there with other content is a key
 * made since (a new CA after the old one was lost): it is replaced only when force is given, because
 * replacing it is the point of a restore but must be a decision, not an accident.
 */
export function restoreKeyBundle(dir: string, files: BundleFile[], opts: { force: boolean; now: number }): RestoreResult {
  const r: RestoreResult = { written: [], unchanged: [], differing: [] };
  for (const f of files) {
    const have = readKeyFile(dir, f.name);
    if (have && have.length === f.data.length && timingSafeEqual(have, f.data)) r.unchanged.push(f.name);
    else if (have) r.differing.push(f.name);
  }
  if (r.differing.length > 0 && !opts.force) return r;
  for (const f of files) {
    if (r.unchanged.includes(f.name)) continue;
    // The key being replaced stays in the folder under another name (not in any bundle): a restore
    // done by mistake can still be undone by hand.
    const before = r.differing.includes(f.name) ? readKeyFile(dir, f.name) : null;
    if (before) writeKeyFile(dir, `${f.name}.replaced-${opts.now}`, before);
    writeKeyFile(dir, f.name, f.data);
    r.written.push(f.name);
  }
  return r;
}
