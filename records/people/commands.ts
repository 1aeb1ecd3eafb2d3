// `examroom person show ID [--pdf FILE]`: the person file on the console (a summary) and, with --pdf,
// the A4 file written where asked. Audited as a read, like the HTTP route.
import { writeFileSync } from 'node:fs';
import { localDate } from '../../core/index.ts';
import type { RecordsCliCommand } from '../commands.ts';

export const personCommands: RecordsCliCommand[] = [
  {
    name: 'person show',
    usage: 'person show ID_NUMBER [--pdf FILE] [--json]   the person file (一人一档): exams, retakes and rules, training, identity checks',
    options: { pdf: { type: 'string' }, json: { type: 'boolean' } },
    async run(ctx) {
      const id = ctx.args[0];
      if (!id || ctx.args.length > 1) {
        ctx.err('usage: examroom person show ID_NUMBER [--pdf FILE] [--json]');
        return 1;
      }
      const pdfFile = typeof ctx.values.pdf === 'string' ? ctx.values.pdf : null;
      const people = ctx.records.people;
      const f = people.read(id, { actor: ctx.actor, format: pdfFile ? 'pdf' : 'json' });
      if (ctx.values.json) {
        ctx.out(JSON.stringify(people.json(f), null, 2));
      } else {
        const tz = ctx.config.site.timezone;
        ctx.out(`${f.name} ${f.idNumber}`);
        for (const e of f.exams) {
          const result = e.result ? `${e.result.score}/${e.result.total} ${e.result.passed ? '合格' : '不合格'}` : e.status;
          const attempt = e.retake === 0 ? '首次' : `第${e.retake}次补考`;
          ctx.out(`  ${localDate(e.startsAt, tz)}  ${e.sessionId}  ${attempt}  ${result}${e.rule ? `  [${e.rule.path}]` : ''}`);
        }
        ctx.out(
          `  培训 ${f.training.classes.length} 班，计入 ${f.training.totalAttendedHours} 学时；身份核验 ${f.identityChecks.length} 次；违纪 ${f.incidents.length} 条`,
        );
      }
      if (pdfFile) {
        writeFileSync(pdfFile, await people.pdf(f));
        ctx.err(`wrote ${pdfFile}`);
      }
      return 0;
    },
  },
];
