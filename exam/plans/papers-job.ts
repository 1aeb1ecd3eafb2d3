// A big session's papers as a job on the server's runner (documents/jobs.ts), so the admin console shows
// progress and a reloaded page finds the work again. The work is plans.generateSessionPapersInSteps; the
// synchronous POST …/papers stays for scripts and the CLI.
import { Conflict } from '../../core/index.ts';
import type { Job, JobRunner } from '../../documents/index.ts';
import type { GeneratedPapers } from './session-papers.ts';
import type { PlanService } from './service.ts';

export const PAPERS_JOB = 'exam.papers';

export interface PapersJobParams {
  sessionId: string;
  by: string;
  ip: string | null;
}

export function definePapersJob(jobs: JobRunner, plans: PlanService) {
  jobs.define<PapersJobParams, GeneratedPapers>(PAPERS_JOB, (ctx) =>
    plans.generateSessionPapersInSteps(ctx.params.sessionId, ctx.params.by, ctx.params.ip, {
      progress: (done, total, note) => ctx.progress(done, total, note),
      throwIfCancelled: () => ctx.throwIfCancelled(),
    }),
  );
  return {
    /** Queues the job, checked first (bank, roster, template), so a refusal is an answer, not a failed job. */
    start(sessionId: string, by: string, ip: string | null): Job {
      plans.checkPapers(sessionId);
      jobs.recoverInterrupted();
      const running = jobs.list({ kind: PAPERS_JOB, status: ['queued', 'running'] }).find((j) => (j.params as PapersJobParams).sessionId === sessionId);
      if (running) throw new Conflict(`the papers of exam session ${sessionId} are already being generated (job ${running.id}); wait for it or cancel it`);
      return jobs.start(PAPERS_JOB, { sessionId, by, ip } satisfies PapersJobParams, by);
    },
  };
}

export type PapersJob = ReturnType<typeof definePapersJob>;
