import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.ts';
import { actorOf } from '../auth/principal.ts';
import { AuditEntryT, AuditQueryT, AuditVerdictT, type AuditQuery } from '../protocol.ts';

export const auditRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/audit',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['audit'],
        summary: 'Read the audit log, newest first; filter by action (or prefix ending in a dot), actor, target, time range; beforeSeq pages back',
        querystring: AuditQueryT,
        response: { 200: Type.Array(AuditEntryT) },
      },
    },
    async (request) => ctx.audit.list(request.query as AuditQuery),
  );

  // The check is itself recorded (who verified, and what it found). POST is the honest verb for that;
  // GET stays for the CLI's and scripts' sake.
  const verify = async (request: FastifyRequest) => {
    const v = ctx.audit.verify();
    ctx.audit.append({ actor: actorOf(request.principal), action: 'audit.verify', detail: { ok: v.ok, checked: v.checked }, ip: request.ip });
    return v;
  };
  for (const method of ['GET', 'POST'] as const) {
    app.route({
      method,
      url: '/api/audit/verify',
      config: { roles: ['admin'] },
      schema: { tags: ['audit'], summary: 'Walk the hash chain; report the first broken link (the check is audited)', response: { 200: AuditVerdictT } },
      handler: verify,
    });
  }
};
