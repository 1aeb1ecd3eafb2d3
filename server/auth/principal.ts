import type { Device, User } from '../../storage/index.ts';

/** Who is calling: a person with a role, or a paired device. Routes name the roles they accept. */
export type Principal = { kind: 'user'; role: User['role']; user: User; sessionHash: string } | { kind: 'device'; role: Device['kind']; device: Device };

export type Role = Principal['role'];
/** What a route may declare: `public` means no log-in is needed. */
export type RouteRole = Role | 'public';

export const ALL_ROLES: Role[] = ['admin', 'invigilator', 'inspector', 'headteacher', 'kiosk', 'terminal', 'reader'];
export const STAFF: Role[] = ['admin', 'invigilator', 'inspector', 'headteacher'];

export function actorOf(p: Principal | null | undefined): string {
  if (!p) return 'anonymous';
  return p.kind === 'user' ? `user:${p.user.username}` : `device:${p.device.id}`;
}
