// The device as a whole: one SIP port (UDP and TCP), one link per platform (registration, keepalive),
// requests routed by the platform's server ID in From, and each platform's status for the API, the
// console and /metrics. A platform that misbehaves is answered, rate-limited per address and logged;
// nothing it sends reaches recording (another process) or another platform's link.
import { Gauge, type Registry } from 'prom-client';
import type { Gb28181Config, GbChannelConfig, GbPlatformConfig } from '../../config/index.ts';
import type { Clock, EventBus } from '../../core/index.ts';
import type { AuditLog } from '../../storage/index.ts';
import type { Recordings } from '../playback.ts';
import type { GbMediaSessions } from './media-session.ts';
import { createInvites } from './invites.ts';
import { mediaStatus as mediaStatusXml, type CatalogItem } from './manscdp/messages.ts';
import { createQueries } from './queries.ts';
import { createPlatformLink, type PlatformLink } from './register.ts';
import type { Gb28181Status, PlatformStatus } from './protocol.ts';
import { responseTo, uriUser } from './sip/message.ts';
import type { Local } from './sip/request.ts';
import { createTransactionLayer, DEFAULT_TIMERS, type ServerContext, type Timers } from './sip/transactions.ts';
import { openTransport, type SipTransport } from './sip/transport.ts';
import { createSubscriptions } from './subscriptions.ts';

export interface Gb28181Deps {
  config: Gb28181Config;
  timeZone: string;
  /** Channel status: whether a source is up now. */
  sourceUp: (sourceId: string) => boolean;
  recordings: (sourceId: string, from: number, to: number) => Recordings;
  sessions: GbMediaSessions;
  bus?: EventBus;
  audit: AuditLog;
  clock: Clock;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
  registry?: Registry;
  /** Tests shorten SIP timers; production uses RFC 3261's. */
  timers?: Timers;
  minRetryMs?: number;
  perPeerRate?: number;
}

export type { Gb28181Status, PlatformStatus };

export interface Gb28181Service {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): Gb28181Status;
  /** The SIP port in use (after start). */
  port(): number;
}

export function createGb28181(d: Gb28181Deps): Gb28181Service {
  const cfg = d.config;
  let transport: SipTransport | null = null;
  const links = new Map<string, PlatformLink>();
  const addressCache = new Map<string, string>();
  const timers = d.timers ?? DEFAULT_TIMERS;
  const byServerId = new Map(cfg.platforms.map((p) => [p.serverId, p]));
  const channelsByPlatform = new Map<string, GbChannelConfig[]>(
    cfg.platforms.map((p) => [p.id, p.sources === 'all' ? cfg.channels : cfg.channels.filter((c) => (p.sources as string[]).includes(c.sourceId))]),
  );
  const channelsOf = (p: GbPlatformConfig) => channelsByPlatform.get(p.id) ?? [];
  const lastStatus = new Map<string, 'ON' | 'OFF'>();
  const catalogItem = (c: GbChannelConfig): CatalogItem => ({
    channelId: c.channelId,
    name: c.name,
    status: d.sourceUp(c.sourceId) ? 'ON' : 'OFF',
    civilCode: cfg.civilCode,
    parentId: cfg.deviceId,
    address: c.name,
  });

  async function local(p: GbPlatformConfig): Promise<Local> {
    if (!transport) throw new Error('gb28181 is not started');
    let address = cfg.address ?? addressCache.get(p.host);
    if (!address) {
      address = await transport.localAddressFor(p.host);
      addressCache.set(p.host, address);
    }
    return { deviceId: cfg.deviceId, domain: cfg.domain, address, port: transport.port, transport: p.transport };
  }

  let layer: ReturnType<typeof createTransactionLayer> | null = null;
  const lazyLayer = {
    request: (...a: Parameters<ReturnType<typeof createTransactionLayer>['request']>) => (layer as NonNullable<typeof layer>).request(...a),
  } as ReturnType<typeof createTransactionLayer>;

  const queries = createQueries({
    layer: lazyLayer,
    clock: d.clock,
    timeZone: d.timeZone,
    deviceName: cfg.name,
    local,
    peerOf: (p) => ({ transport: p.transport, host: p.host, port: p.port }),
    channelsOf,
    catalogItem,
    recordings: d.recordings,
    online: (p) => links.get(p.id)?.status().online ?? false,
    nextSn: (p) => links.get(p.id)?.nextSn() ?? 1,
    log: d.log,
  });
  const subscriptions = createSubscriptions({ layer: lazyLayer, clock: d.clock, local, catalogItem, channelsOf, log: d.log });
  const invites = createInvites({
    layer: lazyLayer,
    media: d.sessions,
    audit: d.audit,
    clock: d.clock,
    local,
    log: d.log,
    async mediaStatus(p) {
      const l = await local(p);
      await queries.send(p, mediaStatusXml(l.deviceId, links.get(p.id)?.nextSn() ?? 1, p.charset));
    },
  });

  function onRequest(ctx: ServerContext): void {
    const { req } = ctx;
    if (req.method === 'ACK') {
      invites.ack(req);
      return;
    }
    const serverId = uriUser(req.headers.get('from') ?? '');
    const p = serverId ? byServerId.get(serverId) : undefined;
    if (!p) {
      ctx.respond(responseTo(req, 403, { reason: 'Forbidden (not a configured platform)' }));
      return;
    }
    const target = uriUser(req.uri);
    const channel = channelsOf(p).find((c) => c.channelId === target);
    const run = async () => {
      switch (req.method) {
        case 'MESSAGE':
          return queries.message(ctx, p);
        case 'INVITE':
          return invites.invite(ctx, p, channel);
        case 'BYE':
          return invites.bye(ctx);
        case 'INFO':
          return invites.info(ctx);
        case 'CANCEL':
          return invites.cancel(ctx);
        case 'SUBSCRIBE':
          return subscriptions.subscribe(ctx, p);
        case 'OPTIONS':
          return ctx.respond(responseTo(req, 200, { headers: [['allow', 'INVITE, ACK, BYE, CANCEL, INFO, MESSAGE, SUBSCRIBE, NOTIFY, OPTIONS']] }));
        case 'NOTIFY':
          return ctx.respond(responseTo(req, 481));
        default:
          return ctx.respond(responseTo(req, 405, { headers: [['allow', 'INVITE, ACK, BYE, CANCEL, INFO, MESSAGE, SUBSCRIBE, OPTIONS']] }));
      }
    };
    run().catch((e: Error) => {
      d.log.warn({ platform: p.id, method: req.method, err: e.message }, 'gb28181: request failed');
      ctx.respond(responseTo(req, 500));
    });
  }

  let offBus: (() => void)[] = [];
  let poll: NodeJS.Timeout | null = null;

  function checkChannels(): void {
    for (const ch of cfg.channels) {
      const now = d.sourceUp(ch.sourceId) ? 'ON' : 'OFF';
      const was = lastStatus.get(ch.sourceId);
      lastStatus.set(ch.sourceId, now);
      if (was !== undefined && was !== now) subscriptions.channelChanged(ch);
    }
  }

  if (d.registry) {
    const reg = d.registry;
    const perPlatform = (name: string, help: string, value: (s: PlatformStatus) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['platform'],
        registers: [reg],
        collect() {
          this.reset();
          for (const s of status().platforms) this.set({ platform: s.id }, value(s));
        },
      });
    perPlatform('examroom_gb28181_registered', 'Whether the device is registered with the platform (1) or not (0)', (s) => (s.state === 'registered' ? 1 : 0));
    perPlatform('examroom_gb28181_online', 'Whether the platform answers (registered and keepalives answered)', (s) => (s.online ? 1 : 0));
    perPlatform('examroom_gb28181_clock_skew_seconds', "The platform's clock minus ours at the last registration", (s) => (s.clockSkewMs ?? 0) / 1000);
    perPlatform('examroom_gb28181_keepalive_misses', 'Keepalives unanswered in a row', (s) => s.keepaliveMisses);
    perPlatform('examroom_gb28181_register_failures', 'Registrations failed in a row', (s) => s.failures);
    perPlatform('examroom_gb28181_sessions', 'Media sessions (play, playback, download) the platform has open', (s) => s.plays.length);
    new Gauge({
      name: 'examroom_gb28181_sip_messages',
      help: 'SIP messages received since start, by outcome (received, malformed, dropped by the per-address rate limit)',
      labelNames: ['outcome'],
      registers: [reg],
      collect() {
        const s = transport?.stats ?? { received: 0, malformed: 0, dropped: 0 };
        this.set({ outcome: 'received' }, s.received);
        this.set({ outcome: 'malformed' }, s.malformed);
        this.set({ outcome: 'dropped' }, s.dropped);
      },
    });
  }

  function status(): Gb28181Status {
    const dialogs = invites.active();
    return {
      deviceId: cfg.deviceId,
      port: transport?.port ?? null,
      sip: { ...(transport?.stats ?? { received: 0, malformed: 0, dropped: 0 }) },
      platforms: cfg.platforms.map((p) => ({
        id: p.id,
        name: p.name,
        serverId: p.serverId,
        host: p.host,
        port: p.port,
        transport: p.transport,
        edition: p.edition,
        keepaliveSeconds: p.keepaliveSeconds,
        keepaliveMissesAllowed: p.keepaliveMisses,
        channels: channelsOf(p).length,
        subscriptions: subscriptions.count(p.id),
        plays: dialogs
          .filter((x) => x.platform.id === p.id)
          .map((x) => ({ kind: x.kind, channelId: x.channel.channelId, sourceId: x.channel.sourceId, since: x.startedAt })),
        ...(links.get(p.id)?.status() ?? {
          state: 'idle',
          online: false,
          registeredAt: null,
          expiresAt: null,
          lastError: null,
          lastErrorKind: null,
          failures: 0,
          nextAttemptAt: null,
          lastKeepaliveAt: null,
          keepaliveMisses: 0,
          clockSkewMs: null,
          clockAlarm: false,
          registrations: 0,
          lostAt: null,
        }),
      })),
    };
  }

  return {
    status,
    port: () => transport?.port ?? 0,
    async start() {
      transport = await openTransport({ host: cfg.host, port: cfg.port, perPeerRate: d.perPeerRate, log: d.log });
      layer = createTransactionLayer(transport, timers);
      layer.onRequest(onRequest);
      layer.onAckTimeout((req) => invites.ackTimeout(req));
      for (const ch of cfg.channels) lastStatus.set(ch.sourceId, d.sourceUp(ch.sourceId) ? 'ON' : 'OFF');
      if (d.bus) {
        // camera.up/down are the moment a source changes; the poll below catches anything else (a removed source).
        offBus = [d.bus.on('camera.up', () => checkChannels()), d.bus.on('camera.down', () => checkChannels())];
      }
      poll = setInterval(checkChannels, 2000);
      for (const p of cfg.platforms) {
        const link = createPlatformLink({
          platform: p,
          layer,
          local: () => local(p),
          clock: d.clock,
          timeZone: d.timeZone,
          log: d.log,
          minRetryMs: d.minRetryMs,
          onChange: (s) => {
            if (!s.online && s.state !== 'registered') void invites.closePlatform(p.id, false);
          },
        });
        links.set(p.id, link);
        link.start();
      }
    },
    async stop() {
      if (poll) clearInterval(poll);
      for (const off of offBus) off();
      await Promise.all(cfg.platforms.map((p) => invites.closePlatform(p.id, true)));
      await Promise.all([...links.values()].map((l) => l.stop()));
      links.clear();
      layer?.close();
      await transport?.close();
      transport = null;
    },
  };
}
