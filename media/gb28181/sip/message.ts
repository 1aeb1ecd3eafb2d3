// SIP messages (RFC 3261 §7): parse with strict, specific errors and serialize. A message that cannot be
// parsed is answered 400 naming the fault when it is a request whose Via we could read, else dropped —
// nothing a platform sends can throw past this file.
import { randomBytes } from 'node:crypto';

/** A malformed message: `status` is the SIP answer it deserves (400 unless the RFC says otherwise). */
export class SipParseError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'SipParseError';
  }
}

/** Largest message we accept: GB/T 28181 Catalog pages are kept under 1,300 bytes for UDP; 64 KiB bounds TCP. */
export const MAX_MESSAGE_BYTES = 65_535;

export interface SipRequest {
  kind: 'request';
  method: string;
  uri: string;
  headers: SipHeaders;
  body: Buffer;
}

export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: SipHeaders;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

// Compact forms (RFC 3261 §7.3.3) a peer may use; we always write the long form.
const COMPACT: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
};

const CANON: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'max-forwards': 'Max-Forwards',
  'content-type': 'Content-Type',
  'content-length': 'Content-Length',
  'user-agent': 'User-Agent',
  'subscription-state': 'Subscription-State',
  'x-gb-ver': 'X-GB-Ver',
};

function canonical(lower: string): string {
  return CANON[lower] ?? lower.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

/** Headers in order, names case-insensitive; multi-valued headers keep one entry per value. */
export class SipHeaders {
  private list: [string, string][] = [];

  static from(pairs: [string, string][]): SipHeaders {
    const h = new SipHeaders();
    for (const [n, v] of pairs) h.add(n, v);
    return h;
  }

  add(name: string, value: string): this {
    this.list.push([name.toLowerCase(), value]);
    return this;
  }

  set(name: string, value: string): this {
    const n = name.toLowerCase();
    const i = this.list.findIndex(([k]) => k === n);
    this.list = this.list.filter(([k], j) => k !== n || j === i);
    if (i >= 0) {
      const entry = this.list.find(([k]) => k === n);
      if (entry) entry[1] = value;
    } else this.list.push([n, value]);
    return this;
  }

  prepend(name: string, value: string): this {
    this.list.unshift([name.toLowerCase(), value]);
    return this;
  }

  get(name: string): string | undefined {
    const n = name.toLowerCase();
    return this.list.find(([k]) => k === n)?.[1];
  }

  all(name: string): string[] {
    const n = name.toLowerCase();
    return this.list.filter(([k]) => k === n).map(([, v]) => v);
  }

  delete(name: string): this {
    const n = name.toLowerCase();
    this.list = this.list.filter(([k]) => k !== n);
    return this;
  }

  /** Replace the first value of a header (the top Via, when rport/received are filled in). */
  replaceFirst(name: string, value: string): void {
    const n = name.toLowerCase();
    const e = this.list.find(([k]) => k === n);
    if (e) e[1] = value;
  }

  entries(): readonly [string, string][] {
    return this.list;
  }

  clone(): SipHeaders {
    return SipHeaders.from(this.list.map(([k, v]) => [k, v]));
  }
}

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const REQUIRED = ['via', 'from', 'to', 'call-id', 'cseq'];
// Headers whose values may be comma-separated lists we split (RFC 3261 §7.3.1); never Authorization/WWW-Authenticate.
const LIST_HEADERS = new Set(['via', 'contact', 'route', 'record-route', 'allow', 'supported']);

/** Split a header value on commas that are outside quotes and angle brackets. */
function splitList(v: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (const ch of v) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') depth++;
    else if (!quoted && ch === '>') depth--;
    if (ch === ',' && !quoted && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/**
 * Parse one whole message (datagram, or one framed message from a stream). Checks what a strict peer
 * must: start line, required headers, CSeq number and method, Content-Length against the body.
 */
export function parseMessage(buf: Buffer, stream = false): SipMessage {
  if (buf.length > MAX_MESSAGE_BYTES) throw new SipParseError(`message of ${buf.length} bytes is over ${MAX_MESSAGE_BYTES}`, 513);
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) throw new SipParseError('no blank line ends the headers (CRLF CRLF)');
  const head = buf.subarray(0, end).toString('utf8');
  let body: Buffer = buf.subarray(end + 4);
  const lines: string[] = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && lines.length > 0) lines[lines.length - 1] += ` ${line.trim()}`;
    else lines.push(line);
  }
  const start = lines.shift() ?? '';
  const headers = new SipHeaders();
  for (const [i, line] of lines.entries()) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`header line ${i + 2} has no name: "${line.slice(0, 60)}"`);
    const rawName = line.slice(0, colon).trim();
    if (!TOKEN.test(rawName)) throw new SipParseError(`header line ${i + 2} has an invalid name "${rawName.slice(0, 40)}"`);
    const lower = rawName.toLowerCase();
    const name = COMPACT[lower] ?? lower;
    const value = line.slice(colon + 1).trim();
    if (LIST_HEADERS.has(name)) for (const part of splitList(value)) headers.add(name, part);
    else headers.add(name, value);
  }
  let msg: SipMessage;
  const resp = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(start);
  if (resp) {
    msg = { kind: 'response', status: Number(resp[1]), reason: resp[2] ?? '', headers, body };
  } else {
    const req = /^([A-Za-z]+) (\S+) SIP\/2\.0$/.exec(start);
    if (!req) throw new SipParseError(`start line is neither a request nor a status line: "${start.slice(0, 80)}"`);
    msg = { kind: 'request', method: req[1] as string, uri: req[2] as string, headers, body };
    if (!/^sips?:/i.test(msg.uri)) throw new SipParseError(`Request-URI "${msg.uri.slice(0, 60)}" is not a sip: URI`, 416);
  }
  for (const r of REQUIRED) if (!headers.get(r)) throw new SipParseError(`missing ${canonical(r)} header`);
  const cseq = parseCSeq(headers.get('cseq') as string);
  if (msg.kind === 'request' && cseq.method !== msg.method)
    throw new SipParseError(`CSeq method ${cseq.method} does not match the request method ${msg.method}`);
  const cl = headers.get('content-length');
  if (cl !== undefined) {
    if (!/^\d+$/.test(cl)) throw new SipParseError(`Content-Length "${cl}" is not a number`);
    const n = Number(cl);
    if (n > body.length) throw new SipParseError(`Content-Length ${n} is more than the ${body.length} body bytes received`);
    body = body.subarray(0, n);
  } else if (stream) {
    throw new SipParseError('Content-Length is required over a stream transport (RFC 3261 §18.3)');
  }
  msg.body = body;
  return msg;
}

export function parseCSeq(v: string): { seq: number; method: string } {
  const m = /^(\d{1,10})\s+([A-Za-z]+)$/.exec(v.trim());
  if (!m || Number(m[1]) > 2 ** 31 - 1) throw new SipParseError(`CSeq "${v.slice(0, 40)}" is not "number METHOD" with number < 2^31`);
  return { seq: Number(m[1]), method: m[2] as string };
}

export function serialize(msg: SipMessage): Buffer {
  const start = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const lines = [start];
  for (const [k, v] of msg.headers.entries()) if (k !== 'content-length') lines.push(`${canonical(k)}: ${v}`);
  lines.push(`Content-Length: ${msg.body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), msg.body]);
}

/** Parameters of a header value after its first `;` (Via, From/To tag, Contact expires). */
export function headerParams(v: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const afterAngle = v.lastIndexOf('>');
  const tail = afterAngle >= 0 ? v.slice(afterAngle + 1) : v.slice(v.indexOf(';') >= 0 ? v.indexOf(';') : v.length);
  for (const part of tail.split(';').slice(afterAngle >= 0 ? 1 : 1)) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) out.set(p.toLowerCase(), null);
    else
      out.set(
        p.slice(0, eq).trim().toLowerCase(),
        p
          .slice(eq + 1)
          .trim()
          .replace(/^"|"$/g, ''),
      );
  }
  return out;
}

export function tagOf(v: string | undefined): string | null {
  return v ? (headerParams(v).get('tag') ?? null) : null;
}

export interface Via {
  transport: string;
  host: string;
  port: number | null;
  params: Map<string, string | null>;
}

export function parseVia(v: string): Via {
  const m = /^SIP\/2\.0\/([A-Za-z]+)\s+(\[[^\]]+\]|[^\s:;]+)(?::(\d+))?/.exec(v.trim());
  if (!m) throw new SipParseError(`Via "${v.slice(0, 60)}" is not SIP/2.0/TRANSPORT host[:port]`);
  const params = headerParams(v);
  const branch = params.get('branch');
  if (!branch) throw new SipParseError('top Via has no branch parameter');
  return { transport: (m[1] as string).toUpperCase(), host: m[2] as string, port: m[3] ? Number(m[3]) : null, params };
}

/** The user part of a sip: URI in a header or a bare URI (`<sip:3402…@host>` → 3402…). */
export function uriUser(v: string): string | null {
  const m = /sips?:([^@;>\s]+)@/i.exec(v);
  return m ? (m[1] as string) : null;
}

export function newBranch(): string {
  return `z9hG4bK${randomBytes(8).toString('hex')}`;
}

export function newTag(): string {
  return randomBytes(6).toString('hex');
}

export function newCallId(host: string): string {
  return `${randomBytes(10).toString('hex')}@${host}`;
}

const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here',
  488: 'Not Acceptable Here',
  489: 'Bad Event',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  513: 'Message Too Large',
};

/** A response to `req` (RFC 3261 §8.2.6): Via, From, To, Call-ID, CSeq copied; To tag added when given. */
export function responseTo(
  req: SipRequest,
  status: number,
  opts: { toTag?: string; reason?: string; headers?: [string, string][]; body?: Buffer } = {},
): SipResponse {
  const h = new SipHeaders();
  for (const v of req.headers.all('via')) h.add('via', v);
  h.add('from', req.headers.get('from') as string);
  let to = req.headers.get('to') as string;
  if (opts.toTag && !tagOf(to) && status > 100) to = `${to};tag=${opts.toTag}`;
  h.add('to', to);
  h.add('call-id', req.headers.get('call-id') as string);
  h.add('cseq', req.headers.get('cseq') as string);
  for (const [k, v] of opts.headers ?? []) h.add(k, v);
  return { kind: 'response', status, reason: opts.reason ?? REASONS[status] ?? 'Unknown', headers: h, body: opts.body ?? Buffer.alloc(0) };
}
