// The process: load config, open the database, build the app, listen, and stop cleanly on SIGTERM
// (stop accepting, close WebSockets with "going away", flush, exit — all within 10 s).
import { relative } from 'node:path';
import { pino } from 'pino';
import { loadConfig, configFilePath, type Config } from '../config/index.ts';
import { dataPaths, ensureDataFolders, openDatabase } from '../storage/index.ts';
import { buildApp, type App } from './app.ts';
import { WEB_APPS } from './routes/web.ts';
import { probeFfmpeg } from './health.ts';
import { deferredSchemas } from './deferred-schemas.ts';
// The demo's seeding and simulated cameras (sharp, an RTSP server) load only with --demo (the modules'
// index.ts import them on first call): a site never runs them.
import { seedDemoSite, type DemoSummary } from '../exam/index.ts';
import { startDemoSources, type DemoSources } from '../media/index.ts';
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
  const log = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { service: 'examroom', site: config.site.id } });
  const paths = dataPaths(config.paths.data);
  ensureDataFolders(paths);
  const db = openDatabase(paths.dbFile);
  // The demo's simulated cameras publish before ingest starts pulling them (media/demo-sources.ts).
  const demoCameras: DemoSources | null = opts.demo ? await startDemoSources(config.cameras, log) : null;
  const schemas = deferredSchemas();
  const app = await buildApp({ config, db, logger: log, schemaController: schemas.schemaController });
  const demo = opts.demo
    ? await seedDemoSite(app.exam, {
        now: app.ctx.clock.now(),
        dataDir: paths.root,
        admit: (sessionId, idNumber) => app.terminal.admitCandidate(sessionId, idNumber, 'system'),
        kiosk: true,
      })
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
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const base = `${app.tls ? 'https' : 'http'}://${shownHost}:${bound}`;
  process.stdout.write(`listening on ${base}\n`);
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
  if (demo) printDemoGuide(base, config, demo);
  // Pull the central bank's packages on the configured interval, but never while candidates are
  // answering: installing a large package holds the event loop for a moment.
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

/** The terminal configured at a room's seat, so the guide names a device that matches a ticket. */
function terminalAt(config: Config, room: string | undefined, seat: string | null | undefined): string | null {
  return config.terminals.find((t) => t.room === room && t.seat === seat)?.id ?? config.terminals.find((t) => t.room === room)?.id ?? null;
}

function printDemoGuide(base: string, config: Config, demo: DemoSummary): void {
  const cli = `npm run examroom -- --config ${config.file ? relative(process.cwd(), config.file) || config.file : 'FILE'} --data ${relative(process.cwd(), config.paths.data) || '.'}`;
  const time = (ms: number) => new Date(ms).toLocaleTimeString('zh-CN', { timeZone: config.site.timezone, hour: '2-digit', minute: '2-digit' });
  const lines = [
    '',
    `examroom demo site: ${config.site.name} (${config.site.id}); data in ${config.paths.data}`,
    '',
    'Web apps:',
    // URL first: CJK names are double-width, so padding after them would not line up.
    ...WEB_APPS.map((a) => `  ${`${base}${a.path}`.padEnd(base.length + 14)} ${a.name}`),
    `  ${`${base}/docs`.padEnd(base.length + 14)} API documentation (OpenAPI)`,
    `  ${`${base}/healthz`.padEnd(base.length + 14)} health`,
    '',
    `Live video of the ${config.cameras.length} simulated cameras (log in as admin, an invigilator or an inspector below):`,
    `  ${base}/live/`,
    ...config.cameras.map((c) => `  ${base}/live/?source=${encodeURIComponent(c.id)}   ${c.name} (${c.room})`),
    '',
    'Demo log-ins (user / password / role):',
    ...config.users
      .filter((u) => u.password)
      .map(
        (u) =>
          `  ${u.username.padEnd(14)} ${u.password!.padEnd(20)} ${u.role}${u.rooms ? ` rooms ${u.rooms.join(',')}` : ''}${u.jurisdiction ? ` ${u.jurisdiction.level} ${u.jurisdiction.code}` : ''}`,
      ),
    '',
    'Pair a device: it asks with',
    `  curl -s -X POST -H 'content-type: application/json' -d '{"kind":"terminal","deviceId":"T101-01"}' ${base}/api/devices/pairings`,
    'and shows the code it gets; an admin approves it with',
    `  npm run examroom -- device approve CODE --config ${config.file ? relative(process.cwd(), config.file) || config.file : 'FILE'} --data ${relative(process.cwd(), config.paths.data) || '.'}`,
    `Exam engine (bank version ${demo.bankVersion ?? '-'}${demo.created ? ', just installed from a signed demo package' : ''}):`,
    ...demo.sessions.map((s) => `  session ${s.id}  room ${s.room}  starts ${time(s.startsAt)}  ${s.candidates} candidates  template ${s.templateId}`),
    `  seat list (log in as admin first): ${base}/api/exam/sessions/${demo.sessions[0]?.id ?? 'ID'}/seat-list`,
    '',
    `Sit the exam on a terminal (room ${demo.sessions[0]?.room ?? 'R101'}; check-in is open and its candidates are admitted):`,
    "  1. open a seat's terminal page in a browser; it shows a six-digit pairing code:",
    ...demo.tickets
      .slice(0, 3)
      .map(
        (t) => `       ${base}/terminal/?device=${terminalAt(config, demo.sessions[0]?.room, t.seat) ?? '?'}   seat ${t.seat}: ${t.name}, ticket ${t.ticketNo}`,
      ),
    `  2. approve the code: ${cli} device approve CODE`,
    '  3. log in with the ticket of the candidate at that seat',
    `  4. start the exam now instead of at ${demo.sessions[0] ? time(demo.sessions[0].startsAt) : 'the start time'} (through the running server, which pushes the papers):`,
    `       curl -s -c jar -H 'content-type: application/json' -d '{"username":"admin","password":"${config.users.find((u) => u.role === 'admin')?.password ?? 'PASSWORD'}"}' ${base}/api/auth/login`,
    `       curl -s -b jar -H 'content-type: application/json' -d '{"status":"in_progress"}' ${base}/api/exam/sessions/${demo.sessions[0]?.id ?? 'ID'}/status`,
    `  try: ${cli} session list`,
    `       ${cli} template check gm-principal-general`,
    `       ${cli} bank list`,
    '',
    `Try the entrance kiosk (room ${demo.sessions[1]?.room ?? 'R102'}: check-in is open, nobody admitted yet; README "Try the entrance kiosk"):`,
    `  1. open ${base}/kiosk/ and approve its pairing code: ${cli} device approve CODE --as ${config.kiosks[0]?.id ?? 'K1'}`,
    '  2. type an ID number, or swipe a simulated ID card:',
    `       node --import tsx kiosk/reader-sim.ts --url ${base} --kiosk ${config.kiosks[0]?.id ?? 'K1'} --user admin --password ${config.users.find((u) => u.role === 'admin')?.password ?? 'PASSWORD'} --id ID --name NAME`,
    ...demo.kioskCandidates.map((c) => `       ${c.idNumber}  ${c.name}  (roster photo ${c.photo ?? 'none'})`),
    `  3. a face that does not match is refused; staff override at the kiosk with ${config.users.find((u) => u.role === 'invigilator' && u.rooms?.includes(demo.sessions[1]?.room ?? ''))?.username ?? 'an invigilator'} and a reason`,
    '',
    'Invigilate and inspect (README "Try the proctor console"):',
    `  ${base}/proctor/     log in as ${config.users.find((u) => u.role === 'invigilator')?.username ?? 'an invigilator'} / ${config.users.find((u) => u.role === 'invigilator')?.password ?? 'PASSWORD'}: seat map of ${demo.sessions[0]?.room ?? 'R101'}, alerts, commands, camera tiles`,
    `  ${base}/inspector/   log in as ${config.users.find((u) => u.role === 'inspector')?.username ?? 'an inspector'} / ${config.users.find((u) => u.role === 'inspector')?.password ?? 'PASSWORD'}: read-only, every view audited`,
    '  close a logged-in terminal tab: its seat turns offline and an alert appears on the console within a second',
    '',
    'Stop with Ctrl-C.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}
