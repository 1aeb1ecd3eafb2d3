// One delivery attempt of a results package over HTTP(S) (docs/reporting.md): POST the signed bytes with
// the signature and the package id in headers, and read the platform's receipt. The token comes from its
// file at each attempt (so a renewed token needs no restart) and is never put into an error or a log.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import type { ReportReceipt } from '../protocol.ts';

/** The package's `format` field: a receiver refuses what it does not know. */
export const PACKAGE_FORMAT = 'examroom-results/1';

export const HEADER_PACKAGE_ID = 'x-examroom-package-id';
export const HEADER_SIGNATURE = 'x-examroom-signature';
export const HEADER_KEY_ID = 'x-examroom-key-id';
export const HEADER_SITE = 'x-examroom-site';

/** A receipt is small; a platform answering megabytes is not answering us. */
const MAX_REPLY_BYTES = 64 * 1024;

export interface DeliveryTarget {
  url: string;
  caFile: string | null;
  tokenFile: string | null;
  timeoutMs: number;
  siteId: string;
}

export interface DeliveryPackage {
  id: string;
  body: Buffer;
  signature: string;
  keyId: string;
}

export type DeliveryOutcome = { ok: true; statusCode: number; receipt: ReportReceipt } | { ok: false; statusCode: number | null; error: string };

export async function deliver(target: DeliveryTarget, pkg: DeliveryPackage, signal?: AbortSignal): Promise<DeliveryOutcome> {
  let token: string | null = null;
  let ca: Buffer | undefined;
  try {
    if (target.tokenFile) token = readFileSync(target.tokenFile, 'utf8').trim();
  } catch (err) {
    return { ok: false, statusCode: null, error: `reporting.tokenFile ${target.tokenFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    if (target.caFile) ca = readFileSync(target.caFile);
  } catch (err) {
    return { ok: false, statusCode: null, error: `reporting.caFile ${target.caFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const url = new URL(target.url);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': pkg.body.length,
    [HEADER_PACKAGE_ID]: pkg.id,
    [HEADER_SIGNATURE]: pkg.signature,
    [HEADER_KEY_ID]: pkg.keyId,
    [HEADER_SITE]: target.siteId,
  };
  if (token) headers.authorization = `Bearer ${token}`;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const timeout = AbortSignal.timeout(target.timeoutMs);
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res: { statusCode: number; text: string };
  try {
    res = await new Promise((resolve, reject) => {
      const req = send(url, { method: 'POST', headers, signal: both, ...(ca ? { ca } : {}) }, (r: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        r.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_REPLY_BYTES) r.destroy(new Error(`the reply is larger than ${MAX_REPLY_BYTES} bytes`));
          else chunks.push(c);
        });
        r.on('end', () => resolve({ statusCode: r.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        r.on('error', reject);
      });
      req.on('error', reject);
      req.end(pkg.body);
    });
  } catch (err) {
    if (timeout.aborted) return { ok: false, statusCode: null, error: `no reply within ${target.timeoutMs / 1000} s` };
    if (signal?.aborted) return { ok: false, statusCode: null, error: 'the service stopped during this attempt; resent at the next start' };
    const e = err as NodeJS.ErrnoException;
    return { ok: false, statusCode: null, error: `${e.code ? `${e.code}: ` : ''}${e.message}` };
  }
  if (res.statusCode < 200 || res.statusCode >= 300)
    return { ok: false, statusCode: res.statusCode, error: `HTTP ${res.statusCode}: ${replyReason(res.text)}` };
  let receipt: unknown;
  try {
    receipt = JSON.parse(res.text);
  } catch {
    return { ok: false, statusCode: res.statusCode, error: `HTTP ${res.statusCode}, but the reply is not JSON: ${clip(res.text)}` };
  }
  const r = receipt as Partial<ReportReceipt> | null;
  if (!r || typeof r.receiptId !== 'string' || !r.receiptId || typeof r.receivedAt !== 'string' || r.packageId !== pkg.id)
    return { ok: false, statusCode: res.statusCode, error: `HTTP ${res.statusCode}, but the reply is not a receipt for ${pkg.id}: ${clip(res.text)}` };
  return { ok: true, statusCode: res.statusCode, receipt: { packageId: r.packageId, receiptId: r.receiptId, receivedAt: r.receivedAt } };
}

function replyReason(text: string): string {
  try {
    const j = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof j.message === 'string') return clip(j.message);
    if (typeof j.error === 'string') return clip(j.error);
  } catch {
    // Not JSON: the text itself, shortened.
  }
  return clip(text) || '(no reason given)';
}

const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s).replace(/\s+/g, ' ').trim();

/**
 * Exponential from 1 s, capped, with jitter (half the delay fixed, half random): a fleet of sites coming
 * back after a platform outage does not knock on the same second.
 */
export function backoffMs(failures: number, capMs: number, random = Math.random): number {
  const d = Math.min(capMs, 1000 * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.round(d / 2 + (random() * d) / 2);
}
