// HTTP for signed bank packages: install an uploaded package file, pull from the central bank now, and
// show how the last pull went. Admin only: a bank version decides what every later paper is drawn from.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { ErrorReply, ValidationError } from '../../core/index.ts';
import type { ExamService } from '../index.ts';
import { MAX_PACKAGE_BYTES, type InstalledPackage } from './packages.ts';
import { SyncFailed } from './sync.ts';

const errors = { 400: ErrorReply, 409: ErrorReply };

const InstalledT = Type.Object({
  version: Type.String(),
  publisher: Type.String(),
  sequence: Type.Integer(),
  keyId: Type.String(),
  sha256: Type.String(),
  questions: Type.Integer(),
  templates: Type.Integer(),
  receivedAt: Type.Integer(),
});

const SyncResultT = Type.Object({
  status: Type.Union([Type.Literal('up_to_date'), Type.Literal('installed')]),
  version: Type.Union([Type.String(), Type.Null()]),
  installed: Type.Optional(InstalledT),
});

const SyncStateT = Type.Object({
  configured: Type.Boolean(),
  url: Type.Union([Type.String(), Type.Null()]),
  intervalMinutes: Type.Union([Type.Number(), Type.Null()]),
  trustedKeys: Type.Array(Type.String()),
  etag: Type.Union([Type.String(), Type.Null()]),
  lastModified: Type.Union([Type.String(), Type.Null()]),
  checkedAt: Type.Union([Type.Integer(), Type.Null()]),
  lastVersion: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
});

function installedView(r: InstalledPackage) {
  return {
    version: r.version.id,
    publisher: r.publisher,
    sequence: r.sequence,
    keyId: r.keyId,
    sha256: r.sha256,
    questions: r.version.questionCount,
    templates: r.version.templateCount,
    receivedAt: r.version.receivedAt,
  };
}

export const packageRoutes: FastifyPluginAsync<{ exam: ExamService }> = async (app, { exam }) => {
  const admin = { roles: ['admin' as const] };

  // The package reaches the service as the bytes the publisher wrote (JSON or gzip): it parses them
  // itself, to name exactly what is wrong with a bad file. This parser exists only inside this plugin.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    ['application/json', 'application/octet-stream', 'application/gzip'],
    { parseAs: 'buffer', bodyLimit: MAX_PACKAGE_BYTES },
    (_request, body, done) => {
      done(null, body);
    },
  );

  app.post(
    '/api/bank/packages',
    {
      config: admin,
      bodyLimit: MAX_PACKAGE_BYTES,
      schema: {
        tags: ['bank'],
        summary: 'Install a signed bank package (the file as the body: application/json, application/gzip or application/octet-stream)',
        response: { 201: InstalledT, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0)
        throw new ValidationError([{ path: 'body', problem: 'send the package file itself as the request body' }]);
      const r = await exam.packages.acceptInSteps(body, { actor: request.actor, ip: request.ip, source: 'upload' });
      return reply.status(201).send(installedView(r));
    },
  );

  app.post(
    '/api/bank/sync',
    {
      config: admin,
      schema: {
        tags: ['bank'],
        summary: 'Pull the newest package from the central bank (bank.centralUrl) now',
        response: { 200: SyncResultT, ...errors, 502: ErrorReply },
      },
    },
    async (request, reply) => {
      try {
        const r = await exam.bankSync.syncNow({ actor: request.actor, ip: request.ip });
        return r.status === 'installed' ? { status: r.status, version: r.version.id, installed: installedView(r) } : { status: r.status, version: r.version };
      } catch (err) {
        // Our request worked; the upstream did not answer: a gateway failure, not the caller's mistake.
        if (err instanceof SyncFailed) return reply.status(502).send({ error: err.code, message: err.message });
        throw err;
      }
    },
  );

  app.get(
    '/api/bank/sync',
    {
      config: admin,
      schema: { tags: ['bank'], summary: 'Where the bank syncs from, which keys it trusts, and how the last pull went', response: { 200: SyncStateT } },
    },
    async () => {
      const s = exam.bankSync.state();
      const { bank } = exam.deps.config;
      return {
        configured: bank.centralUrl !== null,
        url: exam.bankSync.url(),
        intervalMinutes: bank.syncIntervalMinutes,
        trustedKeys: exam.packages.trustedKeyIds(),
        etag: s?.etag ?? null,
        lastModified: s?.lastModified ?? null,
        checkedAt: s?.checkedAt ?? null,
        lastVersion: s?.lastVersion ?? null,
        lastError: s?.lastError ?? null,
      };
    },
  );
};
