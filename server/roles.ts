// Who may call what. Every route states its roles in its own options (`config: { roles: [...] }`);
// a route that states none stops the server from starting, so nothing is reachable by accident.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Forbidden, Unauthorized } from '../core/index.ts';
import { actorOf, type Principal, type RouteRole } from './auth/principal.ts';
import type { UserService } from './auth/users.ts';
import type { DeviceService } from './auth/devices.ts';

export const SESSION_COOKIE = 'examroom_session';
export const DEVICE_COOKIE = 'examroom_device';

declare module 'fastify' {
  interface FastifyContextConfig {
    roles?: RouteRole[];
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** Who to name in the audit log: `user:NAME`, `device:ID` or `anonymous`. Modules use this. */
    actor: string;
  }
}

export interface RouteInfo {
  method: string;
  url: string;
  roles: RouteRole[];
  websocket: boolean;
}

/** Routes added by third-party plugins that serve only static documentation. */
const THIRD_PARTY_PUBLIC = [/^\/docs(\/|$)/];

export function installRoleHook(app: FastifyInstance, deps: { users: UserService; devices: DeviceService }, routeTable: RouteInfo[]): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('actor', 'anonymous');

  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { roles?: RouteRole[] };
    if (!config.roles && THIRD_PARTY_PUBLIC.some((re) => re.test(route.url))) {
      route.config = { ...(route.config as object), roles: ['public'] };
    } else if (!config.roles || config.roles.length === 0) {
      throw new Error(`route ${String(route.method)} ${route.url} does not declare who may call it (config.roles)`);
    }
    const roles = (route.config as { roles: RouteRole[] }).roles;
    for (const m of ([] as string[]).concat(route.method as string | string[])) {
      if (m === 'HEAD' && route.exposeHeadRoute !== false && routeTable.some((r) => r.url === route.url && r.method === 'GET')) continue;
      routeTable.push({ method: m, url: route.url, roles, websocket: Boolean((route as { websocket?: boolean }).websocket) });
    }
  });

  app.addHook('onRequest', async (request) => {
    request.principal = resolvePrincipal(request, deps);
    request.actor = actorOf(request.principal);
    const roles = request.routeOptions.config.roles;
    if (!roles || roles.includes('public')) return;
    const p = request.principal;
    if (!p) {
      const token = presentedDeviceToken(request);
      // An expired token is told apart (in words for the IT person at the PC); others cannot be.
      throw new Unauthorized(
        token ? (deps.devices.tokenRefusal(token, request.ip) ?? 'device token unknown or revoked; pair the device again') : 'log in first',
      );
    }
    if (!roles.includes(p.role)) throw new Forbidden(`${p.role} may not ${request.method} ${request.routeOptions.url}`);
  });
}

function resolvePrincipal(request: FastifyRequest, deps: { users: UserService; devices: DeviceService }): Principal | null {
  const session = request.cookies[SESSION_COOKIE];
  if (session) {
    const s = deps.users.resolveSession(session);
    if (s) return { kind: 'user', role: s.user.role, user: s.user, sessionHash: s.sessionHash };
  }
  const token = presentedDeviceToken(request);
  if (token) {
    const d = deps.devices.resolveToken(token);
    if (d) return { kind: 'device', role: d.kind, device: d };
  }
  return null;
}

/** The device token a request carries: `Authorization: Bearer …`, else the device cookie. */
export function presentedDeviceToken(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  return (auth?.startsWith('Bearer ') ? auth.slice(7).trim() : request.cookies[DEVICE_COOKIE]) || null;
}
