// Cross-site request forgery: SameSite=Strict cookies are one line; this is the second. A state-changing
// request (POST, PUT, PATCH, DELETE) that names an Origin other than the appliance's own is refused, and
// so is one of the content types a browser sends from any website without asking first (text/plain, forms,
// multipart) unless its Origin is the appliance's own. JSON and application/octet-stream uploads need a
// CORS preflight, which the appliance never grants, so they stay open to scripts, the CLI and devices.
// WebSocket upgrades (GET) are checked where they are accepted, not here. What "the appliance's own" is
// is one rule for both, in server/origin.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Forbidden } from '../core/index.ts';
import { isOwnOrigin, type OwnServer } from './origin.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The CORS-safelisted request content types (Fetch standard): sent cross-site with no preflight. */
const NO_PREFLIGHT = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);

export const CROSS_SITE = 'cross_site';

/** The appliance as this request reached it, for the refusal's words: scheme and Host (X-Forwarded-Proto/-Host only from a trusted proxy). */
export function ownOrigin(request: FastifyRequest): string | null {
  const host = request.host;
  if (!host) return null;
  try {
    return new URL(`${request.protocol}://${host}`).origin;
  } catch {
    return null;
  }
}

export function installCrossSiteGuard(app: FastifyInstance, server: OwnServer): void {
  app.addHook('onRequest', async (request) => {
    if (!STATE_CHANGING.has(request.method)) return;
    const origin = request.headers.origin;
    if (origin !== undefined) {
      if (request.host && isOwnOrigin(origin, request, server)) return;
      const own = ownOrigin(request);
      throw new Forbidden(
        `cross-site request refused: this ${request.method} comes from a page of ${origin}, not of this appliance (${own ?? 'no Host header'}); open the appliance's own page to do this`,
        CROSS_SITE,
      );
    }
    // Browsers name the Origin of every cross-site POST today; an old one may not, so the types any
    // website can send are refused when the Origin is missing too.
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (NO_PREFLIGHT.has(type))
      throw new Forbidden(
        `a ${request.method} with Content-Type ${type} and no Origin header is refused: any website can make a browser send that; send JSON (application/json) or a file as application/octet-stream`,
        CROSS_SITE,
      );
  });
}
