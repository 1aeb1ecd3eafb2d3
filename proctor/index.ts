// The proctor console and inspector view, server side: alert rules over the event bus, incidents
// (违纪), the live room view and its WebSocket feed, session summaries, read-only inspector routes.
// It never changes an exam except through the owning module's functions, and never shows an
// inspector anything of a site outside their jurisdiction.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config/index.ts';
import type { ExamService } from '../exam/index.ts';
import type { TerminalService, protocol as terminalProtocol } from '../terminal/index.ts';
type DeviceWarning = terminalProtocol.DeviceWarning;
import type { MediaService } from '../media/index.ts';
import type { ProctorService } from './service.ts';
import { feedRoutes, type Feed } from './feed.ts';
import { proctorRoutes } from './routes.ts';
import { inspectorRoutes } from './inspector.ts';

export { createProctorService, CONSOLE_STATUSES, type ProctorDeps, type ProctorService } from './service.ts';
export { ALERT_KINDS, type Alert, type AlertKind, type Severity } from './alerts.ts';
export { INCIDENT_CATEGORIES, type IncidentCategory, type ProctorIncident } from './incidents.ts';
// records/ (score reports, room log, the session archive, the person file) reads incidents and alerts through these.
export {
  incidentsOf,
  incidentsOfSession,
  sessionAlerts,
  sessionIncidents,
  seatConfirmationsOf,
  seatConfirmationsOfSession,
  type SeatConfirmationRecord,
  type ArchivedAlert,
  type IncidentRecord,
  type PersonIncident,
} from './records-view.ts';
export { SEAT_STATES, type RoomView, type Seat, type SeatState } from './room-view.ts';
export { PROCTOR_WS_PATH, SEAT_COALESCE_MS, createFeed, type Feed } from './feed.ts';

export interface ProctorPluginOptions {
  proctor: ProctorService;
  exam: ExamService;
  terminal: TerminalService;
  media: Pick<MediaService, 'sources'>;
  config: Config;
  clock: { now(): number };
  hub: { add(entry: { socket: import('ws').WebSocket; owner: string; kind: string }): () => void };
  /** Made by the caller so that it can be stopped with the app. */
  feed: Feed;
  /** The room's devices whose last health report shows a problem (server/auth/devices.ts): warned about at the start. */
  deviceWarnings?: (roomId: string) => DeviceWarning[];
}

export const proctorPlugin: FastifyPluginAsync<ProctorPluginOptions> = async (app, o) => {
  await app.register(proctorRoutes, {
    proctor: o.proctor,
    terminal: o.terminal,
    config: o.config,
    ...(o.deviceWarnings ? { deviceWarnings: o.deviceWarnings } : {}),
  });
  await app.register(feedRoutes, { proctor: o.proctor, feed: o.feed, hub: o.hub, clock: o.clock });
  await app.register(inspectorRoutes, { proctor: o.proctor, exam: o.exam, terminal: o.terminal, media: o.media, config: o.config, clock: o.clock });
};
