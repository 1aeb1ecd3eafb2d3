// Image bytes as the kiosk receives them: JPEG or PNG by their first bytes, base64 checked, and
// captures written durably and sealed (storage/face-vault.ts).
import { createHash } from 'node:crypto';
import { ValidationError } from '../../core/index.ts';
import { writeFileDurably, type FaceVault } from '../../storage/index.ts';

export function jpegOk(b: Buffer): boolean {
  return b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

export function imageKind(b: Buffer): 'jpg' | 'png' | null {
  if (jpegOk(b)) return 'jpg';
  if (b.length > 4 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  return null;
}

/**
 * Seals, writes and fsyncs under a temporary name, then renames (storage/face-vault.ts): a capture is
 * acknowledged only once it would survive a power cut, a failed write (a full disk) leaves no file,
 * and no face is ever on disk in plain form. Returns the SHA-256 of the file as stored (sealed): the
 * object-store tier uploads that file unchanged and checks it against this hash (identity_attempts.capture_sha256).
 */
export function writeDurably(vault: FaceVault, file: string, bytes: Buffer): string {
  const sealed = vault.seal(bytes);
  writeFileDurably(file, sealed);
  return createHash('sha256').update(sealed).digest('hex');
}

export function decodeBase64Image(b64: string, path: string, maxBytes: number): Buffer {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64))
    throw new ValidationError([{ path, problem: 'is not base64 (send the bytes only: no data: prefix, no line breaks)' }]);
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length > maxBytes) throw new ValidationError([{ path, problem: `is ${bytes.length} bytes; the limit is ${maxBytes}` }]);
  return bytes;
}
