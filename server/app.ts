// buildApp: the composition root for one appliance. It creates the services from their dependencies,
// wires routes and hooks, and returns a Fastify instance that tests drive with inject() or real sockets.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { NetworkInterfaceInfo } from 'node:os';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from 'pino';
import { createEventBus, systemClock, type Clock, type EventBus } from '../core/index.ts';
import type { Config } from '../config/index.ts';
import {
  createAuditLog,
  createDeviceStore,
  createMediaReader,
  readCacheDir,
  createUserStore,
  dataPaths,
  ensureDataFolders,
  loadAuditKey,
  openDatabase,
  openFaceVaultAtStart,
  type Db,
  type FaceVault,
} from '../storage/index.ts';
import { createUserService } from './auth/users.ts';
import { TOKEN_TICK_MS, createDeviceService } from './auth/devices.ts';
import { installErrorHandler } from './errors.ts';
import { installFiniteNumberCheck } from './finite-numbers.ts';
import { installReplyRedaction } from './redact-replies.ts';
import { installRoleHook, type RouteInfo } from './roles.ts';
import { createMetrics, installRequestMetrics } from './metrics.ts';
import { applyConnectionLimits, serverTimeouts } from './connection-limits.ts';
import { installCrossSiteGuard } from './cross-site.ts';
import { createSocketHub, endAnsweredUpgrades } from './websocket.ts';
import { installChannelEnds } from './auth/channels.ts';
import { installUpgradeOriginCheck } from './origin.ts';
import type { AppContext } from './context.ts';
import { jobRoutes } from './routes/jobs.ts';
import { checkAudit, createAuditAnchors, createJobRunner, type AuditAnchors } from '../documents/index.ts';
import { systemRoutes } from './routes/system.ts';
import { objectStoreStatus, openObjectStore } from './object-store.ts';
import { mediaStoreReads } from './media-reads.ts';
import type { ObjectStoreMonitor } from '../storage/object-store/index.ts';
import { systemInfoRoutes } from './routes/system-info.ts';
import { objectStoreProbeRoutes } from './routes/object-store-probe.ts';
import { authRoutes } from './routes/auth.ts';
import { userRoutes } from './routes/users.ts';
import { userPasswordRoutes } from './routes/user-password.ts';
import { deviceRoutes } from './routes/devices.ts';
import { cardReaderRoutes } from './routes/card-readers.ts';
import { auditRoutes } from './routes/audit.ts';
import { builtEntryOf, webRoutes } from './routes/web.ts';
import { sessionChecklistRoutes } from './routes/session-checklist.ts';
import { backupRoutes } from './routes/backups.ts';
import { backupHealthOf, createSiteBackups, ensureBackupKey } from './backup.ts';
import type { BackupService } from '../storage/index.ts';
import { createExamService, examRoutes, type ExamService } from '../exam/index.ts';
import { createTerminalService, terminalRoutes, type TerminalService } from '../terminal/index.ts';
import {
  createGb28181,
  createGbMediaSessions,
  createLive,
  createMediaService,
  gb28181Routes,
  liveRoutes,
  mediaRoutes,
  recordedSources,
  type Live,
  type MediaService,
} from '../media/index.ts';
import { prepareSiteTls, reportTlsEvents, startTlsRefresh, registerTlsMetrics, tlsHealth, tlsRoutes, MIN_TLS_VERSION, type SiteTls } from './tls/index.ts';
import { createKioskService, createSeatChecker, kioskPlugin, type KioskFaceEngine, type KioskService } from '../kiosk/index.ts';
import {
  classRecordsRoutes,
  createClassRecords,
  createLessonWindows,
  createTrainingService,
  trainingPlugin,
  type ClassRecords,
  type TrainingService,
} from '../training/index.ts';
import { createFeed, createProctorService, proctorPlugin, type ProctorService } from '../proctor/index.ts';
import { createRecordsService, recordsRoutes, type RecordsService } from '../records/index.ts';
import { createTier, tierRoutes } from './tier.ts';
import type { TierWorker } from '../storage/index.ts';

export interface AppDeps {
  config: Config;
  /** An open database; when absent, the one in the config's data folder is opened (and migrated). */
  db?: Db;
  clock?: Clock;
  bus?: EventBus;
  /** A pino logger; false (the default for tests) logs nothing. */
  logger?: Logger | false;
  /** A loaded face engine to share (tests load one per file); absent = the kiosk loads its own on first use. */
  faceEngine?: KioskFaceEngine;
  /** How long an inspector's playback view stays open with nothing fetched (media/routes.ts PLAYBACK_IDLE_MS). */
  playbackIdleMs?: number;
  /** How Fastify compiles route schemas; serve defers them past listening (server/deferred-schemas.ts). */
  schemaController?: FastifyServerOptions['schemaController'];
  /** The host's network interfaces as the site certificate sees them (tests pass their own). */
  networkInterfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** How often open sockets and event streams are checked against their session (server/auth/channels.ts CHANNEL_SWEEP_MS). */
  channelSweepMs?: number;
  /** A face vault to use instead of the keys folder's (bench/kiosk.ts's encryption-off figure); never set by serve. */
  faceVault?: FaceVault;
  /** The tier worker's intervals (server/tier.ts); tests run passes themselves. */
  tierIntervals?: { passMs?: number; sampleMs?: number; sampleSize?: number; sweepMs?: number };
}

export type App = FastifyInstance & {
  ctx: AppContext;
  routeTable: RouteInfo[];
  exam: ExamService;
  terminal: TerminalService;
  media: MediaService;
  live: Live;
  kiosk: KioskService;
  training: TrainingService;
  /** The district report, teacher ratings and class files of training classes (training/archive). */
  classRecords: ClassRecords;
  proctor: ProctorService;
  records: RecordsService;
  /** The object-store tier (storage/tier/): idle without objectStore in the config. */
  tier: TierWorker;
  tls: SiteTls | null;
  tlsRefresh: () => Promise<void>;
  /** Database backups (server/backup.ts); serve starts its nightly schedule. */
  backups: BackupService;
  /** The centre's object store and its last probe; null = none configured (media stays local). */
  objectStore: ObjectStoreMonitor | null;
};

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const paths = dataPaths(config.paths.data);
  ensureDataFolders(paths);
  const db = deps.db ?? openDatabase(paths.dbFile);
  const clock = deps.clock ?? systemClock;
  // Face data is sealed under the face key (storage/face-vault.ts). A missing or wrong key stops the start
  // here, before anything is written; the first start with the vault seals what lies there in plain form.
  const face = deps.faceVault
    ? { vault: deps.faceVault, created: false, migrated: null }
    : openFaceVaultAtStart({ keysDir: config.paths.keys, paths, db, now: clock.now() });
  const faceVault = face.vault;
  // Before Fastify: the HTTPS server is made with its certificate. A bad site certificate stops the start here.
  const prepared = await prepareSiteTls({ config, db, clock, ...(deps.networkInterfaces ? { interfaces: deps.networkInterfaces } : {}) });
  const tls = prepared.tls;

  const timeouts = serverTimeouts(config.server.connections);
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    ...(tls ? { https: { ...tls.context(), minVersion: MIN_TLS_VERSION, ...timeouts.http } } : { http: timeouts.http }),
    // Only the listed proxies' X-Forwarded-* are believed; request.ip is otherwise the socket's peer.
    trustProxy: config.server.trustProxy.length > 0 ? config.server.trustProxy : false,
    ...timeouts.fastify,
    bodyLimit: 1024 * 1024,
    // A certificate's QR payload is one path parameter of ~200 characters (records/certificates/payload.ts);
    // Fastify's default refuses parameters over 100 with a bare 414.
    routerOptions: { maxParamLength: 1024 },
    // Reject unknown fields instead of silently dropping them: a client that sends them has a bug.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
    return503OnClosing: true,
    ...(deps.schemaController ? { schemaController: deps.schemaController } : {}),
  }) as unknown as App;

  const bus = deps.bus ?? createEventBus((name, err) => app.log.error({ err, event: name }, 'event listener failed'));
  const metrics = createMetrics();
  applyConnectionLimits(app.server, config.server.connections, config.server.trustProxy, (why) => metrics.connectionsRefused.inc({ why }));
  // The audit key is made on the first start (0600 in the keys folder); from then on the chain is keyed.
  let anchors: AuditAnchors | null = null;
  const audit = createAuditLog(db, clock, {
    key: loadAuditKey(config.paths.keys, { create: true }),
    onAppend: (e) => {
      metrics.auditEntries.inc({ action: e.action });
      bus.emit('audit.appended', { seq: e.seq, action: e.action });
      // A new bank package's mark leaves the database at once, in an anchor (exam/bank/packages.ts).
      anchors?.appended(e, e.action === 'bank.package.accepted');
    },
  });
  anchors = createAuditAnchors({
    db,
    audit,
    dir: paths.anchors,
    keysDir: config.paths.keys,
    clock,
    siteId: config.site.id,
    marks: () => exam.packages.marks(),
    log: app.log,
  });
  const auditAnchors = anchors;
  if (tls) {
    reportTlsEvents(prepared.events, { audit, bus, log: app.log, clock });
    registerTlsMetrics(metrics.registry, tls, clock);
  }
  const users = createUserService({ users: createUserStore(db, clock), audit, bus, clock, config });
  let kioskRef: KioskService | null = null;
  const hub = createSocketHub();
  // Online: a socket as the device (terminal exam socket, /ws/device, its screen) or a kiosk's event stream.
  const online = (id: string) => hub.hasOwner(`device:${id}`) || (kioskRef?.identity.connected(id) ?? false);
  const devices = createDeviceService({
    devices: createDeviceStore(db, clock),
    audit,
    bus,
    clock,
    config,
    online,
    appHashOf: (kind) => builtEntryOf(kind === 'kiosk' ? 'kiosk/web' : 'terminal/web'),
    // The proctor's current session of the room (open, else today's): made further down, so looked up late.
    seatedOf: (roomId) => seatedOf(roomId),
  });
  let seatedOf: (roomId: string) => ReadonlySet<string> | null = () => null;
  // Last seen is when a device last came or went (the terminals speak only on their exam socket).
  for (const e of ['terminal.online', 'terminal.offline'] as const) bus.on(e, (p) => devices.touch(p.terminalId, null));
  for (const e of ['device.online', 'device.offline'] as const) bus.on(e, (p) => devices.touch(p.deviceId, null));
  // The kiosk screen hears of its reader bridge coming and going (kiosk/reader-bridge holds /ws/device).
  bus.on('device.online', (p) => p.kind === 'reader' && devices.readerConnection(p.deviceId, true));
  bus.on('device.offline', (p) => p.kind === 'reader' && devices.readerConnection(p.deviceId, false));
  // A device that connects with a token due for rotation is told at once (after its hello); those that
  // stay connected, by the ticker, which also counts a connected device as using its token.
  const offerRotation = (id: string) =>
    setImmediate(() => {
      try {
        devices.offerRotation(id);
      } catch (err) {
        app.log.error({ err, deviceId: id }, 'offering a device token rotation failed');
      }
    });
  bus.on('terminal.online', (p) => offerRotation(p.terminalId));
  bus.on('device.online', (p) => offerRotation(p.deviceId));
  const tokenTicker = setInterval(() => {
    try {
      devices.tickTokens();
    } catch (err) {
      app.log.error({ err }, 'the device token ticker failed');
    }
  }, TOKEN_TICK_MS);
  tokenTicker.unref();
  app.addHook('onClose', async () => clearInterval(tokenTicker));
  const jobs = createJobRunner({ db, bus, clock, log: app.log });
  const ctx: AppContext = { config, paths, db, clock, bus, audit, anchors: auditAnchors, users, devices, metrics, hub, jobs, tls: Boolean(tls) };
  const routeTable: RouteInfo[] = [];
  app.decorate('ctx', ctx);
  app.decorate('routeTable', routeTable);
  app.decorate('tls', tls);
  const refresher = tls ? startTlsRefresh({ tls, server: app.server as unknown as import('node:tls').Server, audit, bus, log: app.log, clock }) : null;
  app.decorate('tlsRefresh', async () => refresher?.now());
  if (face.created) audit.append({ actor: 'system', action: 'face.key.created', target: face.vault.keyId });
  if (face.migrated && (face.migrated.files > 0 || face.migrated.blobs > 0))
    audit.append({ actor: 'system', action: 'face.data.sealed', target: face.vault.keyId, detail: face.migrated });
  const exam = createExamService({ db, clock, bus, config, audit, paths, faceVault, jobs, anchoredMarks: () => auditAnchors.latest()?.marks ?? {} });
  app.decorate('exam', exam);
  // The terminal service is made first; its seat re-check reaches the kiosk's identity service through a closure.
  const seatChecker = createSeatChecker({ checkSnapshot: (s) => kioskRef!.identity.checkSnapshot(s) }, app.log);
  const terminal = createTerminalService({
    db,
    clock,
    bus,
    config,
    audit,
    paths,
    faceVault,
    exam,
    log: app.log,
    checkSnapshot: seatChecker,
    registry: metrics.registry,
    appHash: () => builtEntryOf('terminal/web'),
  });
  app.decorate('terminal', terminal);
  // record: sessions sources record inside their room's exam sessions and training lessons.
  const lessonWindows = createLessonWindows({ db, bus });
  // The centre's object store (objectStore:), probed at start and now and then; a failed probe is shown
  // in /healthz and the System page and never stops recording. The tier and backups take it from here.
  const objectStore = openObjectStore(config, { clock, log: app.log });
  app.decorate('objectStore', objectStore);
  // One reader of media-folder files for playback, GB/T 28181 and the archives: local, or tiered to the object store.
  const mediaFiles = createMediaReader({
    mediaDir: paths.media,
    cacheDir: readCacheDir(paths.root),
    ...(objectStore && config.objectStore ? mediaStoreReads(db, objectStore.store, config.objectStore.readCacheMiB) : {}),
  });
  const media = createMediaService({ db, clock, bus, config, audit, paths, log: app.log, windows: [exam.recordingWindows, lessonWindows], files: mediaFiles });
  app.decorate('media', media);
  const live = createLive({ media, config, bus, log: app.log });
  app.decorate('live', live);
  // GB/T 28181 (media/gb28181/): the site as a device towards provincial and city platforms, when configured.
  const gbSessions = config.gb28181
    ? createGbMediaSessions({
        relay: live.relay,
        playback: media.playback,
        sourceKnown: (id) => media.sources().some((s) => s.id === id),
        // The live MPEG-TS carries G.711 as a private stream without its law; the ingest knows it (issue 26).
        audioCodec: (id) => media.ingest.codecs(id)?.audio ?? null,
        clock,
        log: app.log,
      })
    : null;
  const gb28181 =
    config.gb28181 && gbSessions
      ? createGb28181({
          config: config.gb28181,
          timeZone: config.site.timezone,
          sourceUp: (id) => media.sources().some((s) => s.id === id && s.state === 'up'),
          recordings: (id, from, to) => media.playback.recordings(id, from, to),
          sessions: gbSessions,
          bus,
          audit,
          clock,
          log: app.log,
          registry: metrics.registry,
        })
      : null;
  const kiosk = createKioskService({
    db,
    clock,
    bus,
    config,
    audit,
    paths,
    faceVault,
    exam,
    log: app.log,
    ...(deps.faceEngine ? { engine: deps.faceEngine } : {}),
    admit: (s, i, by) => terminal.admitCandidate(s, i, by),
    // A staff override at the kiosk is a log-in without a session: the user service checks the
    // password (lockout and its audit included) and the session it opens is closed at once.
    authenticate: async (username, password, ip) => {
      const u = await users.confirmCredentials(username, password, ip);
      return { username: u.username, role: u.role, rooms: u.rooms };
    },
  });
  kioskRef = kiosk;
  app.decorate('kiosk', kiosk);
  const training = createTrainingService({ db, clock, bus, config, audit, paths, faceVault, identity: kiosk.identity, windows: lessonWindows });
  app.decorate('training', training);
  // Every roster import checks training hours by the rules (the exam engine is made first, so it is handed in).
  exam.plans.setTrainingCheck((s, rows) => training.eligibility.checkImport(s, rows));
  // The proctor's alert rules listen from here on, so no event after start-up goes unalerted.
  const proctor = createProctorService({ db, clock, bus, config, audit, paths, faceVault, exam, terminal, media, log: app.log });
  seatedOf = (roomId) => {
    const s = proctor.rooms.currentSession(roomId);
    // An ended session seats nobody any more: its room's PCs are all as they were before it.
    if (!s || !['scheduled', 'papers_ready', 'checkin', 'in_progress'].includes(s.status)) return null;
    const seated = new Set(
      exam.plans
        .roster(s.id)
        .filter((e) => e.seat && e.status !== 'absent')
        .map((e) => e.seat!),
    );
    // Seats not drawn yet: which PCs will be used is not known, so none is a spare.
    return seated.size ? seated : null;
  };
  app.decorate('proctor', proctor);
  const proctorFeed = createFeed(proctor, bus, clock, app.log);
  const records = createRecordsService({
    db,
    clock,
    bus,
    config,
    audit,
    paths,
    faceVault,
    exam,
    log: app.log,
    registry: metrics.registry,
    jobs,
    anchors: auditAnchors,
    mediaFiles,
  });
  app.decorate('records', records);
  // The backup key exists from the first start, so the first key bundle exported already holds it.
  ensureBackupKey(config, audit);
  const examsInProgress = () => exam.plans.listSessions({ status: 'in_progress' }).length;
  const backups = createSiteBackups({
    config,
    db,
    audit,
    clock,
    log: app.log,
    store: objectStore?.store ?? null,
    // Copies wait on this disk while candidates answer: the upload can wait, the exam cannot.
    quiet: () => examsInProgress() === 0,
  });
  app.decorate('backups', backups);
  const classRecords = createClassRecords({ db, clock, audit, config, paths, jobs, training, anchors: auditAnchors, exam, mediaFiles });
  app.decorate('classRecords', classRecords);
  // Files older than objectStore.hotDays move to the store; the forecast's rate says how long a backlog may wait.
  const tier = createTier({
    db,
    clock,
    bus,
    config,
    paths,
    audit,
    store: objectStore?.store ?? null,
    recordingBytesPerDay: () => media.checkDisk().forecast?.bytesPerDay ?? null,
    registry: metrics.registry,
    log: app.log,
    ...(deps.tierIntervals ? { intervals: deps.tierIntervals } : {}),
  });
  app.decorate('tier', tier);

  installErrorHandler(app);
  installFiniteNumberCheck(app);
  // The cookie parser's hook must run before the role hook reads the session cookie, and the
  // WebSocket plugin's before it too: it marks upgrade requests so that a refused one is hung up.
  await app.register(cookie);
  await app.register(websocket, {
    options: { maxPayload: 1024 * 1024 },
    preClose(done) {
      hub
        .closeAll('server shutting down')
        .catch((err: unknown) => app.log.error({ err }, 'closing WebSockets failed'))
        .finally(() => {
          app.websocketServer.close();
          done();
        });
    },
  });
  endAnsweredUpgrades(app.server);
  installUpgradeOriginCheck(app, config.server);
  // Before the role hook: a cross-site request is refused before anyone's cookie is looked at.
  installCrossSiteGuard(app, config.server);
  installRoleHook(app, { users, devices }, routeTable);
  // Sockets and event streams end with the session or device token they were opened with.
  installChannelEnds(app, { users, bus, ...(deps.channelSweepMs !== undefined ? { sweepMs: deps.channelSweepMs } : {}) });
  installRequestMetrics(app, metrics);
  installReplyRedaction(app);

  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      info: { title: 'examroom', version: '0.1.0', description: 'Exam-room appliance API. Every route states the roles that may call it.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'examroom_session' }, device: { type: 'http', scheme: 'bearer' } } },
    },
    transform: ({ schema, url, route }) => {
      const roles = (route.config as { roles?: string[] } | undefined)?.roles ?? [];
      const s = { ...(schema as Record<string, unknown>) };
      if (roles.length) s.description = `${(s.description as string | undefined) ?? ''}\n\nRoles: ${roles.join(', ')}`.trim();
      return { schema: s as typeof schema, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const objectStoreHealth = () => objectStoreStatus(config, objectStore);
  await app.register(systemRoutes, {
    ctx,
    mediaHealth: () => media.health(),
    objectStoreHealth,
    ...(tls ? { tlsHealth: () => tlsHealth(tls, clock) } : {}),
    backupHealth: () => backupHealthOf(backups),
  });
  await app.register(objectStoreProbeRoutes, { ctx, monitor: objectStore, status: objectStoreHealth });
  await app.register(backupRoutes, { backups, examsInProgress });
  await app.register(systemInfoRoutes, {
    ctx,
    mediaHealth: () => media.health(),
    objectStoreHealth,
    ...(tls ? { tlsHealth: () => tlsHealth(tls, clock) } : {}),
  });
  if (tls) await app.register(tlsRoutes, { tls, clock, devices: () => devices.list() });
  await app.register(authRoutes, { ctx });
  await app.register(userRoutes, { ctx });
  await app.register(userPasswordRoutes, { ctx });
  await app.register(deviceRoutes, { ctx });
  await app.register(cardReaderRoutes, { ctx });
  await app.register(auditRoutes, {
    ctx,
    verify: () => checkAudit({ audit, anchors: auditAnchors, lastSent: records.reporting.lastSentAnchor(), marks: () => exam.packages.marks() }),
  });
  await app.register(jobRoutes, { ctx });
  await app.register(webRoutes, { ctx });
  await app.register(examRoutes, { exam });
  await app.register(terminalRoutes, { terminal, hub, exam, gauge: metrics.wsConnections });
  await app.register(mediaRoutes, {
    media,
    audit,
    site: config.site,
    now: () => clock.now(),
    recorded: () => recordedSources(config),
    // A 班主任 plays their own classes' lesson video, nothing else (training/recording-windows.ts).
    headteacherWindows: (username, room) => lessonWindows.ofHeadteacher(username, room),
    ...(deps.playbackIdleMs !== undefined ? { playbackIdleMs: deps.playbackIdleMs } : {}),
  });
  await app.register(liveRoutes, { live, media, config, audit, hub, registry: metrics.registry });
  await app.register(gb28181Routes, { gb: gb28181, clock });
  await app.register(kioskPlugin, { kiosk });
  await app.register(trainingPlugin, {
    training,
    sessions: {
      session: (id) => {
        try {
          const s = exam.plans.session(id);
          return { id: s.id, startsAt: s.startsAt };
        } catch {
          return null;
        }
      },
      roster: (id) =>
        exam.plans.roster(id).map((e) => ({
          row: null,
          idNumber: e.idNumber,
          name: e.name,
          category: e.category,
          operationClass: e.operationClass,
          industry: e.industry,
          institution: e.institution,
          hours: null,
        })),
      recordings: (roomId, from, to) => {
        const q = db.prepare(
          'SELECT COUNT(*) AS n, COALESCE(SUM(MIN(end_ms, ?) - MAX(start_ms, ?)), 0) AS ms FROM media_segments WHERE source_id = ? AND end_ms > ? AND start_ms < ?',
        );
        return recordedSources(config)
          .filter((s) => s.room === roomId)
          .map((s) => {
            const r = q.get(to, from, s.id, from, to) as { n: number; ms: number };
            return { id: s.id, name: s.name, segments: r.n, seconds: Math.round(r.ms / 1000) };
          });
      },
    },
  });
  await app.register(proctorPlugin, {
    proctor,
    exam,
    terminal,
    media,
    config,
    clock,
    hub,
    feed: proctorFeed,
    deviceWarnings: (roomId) => devices.warningsForRoom(roomId),
  });
  await app.register(recordsRoutes, { records });
  await app.register(classRecordsRoutes, { records: classRecords });
  await app.register(tierRoutes, { tier });
  // The today page's checklist reads exam, kiosk, devices and media: composed here, where all four meet.
  await app.register(sessionChecklistRoutes, { parts: { config, clock, exam, kiosk, devices, terminal, media } });

  await users.bootstrap(config.users);

  // The first anchor of this run, then every N entries and every M minutes (documents/audit-anchors.ts).
  app.addHook('onReady', async () => auditAnchors.start({ everyEntries: config.audit.anchorEveryEntries, everyMinutes: config.audit.anchorEveryMinutes }));
  // Auto-submit and the time pushes run from the moment the app is ready (and catch up at once on
  // anything that ran out while the server was down).
  app.addHook('onReady', async () => terminal.start());
  // Recording starts with the server and its ffmpeg process groups end with it (media.stop kills them).
  app.addHook('onReady', async () => media.start());
  app.addHook('onReady', async () => live.start());
  // A platform that cannot be reached only shows in its status; the server starts regardless.
  app.addHook('onReady', async () => gb28181?.start());
  app.addHook('onReady', async () => objectStore?.start());
  // Uploads run beside recording, never before it: the worker starts once the sources and the store's probe have.
  app.addHook('onReady', async () => tier.start());
  // Jobs whose process died (a crash, a kill) would otherwise stay "running" forever.
  app.addHook('onReady', async () => {
    jobs.recoverInterrupted();
  });
  app.addHook('onReady', async () => records.start());
  // What the backup block and /healthz say comes from the listings: read once before the first request.
  app.addHook('onReady', async () => backups.refresh().catch((err: unknown) => app.log.error({ err }, 'reading the backup listings failed')));
  // Server-sent event streams of the kiosks are ended before the server waits for connections to drain.
  app.addHook('preClose', async () => kiosk.stop());
  app.addHook('onClose', async () => {
    refresher?.stop();
    proctorFeed.stop();
    proctor.stop();
    // Running jobs are aborted first (an archive leaves no half file) and recorded as interrupted,
    // before the services they read from stop.
    await jobs.close();
    await records.stop();
    // An upload in flight is abandoned (its multipart is aborted at the next start), the file stays local.
    await tier.stop();
    terminal.stop();
    // GB/T 28181 first: BYE to open plays and Expires: 0 to each platform while the relay still runs.
    await gb28181?.stop();
    gbSessions?.close();
    objectStore?.stop();
    objectStore?.store.destroy();
    // Pushers and screen inputs first: they are consumers and feeders of ingest.
    await live.stop();
    await media.stop();
    await mediaFiles.close();
    await exam.bankSync.stop();
    await backups.stop();
    // Last: the anchor at stop covers every entry the services above wrote while stopping.
    auditAnchors.stop();
    if (!deps.db) db.close();
  });
  return app;
}
