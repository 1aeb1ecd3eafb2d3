// HTTP for the session archive (admin only); the job that makes it is watched over /api/jobs
// (server/routes/jobs.ts):
//   POST /api/records/sessions/:sessionId/archive  starts the job, answers its id at once (202)
//   GET  /api/records/archives?sessionId=          the index
//   GET  /api/records/archives/:archiveId/file     the file itself (audited)
//   GET  /api/records/archives/:archiveId/plain    a plain copy, face images opened (needs the legal basis; audited)
import { createReadStream } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { ErrorReply } from '../../core/index.ts';
import { jobView } from '../../documents/index.ts';
import { ArchiveViewT, JobViewT, StartArchiveBodyT, type ArchiveView, type StartArchiveBody } from '../protocol.ts';
import type { RecordsService } from '../service.ts';
import { plainFileName } from './plain.ts';
import type { SessionArchive } from './store.ts';

const tags = ['records'];
const admin = { roles: ['admin' as const] };
const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };
const closed = { additionalProperties: false };
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function archiveView(a: SessionArchive): ArchiveView {
  return { ...a, createdAt: iso(a.createdAt)!, retentionUntil: iso(a.retentionUntil)! };
}

export const archiveRoutes: FastifyPluginAsync<{ records: RecordsService }> = async (app, { records }) => {
  const { archives } = records;

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

  app.get(
    '/api/records/archives/:archiveId/plain',
    {
      config: admin,
      schema: {
        tags,
        summary:
          "A plain copy of an archive: its face images decrypted, signed by the site key, naming its source. Refused (409 no_archive_export_basis) until an admin names the legal basis for 'archive-export'; each copy is audited",
        params: Type.Object({ archiveId: Type.String({ minLength: 1, maxLength: 64 }) }, closed),
        response: errors,
      },
    },
    async (request, reply) => {
      const { archiveId } = request.params as { archiveId: string };
      const r = await archives.exportPlainTemporary(archiveId, { actor: request.actor, ip: request.ip });
      // The copy lives in a private temp folder only while it is sent; gone once the reply ends either way.
      const stream = createReadStream(r.file);
      stream.once('close', r.done);
      return reply
        .type('application/zip')
        .header('content-length', r.bytes)
        .header('content-disposition', `attachment; filename="${plainFileName(r.archive)}"`)
        .send(stream);
    },
  );
};
