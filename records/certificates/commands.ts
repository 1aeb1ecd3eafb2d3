// `examroom certificate list|revoke|export`: the office's certificate work from the server's shell.
import { writeFileSync } from 'node:fs';
import { localDate, tableLines } from '../../core/index.ts';
import type { RecordsCliCommand, RecordsCliContext } from '../commands.ts';

const str = (ctx: RecordsCliContext, name: string): string | undefined => {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
};
const usage = (ctx: RecordsCliContext, text: string): number => {
  ctx.err(`usage: examroom ${text}`);
  return 1;
};

export const certificateCommands: RecordsCliCommand[] = [
  {
    name: 'certificate list',
    usage: 'certificate list [--session SESSION] [--id-number ID]   certificates with their status',
    options: { session: { type: 'string' }, 'id-number': { type: 'string' } },
    async run(ctx) {
      if (ctx.args.length) return usage(ctx, 'certificate list [--session SESSION] [--id-number ID]');
      const certs = ctx.records.certificates;
      const sessionId = str(ctx, 'session');
      const idNumber = str(ctx, 'id-number')?.toUpperCase();
      const list = certs.list({ ...(sessionId ? { sessionId } : {}), ...(idNumber ? { idNumber } : {}) });
      const tz = ctx.config.site.timezone;
      ctx.out(
        tableLines(
          list.map((c) => ({
            number: c.number,
            name: c.name,
            idNumber: c.idNumber,
            session: c.sessionId,
            date: c.sessionDate,
            validUntil: localDate(c.validUntil, tz),
            status: certs.statusOf(c),
            revoked: c.revokedReason ?? '',
          })),
        ).join('\n'),
      );
      return 0;
    },
  },
  {
    name: 'certificate revoke',
    usage: 'certificate revoke NUMBER --reason TEXT             revoke a certificate (final; audited)',
    options: { reason: { type: 'string' } },
    async run(ctx) {
      const [number, ...extra] = ctx.args;
      const reason = str(ctx, 'reason');
      if (!number || extra.length || reason === undefined) return usage(ctx, 'certificate revoke NUMBER --reason TEXT');
      const c = ctx.records.certificates.revoke(number, reason, ctx.actor);
      ctx.out(`certificate ${c.number} (${c.name}) is revoked: ${c.revokedReason}`);
      return 0;
    },
  },
  {
    name: 'certificate export',
    usage: 'certificate export SESSION --format xlsx|json [--out FILE]   for the issuing office (ZWFW C0210-2021 fields)',
    options: { format: { type: 'string' }, out: { type: 'string' } },
    async run(ctx) {
      const [sessionId, ...extra] = ctx.args;
      const format = str(ctx, 'format') ?? 'xlsx';
      if (!sessionId || extra.length) return usage(ctx, 'certificate export SESSION --format xlsx|json [--out FILE]');
      if (format !== 'xlsx' && format !== 'json') {
        ctx.err(`examroom: --format is xlsx or json, not ${JSON.stringify(format)}`);
        return 1;
      }
      const out = str(ctx, 'out') ?? (format === 'xlsx' ? `certificates-${sessionId}.xlsx` : undefined);
      const r = await ctx.records.certificates.exportSession(sessionId, format, ctx.actor);
      const bytes = format === 'xlsx' ? r.xlsx! : Buffer.from(`${JSON.stringify({ sessionId, rows: r.rows }, null, 2)}\n`);
      if (out) {
        writeFileSync(out, bytes);
        ctx.out(`wrote ${r.rows.length} certificates of session ${sessionId} to ${out}`);
      } else ctx.out(bytes.toString('utf8').trimEnd());
      return 0;
    },
  },
];
