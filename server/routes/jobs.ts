// HTTP for long jobs (documents/jobs.ts: a session archive, a bank import, a session's papers), admin only:
//   GET  /api/jobs[?kind=&status=running]  jobs, newest first: what a reloaded page re-attaches to
//   GET  /api/jobs/:jobId                  where one is
//   POST /api/jobs/:jobId/cancel           stops it (an archive being written leaves no half file)
//   GET  /api/jobs/:jobId/events           server-sent events: the bar's progress and status
// Each module starts its own kind of job on its own route (POST /api/records/sessions/:id/archive…) and
// answers the job's view; watching, listing and cancelling are the same for every kind, so they live here.
// Progress goes over SSE rather than a WebSocket: a job belongs to whoever watches it, not to a room;
// EventSource reconnects by itself after a network blip and re-attaches with the job id.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { ErrorReply, NOT_AN_EVENT_STREAM, openEventStream, wantsEventStream } from '../../core/index.ts';
import { FINISHED, jobView } from '../../documents/index.ts';
import { JOB_STATUSES, JobViewT, type JobStatusName } from '../../documents/protocol.ts';
import type { AppContext } from '../context.ts';

const tags = ['jobs'];
const admin = { roles: ['admin' as const] };
const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };
const closed = { additionalProperties: false };

export const jobRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { jobs, bus } = ctx;
  const JobId = Type.Object({ jobId: Type.String({ minLength: 1, maxLength: 64 }) }, closed);

  app.get(
    '/api/jobs',
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
    '/api/jobs/:jobId',
    { config: admin, schema: { tags, summary: 'A long job: status, progress, result or error', params: JobId, response: { 200: JobViewT, ...errors } } },
    async (request) => jobView(jobs.get((request.params as { jobId: string }).jobId)),
  );

  app.post(
    '/api/jobs/:jobId/cancel',
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
      ctx.audit.append({ actor: request.actor, action: 'job.cancel', target: jobId, detail: { kind: job.kind }, ip: request.ip });
      return jobView(job);
    },
  );

  // Open event streams, ended before the server waits for its connections to drain.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  app.get(
    '/api/jobs/:jobId/events',
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
};
