import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.ts';
import { actorOf } from '../auth/principal.ts';
import { DEVICE_COOKIE, presentedDeviceToken } from '../roles.ts';
import { DeviceKindT, DeviceViewT, PairingViewT, errors } from './schemas.ts';
import { Forbidden, NOT_AN_EVENT_STREAM, openEventStream, wantsEventStream, type DeviceKind } from '../../core/index.ts';
import { protocol as terminalProtocol } from '../../terminal/index.ts';

const DEVICE_COOKIE_DAYS = 3650;

export const deviceRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const admin = { roles: ['admin' as const] };

  // Revocation takes effect at once: the device's open sockets and streams are closed by server/auth/channels.ts.

  app.post(
    '/api/devices/pairings',
    {
      config: { roles: ['public'], rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['devices'],
        summary: 'A kiosk or terminal asks to pair; it shows the returned code on its screen for an admin to approve',
        body: Type.Object({ kind: DeviceKindT, deviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }),
        response: { 201: Type.Object({ pairingId: Type.String(), pollSecret: Type.String(), code: Type.String(), expiresAt: Type.Integer() }), ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body as { kind: DeviceKind; deviceId?: string };
      const r = ctx.devices.requestPairing(body.kind, body.deviceId ?? null, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
      return reply.status(201).send(r);
    },
  );

  app.post(
    '/api/devices/pairings/:id/collect',
    {
      config: { roles: ['public'], rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        tags: ['devices'],
        summary: 'The device polls; once approved it receives its token (once) and a device cookie',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object({ pollSecret: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal('pending'), Type.Literal('rejected'), Type.Literal('expired'), Type.Literal('approved')]),
            deviceId: Type.Optional(Type.String()),
            kind: Type.Optional(DeviceKindT),
            token: Type.Optional(Type.String()),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const r = ctx.devices.collect(id, (request.body as { pollSecret: string }).pollSecret, request.ip);
      if (r.status === 'approved') {
        void reply.setCookie(DEVICE_COOKIE, r.token, { path: '/', httpOnly: true, sameSite: 'strict', secure: ctx.tls, maxAge: DEVICE_COOKIE_DAYS * 86400 });
      }
      return r;
    },
  );

  app.get(
    '/api/devices/pairings',
    { config: admin, schema: { tags: ['devices'], summary: 'Pending pairing requests', response: { 200: Type.Array(PairingViewT) } } },
    async () => ctx.devices.pending(),
  );

  app.post(
    '/api/devices/pairings/approve',
    {
      config: admin,
      schema: {
        tags: ['devices'],
        summary: 'Approve the device that shows this code, as the configured kiosk/terminal deviceId',
        body: Type.Object(
          { code: Type.String({ pattern: '^[0-9]{6}$' }), deviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ pairing: PairingViewT, device: DeviceViewT }), ...errors },
      },
    },
    async (request) => {
      const b = request.body as { code: string; deviceId?: string };
      return ctx.devices.approve(b.code, b.deviceId ?? null, actorOf(request.principal), request.ip);
    },
  );

  app.post(
    '/api/devices/pairings/approve-room',
    {
      config: admin,
      schema: {
        tags: ['devices'],
        summary:
          "Approve every pending terminal request whose ?device= id is one of this room's configured terminals; requests naming no id, an unknown id, another room's id, an id claimed twice or already paired are left for a person, with the reason",
        body: Type.Object({ roomId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: terminalProtocol.RoomApprovalT, ...errors },
      },
    },
    async (request) => ctx.devices.approveRoom((request.body as { roomId: string }).roomId, actorOf(request.principal), request.ip),
  );

  // The devices page's live view: the pending requests and the device list, whole, on connect and after
  // each change. Changes are gathered for a moment, so 100 PCs coming online at 8:00 make a few
  // messages, not 100 copies of the list.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  app.get(
    terminalProtocol.DEVICE_EVENTS_PATH,
    {
      config: admin,
      schema: {
        tags: ['devices'],
        summary: 'Server-sent events: `pairings` (pending requests) and `devices` (the device list), whole, on connect and after each change',
      },
    },
    async (request, reply) => {
      if (!wantsEventStream(request.headers.accept)) return reply.status(406).send(NOT_AN_EVENT_STREAM);
      reply.hijack();
      const stream = openEventStream(request.raw, reply.raw);
      const dirty = { pairings: false, devices: false };
      let timer: ReturnType<typeof setTimeout> | undefined;
      let sentPairings = '';
      const sendPairings = (serverTime: number) => {
        const pairings = ctx.devices.pending();
        sentPairings = pairings.map((p) => p.id).join();
        stream.send('pairings', { serverTime, pairings });
      };
      const flush = () => {
        timer = undefined;
        const serverTime = ctx.clock.now();
        if (dirty.pairings) sendPairings(serverTime);
        if (dirty.devices) stream.send('devices', { serverTime, devices: ctx.devices.list() });
        dirty.pairings = dirty.devices = false;
      };
      const mark = (what: { pairings?: boolean; devices?: boolean }) => () => {
        if (what.pairings) dirty.pairings = true;
        if (what.devices) dirty.devices = true;
        timer ??= setTimeout(flush, 150);
      };
      const offs = [
        ctx.bus.on('device.pairing', mark({ pairings: true })),
        ctx.bus.on('device.pairing_decided', mark({ pairings: true, devices: true })),
        ...(['device.paired', 'device.revoked', 'device.online', 'device.offline', 'device.health', 'terminal.online', 'terminal.offline'] as const).map((e) =>
          ctx.bus.on(e, mark({ devices: true })),
        ),
      ];
      // A page closing sends nothing: look every poll interval whether a listed request's page went quiet.
      const goneCheck = setInterval(() => {
        if (
          sentPairings &&
          ctx.devices
            .pending()
            .map((p) => p.id)
            .join() !== sentPairings
        )
          sendPairings(ctx.clock.now());
      }, terminalProtocol.PAIRING_POLL_MS);
      streams.add(stream.end);
      stream.onEnd(() => {
        clearInterval(goneCheck);
        clearTimeout(timer);
        for (const off of offs) off();
        streams.delete(stream.end);
      });
      dirty.pairings = dirty.devices = true;
      flush();
    },
  );

  app.post(
    '/api/devices/pairings/:id/reject',
    {
      config: admin,
      schema: {
        tags: ['devices'],
        summary: 'Reject a pairing request',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      ctx.devices.reject((request.params as { id: string }).id, actorOf(request.principal), request.ip);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/devices',
    { config: admin, schema: { tags: ['devices'], summary: 'Configured and paired devices with their state', response: { 200: Type.Array(DeviceViewT) } } },
    async () => ctx.devices.list(),
  );

  app.post(
    '/api/devices/:id/revoke',
    {
      config: admin,
      schema: {
        tags: ['devices'],
        summary: "Revoke a device's token; it must pair again",
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: DeviceViewT, ...errors },
      },
    },
    async (request) => ctx.devices.revoke((request.params as { id: string }).id, actorOf(request.principal), request.ip),
  );

  // Token rotation: the server tells a connected device over its socket/stream that its token is due
  // (device.token_due); its page asks here and the answer sets the new httpOnly cookie. The token is in
  // the body too, as at pairing, for a device that sends it as a Bearer header.
  app.post(
    terminalProtocol.DEVICE_TOKEN_PATH,
    {
      config: { roles: ['kiosk', 'terminal', 'reader'], rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['devices'],
        summary:
          'A connected kiosk/terminal/ID-card reader whose token is due gets a new one (cookie and body); the old one stays valid until the new one is used, then a few minutes',
        body: Type.Object({}, { additionalProperties: false }),
        response: {
          200: Type.Object({ deviceId: Type.String(), kind: DeviceKindT, token: Type.String(), issuedAt: Type.Integer() }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const presented = presentedDeviceToken(request);
      if (p?.kind !== 'device' || !presented) throw new Forbidden('a device token is required');
      const r = ctx.devices.rotate(p.device.id, presented, request.ip);
      void reply.setCookie(DEVICE_COOKIE, r.token, { path: '/', httpOnly: true, sameSite: 'strict', secure: ctx.tls, maxAge: DEVICE_COOKIE_DAYS * 86400 });
      return r;
    },
  );

  // The one device-health report (terminal/protocol.ts): the kiosk and the terminal page send it after
  // they connect and whenever camera or screen capture changes. A malformed report is refused with the
  // schema's problems (400) and changes nothing.
  app.post(
    terminalProtocol.HEALTH_PATH,
    {
      config: { roles: ['kiosk', 'terminal'], rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        tags: ['devices'],
        summary: 'A kiosk or terminal page reports its health: secure context, camera, screen capture, browser, clock, build',
        body: terminalProtocol.DeviceHealthReportT,
        response: { 200: terminalProtocol.DeviceHealthT, ...errors },
      },
    },
    async (request) => {
      const p = request.principal;
      if (p?.kind !== 'device') throw new Forbidden('a device token is required');
      ctx.devices.touch(p.device.id, request.ip);
      return ctx.devices.recordHealth(p.device.id, p.device.kind, request.body as terminalProtocol.DeviceHealthReport);
    },
  );

  app.get(
    '/api/devices/readiness',
    {
      config: { roles: ['admin', 'invigilator'] },
      schema: {
        tags: ['devices'],
        summary: "Before a session starts: the room's terminals and the site's kiosks whose last health report shows a problem",
        querystring: Type.Object({ roomId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ warnings: Type.Array(terminalProtocol.DeviceWarningT) }), ...errors },
      },
    },
    async (request) => {
      const { roomId } = request.query as { roomId: string };
      const p = request.principal;
      if (p?.kind === 'user' && p.role === 'invigilator' && !p.user.rooms.includes(roomId))
        throw new Forbidden(`you invigilate ${p.user.rooms.join(', ') || 'no room'}, not ${roomId}`);
      return { warnings: ctx.devices.warningsForRoom(roomId) };
    },
  );

  // The device's control channel: presence and server time now; exam traffic joins it later.
  app.get(
    '/ws/device',
    {
      websocket: true,
      config: { roles: ['kiosk', 'terminal', 'reader'] },
      schema: { tags: ['devices'], summary: 'Device WebSocket (presence, server clock, token rotation); the ID-card reader bridge holds one too' },
    },
    (socket, request) => {
      const p = request.principal;
      if (p?.kind !== 'device') return socket.close(1008, 'device token required');
      const { id, kind } = p.device;
      const remove = ctx.hub.add({ socket, owner: `device:${id}`, kind });
      ctx.metrics.wsConnections.inc({ kind });
      ctx.devices.touch(id, request.ip);
      ctx.bus.emit('device.online', { deviceId: id, kind });
      socket.send(JSON.stringify({ type: 'hello', deviceId: id, kind, serverTime: ctx.clock.now() }));
      const offTokens = ctx.bus.on('device.token_due', (e) => {
        if (e.deviceId === id && socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'token_rotate' }));
      });
      socket.on('message', (data, isBinary) => {
        let msg: unknown;
        try {
          msg = isBinary ? null : JSON.parse(String(data));
        } catch {
          msg = null;
        }
        const type = msg && typeof msg === 'object' ? (msg as { type?: unknown }).type : undefined;
        if (type === 'ping') socket.send(JSON.stringify({ type: 'pong', serverTime: ctx.clock.now() }));
        else
          socket.send(
            JSON.stringify({
              type: 'error',
              reason: type === undefined ? 'message must be a JSON object with a "type"' : `unknown message type ${JSON.stringify(type).slice(0, 40)}`,
            }),
          );
      });
      socket.on('close', () => {
        remove();
        offTokens();
        ctx.metrics.wsConnections.dec({ kind });
        ctx.bus.emit('device.offline', { deviceId: id, kind, since: ctx.clock.now() });
      });
    },
  );
};
