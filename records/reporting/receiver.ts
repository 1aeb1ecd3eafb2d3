// The reference receiver of results packages (docs/reporting.md): a small real HTTP server that checks
// each package's signature with the site's public key, stores it by package id, and answers
// idempotently (the same id again = 200 with the first receipt). The tests deliver to it; a platform
// team may read it as the executable form of the format.
//   node --import tsx records/reporting/receiver.ts --port N --key SITE_PUBLIC_KEY_FILE [--dir DIR] [--token-file FILE] [--host H]
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parsePublicKey, verifySignature } from '../../documents/index.ts';
import type { ReportReceipt } from '../protocol.ts';
import { HEADER_PACKAGE_ID, HEADER_SIGNATURE, PACKAGE_FORMAT } from './deliver.ts';

/** Far above a session of 100 candidates with photos; a bigger body is not a package. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface StoredPackage {
  id: string;
  body: Buffer;
  signature: string;
  receipt: ReportReceipt;
}

export interface ReceiverOptions {
  /** The site public key(s) a package must verify against: SPKI PEM or the raw 32 bytes as base64. */
  publicKeys: string[];
  /** Where packages are kept (one file per package, written before the receipt is sent); absent = memory only. */
  dir?: string;
  /** The bearer token sites must present; absent = none asked. */
  token?: string;
  host?: string;
  port?: number;
  /**
   * Called after a package is stored and before the receipt goes out: tests hold the reply here to kill
   * the sender between "stored at the platform" and "receipt stored at the site".
   */
  beforeReply?: (id: string) => Promise<void>;
}

export interface Receiver {
  url: string;
  port: number;
  /** Packages accepted, by id: each id once, however often it was delivered. */
  packages: Map<string, StoredPackage>;
  /** Every request, in order, with the status answered. */
  deliveries: { id: string | null; status: number; at: number }[];
  close(): Promise<void>;
}

export async function startReceiver(o: ReceiverOptions): Promise<Receiver> {
  if (o.publicKeys.length === 0) throw new Error('a receiver needs the site public key(s) to check packages against');
  const keys = o.publicKeys.map((k) => parsePublicKey(k).key);
  const packages = new Map<string, StoredPackage>();
  if (o.dir) {
    mkdirSync(o.dir, { recursive: true });
    for (const f of readdirSync(o.dir).filter((x) => x.endsWith('.json'))) {
      const p = JSON.parse(readFileSync(join(o.dir, f), 'utf8')) as { id: string; body: string; signature: string; receipt: ReportReceipt };
      packages.set(p.id, { id: p.id, body: Buffer.from(p.body, 'base64'), signature: p.signature, receipt: p.receipt });
    }
  }
  const deliveries: Receiver['deliveries'] = [];

  const answer = (res: ServerResponse, id: string | null, status: number, body: unknown) => {
    deliveries.push({ id, status, at: Date.now() });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, id: string | null, status: number, error: string, message: string) => answer(res, id, status, { error, message });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return refuse(res, null, 405, 'method', 'packages are delivered with POST');
    if (o.token !== undefined) {
      const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const a = createHash('sha256').update(given).digest();
      const b = createHash('sha256').update(o.token).digest();
      if (!timingSafeEqual(a, b)) return refuse(res, null, 401, 'token', 'missing or wrong bearer token');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > MAX_BODY_BYTES) return refuse(res, null, 413, 'too_large', `a package is at most ${MAX_BODY_BYTES} bytes`);
      chunks.push(c);
    }
    const body = Buffer.concat(chunks);
    const id = String(req.headers[HEADER_PACKAGE_ID] ?? '');
    const signature = String(req.headers[HEADER_SIGNATURE] ?? '');
    if (!id) return refuse(res, null, 400, 'package_id', `the ${HEADER_PACKAGE_ID} header is missing`);
    if (!signature) return refuse(res, id, 400, 'signature', `the ${HEADER_SIGNATURE} header is missing`);
    // The signature first: nothing in the body is believed before it verifies.
    const sig = Buffer.from(signature, 'base64');
    if (!keys.some((k) => verifySignature(k, body, sig)))
      return refuse(res, id, 403, 'signature', 'the package does not verify against the site key: changed after signing, or signed by another key');
    let pkg: { format?: unknown; packageId?: unknown };
    try {
      pkg = JSON.parse(body.toString('utf8')) as typeof pkg;
    } catch (err) {
      return refuse(res, id, 400, 'json', `the body is not JSON (${(err as Error).message})`);
    }
    if (pkg.format !== PACKAGE_FORMAT) return refuse(res, id, 400, 'format', `format is ${JSON.stringify(pkg.format)}, expected ${PACKAGE_FORMAT}`);
    if (pkg.packageId !== id) return refuse(res, id, 400, 'package_id', `the header names ${id} but the package is ${String(pkg.packageId)}`);
    const known = packages.get(id);
    if (known) {
      // Idempotent: a resend (the site never saw our reply) gets the receipt of the first delivery.
      if (!known.body.equals(body)) return refuse(res, id, 409, 'conflict', `package ${id} was received before with different content`);
      await o.beforeReply?.(id);
      return answer(res, id, 200, known.receipt);
    }
    const receipt: ReportReceipt = { packageId: id, receiptId: randomUUID(), receivedAt: new Date().toISOString() };
    const stored: StoredPackage = { id, body, signature, receipt };
    if (o.dir) {
      // Durable before acknowledged, on this side too: written and renamed before the receipt goes out.
      const file = join(o.dir, `${createHash('sha256').update(id).digest('hex').slice(0, 32)}.json`);
      writeFileSync(`${file}.tmp`, JSON.stringify({ id, body: body.toString('base64'), signature, receipt }), { flush: true });
      renameSync(`${file}.tmp`, file);
    }
    packages.set(id, stored);
    await o.beforeReply?.(id);
    return answer(res, id, 200, receipt);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) refuse(res, null, 500, 'internal', (err as Error).message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}/packages`,
    port,
    packages,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Run as a program: a receiver for trying a site's reporting by hand.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8099' },
      host: { type: 'string', default: '127.0.0.1' },
      key: { type: 'string' },
      dir: { type: 'string' },
      'token-file': { type: 'string' },
    },
  });
  if (!values.key || !existsSync(values.key)) {
    console.error('usage: receiver.ts --port N --key SITE_PUBLIC_KEY_FILE [--dir DIR] [--token-file FILE] [--host H]');
    process.exit(2);
  }
  const r = await startReceiver({
    publicKeys: [readFileSync(values.key, 'utf8')],
    port: Number(values.port),
    host: values.host,
    ...(values.dir ? { dir: values.dir } : {}),
    ...(values['token-file'] ? { token: readFileSync(values['token-file'], 'utf8').trim() } : {}),
  });
  console.log(`receiving results packages at ${r.url}`);
  const stop = () => void r.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
