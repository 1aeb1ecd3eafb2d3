// Every source this site can have recordings of, whether or not it is being ingested now: the
// configured cameras, and one screen per configured terminal (`SCREEN-<terminal id>`). A terminal's
// screen is a source only while the terminal is connected (screens.ts), but its recordings stay, and
// playback and the rule of who may see them must find them after the terminal has gone.
import type { Config } from '../config/index.ts';
import { screenSourceId, screenSourceName } from './screens.ts';

export interface RecordedSource {
  id: string;
  name: string;
  room: string;
  kind: 'camera' | 'screen';
  /** A screen's terminal and seat; null for a camera. */
  terminalId: string | null;
  seat: string | null;
}

export function recordedSources(config: Pick<Config, 'cameras' | 'terminals'>): RecordedSource[] {
  return [
    ...config.cameras.map((c) => ({ id: c.id, name: c.name, room: c.room, kind: 'camera' as const, terminalId: null, seat: null })),
    ...config.terminals.map((t) => ({
      id: screenSourceId(t.id),
      name: screenSourceName(t),
      room: t.room,
      kind: 'screen' as const,
      terminalId: t.id,
      seat: t.seat,
    })),
  ];
}
