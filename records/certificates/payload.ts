// The signed payload a certificate's QR code carries after `records.verifyBaseUrl/`: the few fields a
// checker compares with the paper in their hand, and an Ed25519 signature by the site key, so a phone
// online or a checker offline with the published key can tell a genuine certificate from an edited one.
//
// Wire form: base64url( BODY ‖ SIGNATURE ), SIGNATURE = the last 64 bytes, over BODY's exact bytes.
// BODY = UTF-8 text, fields separated by "|":
//   EC1 | keyId (first 8 hex) | number | name | masked ID | category code | operation item | session date | valid until
// Dates are YYYYMMDD on the site calendar. Text, not a binary layout, so `base64 -d` shows a person
// what was signed (docs/records.md "Certificates"). Kept short: the QR must stay easy to scan.
import type { KeyObject } from 'node:crypto';
import { verifySignature } from '../../documents/index.ts';
import type { Category } from '../../exam/index.ts';

export const PAYLOAD_VERSION = 'EC1';
const SIGNATURE_BYTES = 64;
/** Far above a real payload (~200 characters); anything longer is not ours and is not decoded. */
export const MAX_PAYLOAD_CHARS = 1000;

/** One letter per personnel category: Z 主要负责人, A 安全生产管理人员, T 特种作业人员. */
export const CATEGORY_CODES: Record<Category, string> = { principal: 'Z', safety_manager: 'A', special_operation: 'T' };

export interface CertificateClaims {
  number: string;
  name: string;
  maskedId: string;
  category: Category;
  operationClass: string | null;
  /** YYYY-MM-DD */
  sessionDate: string;
  /** YYYY-MM-DD: the last day the result is valid, on the site calendar. */
  validUntil: string;
}

/** "|" inside a name would move every later field; a full-width bar reads the same on paper. */
export const payloadField = (s: string) => s.replace(/\|/g, '｜').trim();
const compactDate = (d: string) => d.replaceAll('-', '');
const isoDate = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;

export function payloadBody(c: CertificateClaims, keyId: string): Buffer {
  const parts = [
    PAYLOAD_VERSION,
    keyId.slice(0, 8),
    c.number,
    payloadField(c.name),
    c.maskedId,
    CATEGORY_CODES[c.category],
    payloadField(c.operationClass ?? ''),
    compactDate(c.sessionDate),
    compactDate(c.validUntil),
  ];
  return Buffer.from(parts.join('|'), 'utf8');
}

export function encodePayload(body: Buffer, signature: Buffer): string {
  if (signature.length !== SIGNATURE_BYTES) throw new Error(`an Ed25519 signature is ${SIGNATURE_BYTES} bytes, got ${signature.length}`);
  return Buffer.concat([body, signature]).toString('base64url');
}

export type DecodedPayload = { ok: true; claims: CertificateClaims; keyId: string } | { ok: false; problem: string };

export interface TrustedKey {
  keyId: string;
  key: KeyObject;
}

/**
 * Checks the signature first and believes nothing in the body before it passes. `keys`: the site's key
 * (and earlier ones, should a site ever replace its key); the body's key id picks one. Asked for only
 * once the payload has the certificate's shape, so a stray request never makes the site key.
 */
export function decodePayload(text: string, keys: () => readonly TrustedKey[]): DecodedPayload {
  if (text === '') return { ok: false, problem: 'no code given' };
  if (text.length > MAX_PAYLOAD_CHARS) return { ok: false, problem: `the code is ${text.length} characters long; a certificate's is about 200` };
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return { ok: false, problem: 'the code has characters base64url does not use' };
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length <= SIGNATURE_BYTES + PAYLOAD_VERSION.length) return { ok: false, problem: 'the code is too short to hold a signed certificate' };
  const body = bytes.subarray(0, bytes.length - SIGNATURE_BYTES);
  const signature = bytes.subarray(bytes.length - SIGNATURE_BYTES);
  const text8 = body.toString('utf8');
  const parts = text8.split('|');
  if (parts[0] !== PAYLOAD_VERSION || parts.length !== 9) return { ok: false, problem: 'the code is not a certificate of this appliance (unknown format)' };
  const kid = parts[1]!;
  const key = keys().find((k) => k.keyId.startsWith(kid) && kid.length === 8);
  if (!key) return { ok: false, problem: `signed by key ${kid}, which is not this site's signing key` };
  if (!verifySignature(key.key, body, signature))
    return { ok: false, problem: 'the signature does not match the fields: the code was edited or made elsewhere' };
  const [, , number, name, maskedId, cat, op, date, until] = parts as [string, string, string, string, string, string, string, string, string];
  const category = (Object.entries(CATEGORY_CODES) as [Category, string][]).find(([, code]) => code === cat)?.[0];
  if (!category || !/^\d{8}$/.test(date) || !/^\d{8}$/.test(until)) return { ok: false, problem: 'the signed fields are not in the expected form' };
  return {
    ok: true,
    keyId: key.keyId,
    claims: { number, name, maskedId, category, operationClass: op === '' ? null : op, sessionDate: isoDate(date), validUntil: isoDate(until) },
  };
}
