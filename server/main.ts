// The process: load config, open the database, build the app, listen, and stop cleanly on SIGTERM
// (stop accepting, close WebSockets with "going away", flush, exit — all within 10 s).
import { loadConfig, configFilePath, type Config } from '../config/index.ts';
import { dataPaths, ensureDataFolders, migrate, openDatabase } from '../storage/index.ts';
import { systemClock } from '../core/index.ts';
import { backupBeforeMigrations } from './backup.ts';
import { buildApp, type App } from './app.ts';
import { createLogger } from './log.ts';
import { demoGuide, sessionsNow } from './demo-guide.ts';
import { probeFfmpeg } from './health.ts';
import { deferredSchemas } from './deferred-schemas.ts';
// The demo's seeding and simulated cameras (sharp, an RTSP server) load only with --demo (the modules'
// index.ts import them on first call): a site never runs them.
import { fileURLToPath } from 'node:url';
import { seedDemoSite } from '../exam/index.ts';
import { seedTrainingDemo } from '../training/index.ts';
import { startDemoPlatform, startDemoSources, type DemoSources } from '../media/index.ts';
import { createTrustPage } from './tls/index.ts';

export interface ServeOptions {
  configFile?: string;
  dataDir?: string;
  port?: number;
  host?: string;
  demo?: boolean;
}

const SHUTDOWN_LIMIT_MS = 10_000;
// Route schemas the first requests did not need compile this long after listening, past a restart's rush.
const COMPILE_SCHEMAS_AFTER_MS = 30_000;

export async function serve(opts: ServeOptions): Promise<App> {
  const config: Config = loadConfig(configFilePath(opts.configFile), { ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) });
  // No secret in any line: camera and upstream passwords are hidden wherever they appear (server/log.ts).
  const log = createLogger(config);
  const paths = dataPaths(config.paths.data);
  ensureDataFolders(paths);
  // An upgrade's migrations run only after a local online copy of the database as it was (server/backup.ts).
  const db = openDatabase(paths.dbFile, { migrate: false });
  let preMigration: Awaited<ReturnType<typeof backupBeforeMigrations>> = null;
  try {
    preMigration = await backupBeforeMigrations({ config, db, clock: systemClock, log });
    if (preMigration) log.info({ backup: preMigration.name, ms: preMigration.ms }, 'backed up the database before migrating it');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  // The demo's simulated cameras publish before ingest starts pulling them (media/demo-sources.ts).
  const demoCameras: DemoSources | null = opts.demo ? await startDemoSources(config.cameras, log) : null;
  // The demo's GB/T 28181 platform, when sipp is installed and the demo config names none of its own.
  const demoPlatform =
    opts.demo && !config.gb28181
      ? await startDemoPlatform(
          config.cameras.map((c) => ({ id: c.id, name: c.name, room: c.room, roomName: config.rooms.find((r) => r.id === c.room)?.name ?? c.room })),
          config.site.name,
          log,
        )
      : null;
  if (demoPlatform) config.gb28181 = demoPlatform.config;
  const schemas = deferredSchemas();
  const app = await buildApp({ config, db, logger: log, schemaController: schemas.schemaController });
  for (const e of preMigration?.pending ?? []) app.ctx.audit.append(e);
  const demo = opts.demo
    ? await seedDemoSite(app.exam, {
        now: app.ctx.clock.now(),
        dataDir: paths.root,
        admit: (sessionId, idNumber) => app.terminal.admitCandidate(sessionId, idNumber, 'system'),
        kiosk: true,
      })
    : null;
  // The demo's training class, one day already held (training/demo.ts).
  const trainingDemo = opts.demo
    ? await seedTrainingDemo(app.training, { now: app.ctx.clock.now(), facesDir: fileURLToPath(new URL('../exam/demo/faces/', import.meta.url)) })
    : null;

  let trustPage: { close(): Promise<unknown> } | null = null;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    app.ctx.bus.emit('system.stopping', { reason: signal });
    // A hung close must not keep systemd waiting: whatever is not done by then is abandoned.
    setTimeout(() => {
      log.error('shutdown took longer than 10 s; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    Promise.all([app.close(), trustPage?.close()])
      .then(() => demoCameras?.stop())
      .then(() => demoPlatform?.stop())
      .then(() => {
        db.close();
        log.info('stopped');
        log.flush();
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const host = opts.host ?? config.server.host;
  const port = opts.port ?? config.server.port;
  await app.listen({ host, port });
  const addr = app.server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  // What the appliance says of its own address (a certificate's QR code, records/certificates/verify-url.ts)
  // is where it really listens: --port and --host override the config's.
  config.server.port = bound;
  config.server.host = host;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const listening = `${app.tls ? 'https' : 'http'}://${shownHost}:${bound}`;
  // Under TLS the certificate names the site's names, not 127.0.0.1: the guide's links use the first one.
  const named = app.tls ? config.server.names[0] : undefined;
  const base = named ? `https://${named.includes(':') ? `[${named}]` : named}:${bound}` : listening;
  process.stdout.write(`listening on ${listening}\n`);
  if (app.tls && config.server.httpPort !== null) {
    // The plain-HTTP trust page: what the site CA is, its fingerprint and download, then the HTTPS link.
    const page = createTrustPage({ tls: app.tls, config, httpsPort: () => bound });
    trustPage = page;
    await page.listen({ host, port: config.server.httpPort });
    const pageAddr = page.server.address();
    process.stdout.write(
      `trust page (plain HTTP: the site CA and how to install it) on http://${shownHost}:${typeof pageAddr === 'object' && pageAddr ? pageAddr.port : config.server.httpPort}/\n`,
    );
  }
  // 127.0.0.1 is where this machine reaches itself; the PCs in the room use the certificate's names.
  if (app.tls && config.server.names.length > 0) {
    process.stdout.write(`exam-room PCs open: ${config.server.names.map((n) => `https://${n.includes(':') ? `[${n}]` : n}:${bound}/`).join('  ')}\n`);
  }
  // What is true of each session now: a restart in the middle of an exam must not say check-in is open.
  if (demo)
    process.stdout.write(
      demoGuide(
        base,
        config,
        demo,
        sessionsNow(
          app.exam,
          demo.sessions.map((s) => s.id),
        ),
        trainingDemo,
      ),
    );
  // Pull the central bank's packages on the configured interval, but never while candidates are
  // answering: installing a large package holds the event loop for a moment.
  // The nightly backup and the shipping of copies waiting on this disk (storage/backup/service.ts).
  app.backups.start();
  app.exam.bankSync.start({ log: app.log, when: () => app.exam.plans.listSessions({ status: 'in_progress' }).length === 0 });
  // Asynchronously: a synchronous probe held the event loop for 0.3 s just as a restarted server's terminals came back.
  void probeFfmpeg().then((ffmpeg) => {
    if (!ffmpeg.ok) log.warn('ffmpeg not found on PATH: recording and live view are unavailable (apt-get install ffmpeg)');
  });
  setTimeout(() => {
    void schemas.compileAll().then((failed) => {
      for (const f of failed) log.error({ err: f.error, route: f.route }, 'a route schema does not compile; the route answers 500');
    });
  }, COMPILE_SCHEMAS_AFTER_MS).unref();
  return app;
}
