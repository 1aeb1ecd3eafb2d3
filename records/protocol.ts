// What the records module's web parts read from the server, as TypeBox schemas (the routes' response
// schemas) and the types made from them. Shared by the server and the web apps, so it imports nothing
// but 'typebox'. Each part of records keeps its own section.
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

// ---------------------------------------------------------------------------------------------
// Session archive (一期一档) and the jobs that make it
// ---------------------------------------------------------------------------------------------

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type JobStatusName = (typeof JOB_STATUSES)[number];
export const FINISHED_JOB_STATUSES: readonly JobStatusName[] = ['done', 'failed', 'cancelled', 'interrupted'];

/** GET /api/records/jobs/:jobId — a long job (an archive), what a reloaded page re-attaches to. */
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
  /** The job's result once done (an archive job: { archive, sessionStatus, statusProblem }). */
  result: Type.Unknown(),
  error: nullable(Type.String()),
});
export type JobView = Static<typeof JobViewT>;

/** GET /api/records/archives — one archive file of a session. */
export const ArchiveViewT = Type.Object({
  id: Type.String(),
  sessionId: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  file: Type.String(),
  bytes: Type.Integer(),
  members: Type.Integer(),
  manifestSha256: Type.String(),
  withMedia: Type.Boolean(),
  parts: Type.Array(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String({ description: 'ISO 8601' }),
  retentionUntil: Type.String({ description: 'ISO 8601: kept at least until then' }),
});
export type ArchiveView = Static<typeof ArchiveViewT>;

export const StartArchiveBodyT = Type.Object(
  { withMedia: Type.Optional(Type.Boolean({ description: 'also the recorded segment files, not only their index' })) },
  { additionalProperties: false },
);
export type StartArchiveBody = Static<typeof StartArchiveBodyT>;

/** Server-sent events of GET /api/records/jobs/:jobId/events: `job` (the whole view, on connect and each status change) and `progress`. */
export interface JobProgressEvent {
  jobId: string;
  done: number;
  total: number | null;
  note: string | null;
}
