import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AuditReport } from '../../documents/index.ts';
import type { AppContext } from '../context.ts';
import { actorOf } from '../auth/principal.ts';
import { AuditEntryT, AuditQueryT, AuditVerdictT, type AuditQuery } from '../protocol.ts';

/** verify: the chain checked with the key and held against the anchors (documents/audit-check.ts). */
export const auditRoutes: FastifyPluginAsync<{ ctx: AppContext; verify: () => AuditReport }> = async (app, { ctx, verify: check }) => {
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
    const v = check();
    ctx.audit.append({
      actor: actorOf(request.principal),
      action: 'audit.verify',
      detail: { ok: v.ok, complete: v.complete, checked: v.checked, findings: v.findings.length + v.omitted },
      ip: request.ip,
    });
    return v;
  };
  for (const method of ['GET', 'POST'] as const) {
    app.route({
      method,
      url: '/api/audit/verify',
      config: { roles: ['admin'] },
      schema: {
        tags: ['audit'],
        summary:
          'Walk the keyed hash chain and hold it against the signed anchors (local file and the one last sent upstream); report the first broken link and every anchor that disagrees (the check is audited)',
        response: { 200: AuditVerdictT },
      },
      handler: verify,
    });
  }
};
