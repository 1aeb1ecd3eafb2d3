// Live view, upstream push and terminal screens over HTTP: /ws/live/:sourceId (MPEG-TS for
// mpegts.js), /api/live/sources, /api/upstream, /ws/screen. Who may watch what is decided here, once:
// admins everything, invigilators their rooms (none when bound to none, as everywhere else), inspectors only a site
// inside their jurisdiction — and every inspector view is audited when it starts and when it stops.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { RawData, WebSocket } from 'ws';
import { Gauge, type Registry } from 'prom-client';
import { Conflict, Forbidden, NotFound, siteInJurisdiction, type EventBus, OUTSIDE_JURISDICTION } from '../core/index.ts';
import type { Config } from '../config/index.ts';
import { createLiveRelay, type LiveRelay, type Sink, type StreamName, type TsFeed } from './live.ts';
import { createUpstream, type Upstream } from './upstream.ts';
import { LIVE_WS_PREFIX, liveWsPath } from './types.ts';
import { LiveSourceT } from './protocol.ts';
import { createScreens, SCREEN_WS_PATH, type ScreenConnection, type ScreenIngest, type Screens } from './screens.ts';

/** What the live side needs from ingest (media/index.ts). */
export interface LiveMedia extends ScreenIngest {
  ingest: TsFeed;
  sources(): Array<{
    id: string;
    name: string;
    room: string;
    kind: 'camera' | 'screen';
    state?: string;
    since?: number;
    reason?: string | null;
    recording?: boolean;
    sub?: { state: string } | null;
    codecs?: { video: string | null; audio: string | null } | null;
  }>;
}

export interface LiveDeps {
  media: LiveMedia;
  config: Config;
  bus?: EventBus;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
  ffmpeg?: string;
  /** Upstream backoff bounds (tests shorten them). */
  upstreamBackoff?: { firstMs: number; maxMs: number };
}

export interface Live {
  relay: LiveRelay;
  upstream: Upstream;
  screens: Screens;
  start(): void;
  stop(): Promise<void>;
}

export function createLive(deps: LiveDeps): Live {
  const relay = createLiveRelay(
    deps.media.ingest,
    undefined,
    undefined,
    {
      ...(deps.ffmpeg ? { ffmpeg: deps.ffmpeg } : {}),
      ...(deps.log ? { log: deps.log } : {}),
    },
    deps.config.media.hevcTranscodes,
  );
  const upstream = createUpstream({
    relay,
    targets: deps.config.upstream,
    sourceIds: () => deps.media.sources().map((s) => s.id),
    ...(deps.media.ingest.codecs
      ? {
          codecs: (id: string) => {
            try {
              return deps.media.ingest.codecs?.(id) ?? null;
            } catch {
              return null; // removed meanwhile: the reconcile stops its pushers
            }
          },
        }
      : {}),
    ...(deps.ffmpeg ? { ffmpeg: deps.ffmpeg } : {}),
    ...(deps.log ? { log: deps.log } : {}),
    ...(deps.upstreamBackoff ? { backoff: deps.upstreamBackoff } : {}),
  });
  const screens = createScreens(deps.media);
  const offs: Array<() => void> = [];
  return {
    relay,
    upstream,
    screens,
    start() {
      upstream.start();
      // A source whose ingest restarted sends a stream whose timestamps start again: players and
      // pushers start over on it instead of stalling on the jump. (Events from ingest, if it emits them.)
      const bus = deps.bus as unknown as { on(name: string, fn: (p: { sourceId?: string; id?: string }) => void): () => void } | undefined;
      if (bus) {
        offs.push(
          bus.on('camera.up', (p) => {
            const id = p.sourceId ?? p.id;
            if (!id) return;
            relay.restart(id, 'source restarted');
            upstream.restartSource(id);
          }),
          bus.on('camera.down', (p) => {
            const id = p.sourceId ?? p.id;
            if (id) void screens.abort(id, 'screen ingest restarted; start a new recording');
          }),
        );
      }
    },
    async stop() {
      for (const off of offs.splice(0)) off();
      await screens.closeAll();
      await upstream.stop();
      relay.close();
    },
  };
}

interface SocketRegistrar {
  add(entry: { socket: WebSocket; owner: string; kind: string }): () => void;
}

export interface LiveRouteOptions {
  live: Live;
  media: LiveMedia;
  config: Config;
  audit: { append(e: { actor: string; action: string; target?: string | null; detail?: Record<string, unknown>; ip?: string | null }): unknown };
  hub: SocketRegistrar;
  /** The app's prom-client registry, for the live and upstream gauges. */
  registry?: Registry;
  now?: () => number;
}

/**
 * An inspector's sockets on one source within this long of each other are one audited view: enlarging a
 * tile swaps its sub-stream socket for the main one, and a reconnect after a hiccup is not a new view.
 */
export const LIVE_VIEW_GRACE_MS = 2000;

/** Closed by the relay because the viewer fell behind: the client reconnects and starts at a fresh key frame. */
export const CLOSE_TOO_SLOW = 4008;
export const CLOSE_SOURCE_RESTARTED = 4009;

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export const liveRoutes: FastifyPluginAsync<LiveRouteOptions> = async (app, opts) => {
  const { live, media, config, audit, hub } = opts;
  const now = opts.now ?? Date.now;
  const tags = ['live'];
  const viewers = new Map<string, number>();
  // Open inspector views by actor and source: started once, stopped when the last socket has been gone LIVE_VIEW_GRACE_MS.
  interface InspectorView {
    actor: string;
    sourceId: string;
    ip: string;
    started: number;
    bytes: number;
    sockets: number;
    streams: Set<StreamName>;
    timer: ReturnType<typeof setTimeout> | null;
  }
  const inspectorViews = new Map<string, InspectorView>();
  let closingApp = false;
  const endInspectorView = (v: InspectorView, code: number) => {
    if (inspectorViews.get(`${v.actor}\0${v.sourceId}`) !== v) return;
    inspectorViews.delete(`${v.actor}\0${v.sourceId}`);
    if (v.timer) clearTimeout(v.timer);
    audit.append({
      actor: v.actor,
      action: 'media.live.view.stop',
      target: v.sourceId,
      detail: { seconds: Math.round((now() - v.started) / 1000), bytes: v.bytes, code, streams: [...v.streams] },
      ip: v.ip,
    });
  };
  const openInspectorView = (actor: string, sourceId: string, ip: string, stream: StreamName): InspectorView => {
    const open = inspectorViews.get(`${actor}\0${sourceId}`);
    if (open) {
      if (open.timer) clearTimeout(open.timer);
      open.timer = null;
      open.sockets++;
      open.streams.add(stream);
      return open;
    }
    const v: InspectorView = { actor, sourceId, ip, started: now(), bytes: 0, sockets: 1, streams: new Set([stream]), timer: null };
    inspectorViews.set(`${actor}\0${sourceId}`, v);
    audit.append({
      actor,
      action: 'media.live.view.start',
      target: sourceId,
      detail: { room: media.sources().find((s) => s.id === sourceId)?.room ?? null, stream },
      ip,
    });
    return v;
  };
  const leaveInspectorView = (v: InspectorView, code: number) => {
    v.sockets--;
    if (v.sockets > 0) return;
    if (closingApp) return endInspectorView(v, code);
    v.timer = setTimeout(() => endInspectorView(v, code), LIVE_VIEW_GRACE_MS);
    v.timer.unref();
  };
  // Shutting down: a view waiting out its grace ends now, while the audit log is still open.
  app.addHook('preClose', async () => {
    closingApp = true;
    for (const v of [...inspectorViews.values()]) if (v.sockets === 0) endInspectorView(v, 1001);
  });

  if (opts.registry) {
    new Gauge({
      name: 'examroom_live_viewers',
      help: 'Open live-view WebSockets by source',
      labelNames: ['source'],
      registers: [opts.registry],
      collect() {
        this.reset();
        for (const [s, n] of viewers) this.set({ source: s }, n);
      },
    });
    new Gauge({
      name: 'examroom_live_transcodes',
      help: "On-demand ffmpegs running now, by the relay stream they make: sound (a source's sound as AAC for listeners) and h264 (an H.265 camera for an enlarged tile)",
      labelNames: ['kind'],
      registers: [opts.registry],
      collect() {
        this.reset();
        for (const t of [live.relay.sound, live.relay.hevc]) this.set({ kind: t.kind }, t.running().length);
      },
    });
    new Gauge({
      name: 'examroom_upstream_pushing',
      help: '1 while an upstream push is delivering bytes, 0 while it is starting or retrying',
      labelNames: ['target', 'source'],
      registers: [opts.registry],
      collect() {
        this.reset();
        for (const s of live.upstream.status()) this.set({ target: s.target, source: s.source }, s.state === 'pushing' ? 1 : 0);
      },
    });
  }

  /** The source, if this caller may watch it; 404 for a source that does not exist, 403 with the reason otherwise. */
  const visibleSource = (request: FastifyRequest, sourceId: string) => {
    const source = media.sources().find((s) => s.id === sourceId);
    if (!source) throw new NotFound(`no video source ${sourceId} on this site`);
    const why = refusal(request, source.room);
    if (why) throw new Forbidden(`${sourceId} is in room ${source.room}: ${why}`);
    return source;
  };
  const refusal = (request: FastifyRequest, room: string): string | null => {
    const p = request.principal;
    if (!p || p.kind !== 'user') return 'live view is for staff';
    if (p.role === 'admin') return null;
    if (p.role === 'invigilator') return p.user.rooms.includes(room) ? null : `you invigilate ${p.user.rooms.join(', ') || 'no rooms'}`;
    if (p.role === 'inspector') return siteInJurisdiction(config.site, p.user.jurisdiction) ? null : `site ${config.site.id} is outside your jurisdiction`;
    return `${p.role} may not watch`;
  };

  app.get(
    '/api/live/sources',
    {
      config: { roles: ['admin', 'invigilator', 'inspector'] },
      schema: {
        tags,
        summary: 'The video sources this caller may watch, with their live-view WebSocket path',
        response: {
          200: Type.Array(LiveSourceT),
        },
      },
    },
    async (request) => {
      const p = request.principal;
      // An inspector outside the jurisdiction sees nothing of the site, not even its camera names.
      if (p?.kind === 'user' && p.role === 'inspector' && !siteInJurisdiction(config.site, p.user.jurisdiction))
        throw new Forbidden(`site ${config.site.id} is outside your jurisdiction`, OUTSIDE_JURISDICTION);
      return media
        .sources()
        .filter((s) => refusal(request, s.room) === null)
        .map((s) => {
          const info = live.relay.channel(s.id).info;
          const { id, name, room, kind, ...status } = s;
          return {
            id,
            name,
            room,
            kind,
            ws: liveWsPath(id),
            subWs: s.sub ? liveWsPath(id, 'sub') : null,
            viewers: live.relay.viewers(id),
            // What the camera sends (the live TS names G.711 only as a private stream).
            video: s.codecs?.video ?? info.videoCodec,
            audio: s.codecs ? s.codecs.audio : info.audioCodec,
            status,
          };
        });
    },
  );

  /**
   * Refuses an `h264` view of a source whose transcode would exceed the cap (media.hevcTranscodes); the
   * refusal names the cap and whether the camera has a sub-stream to watch instead, for the tile's words.
   */
  const checkTranscode = (sourceId: string, sub: boolean) => {
    const hevc = live.relay.hevc;
    if (live.relay.resolve(sourceId, 'h264') !== 'h264' || hevc.available(sourceId)) return;
    const running = hevc.running();
    throw new Conflict(
      hevc.max === 0
        ? 'H.265 transcoding is turned off on this server (media.hevcTranscodes: 0)'
        : `at most ${hevc.max} H.265 sources are transcoded at once and ${running.length} are (${running.join(', ')}); try again later${sub ? ' or watch the sub-stream' : ''}`,
      'hevc_transcodes_busy',
      { max: hevc.max, running: running.length, sub: sub ? 1 : 0 },
    );
  };

  app.get(
    '/api/live/sources/:sourceId/h264',
    {
      config: { roles: ['admin', 'invigilator', 'inspector'] },
      schema: {
        tags,
        summary:
          'Whether this H.265 source can be watched large as H.264 now (a browser that cannot play H.265 asks before opening stream=h264): 409 hevc_transcodes_busy with the cap when media.hevcTranscodes transcodes run already',
        params: Type.Object({ sourceId: Type.String({ minLength: 1, maxLength: 80 }) }),
        response: { 200: Type.Object({ transcoded: Type.Boolean(), running: Type.Integer(), max: Type.Integer() }) },
      },
    },
    async (request) => {
      const { sourceId } = request.params as { sourceId: string };
      const source = visibleSource(request, sourceId);
      checkTranscode(sourceId, !!source.sub);
      return { transcoded: live.relay.resolve(sourceId, 'h264') === 'h264', running: live.relay.hevc.running().length, max: live.relay.hevc.max };
    },
  );

  app.get(
    `${LIVE_WS_PREFIX}:sourceId`,
    {
      websocket: true,
      config: { roles: ['admin', 'invigilator', 'inspector'] },
      schema: {
        tags,
        summary:
          'Live MPEG-TS of one source (binary messages, for mpegts.js): video copied; sound only with stream=sound (G.711 encoded to AAC while someone listens); stream=h264 transcodes an H.265 camera for a tile opened large (409 before the upgrade at the cap)',
        params: Type.Object({ sourceId: Type.String({ minLength: 1, maxLength: 80 }) }),
        querystring: Type.Object({
          stream: Type.Optional(
            Type.Union([Type.Literal('main'), Type.Literal('sub'), Type.Literal('sound'), Type.Literal('h264')], {
              description:
                "sub: the camera's sub-stream for grid tiles; a source without one, or whose sub-stream is down while the main one is up, is served its main stream. sound: the main stream with its sound as AAC (the unmuted tile): one encode per source shared by all its listeners, running while any listens. h264: an H.265 camera transcoded to H.264 at 640 px, no sound (the tile opened large in a browser without H.265): one per source shared by its viewers, running while any watches, media.hevcTranscodes at most; the main stream for any other camera",
            }),
          ),
        }),
      },
      // Refused before the upgrade, so the browser sees 403/404 instead of an open-then-closed socket.
      preHandler: async (request) => {
        const sourceId = (request.params as { sourceId: string }).sourceId;
        const source = visibleSource(request, sourceId);
        if ((request.query as { stream?: StreamName }).stream === 'h264') checkTranscode(sourceId, !!source.sub);
      },
    },
    (socket, request) => {
      const { sourceId } = request.params as { sourceId: string };
      const p = request.principal!;
      // Asking for the sub-stream is a preference, not a requirement: a tile shows a picture whenever the camera has one.
      const source = media.sources().find((s) => s.id === sourceId);
      const asked = (request.query as { stream?: StreamName }).stream;
      const stream: StreamName =
        asked === 'sound' || asked === 'h264' ? asked : asked === 'sub' && source?.sub && (source.sub.state === 'up' || source.state !== 'up') ? 'sub' : 'main';
      const view = p.role === 'inspector' ? openInspectorView(request.actor, sourceId, request.ip, stream) : null;
      let closing = false;
      const remove = hub.add({ socket, owner: request.actor, kind: 'live' });
      viewers.set(sourceId, (viewers.get(sourceId) ?? 0) + 1);
      const sink: Sink = {
        backlog: () => socket.bufferedAmount,
        write(bytes) {
          if (socket.readyState !== socket.OPEN) return;
          if (view) view.bytes += bytes.length;
          socket.send(bytes, { binary: true });
        },
        drop(reason) {
          if (closing) return;
          closing = true;
          socket.close(reason === 'source restarted' ? CLOSE_SOURCE_RESTARTED : CLOSE_TOO_SLOW, reason.slice(0, 120));
          // A viewer too slow to take its queued bytes will not take the close frame soon either.
          setTimeout(() => socket.terminate(), 1000).unref();
        },
      };
      let detach: () => void;
      try {
        detach = live.relay.attach(sourceId, sink, stream);
      } catch (err) {
        // The cap was reached between the check and the upgrade (or the source went away): said, not thrown.
        remove();
        const n = (viewers.get(sourceId) ?? 1) - 1;
        if (n > 0) viewers.set(sourceId, n);
        else viewers.delete(sourceId);
        if (view) leaveInspectorView(view, 1013);
        socket.close(1013, (err instanceof Error ? err.message : String(err)).slice(0, 120));
        return;
      }
      socket.on('error', () => socket.terminate());
      // Viewers send nothing; anything they do send is ignored.
      socket.on('close', (code) => {
        detach();
        remove();
        const n = (viewers.get(sourceId) ?? 1) - 1;
        if (n > 0) viewers.set(sourceId, n);
        else viewers.delete(sourceId);
        if (view) leaveInspectorView(view, code);
      });
    },
  );

  app.get(
    '/api/upstream',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Upstream pushes (configured target × source): state, last error, restarts',
        response: {
          200: Type.Array(
            Type.Object({
              target: Type.String(),
              targetName: Type.String(),
              level: Type.String(),
              source: Type.String(),
              url: Type.String(),
              state: Type.String(),
              since: Type.Number(),
              lastError: Type.Union([Type.String(), Type.Null()]),
              problem: Type.Union([Type.Object({ zh: Type.String(), en: Type.String() }), Type.Null()], {
                description: 'why it does not push, in words (known causes)',
              }),
              restarts: Type.Integer(),
              bytesOut: Type.Number(),
              retryAt: Type.Union([Type.Number(), Type.Null()]),
            }),
          ),
        },
      },
    },
    async () => live.upstream.status(),
  );

  app.get(
    SCREEN_WS_PATH,
    {
      websocket: true,
      config: { roles: ['terminal'] },
      schema: { tags, summary: 'A terminal sends its screen: binary MediaRecorder chunks (WebM/Matroska, H.264); docs/media.md' },
    },
    (socket, request) => {
      const p = request.principal;
      if (p?.kind !== 'device') return socket.close(1008, 'device token required');
      const terminal = config.terminals.find((t) => t.id === p.device.id);
      if (!terminal) return socket.close(1008, `terminal ${p.device.id} is not in this site's configuration`);
      const remove = hub.add({ socket, owner: request.actor, kind: 'screen' });
      // The recorder's first chunk (the WebM header) may arrive before ingest has the source: hold
      // what comes until then, and let TCP push back on the browser if ingest is slower than it.
      const tcp = (socket as unknown as { _socket?: { pause(): void; resume(): void } })._socket;
      const early: Buffer[] = [];
      let conn: ScreenConnection | null = null;
      let gone = false;
      socket.on('message', (data, isBinary) => {
        if (!isBinary) return;
        if (!conn) return void early.push(toBuffer(data));
        if (!conn.receive(toBuffer(data))) tcp?.pause();
      });
      socket.on('error', () => socket.terminate());
      socket.on('close', () => {
        gone = true;
        remove();
        void conn?.close().then(() => live.upstream.reconcile());
      });
      live.screens.connect(terminal).then(
        (c) => {
          conn = c;
          if (gone) return void c.close();
          c.onDrain(() => tcp?.resume());
          c.onAbort((reason) => socket.close(CLOSE_SOURCE_RESTARTED, reason.slice(0, 120)));
          for (const b of early.splice(0)) c.receive(b);
          live.upstream.reconcile();
          app.log.info({ terminal: terminal.id, source: c.sourceId }, 'terminal screen connected');
        },
        (err: unknown) => {
          app.log.warn({ err, terminal: terminal.id }, 'terminal screen refused by ingest');
          socket.close(1011, `screen ingest failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 120));
        },
      );
    },
  );
};
