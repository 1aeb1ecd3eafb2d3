// The exam engine: the question bank (versions, imports, signed packages), paper templates,
// per-candidate papers (千人千卷), grading, and exam plans with sessions and rosters.
// It never trusts a client with an answer key, and never deletes a question a paper has used.
import type { FastifyPluginAsync } from 'fastify';
import type { Clock, EventBus } from '../core/index.ts';
import type { Config } from '../config/index.ts';
import type { AuditLog, DataPaths, Db } from '../storage/index.ts';
import { createBankStore } from './bank/store.ts';

export * from './types.ts';
export { normaliseText, fingerprintOf, questionIdOf, type BankStore, type BankVersion } from './bank/store.ts';

export interface ExamDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  config: Config;
  audit: AuditLog;
  paths: DataPaths;
}

export function createExamService(deps: ExamDeps) {
  const bank = createBankStore(deps.db, deps.clock);
  return { deps, bank };
}

export type ExamService = ReturnType<typeof createExamService>;

export const examRoutes: FastifyPluginAsync<{ exam: ExamService }> = async () => {
  // Each part of the engine registers its routes here as it lands.
};
