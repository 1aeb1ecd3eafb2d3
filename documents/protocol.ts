// The contract of long jobs (documents/jobs.ts) between the server and the web apps: a job's view as
// GET /api/jobs/:jobId answers it and the events of /api/jobs/:jobId/events. Shared by the server and
// the browser, so it imports nothing but 'typebox'.
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type JobStatusName = (typeof JOB_STATUSES)[number];
export const FINISHED_JOB_STATUSES: readonly JobStatusName[] = ['done', 'failed', 'cancelled', 'interrupted'];

/** GET /api/jobs/:jobId — a long job (an archive, a bank import, a session's papers), what a reloaded page re-attaches to. */
export const JobViewT = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  /** What the job was asked (an archive job: { sessionId, withMedia, by }). */
  params: Type.Unknown(),
  status: Type.Enum([...JOB_STATUSES]),
  createdBy: Type.String(),
  createdAt: Type.String({ description: 'ISO 8601' }),
  startedAt: nullable(Type.String()),
  finishedAt: nullable(Type.String()),
  progress: Type.Object({ done: Type.Number(), total: nullable(Type.Number()), note: nullable(Type.String()) }),
  cancelRequested: Type.Boolean(),
  cancelledBy: nullable(Type.String()),
  /** The job's result once done (an archive job: { archive, sessionStatus, statusProblem }); a failed job's detail when it has one (a bank import: its bad rows). */
  result: Type.Unknown(),
  error: nullable(Type.String()),
});
export type JobView = Static<typeof JobViewT>;

/** Server-sent events of GET /api/jobs/:jobId/events: `job` (the whole view, on connect and each status change) and `progress`. */
export interface JobProgressEvent {
  jobId: string;
  done: number;
  total: number | null;
  note: string | null;
}
