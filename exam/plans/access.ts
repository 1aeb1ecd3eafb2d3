// Who may see which session. The role hook (server/) has already admitted the caller's role; these
// rules narrow it to the rooms an invigilator is bound to and the site an inspector oversees.
// Principal types come from the request decoration; nothing here imports server/.
import type { FastifyRequest } from 'fastify';
import { Forbidden, siteInJurisdiction, OUTSIDE_JURISDICTION } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';

/** Rooms the caller may read sessions of: null means every room. */
export function visibleRooms(request: FastifyRequest, config: Config): string[] | null {
  const p = request.principal;
  if (!p || p.kind !== 'user') throw new Forbidden('exam sessions are for staff');
  if (p.role === 'admin') return null;
  if (p.role === 'invigilator') return p.user.rooms;
  if (p.role === 'inspector') {
    if (!siteInJurisdiction(config.site, p.user.jurisdiction)) throw new Forbidden(`site ${config.site.id} is outside your jurisdiction`, OUTSIDE_JURISDICTION);
    return null;
  }
  throw new Forbidden(`${p.role} may not read exam sessions`);
}

export function assertRoomVisible(request: FastifyRequest, config: Config, roomId: string): void {
  const rooms = visibleRooms(request, config);
  if (rooms && !rooms.includes(roomId))
    throw new Forbidden(`this session is in room ${roomId}; you invigilate ${rooms.length ? rooms.join(', ') : 'no rooms'}`);
}
