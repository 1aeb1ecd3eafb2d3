// HTTP digest for SIP (RFC 2617 as RFC 3261 §22 uses it): MD5, with qop=auth or without qop. GB/T 28181
// platforms (WVP-GB28181-pro, provincial platforms) ask for MD5; anything else is refused by name so the
// operator sees why registration fails instead of a silent 401 loop.
import { createHash, randomBytes } from 'node:crypto';
import { SipParseError } from './message.ts';

export interface Challenge {
  realm: string;
  nonce: string;
  opaque: string | null;
  algorithm: string;
  qop: string[];
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export function parseChallenge(v: string): Challenge {
  const m = /^\s*Digest\s+(.*)$/is.exec(v);
  if (!m) throw new SipParseError(`WWW-Authenticate "${v.slice(0, 40)}" is not a Digest challenge`);
  const params = new Map<string, string>();
  const re = /([A-Za-z-]+)\s*=\s*(?:"([^"]*)"|([^,\s]+))/g;
  for (const p of (m[1] as string).matchAll(re)) params.set((p[1] as string).toLowerCase(), (p[2] ?? p[3]) as string);
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || !nonce) throw new SipParseError('digest challenge without realm or nonce');
  const algorithm = params.get('algorithm') ?? 'MD5';
  if (algorithm.toUpperCase() !== 'MD5') throw new SipParseError(`digest algorithm ${algorithm} is not supported (MD5 only)`);
  const qop = (params.get('qop') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (qop.length > 0 && !qop.includes('auth')) throw new SipParseError(`digest qop "${qop.join(',')}" offers no "auth"`);
  return { realm, nonce, opaque: params.get('opaque') ?? null, algorithm, qop };
}

/** The Authorization header value answering `ch` for one request; `nc` counts uses of this nonce. */
export function authorization(ch: Challenge, o: { username: string; password: string; method: string; uri: string; nc: number }): string {
  const ha1 = md5(`${o.username}:${ch.realm}:${o.password}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  const parts = [`username="${o.username}"`, `realm="${ch.realm}"`, `nonce="${ch.nonce}"`, `uri="${o.uri}"`];
  if (ch.qop.includes('auth')) {
    const nc = o.nc.toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    const response = md5(`${ha1}:${ch.nonce}:${nc}:${cnonce}:auth:${ha2}`);
    parts.push(`response="${response}"`, 'algorithm=MD5', `cnonce="${cnonce}"`, 'qop=auth', `nc=${nc}`);
  } else {
    parts.push(`response="${md5(`${ha1}:${ch.nonce}:${ha2}`)}"`, 'algorithm=MD5');
  }
  if (ch.opaque !== null) parts.push(`opaque="${ch.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}
