// HTTP for the reporting outbox: what was packaged, each attempt, the receipts, and an admin's "try now".
// Admin only: the packages carry ID numbers and results.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { ErrorReply } from '../../core/index.ts';
import type { Reporting } from './service.ts';

const errors = { 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };
const admin = { roles: ['admin' as const] };
const tags = ['records'];
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const StatusT = Type.Object({
  configured: Type.Boolean(),
  target: Nullable(Type.String()),
  pending: Type.Integer(),
  failedAttempts: Type.Integer(),
  oldestPendingAt: Nullable(Type.String()),
  lastSentAt: Nullable(Type.String()),
  lastError: Nullable(Type.String()),
});

const ReceiptT = Type.Object({ packageId: Type.String(), receiptId: Type.String(), receivedAt: Type.String() });

const PackageT = Type.Object({
  id: Type.String(),
  sessionId: Type.String(),
  version: Type.Integer(),
  createdAt: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('sent')]),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String()),
  lastError: Nullable(Type.String()),
  receipt: Nullable(ReceiptT),
  sentAt: Nullable(Type.String()),
  auditAnchor: Type.Object({ seq: Type.Integer(), hash: Type.String() }),
  recentAttempts: Type.Array(
    Type.Object({
      n: Type.Integer(),
      startedAt: Type.String(),
      finishedAt: Nullable(Type.String()),
      statusCode: Nullable(Type.Integer()),
      error: Nullable(Type.String()),
      nextAttemptAt: Nullable(Type.String()),
    }),
  ),
});

export const reportingRoutes: FastifyPluginAsync<{ reporting: Reporting }> = async (app, { reporting }) => {
  app.get(
    '/api/records/reports',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Results packages for the provincial exam platform: state, attempts, last error, receipt',
        response: { 200: Type.Object({ status: StatusT, packages: Type.Array(PackageT) }), ...errors },
      },
    },
    async () => reporting.list(),
  );

  app.get(
    '/api/records/reports/status',
    { config: admin, schema: { tags, summary: "The outbox's state in one line (the console's badge)", response: { 200: StatusT, ...errors } } },
    async () => reporting.status(),
  );

  app.post(
    '/api/records/reports/:id/retry',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Send a pending package now instead of at its next scheduled attempt (audited)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 202: Type.Object({ id: Type.String(), state: Type.Literal('pending') }), ...errors },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      reporting.retry(id, request.actor, request.ip);
      return reply.status(202).send({ id, state: 'pending' as const });
    },
  );
};
