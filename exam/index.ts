// The exam engine: the question bank (versions, imports, signed packages), paper templates,
// per-candidate papers (千人千卷), grading, and exam plans with sessions and rosters.
// It never trusts a client with an answer key, and never deletes a question a paper has used.
import type { FastifyPluginAsync } from 'fastify';
import type { Clock, EventBus } from '../core/index.ts';
import type { Config } from '../config/index.ts';
import { faceVaultOr, type AuditLog, type DataPaths, type Db, type FaceVault } from '../storage/index.ts';
import { createBankStore } from './bank/store.ts';
import { createPaperStore } from './papers/store.ts';
import { createPackageService } from './bank/packages.ts';
import { createBankSync } from './bank/sync.ts';
import { createBankAdmin } from './bank/import/index.ts';
import { createBankImportJobs } from './bank/import-job.ts';
import { createBankImages } from './bank/images.ts';
import { createPlanService } from './plans/service.ts';
import { createSessionWindows } from './plans/recording-windows.ts';
import { definePapersJob } from './plans/papers-job.ts';

export * from './types.ts';
export { normaliseText, fingerprintOf, questionIdOf, type BankStore, type BankVersion } from './bank/store.ts';
export { validateTemplate, shippedTemplates, resolveTemplate, poolFor, checkTemplate, type SectionReport, type TemplateCheck } from './papers/template.ts';
export { generatePaper, newSeed } from './papers/generate.ts';
export { gradePaper, deliver } from './papers/grade.ts';
export { verifyPaper, type PaperStore } from './papers/store.ts';
export {
  PackageRefused,
  PackageAlreadyInstalled,
  signPackage,
  generateSigningKey,
  canonicalJson,
  PACKAGE_FORMAT,
  type BankPackage,
  type UnsignedPackage,
  type InstalledPackage,
} from './bank/packages.ts';
export { SyncFailed, type SyncResult, type SyncState } from './bank/sync.ts';
export { examCommands, type CliCommand, type CliContext, type CliOption } from './cli.ts';
export type { DemoSummary } from './demo/seed.ts';
// Roster status has one writer, here; the terminal moves a candidate through plans.setRosterStatus.
export { ROSTER_STATUS_FROM, rosterStatusMoveAllowed, type RosterStatusService } from './plans/roster-status.ts';
export type { RosterStatus } from './plans/model.ts';
export type { SessionWindows } from './plans/recording-windows.ts';
export type { SessionArchiveLookup } from './plans/plans.ts';
export { passedResults, type PassedResultRef } from './plans/records-view.ts';
export type { ExamSession, ResultRecord, RosterEntry } from './plans/model.ts';
// training/ imports class members as rosters are: the same zip reader (GBK names, bomb limits).
export { readRosterZip } from './plans/roster-zip.ts';
// The person file (records/people) reads retakes and the rule applied through this.
export { credentialKey, dammValid, isIssuedTicketShape } from './plans/tickets.ts';
export { retakesOf, type RetakeRecord } from './plans/person-view.ts';
export type { PersonRecord } from './plans/results.ts';
// What records/ reads for statistics and disclosure (sittings, graded papers item by item, question facts).
export * from './statistics-view.ts';
export type { SessionStatus } from './plans/model.ts';
// Who may read which session's documents (records/ follows the exam routes' rule).
export { assertRoomVisible, visibleRooms } from './plans/access.ts';

import type { JobRunner } from '../documents/index.ts';

export interface ExamDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  config: Config;
  audit: AuditLog;
  paths: DataPaths;
  /** Seals and opens face images (roster photos); absent = the keys folder's (storage/face-vault.ts faceVaultOr). */
  faceVault?: FaceVault;
  /**
   * The server's job runner (documents/jobs.ts), for work a person starts from the admin console and
   * watches (a bank import, a big session's papers). Absent in the CLI, which runs the same work inline.
   */
  jobs?: JobRunner;
  /** The bank package marks the newest audit anchor carries (documents/audit-anchors.ts); absent = the database's alone. */
  anchoredMarks?: () => Record<string, number>;
}

export function createExamService(given: ExamDeps) {
  const deps = { ...given, faceVault: faceVaultOr(given.faceVault, given.config.paths.keys) };
  const bank = createBankStore(deps.db, deps.clock);
  const papers = createPaperStore(deps.db, deps.clock);
  const images = createBankImages({ db: deps.db, clock: deps.clock, audit: deps.audit });
  const packages = createPackageService({
    db: deps.db,
    bank,
    audit: deps.audit,
    config: deps.config,
    images,
    ...(deps.anchoredMarks ? { anchoredMarks: deps.anchoredMarks } : {}),
  });
  // Periodic pulls: the server calls bankSync.start({ log }) after listening and bankSync.stop() on close.
  const bankSync = createBankSync({ db: deps.db, clock: deps.clock, config: deps.config, bank, packages });
  const bankAdmin = createBankAdmin({ db: deps.db, bank, audit: deps.audit, clock: deps.clock, images });
  // The admin console's imports run as jobs of the server's runner; the CLI imports inline.
  const bankImports = deps.jobs ? createBankImportJobs({ jobs: deps.jobs, bus: deps.bus, bankAdmin, audit: deps.audit }) : null;
  const plans = createPlanService({ ...deps, bank });
  // The sessions as the media scheduler's recording windows (record: sessions), and each session's window for playback.
  const recordingWindows = createSessionWindows({ db: deps.db, bus: deps.bus, marginMs: deps.config.media.recordMarginMinutes * 60_000 });
  // A big session's papers from the admin console, with progress (absent in the CLI, which has no runner).
  const papersJob = deps.jobs ? definePapersJob(deps.jobs, plans) : null;
  return { deps, bank, images, papers, packages, bankSync, bankAdmin, bankImports, plans, recordingWindows, papersJob };
}

export type ExamService = ReturnType<typeof createExamService>;

export const examRoutes: FastifyPluginAsync<{ exam: ExamService }> = async (app, { exam }) => {
  // Loaded here rather than at the top: the CLI imports this file for its commands and the service,
  // and building the routes' TypeBox schemas would cost every command's start (bench startup).
  const [{ paperRoutes }, { packageRoutes }, { bankRoutes }, { imageRoutes }, { planRoutes }] = await Promise.all([
    import('./papers/routes.ts'),
    import('./bank/package-routes.ts'),
    import('./bank/routes.ts'),
    import('./bank/image-routes.ts'),
    import('./plans/routes.ts'),
  ]);
  // Each part of the engine registers its routes here as it lands.
  await app.register(paperRoutes, { exam });
  await app.register(packageRoutes, { exam });
  await app.register(bankRoutes, { exam });
  await app.register(imageRoutes, { exam });
  await app.register(planRoutes, { exam });
};

/** Fills an empty site with the demo bank, plan and rosters (`--demo`). Loaded on first use: a real site never pays for the demo's questions and pictures. */
export async function seedDemoSite(...args: Parameters<typeof import('./demo/seed.ts').seedDemoSite>): Promise<import('./demo/seed.ts').DemoSummary> {
  const { seedDemoSite: seed } = await import('./demo/seed.ts');
  return seed(...args);
}
