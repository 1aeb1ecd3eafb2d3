// The records module's service: made once by the composition root (and by the CLI for its commands),
// from the exam service and the storage it shares. Each part of records (reports, certificates,
// archives, people, statistics, reporting) adds itself here.
import type { Logger } from 'pino';
import type { Clock, EventBus } from '../core/index.ts';
import type { Config } from '../config/index.ts';
import type { AuditLog, DataPaths, Db } from '../storage/index.ts';
import type { ExamService } from '../exam/index.ts';
import { createArchiveParts } from './archive-parts.ts';
import { createReports } from './reports/index.ts';

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
}

export function createRecordsService(deps: RecordsDeps) {
  const archiveParts = createArchiveParts();
  const stops: (() => void | Promise<void>)[] = [];
  // Score reports, the results sheet and the room log with its sign-off (records/reports).
  const reports = createReports(deps);
  for (const part of reports.archiveParts()) archiveParts.add(part);
  return {
    deps,
    archiveParts,
    reports,
    /** Background work (the reporting outbox's sender, event listeners) starts with the server. */
    async start(): Promise<void> {},
    async stop(): Promise<void> {
      for (const stop of stops.splice(0).reverse()) await stop();
    },
  };
}

export type RecordsService = ReturnType<typeof createRecordsService>;
