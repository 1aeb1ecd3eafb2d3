import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.ts';
import { actorOf } from '../auth/principal.ts';

const Entry = Type.Object({
  seq: Type.Integer(),
  at: Type.Integer(),
  actor: Type.String(),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
  ip: Type.Union([Type.String(), Type.Null()]),
  prevHash: Type.String(),
  hash: Type.String(),
});

export const auditRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/audit',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['audit'],
        summary: 'Read the audit log, newest first',
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
            beforeSeq: Type.Optional(Type.Integer({ minimum: 1 })),
            action: Type.Optional(Type.String({ maxLength: 64 })),
            actor: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(Entry) },
      },
    },
    async (request) => ctx.audit.list(request.query as { limit?: number; beforeSeq?: number; action?: string; actor?: string }),
  );

  app.get(
    '/api/audit/verify',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['audit'],
        summary: 'Walk the hash chain; report the first broken link',
        response: {
          200: Type.Object({ ok: Type.Boolean(), checked: Type.Integer(), seq: Type.Optional(Type.Integer()), problem: Type.Optional(Type.String()) }),
        },
      },
    },
    async (request) => {
      const v = ctx.audit.verify();
      ctx.audit.append({ actor: actorOf(request.principal), action: 'audit.verify', detail: { ok: v.ok, checked: v.checked }, ip: request.ip });
      return v;
    },
  );
};
