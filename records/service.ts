// The records module's service: made once by the composition root (and by the CLI for its commands),
// from the exam service and the storage it shares. Each part of records (reports, certificates,
// archives, people, statistics, reporting) adds itself here.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock, EventBus } from '../core/index.ts';
import type { Config } from '../config/index.ts';
import { faceVaultOr, type AuditLog, type DataPaths, type Db, type FaceVault, type MediaReader } from '../storage/index.ts';
import type { ExamService } from '../exam/index.ts';
import { createAuditAnchors, createJobRunner, sweepPartialArchives, type AuditAnchors, type JobRunner } from '../documents/index.ts';
import { createArchiveParts } from './archive-parts.ts';
import { coreArchiveParts } from './archive/core-parts.ts';
import { createSessionArchives } from './archive/service.ts';
import { createCertificateService } from './certificates/index.ts';
import { createPersonFiles } from './people/index.ts';
import { createStatistics } from './statistics/service.ts';
import { createReporting } from './reporting/index.ts';
import { createReports } from './reports/index.ts';
import { createPrivacy } from './privacy/index.ts';

export interface RecordsDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  config: Config;
  audit: AuditLog;
  paths: DataPaths;
  exam: ExamService;
  /** Absent in the CLI: nothing runs in the background there. */
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** The app's metrics registry (absent in the CLI): the reporting outbox's gauges join /metrics. */
  registry?: Registry;
  /** The server's job runner (one per process, shared by every module); the CLI's records make their own. */
  jobs?: JobRunner;
  /** The audit anchors (documents/audit-anchors.ts) packages and archives carry; the CLI's records make their own. */
  anchors?: AuditAnchors;
  /** Opens sealed face images for PDFs and seals the documents holding them; absent = the keys folder's (storage/face-vault.ts). */
  faceVault?: FaceVault;
  /** Opens recorded segments wherever they live (storage/media-reader); absent = the media folder only. */
  mediaFiles?: MediaReader;
}

export function createRecordsService(given: RecordsDeps) {
  const deps: RecordsDeps & { anchors: AuditAnchors; faceVault: FaceVault } = {
    ...given,
    faceVault: faceVaultOr(given.faceVault, given.config.paths.keys),
    anchors:
      given.anchors ??
      createAuditAnchors({
        db: given.db,
        audit: given.audit,
        dir: given.paths.anchors,
        keysDir: given.config.paths.keys,
        clock: given.clock,
        siteId: given.config.site.id,
        ...(given.log ? { log: given.log } : {}),
      }),
  };
  const archiveParts = createArchiveParts();
  const stops: (() => void | Promise<void>)[] = [];
  // Long exports (archives, batches) run as jobs: progress, cancel, re-attach by id (documents/jobs.ts).
  const ownJobs = !deps.jobs;
  const jobs = deps.jobs ?? createJobRunner({ db: deps.db, bus: deps.bus, clock: deps.clock, ...(deps.log ? { log: deps.log } : {}) });
  // 一期一档: the core parts first (session, roster, sign-in, seats, papers, incidents, integrity, video
  // index), then the documents made after the exam, then each candidate's part of their person file.
  for (const part of coreArchiveParts(deps)) archiveParts.add(part);
  // Score reports, the results sheet and the room log with its sign-off (records/reports).
  const reports = createReports(deps);
  for (const part of reports.archiveParts()) archiveParts.add(part);
  // certificates: issued on result.graded (listening from start()), archive part `certificates`.
  const certificates = createCertificateService(deps);
  archiveParts.add(certificates.archivePart);
  // 一人一档 (records/people): the person file, and its part of each session archive.
  const people = createPersonFiles(deps);
  archiveParts.add(people.archivePart);
  // Face data by purpose: retention sweep, the count against the filing duty, legal bases, a person's requests.
  const privacy = createPrivacy({ ...deps, people });
  // An archive's plain copy needs the legal basis for 'archive-export' (issue 23).
  const archives = createSessionArchives({ ...deps, parts: archiveParts, jobs, basisOf: privacy.outbound.basisOf });
  const reporting = createReporting({ ...deps, faceImagesTo: privacy.outbound.basisOf });
  return {
    deps,
    archiveParts,
    jobs,
    archives,
    reports,
    certificates,
    people,
    /** Statistics and disclosure (records/statistics/): reads the exam engine's rows, writes nothing. */
    statistics: createStatistics(deps),
    reporting,
    privacy,
    /** Background work (certificate issue, the reporting outbox's sender) starts with the server. */
    async start(): Promise<void> {
      // Jobs whose process died (a crash, a kill) would otherwise stay "running" forever.
      if (ownJobs) jobs.recoverInterrupted();
      // A process killed mid-write leaves its half archive; a clean stop or a cancel removes its own.
      const leftovers = sweepPartialArchives(deps.paths.archives);
      if (leftovers.length) deps.log?.warn({ files: leftovers }, 'half-written archives of a stopped process were removed');
      stops.push(certificates.start());
      stops.push(privacy.start());
      await reporting.start();
      stops.push(() => reporting.stop());
    },
    async stop(): Promise<void> {
      for (const stop of stops.splice(0).reverse()) await stop();
      // Running jobs are aborted (an archive leaves no half file) and recorded as interrupted.
      if (ownJobs) await jobs.close();
    },
  };
}

export type RecordsService = ReturnType<typeof createRecordsService>;
