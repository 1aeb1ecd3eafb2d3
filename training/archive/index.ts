// After a training class: the district report with the 班主任's sign-off (training/report), the teacher
// ratings (training/ratings) and the class file, 一期一档 (training/archive), made from the training core's
// classes, lessons and credited hours (never computing an hour themselves) and written with documents'
// shared PDF kit and archive assembly — the exam session archive's format. One factory for the three,
// since the class file holds the other two; the routes and the CLI commands are here too.
import type { Clock } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import type { AuditAnchors, JobRunner } from '../../documents/index.ts';
import type { ExamService } from '../../exam/index.ts';
import type { AuditLog, DataPaths, Db, MediaReader } from '../../storage/index.ts';
import { SYSTEM } from '../model.ts';
import type { TrainingService } from '../service.ts';
import type { TrainingFacts } from '../report/facts.ts';
import { createDistrictReports } from '../report/service.ts';
import { createRatings } from '../ratings/service.ts';
import { classArchiveParts } from './parts.ts';
import { createClassArchives } from './service.ts';

export { classRecordsRoutes } from './routes.ts';
export { classArchiveCommands } from './commands.ts';
export type { ClassArchive } from './service.ts';

export interface ClassRecordsDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  config: Config;
  paths: DataPaths;
  jobs: JobRunner;
  training: TrainingService;
  anchors?: AuditAnchors;
  exam?: ExamService;
  /** Opens recorded segments wherever they live (storage/media-reader); absent = the media folder only. */
  mediaFiles?: MediaReader;
}

export function createClassRecords(deps: ClassRecordsDeps) {
  const { training } = deps;
  // Read as the system: who may see which class is decided by the routes, through the core's own rule.
  const facts: TrainingFacts = {
    detail: (classId) => training.detail(SYSTEM, classId),
    hours: (classId) => training.attendance.classHours(SYSTEM, classId),
  };
  const reports = createDistrictReports({ ...deps, facts });
  const ratings = createRatings({ ...deps, facts });
  const parts = classArchiveParts({ ...deps, facts, reports, ratings });
  const archives = createClassArchives({ ...deps, facts, parts });
  return { facts, reports, ratings, archives, training, deps };
}

export type ClassRecords = ReturnType<typeof createClassRecords>;
