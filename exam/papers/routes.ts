// HTTP routes for templates and papers. Thin: resolve the bank version and template, call the paper
// functions, shape the reply. A preview shows answer keys, so it is admin-only and audited.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { ErrorReply, ProblemT, NotFound } from '../../core/index.ts';
import type { BankStore } from '../bank/store.ts';
import type { ExamService } from '../index.ts';
import { CATEGORIES, INDUSTRIES, QUESTION_TYPES } from '../types.ts';
import { generatePaper, newSeed } from './generate.ts';
import { checkTemplate, listTemplates, poolFor, resolveTemplate } from './template.ts';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply };

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const QuestionTypeT = Type.Union(QUESTION_TYPES.map((x) => Type.Literal(x)));

const SectionT = Type.Object({
  type: QuestionTypeT,
  count: Type.Integer(),
  score: Type.Number(),
  difficultyMix: Type.Optional(
    Type.Object({
      1: Type.Optional(Type.Number()),
      2: Type.Optional(Type.Number()),
      3: Type.Optional(Type.Number()),
      4: Type.Optional(Type.Number()),
      5: Type.Optional(Type.Number()),
    }),
  ),
  requiredKnowledgePoints: Type.Optional(Type.Array(Type.String())),
});

const ListedTemplateT = Type.Object({
  source: Type.Union([Type.Literal('version'), Type.Literal('shipped')]),
  id: Type.String(),
  name: Type.String(),
  industry: Type.Union(INDUSTRIES.map((x) => Type.Literal(x))),
  category: Type.Union(CATEGORIES.map((x) => Type.Literal(x))),
  operationClass: Nullable(Type.String()),
  durationMinutes: Type.Integer(),
  total: Type.Number(),
  passMark: Type.Number(),
  multipleChoiceScoring: Type.Union([Type.Literal('all_or_nothing'), Type.Literal('partial')]),
  sections: Type.Array(SectionT),
});

const SectionReportT = Type.Object({
  section: Type.Integer(),
  type: QuestionTypeT,
  label: Type.String(),
  count: Type.Integer(),
  score: Type.Number(),
  ok: Type.Boolean(),
  buckets: Type.Array(Type.Object({ difficulty: Nullable(Type.Integer()), needed: Type.Integer(), available: Type.Integer(), short: Type.Integer() })),
  knowledgePoints: Type.Array(Type.Object({ knowledgePoint: Type.String(), available: Type.Integer(), drawable: Type.Integer() })),
  // -Infinity (an empty bucket) does not survive JSON; the route sends null for it.
  selectionsLog10: Nullable(Type.Number()),
});

const VersionQuery = Type.Object({ version: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false });

/** The named version, or the latest one when none is named; null when the bank is empty and none was asked for. */
function versionOf(bank: BankStore, id: string | undefined): string | null {
  if (id) {
    if (!bank.version(id)) throw new NotFound(`no bank version "${id}"`);
    return id;
  }
  return bank.latest()?.id ?? null;
}

function requireVersion(bank: BankStore, id: string | undefined): string {
  const v = versionOf(bank, id);
  if (!v) throw new NotFound('the question bank is empty: import or sync a bank version first');
  return v;
}

function templateOrNotFound(bank: BankStore, version: string, templateId: string) {
  const t = resolveTemplate(bank, version, templateId);
  if (!t) throw new NotFound(`no template "${templateId}" in bank version ${version} or among the shipped templates`);
  return t;
}

export const paperRoutes: FastifyPluginAsync<{ exam: ExamService }> = async (app, { exam }) => {
  const staff = { roles: ['admin' as const, 'invigilator' as const] };
  const { bank } = exam;

  app.get(
    '/api/templates',
    {
      config: staff,
      schema: {
        tags: ['papers'],
        summary: "Paper templates: the bank version's own (latest version unless ?version=), then the shipped ones it does not override",
        querystring: VersionQuery,
        response: {
          200: Type.Object({
            version: Nullable(Type.String()),
            templates: Type.Array(ListedTemplateT),
            invalid: Type.Array(Type.Object({ id: Type.String(), problems: Type.Array(ProblemT) })),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const version = versionOf(bank, (request.query as { version?: string }).version);
      const { templates, invalid } = listTemplates(bank, version);
      return { version, templates: templates.map((x) => ({ source: x.source, ...x.template })), invalid };
    },
  );

  app.get(
    '/api/templates/:id/check',
    {
      config: staff,
      schema: {
        tags: ['papers'],
        summary: 'Can the bank fill this template? Per section and difficulty: needed, available, short; each required knowledge point',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        querystring: Type.Object(
          { version: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), papers: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            templateId: Type.String(),
            version: Type.String(),
            ok: Type.Boolean(),
            poolSize: Type.Integer(),
            sections: Type.Array(SectionReportT),
            problems: Type.Array(ProblemT),
            warnings: Type.Array(Type.String()),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const q = request.query as { version?: string; papers?: number };
      const version = requireVersion(bank, q.version);
      const t = templateOrNotFound(bank, version, id);
      const r = checkTemplate(t, poolFor(bank, version, t), q.papers ? { papers: q.papers } : {});
      return {
        templateId: t.id,
        version,
        ok: r.ok,
        poolSize: r.poolSize,
        sections: r.sections.map((s) => ({ ...s, selectionsLog10: Number.isFinite(s.selectionsLog10) ? s.selectionsLog10 : null })),
        problems: r.ok ? [] : r.problems,
        warnings: r.warnings,
      };
    },
  );

  app.post(
    '/api/papers/preview',
    {
      config: { roles: ['admin' as const] },
      schema: {
        tags: ['papers'],
        summary: 'Generate one paper WITH answer keys to check a template (not stored; audited)',
        body: Type.Object(
          {
            templateId: Type.String({ minLength: 1, maxLength: 100 }),
            version: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            seed: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            templateId: Type.String(),
            version: Type.String(),
            seed: Type.String(),
            total: Type.Number(),
            passMark: Type.Number(),
            durationMinutes: Type.Integer(),
            items: Type.Array(
              Type.Object({
                no: Type.Integer(),
                questionId: Type.String(),
                type: QuestionTypeT,
                score: Type.Number(),
                knowledgePoint: Type.String(),
                difficulty: Type.Integer(),
                stem: Type.String(),
                options: Type.Array(Type.String()),
                optionOrder: Type.Array(Type.Integer()),
                key: Type.Array(Type.Integer()),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const body = request.body as { templateId: string; version?: string; seed?: string };
      const version = requireVersion(bank, body.version);
      const t = templateOrNotFound(bank, version, body.templateId);
      const pool = poolFor(bank, version, t);
      const seed = body.seed ?? newSeed();
      const items = generatePaper(t, pool, seed);
      const byId = new Map(pool.map((q) => [q.id, q]));
      exam.deps.audit.append({ actor: request.actor, action: 'paper.preview', target: t.id, detail: { version, seed }, ip: request.ip });
      return {
        templateId: t.id,
        version,
        seed,
        total: t.total,
        passMark: t.passMark,
        durationMinutes: t.durationMinutes,
        items: items.map((item, i) => {
          const q = byId.get(item.questionId)!;
          return { no: i + 1, ...item, difficulty: q.difficulty, stem: q.stem, options: item.optionOrder.map((k) => q.options[k]!) };
        }),
      };
    },
  );
};
