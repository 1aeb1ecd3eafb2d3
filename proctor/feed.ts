// The live feed of a room for the proctor console: WebSocket /ws/proctor?room=R. A snapshot on
// connect, then alerts the moment they are raised (in the bus listener: no queue, no timer) and seat
// changes coalesced per room over 300 ms, so 30 answer saves in a burst cost one room computation.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { WebSocket } from 'ws';
import { Forbidden, type EventBus } from '../core/index.ts';
import { maskIdNumber } from '../terminal/index.ts';
import type { ProctorService } from './service.ts';
import type { Alert } from './alerts.ts';
import type { ProctorIncident } from './incidents.ts';
import type { Seat } from './room-view.ts';

export const PROCTOR_WS_PATH = '/ws/proctor';
/** How long seat changes of a room are gathered before one push. */
export const SEAT_COALESCE_MS = 300;
/** How far back a console's snapshot includes resolved records (they need nobody, but explain a seat's blip). */
const RESOLVED_IN_SNAPSHOT_MS = 60 * 60_000;

interface Subscriber {
  socket: WebSocket;
  roomId: string;
  /** The session the console asked for, or null = the room's current one (re-resolved on each push). */
  sessionId: string | null;
  masked: boolean;
}

interface Dirty {
  seats: Set<string>;
  ids: Set<string>;
  room: boolean;
  timer: NodeJS.Timeout | null;
}

interface SocketRegistrar {
  add(entry: { socket: WebSocket; owner: string; kind: string }): () => void;
}

export function maskAlert(a: Alert, masked: boolean) {
  const { idNumber, ...rest } = a;
  return { ...rest, idNumber: idNumber && masked ? maskIdNumber(idNumber) : idNumber };
}

export function maskIncident(i: ProctorIncident, masked: boolean) {
  return { ...i, idNumber: i.idNumber && masked ? maskIdNumber(i.idNumber) : i.idNumber };
}

const maskSeat = (s: Seat, masked: boolean): Seat =>
  masked && s.candidate ? { ...s, candidate: { ...s.candidate, idNumber: maskIdNumber(s.candidate.idNumber) } } : s;

export function createFeed(proctor: ProctorService, bus: EventBus, clock: { now(): number }, log?: { error(o: object, m: string): void }) {
  const subs = new Set<Subscriber>();
  const dirty = new Map<string, Dirty>();
  const offs: Array<() => void> = [];

  const send = (s: Subscriber, msg: object) => {
    if (s.socket.readyState !== s.socket.OPEN) return;
    s.socket.send(JSON.stringify({ ...msg, serverTime: clock.now() }));
  };
  const inRoom = (roomId: string | null) => [...subs].filter((s) => roomId === null || s.roomId === roomId);

  function flush(roomId: string): void {
    const d = dirty.get(roomId);
    dirty.delete(roomId);
    if (!d) return;
    const group = new Map<string, Subscriber[]>();
    for (const s of inRoom(roomId)) {
      const k = s.sessionId ?? '';
      group.set(k, [...(group.get(k) ?? []), s]);
    }
    for (const [sessionKey, list] of group) {
      try {
        if (d.room) {
          const full = proctor.rooms.view(roomId, { sessionId: sessionKey || null, masked: false });
          for (const s of list)
            send(s, {
              type: 'room',
              room: {
                ...full,
                seats: full.seats.map((x) => maskSeat(x, s.masked)),
                unseated: full.unseated.map((c) => (s.masked ? { ...c, idNumber: maskIdNumber(c.idNumber) } : c)),
              },
            });
          continue;
        }
        const session = sessionKey || proctor.rooms.currentSession(roomId)?.id || null;
        const seats = proctor.rooms.seats(roomId, session, false).filter((x) => d.seats.has(x.seat) || (x.candidate && d.ids.has(x.candidate.idNumber)));
        for (const s of list) for (const seat of seats) send(s, { type: 'seat', seat: maskSeat(seat, s.masked) });
      } catch (err) {
        log?.error({ err, roomId }, 'pushing seat changes to the proctor console failed');
      }
    }
  }

  function mark(roomId: string, what: { seat?: string | null; idNumber?: string | null; room?: boolean }): void {
    if (!inRoom(roomId).some((s) => s.roomId === roomId)) return;
    let d = dirty.get(roomId);
    if (!d) dirty.set(roomId, (d = { seats: new Set(), ids: new Set(), room: false, timer: null }));
    if (what.seat) d.seats.add(what.seat);
    if (what.idNumber) d.ids.add(what.idNumber);
    if (what.room) d.room = true;
    if (!d.timer) {
      d.timer = setTimeout(() => flush(roomId), SEAT_COALESCE_MS);
      d.timer.unref();
    }
  }

  offs.push(
    bus.on('proctor.alert', ({ alertId, roomId, change }) => {
      const targets = inRoom(roomId);
      if (!targets.length) return;
      const a = proctor.alerts.get(alertId);
      const type = change === 'new' ? 'alert.new' : change === 'ack' ? 'alert.ack' : 'alert.update';
      for (const s of targets) send(s, { type, alert: maskAlert(a, s.masked) });
      // The seat's badge counts open alerts.
      if (roomId && (a.seat || a.idNumber)) mark(roomId, { seat: a.seat, idNumber: a.idNumber });
    }),
    bus.on('proctor.incident', ({ incidentId, roomId }) => {
      const targets = inRoom(roomId);
      if (!targets.length) return;
      const i = proctor.incidents.get(incidentId);
      for (const s of targets) send(s, { type: 'incident.new', incident: maskIncident(i, s.masked) });
      mark(roomId, { seat: i.seat, idNumber: i.idNumber });
    }),
    // A seat confirmation fell due or was done: the seat (and the console's to-do list built from seats) changes.
    bus.on('seat.identity', (p) => mark(p.roomId, { seat: p.seat, idNumber: p.idNumber })),
    bus.on('candidate.admitted', (p) => mark(p.roomId, { idNumber: p.idNumber })),
    bus.on('terminal.online', (p) => mark(p.roomId, { seat: p.seat })),
    bus.on('terminal.offline', (p) => mark(p.roomId, { seat: p.seat, idNumber: p.idNumber })),
    bus.on('terminal.login', (p) => mark(p.roomId, { seat: p.seat, idNumber: p.idNumber })),
    bus.on('terminal.login_locked', (p) => mark(p.roomId, { seat: p.seat })),
    bus.on('terminal.login_unlocked', (p) => mark(p.roomId, { seat: p.seat })),
    bus.on('answer.saved', (p) => mark(p.roomId, { idNumber: p.idNumber })),
    bus.on('attempt.submitted', (p) => mark(p.roomId, { idNumber: p.idNumber })),
    bus.on('terminal.command', (p) => mark(p.roomId, p.idNumber ? { idNumber: p.idNumber } : { room: true })),
    bus.on('result.graded', (p) => {
      const roomId = proctor.roomOfSession(p.sessionId);
      if (roomId) mark(roomId, { idNumber: p.idNumber });
    }),
    bus.on('seat.changed', (p) => mark(p.roomId, { room: true })),
    bus.on('seats.assigned', (p) => mark(p.roomId, { room: true })),
    bus.on('session.status', (p) => mark(p.roomId, { room: true })),
    // A camera or screen going down or up changes the room's source list (its tiles' state).
    bus.on('camera.down', (p) => mark(p.room, { room: true })),
    bus.on('camera.up', (p) => mark(p.room, { room: true })),
    bus.on('roster.imported', (p) => {
      const roomId = proctor.roomOfSession(p.sessionId);
      if (roomId) mark(roomId, { room: true });
    }),
  );

  return {
    /** Registers a console and sends its snapshot. */
    subscribe(socket: WebSocket, roomId: string, sessionId: string | null, masked: boolean): () => void {
      const s: Subscriber = { socket, roomId, sessionId, masked };
      const room = proctor.rooms.view(roomId, { sessionId, masked });
      // Open alerts, and the last hour's resolved records (short reconnects), so a reloaded console still shows them.
      const alerts = proctor.alerts
        .list({ rooms: [roomId], open: true, resolvedSince: clock.now() - RESOLVED_IN_SNAPSHOT_MS })
        .map((a) => maskAlert(a, masked));
      subs.add(s);
      send(s, { type: 'snapshot', room, alerts });
      return () => subs.delete(s);
    },
    send,
    subscribers: () => subs.size,
    stop(): void {
      for (const off of offs.splice(0)) off();
      for (const d of dirty.values()) if (d.timer) clearTimeout(d.timer);
      dirty.clear();
    },
  };
}

export type Feed = ReturnType<typeof createFeed>;

export interface FeedRouteOptions {
  proctor: ProctorService;
  feed: Feed;
  hub: SocketRegistrar;
  clock: { now(): number };
}

/** Admins watch any room; an invigilator the rooms they are bound to. */
export function assertRoomWatcher(request: FastifyRequest, roomId: string): void {
  const p = request.principal;
  if (!p || p.kind !== 'user') throw new Forbidden('the proctor console is for staff');
  if (p.role === 'admin') return;
  if (p.role === 'invigilator' && p.user.rooms.includes(roomId)) return;
  throw new Forbidden(`room ${roomId}: you invigilate ${p.role === 'invigilator' && p.user.rooms.length ? p.user.rooms.join(', ') : 'no rooms'}`);
}

export const feedRoutes: FastifyPluginAsync<FeedRouteOptions> = async (app, { proctor, feed, hub, clock }) => {
  app.get(
    PROCTOR_WS_PATH,
    {
      websocket: true,
      config: { roles: ['admin', 'invigilator'] },
      schema: {
        tags: ['proctor'],
        summary: 'Live feed of a room for the proctor console: snapshot, then alerts and seat changes (docs/proctor-api.md)',
        querystring: Type.Object(
          { room: Type.String({ minLength: 1, maxLength: 64 }), session: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
          { additionalProperties: false },
        ),
      },
      // Refused before the upgrade, so the browser sees 403/404 instead of an open-then-closed socket.
      preHandler: async (request) => {
        const q = request.query as { room: string; session?: string };
        proctor.rooms.room(q.room);
        assertRoomWatcher(request, q.room);
        if (q.session) proctor.rooms.currentSession(q.room, q.session);
      },
    },
    (socket, request) => {
      const q = request.query as { room: string; session?: string };
      const remove = hub.add({ socket, owner: request.actor, kind: 'proctor' });
      let unsubscribe = () => {};
      socket.on('close', () => {
        unsubscribe();
        remove();
      });
      socket.on('error', () => socket.terminate());
      socket.on('message', (data) => {
        try {
          const m = JSON.parse(String(data)) as { type?: string };
          if (m.type === 'ping') socket.send(JSON.stringify({ type: 'pong', serverTime: clock.now() }));
        } catch {
          // Consoles send nothing else; anything unreadable is ignored.
        }
      });
      try {
        unsubscribe = feed.subscribe(socket, q.room, q.session ?? null, request.principal?.role !== 'admin');
      } catch (err) {
        request.log.error({ err }, 'proctor feed snapshot failed');
        socket.close(1011, 'the room view could not be built');
      }
    },
  );
};
