// `examroom template list` and `examroom template check`: what an exam centre runs before a session
// to learn whether the bank it received can fill the template — and if not, exactly where it falls short.
import { NotFound, formatProblem, tableLines } from '../../core/index.ts';
import type { CliCommand, CliContext } from '../cli.ts';
import { CATEGORY_LABELS, INDUSTRY_LABELS } from '../types.ts';
import { checkTemplate, describeSections, listTemplates, poolFor, resolveTemplate } from './template.ts';

const table = (rows: Record<string, string | number | null>[]): string[] => tableLines(rows);

function versionOf(ctx: CliContext): string {
  const asked = ctx.values.version as string | undefined;
  if (asked) {
    if (!ctx.exam.bank.version(asked)) throw new NotFound(`no bank version "${asked}" (examroom bank list shows them)`);
    return asked;
  }
  const latest = ctx.exam.bank.latest();
  if (!latest) throw new NotFound('the question bank is empty: import or sync a bank version first');
  return latest.id;
}

export const templateList: CliCommand = {
  name: 'template list',
  usage: "template list [--version V]              paper templates: the bank version's own, then the shipped ones",
  options: { version: { type: 'string' } },
  async run(ctx) {
    const asked = ctx.values.version as string | undefined;
    if (asked && !ctx.exam.bank.version(asked)) throw new NotFound(`no bank version "${asked}"`);
    const version = asked ?? ctx.exam.bank.latest()?.id ?? null;
    const { templates, invalid } = listTemplates(ctx.exam.bank, version);
    ctx.out(version ? `bank version ${version}` : 'no bank version yet: shipped templates only');
    for (const line of table(
      templates.map(({ source, template: t }) => ({
        id: t.id,
        source,
        industry: INDUSTRY_LABELS[t.industry],
        category: CATEGORY_LABELS[t.category],
        class: t.operationClass,
        minutes: t.durationMinutes,
        total: t.total,
        pass: t.passMark,
        sections: describeSections(t).replace(/ \+ /g, ' '),
      })),
    ))
      ctx.out(line);
    for (const x of invalid)
      ctx.err(`template ${x.id} in bank version ${version ?? ''} is invalid:\n${x.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    return invalid.length ? 1 : 0;
  },
};

export const templateCheck: CliCommand = {
  name: 'template check',
  usage: 'template check TEMPLATE_ID [--version V] [--papers N]   can the bank fill it? exit 1 names each shortfall',
  options: { version: { type: 'string' }, papers: { type: 'string' } },
  async run(ctx) {
    const id = ctx.args[0];
    if (!id || ctx.args.length > 1) {
      ctx.err('usage: examroom template check TEMPLATE_ID [--version V] [--papers N]');
      return 1;
    }
    const papersArg = ctx.values.papers as string | undefined;
    const papers = papersArg === undefined ? undefined : Number(papersArg);
    if (papers !== undefined && !(Number.isInteger(papers) && papers >= 1)) {
      ctx.err(`--papers must be a whole number of papers, at least 1 (got ${JSON.stringify(papersArg)})`);
      return 1;
    }
    const version = versionOf(ctx);
    const t = resolveTemplate(ctx.exam.bank, version, id);
    if (!t) throw new NotFound(`no template "${id}" in bank version ${version} or among the shipped templates (examroom template list shows them)`);
    const r = checkTemplate(t, poolFor(ctx.exam.bank, version, t), papers ? { papers } : {});
    ctx.out(`template ${t.id} (${t.name}): ${describeSections(t)} = ${t.total}, pass ${t.passMark}, ${t.durationMinutes} min`);
    ctx.out(
      `bank version ${version}: ${r.poolSize} questions in its pool (${INDUSTRY_LABELS[t.industry]}${t.industry === 'general' ? '' : ' + 通用'}, ${CATEGORY_LABELS[t.category]}${t.operationClass ? ` ${t.operationClass}` : ''})`,
    );
    ctx.out('');
    const rows = r.sections.flatMap((s) =>
      s.buckets.map((b) => ({
        section: `sections[${s.section}]`,
        type: s.label,
        difficulty: b.difficulty ?? 'any',
        needs: b.needed,
        'bank has': b.available,
        short: b.short || null,
      })),
    );
    for (const line of table(rows)) ctx.out(line);
    const points = r.sections.flatMap((s) =>
      s.knowledgePoints.map((k) => ({
        section: `sections[${s.section}]`,
        type: s.label,
        'knowledge point': k.knowledgePoint,
        questions: k.available,
        drawable: k.drawable,
      })),
    );
    if (points.length) {
      ctx.out('');
      ctx.out('required knowledge points:');
      for (const line of table(points)) ctx.out(line);
    }
    for (const w of r.warnings) ctx.out(`warning: ${w}`);
    if (r.ok) {
      ctx.out('');
      ctx.out(`feasible: every section of ${t.id} can be filled from bank version ${version}`);
      return 0;
    }
    ctx.err(`template ${t.id} cannot be filled from bank version ${version}:`);
    for (const p of r.problems) ctx.err(`  ${formatProblem(p)}`);
    return 1;
  },
};

export const paperCommands: CliCommand[] = [templateList, templateCheck];
