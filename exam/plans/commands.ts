// `examroom plan …`, `session …`, `roster import …`: the same service the HTTP routes call, for
// staff preparing an exam day at the server's console. Bad input prints what to fix and exits 1.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { CliCommand, CliContext } from '../cli.ts';
import { SESSION_STATUSES, type SessionStatus } from './model.ts';
import { seatListCsv, seatListHtml } from './seat-list.ts';
import { localDateTime, tableLines } from '../../core/index.ts';

const table = (rows: Record<string, unknown>[]): string => tableLines(rows).join('\n');

function str(ctx: CliContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

function usage(ctx: CliContext, text: string): number {
  ctx.err(`usage: examroom ${text}`);
  return 1;
}

export const planCommands: CliCommand[] = [
  {
    name: 'plan create',
    usage: 'plan create NAME --from DATE --to DATE   a new exam plan (考试计划); dates YYYY-MM-DD',
    options: { from: { type: 'string' }, to: { type: 'string' } },
    async run(ctx) {
      const name = ctx.args.join(' ').trim();
      const from = str(ctx, 'from');
      const to = str(ctx, 'to');
      if (!name || !from || !to) return usage(ctx, 'plan create NAME --from YYYY-MM-DD --to YYYY-MM-DD');
      const p = ctx.exam.plans.createPlan({ name, from, to }, ctx.actor);
      ctx.out(`created plan ${p.id} "${p.name}" ${p.startsOn} – ${p.endsOn}`);
      return 0;
    },
  },
  {
    name: 'plan list',
    usage: 'plan list                                exam plans, newest first',
    async run(ctx) {
      ctx.out(
        table(ctx.exam.plans.listPlans().map((p) => ({ id: p.id, name: p.name, from: p.startsOn, to: p.endsOn, status: p.status, sessions: p.sessions }))),
      );
      return 0;
    },
  },
  {
    name: 'session create',
    usage: 'session create --plan ID --room ROOM --start ISO --template ID [--duration MIN]   a session (场次)',
    options: { plan: { type: 'string' }, room: { type: 'string' }, start: { type: 'string' }, template: { type: 'string' }, duration: { type: 'string' } },
    async run(ctx) {
      const planId = str(ctx, 'plan');
      const room = str(ctx, 'room');
      const startsAt = str(ctx, 'start');
      const templateId = str(ctx, 'template');
      const duration = str(ctx, 'duration');
      if (!planId || !room || !startsAt || !templateId || ctx.args.length)
        return usage(ctx, 'session create --plan ID --room ROOM --start 2026-03-01T09:00 --template ID [--duration MINUTES]');
      if (duration !== undefined && !/^\d+$/.test(duration)) {
        ctx.err(`examroom: --duration must be a whole number of minutes (got ${JSON.stringify(duration)})`);
        return 1;
      }
      const s = ctx.exam.plans.createSession({ planId, room, startsAt, templateId, ...(duration ? { durationMinutes: Number(duration) } : {}) }, ctx.actor);
      const tz = ctx.config.site.timezone;
      ctx.out(
        `created session ${s.id}: room ${s.roomId}, ${localDateTime(s.startsAt, tz)} – ${localDateTime(s.endsAt, tz)} (${s.durationMinutes} min), template ${s.templateId}`,
      );
      return 0;
    },
  },
  {
    name: 'session list',
    usage: 'session list [--plan ID]                 sessions in time order',
    options: { plan: { type: 'string' } },
    async run(ctx) {
      const tz = ctx.config.site.timezone;
      const planId = str(ctx, 'plan');
      const rows = ctx.exam.plans.listSessions(planId ? { planId } : {}).map((s) => {
        const c = ctx.exam.plans.sessionSummary(s.id);
        return {
          id: s.id,
          plan: s.planId,
          room: s.roomId,
          starts: localDateTime(s.startsAt, tz),
          min: s.durationMinutes,
          template: s.templateId,
          status: s.status,
          roster: c.roster,
          seated: c.seated,
          papers: c.papers,
        };
      });
      ctx.out(table(rows));
      return 0;
    },
  },
  {
    name: 'session status',
    usage: `session status SESSION STATUS            move a session on (${SESSION_STATUSES.filter((x) => x !== 'scheduled' && x !== 'papers_ready').join(', ')})`,
    async run(ctx) {
      const [id, status, ...extra] = ctx.args;
      if (!id || !status || extra.length) return usage(ctx, 'session status SESSION checkin|in_progress|ended|graded|archived');
      const s = ctx.exam.plans.advanceSession(id, status as SessionStatus, ctx.actor);
      ctx.out(`session ${s.id} is now ${s.status}`);
      return 0;
    },
  },
  {
    name: 'roster import',
    usage: 'roster import SESSION FILE [--photos DIR]   candidates from .csv/.xlsx/.json (all or nothing)',
    options: { photos: { type: 'string' } },
    async run(ctx) {
      const [id, file, ...extra] = ctx.args;
      if (!id || !file || extra.length) return usage(ctx, 'roster import SESSION FILE [--photos DIR]');
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (err) {
        ctx.err(`examroom: cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
        return 1;
      }
      const r = await ctx.exam.plans.importRoster(id, { bytes, filename: basename(file), photosDir: str(ctx, 'photos') ?? null }, ctx.actor);
      const retakes = r.entries.filter((e) => e.attempt === 2).length;
      ctx.out(`imported ${r.added} candidates into session ${r.sessionId} (roster now ${r.total}${retakes ? `, ${retakes} retaking` : ''})`);
      return 0;
    },
  },
  {
    name: 'session seats',
    usage: 'session seats SESSION                    draw every seat at random (before check-in)',
    async run(ctx) {
      const [id, ...extra] = ctx.args;
      if (!id || extra.length) return usage(ctx, 'session seats SESSION');
      const r = ctx.exam.plans.assignSeats(id, ctx.actor);
      ctx.out(`seated ${r.seated} candidates (seed ${r.seed})`);
      ctx.out(table(r.entries.map((e) => ({ seat: e.seat, ticket: e.ticketNo, name: e.name }))));
      return 0;
    },
  },
  {
    name: 'session reseat',
    usage: 'session reseat SESSION ID_NUMBER SEAT    move one candidate to a free seat',
    options: { reason: { type: 'string' } },
    async run(ctx) {
      const [id, idNumber, seat, ...extra] = ctx.args;
      if (!id || !idNumber || !seat || extra.length) return usage(ctx, 'session reseat SESSION ID_NUMBER SEAT [--reason TEXT]');
      const e = ctx.exam.plans.reseat(id, idNumber.toUpperCase(), seat, ctx.actor, { reason: str(ctx, 'reason') ?? null });
      ctx.out(`${e.name} (ticket ${e.ticketNo}) now sits at ${e.seat}`);
      return 0;
    },
  },
  {
    name: 'session seat-list',
    usage: 'session seat-list SESSION [--csv] [--out FILE]   the printable seat list (A4 HTML, or CSV)',
    options: { csv: { type: 'boolean' }, out: { type: 'string' } },
    async run(ctx) {
      const [id, ...extra] = ctx.args;
      if (!id || extra.length) return usage(ctx, 'session seat-list SESSION [--csv] [--out FILE]');
      const list = ctx.exam.plans.seatList(id);
      const text = ctx.values.csv ? seatListCsv(list) : seatListHtml(list);
      const out = str(ctx, 'out');
      if (out) {
        writeFileSync(out, text);
        ctx.out(`wrote the seat list of session ${id} (${list.rows.length} candidates) to ${out}`);
      } else ctx.out(text.trimEnd());
      return 0;
    },
  },
  {
    name: 'session papers',
    usage: 'session papers SESSION                   generate every candidate’s paper from the latest bank version',
    async run(ctx) {
      const [id, ...extra] = ctx.args;
      if (!id || extra.length) return usage(ctx, 'session papers SESSION');
      const r = ctx.exam.plans.generateSessionPapers(id, ctx.actor);
      ctx.out(
        `${r.replaced ? `replaced ${r.replaced} papers: ` : ''}generated ${r.papers} papers for session ${r.sessionId} from bank version ${r.bankVersion}`,
      );
      for (const w of r.warnings) ctx.err(`warning: ${w}`);
      return 0;
    },
  },
];
