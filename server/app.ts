// buildApp: the composition root for one appliance. It creates the services from their dependencies,
// wires routes and hooks, and returns a Fastify instance that tests drive with inject() or real sockets.
import Fastify, { type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from 'pino';
import { createEventBus, systemClock, type Clock, type EventBus } from '../core/index.ts';
import type { Config } from '../config/index.ts';
import { createAuditLog, createDeviceStore, createUserStore, dataPaths, ensureDataFolders, openDatabase, type Db } from '../storage/index.ts';
import { createUserService } from './auth/users.ts';
import { createDeviceService } from './auth/devices.ts';
import { installErrorHandler } from './errors.ts';
import { installRoleHook, type RouteInfo } from './roles.ts';
import { createMetrics, installRequestMetrics } from './metrics.ts';
import { createSocketHub } from './websocket.ts';
import type { AppContext } from './context.ts';
import { systemRoutes } from './routes/system.ts';
import { authRoutes } from './routes/auth.ts';
import { userRoutes } from './routes/users.ts';
import { deviceRoutes } from './routes/devices.ts';
import { auditRoutes } from './routes/audit.ts';
import { webRoutes } from './routes/web.ts';
import { createExamService, examRoutes, type ExamService } from '../exam/index.ts';
import { createTerminalService, terminalRoutes, type TerminalService } from '../terminal/index.ts';

export interface AppDeps {
  config: Config;
  /** An open database; when absent, the one in the config's data folder is opened (and migrated). */
  db?: Db;
  clock?: Clock;
  bus?: EventBus;
  /** A pino logger; false (the default for tests) logs nothing. */
  logger?: Logger | false;
}

export type App = FastifyInstance & { ctx: AppContext; routeTable: RouteInfo[]; exam: ExamService; terminal: TerminalService };

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const paths = dataPaths(config.paths.data);
  ensureDataFolders(paths);
  const db = deps.db ?? openDatabase(paths.dbFile);
  const clock = deps.clock ?? systemClock;
  const tls = config.server.tls ? { key: readFileSync(config.server.tls.key), cert: readFileSync(config.server.tls.cert) } : null;

  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    ...(tls ? { https: tls } : {}),
    trustProxy: config.server.trustProxy,
    bodyLimit: 1024 * 1024,
    // Reject unknown fields instead of silently dropping them: a client that sends them has a bug.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
    return503OnClosing: true,
  }) as unknown as App;

  const bus = deps.bus ?? createEventBus((name, err) => app.log.error({ err, event: name }, 'event listener failed'));
  const metrics = createMetrics();
  const audit = createAuditLog(db, clock, (e) => {
    metrics.auditEntries.inc({ action: e.action });
    bus.emit('audit.appended', { seq: e.seq, action: e.action });
  });
  const users = createUserService({ users: createUserStore(db, clock), audit, bus, clock, config });
  const devices = createDeviceService({ devices: createDeviceStore(db, clock), audit, bus, clock, config });
  const hub = createSocketHub();
  const ctx: AppContext = { config, paths, db, clock, bus, audit, users, devices, metrics, hub, tls: Boolean(tls) };
  const routeTable: RouteInfo[] = [];
  app.decorate('ctx', ctx);
  app.decorate('routeTable', routeTable);
  const exam = createExamService({ db, clock, bus, config, audit, paths });
  app.decorate('exam', exam);
  const terminal = createTerminalService({ db, clock, bus, config, audit, paths, exam, log: app.log });
  app.decorate('terminal', terminal);

  installErrorHandler(app);
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
  installRoleHook(app, { users, devices }, routeTable);
  installRequestMetrics(app, metrics);

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

  await app.register(systemRoutes, { ctx });
  await app.register(authRoutes, { ctx });
  await app.register(userRoutes, { ctx });
  await app.register(deviceRoutes, { ctx });
  await app.register(auditRoutes, { ctx });
  await app.register(webRoutes, { ctx });
  await app.register(examRoutes, { exam });
  await app.register(terminalRoutes, { terminal, hub, exam, gauge: metrics.wsConnections });

  await users.bootstrap(config.users);

  // Auto-submit and the time pushes run from the moment the app is ready (and catch up at once on
  // anything that ran out while the server was down).
  app.addHook('onReady', async () => terminal.start());
  app.addHook('onClose', async () => {
    terminal.stop();
    await exam.bankSync.stop();
    if (!deps.db) db.close();
  });
  return app;
}
