// Every long-lived channel of a principal — a WebSocket (/ws/proctor, /ws/live/*, a device's sockets)
// or a server-sent event stream — ends when what let it in ends: the person's session (log-out, expiry,
// password reset), their rights (account disabled; role, rooms or jurisdiction changed), a device's
// token (revoked). Tracked here, once, for every route: routes register nothing. It never ends an
// ordinary request, and never keeps anything open.
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { eventStreamOf, wantsEventStream, type EventBus, type SessionEndReason } from '../../core/index.ts';
import { SESSION_CLOSE } from '../protocol.ts';
import { actorOf } from './principal.ts';

/** How often open channels are checked against their session: expiry, and changes made by another process (the CLI). */
export const CHANNEL_SWEEP_MS = 5000;
/** A client that does not answer the close handshake is cut off after this long. */
const CLOSE_GRACE_MS = 2000;

interface Channel {
  /** `user:NAME` or `device:ID` (actorOf). */
  owner: string;
  /** The session's hash for a person; null for a device (its token is checked on each connect). */
  session: string | null;
  /** A WebSocket upgrade (the socket arrives with the connection) or else an event stream on `res`. */
  upgrade: boolean;
  res: ServerResponse;
  ws: WebSocket | null;
  /** Set once ended: a socket or stream that appears afterwards is ended at once. */
  ended: { code: number; reason: string } | null;
}

const ENDS: Record<SessionEndReason, { code: number; reason: string }> = {
  logout: { code: SESSION_CLOSE.SIGNED_OUT, reason: 'signed out' },
  expired: { code: SESSION_CLOSE.SIGNED_OUT, reason: 'session expired' },
  password: { code: SESSION_CLOSE.SIGNED_OUT, reason: 'password changed: sign in again' },
  disabled: { code: SESSION_CLOSE.RIGHTS_CHANGED, reason: 'account disabled' },
  rights: { code: SESSION_CLOSE.RIGHTS_CHANGED, reason: 'rights changed: sign in again' },
};
const SESSION_GONE = { code: SESSION_CLOSE.SIGNED_OUT, reason: 'session ended' };
const DEVICE_REVOKED = { code: SESSION_CLOSE.SIGNED_OUT, reason: 'device token revoked' };

export interface ChannelDeps {
  users: { sessionAlive(sessionHash: string): boolean };
  bus: EventBus;
  sweepMs?: number;
}

/**
 * Installs the tracking on an app that has the cookie, WebSocket and role hooks: call it after
 * installRoleHook (it reads request.principal) and before the routes.
 */
export function installChannelEnds(app: FastifyInstance, deps: ChannelDeps): void {
  const channels = new Set<Channel>();
  const upgrades = new WeakMap<object, Channel>();

  const end = (c: Channel, why: { code: number; reason: string }) => {
    c.ended ??= why;
    if (c.ws) {
      const ws = c.ws;
      if (ws.readyState === ws.CLOSED) return;
      if (ws.readyState !== ws.CLOSING) ws.close(c.ended.code, c.ended.reason);
      setTimeout(() => ws.readyState !== ws.CLOSED && ws.terminate(), CLOSE_GRACE_MS).unref();
    } else if (!c.upgrade) eventStreamOf(c.res)?.end();
  };
  const endWhere = (owner: string, match: (c: Channel) => boolean, why: { code: number; reason: string }) => {
    let n = 0;
    for (const c of channels)
      if (c.owner === owner && match(c)) {
        end(c, why);
        n++;
      }
    if (n) app.log.info({ owner, channels: n, reason: why.reason }, 'open sockets and streams ended with their session');
  };

  app.addHook('onRequest', async (request, reply) => {
    const p = request.principal;
    if (!p) return;
    const upgrade = request.ws;
    if (!upgrade && !wantsEventStream(request.headers.accept)) return;
    const c: Channel = { owner: actorOf(p), session: p.kind === 'user' ? p.sessionHash : null, upgrade, res: reply.raw, ws: null, ended: null };
    channels.add(c);
    const forget = () => channels.delete(c);
    if (upgrade) {
      upgrades.set(request.raw, c);
      // The connection's end, whether the upgrade was refused, failed or the socket later closed.
      request.raw.socket.once('close', forget);
    } else reply.raw.once('close', forget);
  });

  // The plugin announces each upgraded socket with the request it came on, before the route's handler runs.
  app.websocketServer.on('connection', (ws: WebSocket, raw: object) => {
    const c = upgrades.get(raw);
    if (!c) return;
    upgrades.delete(raw);
    c.ws = ws;
    if (c.ended) end(c, c.ended);
  });

  const offs = [
    deps.bus.on('user.sessions_ended', ({ username, sessionHash, reason }) =>
      endWhere(`user:${username}`, (c) => sessionHash === null || c.session === sessionHash, ENDS[reason]),
    ),
    deps.bus.on('device.revoked', ({ deviceId }) => endWhere(`device:${deviceId}`, () => true, DEVICE_REVOKED)),
  ];

  // Expiry has no event of its own, and the CLI changes users from another process: look now and then.
  const sweep = () => {
    const alive = new Map<string, boolean>();
    for (const c of [...channels]) {
      if (c.ended) {
        // A stream opened in the moment between the session's end and the route's handler.
        if (!c.upgrade) eventStreamOf(c.res)?.end();
        continue;
      }
      if (c.session === null) continue;
      let ok = alive.get(c.session);
      if (ok === undefined) alive.set(c.session, (ok = deps.users.sessionAlive(c.session)));
      // An expired session's check has just ended it (with its own reason) through the event.
      if (!ok && !c.ended) {
        end(c, SESSION_GONE);
        app.log.info({ owner: c.owner, reason: SESSION_GONE.reason }, 'an open socket or stream ended with its session');
      }
    }
  };
  const timer = setInterval(sweep, deps.sweepMs ?? CHANNEL_SWEEP_MS);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    for (const off of offs) off();
  });
}
