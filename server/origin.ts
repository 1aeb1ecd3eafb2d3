// Which origins are the appliance's own — the one rule, used by the cross-site guard for state-changing
// requests (server/cross-site.ts) and here for WebSocket upgrades — and the refusal of an upgrade asked by
// a page of any other origin. A browser sends the cookies of whoever is signed in here with an upgrade that any page may
// ask for, and the same-origin policy does not cover WebSockets: without this, a page elsewhere on the
// LAN (or another port of this host, same "site" for SameSite) could read a console's alerts and video.
import type { FastifyInstance } from 'fastify';
import { Forbidden } from '../core/index.ts';
import type { Config } from '../config/index.ts';

/** What of a request decides which origins are own: the Host it came on and over what (Fastify: request.host, request.protocol). */
export interface RequestPlace {
  host: string;
  protocol: string;
}

const defaultPort = (scheme: string) => (scheme === 'https' || scheme === 'wss' ? 443 : 80);

/** `examroom.lan:8443` → name and port (the scheme's default port when none is written); null when unreadable. */
function nameAndPort(authority: string, scheme: string): { name: string; port: number } | null {
  try {
    const u = new URL(`${scheme}://${authority}`);
    return { name: u.hostname.toLowerCase(), port: u.port ? Number(u.port) : defaultPort(scheme) };
  } catch {
    return null;
  }
}

/** What of the server config decides which origins are own; `tls` says which scheme server.port serves. */
export type OwnServer = Pick<Config['server'], 'names' | 'port' | 'httpPort'> & { tls?: unknown };

/**
 * Whether `origin` (an Origin header) is a page of this appliance: its name is the Host this request
 * came on or one of server.names, and its port and scheme are those this request came on, server.port's
 * (https with TLS) or server.httpPort's (http: the plain-HTTP CA page). One port serves one scheme, so
 * `https://name:8080` is no page of an appliance whose 8080 speaks plain HTTP.
 * "null" (a sandboxed frame, a file) and anything unreadable are not own.
 */
export function isOwnOrigin(origin: string, request: RequestPlace, server: OwnServer): boolean {
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
  const scheme = o.protocol.slice(0, -1);
  const from = { name: o.hostname.toLowerCase(), port: o.port ? Number(o.port) : defaultPort(scheme) };
  const here = nameAndPort(request.host, request.protocol);
  if (!here) return false;
  const names = new Set([here.name, ...server.names.map((n) => n.toLowerCase())]);
  // URL writes an IPv6 host in brackets, as the Origin header does; a configured name is written bare.
  if (!names.has(from.name) && !names.has(from.name.replace(/^\[(.*)\]$/, '$1'))) return false;
  // Port → the scheme it serves; the request's own place last, as it is what this port spoke just now.
  const ports = new Map<number, string>([[server.port, server.tls ? 'https' : 'http']]);
  if (server.httpPort) ports.set(server.httpPort, 'http');
  ports.set(here.port, request.protocol);
  return ports.get(from.port) === scheme;
}

/**
 * Refuses (403, before the upgrade) a WebSocket asked for by a page that is not this appliance's.
 * An upgrade without Origin is no browser's (RFC 6455 §4.1 makes browsers send it): the bench, the
 * tests, a device tool holding its own token. Register after the WebSocket plugin (it marks upgrades).
 */
export function installUpgradeOriginCheck(app: FastifyInstance, server: OwnServer): void {
  app.addHook('onRequest', async (request) => {
    if (!request.ws) return;
    const origin = request.headers.origin;
    if (origin === undefined || isOwnOrigin(origin, request, server)) return;
    request.log.warn({ origin: origin.slice(0, 200), host: request.host, url: request.url }, 'cross-origin WebSocket refused');
    throw new Forbidden(
      `WebSocket refused: it was asked for by a page at ${origin.slice(0, 100)}, which is not this appliance (${request.host}); open the app from the appliance's own address`,
      'cross_origin',
    );
  });
}
