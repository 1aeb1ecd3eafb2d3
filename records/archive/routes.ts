// HTTP for the session archive and the jobs that make it (admin only):
//   POST /api/records/sessions/:sessionId/archive  starts the job, answers its id at once (202)
//   GET  /api/records/jobs[?status=running]         jobs, what a reloaded page re-attaches to
//   GET  /api/records/jobs/:jobId                  where one is
//   POST /api/records/jobs/:jobId/cancel           stops it; the writer leaves no half file
//   GET  /api/records/jobs/:jobId/events           server-sent events: the bar's progress and status
//   GET  /api/records/archives?sessionId=          the index
//   GET  /api/records/archives/:archiveId/file     the file itself (audited)
// Progress goes over SSE rather than the proctor WebSocket: a job belongs to whoever watches it, not
// to a room; EventSource reconnects by itself after a network blip and re-attaches with the job id;
// and the feed of /ws/proctor stays about the room it serves.
import { createReadStream } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { ErrorReply, NOT_AN_EVENT_STREAM, openEventStream, wantsEventStream } from '../../core/index.ts';
import { FINISHED, type Job } from '../../documents/index.ts';
import {
  ArchiveViewT,
  JOB_STATUSES,
  JobViewT,
  StartArchiveBodyT,
  type ArchiveView,
  type JobStatusName,
  type JobView,
  type StartArchiveBody,
} from '../protocol.ts';
import type { RecordsService } from '../service.ts';
import type { SessionArchive } from './store.ts';

const tags = ['records'];
const admin = { roles: ['admin' as const] };
const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };
const closed = { additionalProperties: false };
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function jobView(j: Job): JobView {
  return {
    id: j.id,
    kind: j.kind,
    params: j.params,
    status: j.status,
    createdBy: j.createdBy,
    createdAt: iso(j.createdAt)!,
    startedAt: iso(j.startedAt),
    finishedAt: iso(j.finishedAt),
    progress: j.progress,
    cancelRequested: j.cancelRequested,
    cancelledBy: j.cancelledBy,
    result: j.result,
    error: j.error,
  };
}

export function archiveView(a: SessionArchive): ArchiveView {
  return { ...a, createdAt: iso(a.createdAt)!, retentionUntil: iso(a.retentionUntil)! };
}

export const archiveRoutes: FastifyPluginAsync<{ records: RecordsService }> = async (app, { records }) => {
  const { archives, jobs } = records;
  const bus = records.deps.bus;
  const JobId = Type.Object({ jobId: Type.String({ minLength: 1, maxLength: 64 }) }, closed);

  app.post(
    '/api/records/sessions/:sessionId/archive',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Make the session archive (一期一档) as a job; answers the job id at once. A second archive is a new version; the old one is kept',
        params: Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }) }, closed),
        body: Type.Optional(StartArchiveBodyT),
        response: { 202: JobViewT, ...errors },
      },
    },
    async (request, reply) => {
      const { sessionId } = request.params as { sessionId: string };
      const body = (request.body ?? {}) as StartArchiveBody;
      const job = archives.start(sessionId, { withMedia: body.withMedia === true }, request.actor);
      return reply.status(202).send(jobView(job));
    },
  );

  app.get(
    '/api/records/jobs',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Jobs, newest first: what a reloaded page re-attaches to (e.g. ?status=queued&status=running&kind=records.session-archive)',
        querystring: Type.Object(
          {
            kind: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            status: Type.Optional(Type.Array(Type.Enum([...JOB_STATUSES]))),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          closed,
        ),
        response: { 200: Type.Array(JobViewT), ...errors },
      },
    },
    async (request) => {
      const q = request.query as { kind?: string; status?: JobStatusName[]; limit?: number };
      return jobs.list({ ...(q.kind ? { kind: q.kind } : {}), ...(q.status ? { status: q.status } : {}), limit: q.limit ?? 50 }).map(jobView);
    },
  );

  app.get(
    '/api/records/jobs/:jobId',
    { config: admin, schema: { tags, summary: 'A long job: status, progress, result or error', params: JobId, response: { 200: JobViewT, ...errors } } },
    async (request) => jobView(jobs.get((request.params as { jobId: string }).jobId)),
  );

  app.post(
    '/api/records/jobs/:jobId/cancel',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Cancel a queued or running job (an archive being written leaves no file)',
        params: JobId,
        response: { 200: JobViewT, ...errors },
      },
    },
    async (request) => {
      const { jobId } = request.params as { jobId: string };
      const job = jobs.cancel(jobId, request.actor);
      records.deps.audit.append({ actor: request.actor, action: 'records.job.cancel', target: jobId, detail: { kind: job.kind }, ip: request.ip });
      return jobView(job);
    },
  );

  // Open event streams, ended before the server waits for its connections to drain.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  app.get(
    '/api/records/jobs/:jobId/events',
    {
      config: admin,
      schema: { tags, summary: 'Server-sent events of a job: `job` (the whole view, on connect and on each status change) and `progress`', params: JobId },
    },
    async (request, reply) => {
      const { jobId } = request.params as { jobId: string };
      const first = jobs.get(jobId);
      if (!wantsEventStream(request.headers.accept)) return reply.status(406).send(NOT_AN_EVENT_STREAM);
      reply.hijack();
      const stream = openEventStream(request.raw, reply.raw);
      const offs = [
        bus.on('job.progress', (p) => {
          if (p.jobId === jobId) stream.send('progress', { jobId, done: p.done, total: p.total, note: p.note });
        }),
        bus.on('job.status', (p) => {
          if (p.jobId !== jobId) return;
          const j = jobs.get(jobId);
          stream.send('job', jobView(j));
          if (FINISHED.includes(j.status)) stream.end();
        }),
      ];
      streams.add(stream.end);
      stream.onEnd(() => {
        for (const off of offs) off();
        streams.delete(stream.end);
      });
      stream.send('job', jobView(first));
      // Already over (a page re-attaching late): the view says how it ended, and the stream closes.
      if (FINISHED.includes(first.status)) stream.end();
    },
  );

  app.get(
    '/api/records/archives',
    {
      config: admin,
      schema: {
        tags,
        summary: 'The session archives made, newest first (one session: oldest version first)',
        querystring: Type.Object({ sessionId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, closed),
        response: { 200: Type.Array(ArchiveViewT), ...errors },
      },
    },
    async (request) => archives.list((request.query as { sessionId?: string }).sessionId).map(archiveView),
  );

  app.get(
    '/api/records/archives/:archiveId/file',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Download an archive file (each download is audited)',
        params: Type.Object({ archiveId: Type.String({ minLength: 1, maxLength: 64 }) }, closed),
      },
    },
    async (request, reply) => {
      const { archiveId } = request.params as { archiveId: string };
      const { archive, file } = archives.openForDownload(archiveId, request.actor, request.ip);
      return reply
        .type('application/zip')
        .header('content-length', archive.bytes)
        .header('content-disposition', `attachment; filename="${archive.file}"`)
        .send(createReadStream(file));
    },
  );
};
