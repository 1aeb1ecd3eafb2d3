// The question bank's admin API: versions, search, preview, import of a spreadsheet, retirement.
// Admins only: a question's answer is exam material. Search shows no answers; a preview does, and is audited.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { Conflict, ErrorReply, NotFound, ValidationError } from '../../core/index.ts';
import type { ExamService } from '../index.ts';
import { CATEGORIES, INDUSTRIES, QUESTION_TYPES, TIERS, type Question } from '../types.ts';
import type { BankStore } from './store.ts';
import { importFormatOf, previewOf } from './import/index.ts';
import { jobView } from '../../documents/index.ts';
import { JobViewT } from '../../documents/protocol.ts';
import { BankImportDuplicateT, BankVersionViewT } from '../protocol.ts';

/** A 50,000-question .xlsx is about 5 MiB; ten times that leaves room for pictures pasted into cells. */
export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply, 413: ErrorReply, 415: ErrorReply };

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const literals = (xs: readonly string[]) => Type.Union(xs.map((x) => Type.Literal(x)));
const QuestionTypeT = literals(QUESTION_TYPES);
const IndustryT = literals(INDUSTRIES);
const CategoryT = literals(CATEGORIES);

// The version's and a duplicate's shapes are the admin console's contract (exam/protocol.ts).
const BankVersionT = BankVersionViewT;

const listedFields = {
  id: Type.String(),
  externalId: Nullable(Type.String()),
  type: QuestionTypeT,
  stem: Type.String(),
  options: Type.Array(Type.String()),
  images: Type.Array(Type.String()),
  industry: IndustryT,
  category: CategoryT,
  operationClass: Nullable(Type.String()),
  knowledgePoint: Type.String(),
  difficulty: Type.Integer({ minimum: 1, maximum: 5 }),
  tier: literals(TIERS),
  fingerprint: Type.String(),
  retiredAt: Nullable(Type.Integer()),
};
/** What a search lists: enough to find a question, not its answer. */
const ListedQuestionT = Type.Object(listedFields);
const PreviewT = Type.Object({
  ...listedFields,
  answer: Type.Array(Type.Integer()),
  answerLetters: Type.String({ description: 'the answer as letters, A = the first option (judge: A 正确, B 错误)' }),
  explanation: Nullable(Type.String()),
  usedInPapers: Type.Integer(),
});

const DuplicateT = BankImportDuplicateT;
const ImportReplyT = Type.Object({
  file: Type.String(),
  rows: Type.Integer(),
  imported: Type.Integer(),
  duplicates: Type.Array(DuplicateT),
  version: Nullable(BankVersionT),
  imagesStored: Type.Integer({ description: "image files stored by this import (the CLI's --images DIR); uploaded images are resolved by name" }),
});

const QuestionId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

const SearchQuery = Type.Object(
  {
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'bank version; the latest when absent' })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'text in the stem or the options' })),
    type: Type.Optional(QuestionTypeT),
    industry: Type.Optional(IndustryT),
    category: Type.Optional(CategoryT),
    knowledgePoint: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    difficulty: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    includeRetired: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);
type SearchQuery = {
  version?: string;
  q?: string;
  type?: Question['type'];
  industry?: Question['industry'];
  category?: Question['category'];
  knowledgePoint?: string;
  difficulty?: number;
  includeRetired?: boolean;
  limit?: number;
  offset?: number;
};

function listed(q: Question): Omit<Question, 'answer' | 'explanation'> {
  const { answer: _answer, explanation: _explanation, ...rest } = q;
  return rest;
}

function searchVersion(bank: BankStore, id: string | undefined): string | null {
  if (!id) return bank.latest()?.id ?? null;
  if (!bank.version(id)) throw new NotFound(`no bank version "${id}"`);
  return id;
}

export const bankRoutes: FastifyPluginAsync<{ exam: ExamService }> = async (app, { exam }) => {
  const admin = { roles: ['admin' as const] };
  const { bank, bankAdmin, deps } = exam;

  // Uploads arrive as the file itself, whatever type the browser guessed (.csv is often
  // application/vnd.ms-excel); the importer reads the bytes by the file name's extension. Scoped to
  // this plugin, so the rest of the server keeps its JSON parser.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.get(
    '/api/bank/versions',
    { config: admin, schema: { tags: ['bank'], summary: 'Bank versions, newest first', response: { 200: Type.Array(BankVersionT), ...errors } } },
    async () => bank.versions(),
  );

  app.get(
    '/api/bank/questions',
    {
      config: admin,
      schema: {
        tags: ['bank'],
        summary: 'Search a bank version (no answers shown)',
        querystring: SearchQuery,
        response: { 200: Type.Object({ version: Nullable(Type.String()), total: Type.Integer(), items: Type.Array(ListedQuestionT) }), ...errors },
      },
    },
    async (request) => {
      const q = request.query as SearchQuery;
      const version = searchVersion(bank, q.version);
      if (!version) return { version: null, total: 0, items: [] };
      const r = bank.search({
        versionId: version,
        ...(q.q ? { text: q.q } : {}),
        ...(q.type ? { type: q.type } : {}),
        ...(q.industry ? { industry: q.industry } : {}),
        ...(q.category ? { category: q.category } : {}),
        ...(q.knowledgePoint ? { knowledgePoint: q.knowledgePoint } : {}),
        ...(q.difficulty ? { difficulty: q.difficulty } : {}),
        includeRetired: q.includeRetired ?? false,
        limit: q.limit ?? 50,
        offset: q.offset ?? 0,
      });
      return { version, total: r.total, items: r.items.map(listed) };
    },
  );

  app.get(
    '/api/bank/questions/:id',
    {
      config: admin,
      schema: { tags: ['bank'], summary: 'Preview one question WITH its answer (audited)', params: QuestionId, response: { 200: PreviewT, ...errors } },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const q = bank.question(id);
      if (!q) throw new NotFound(`no question ${id}`);
      deps.audit.append({ actor: request.actor, action: 'bank.question.preview', target: id, ip: request.ip });
      return previewOf(q, bank.usedCount(id));
    },
  );

  app.post(
    '/api/bank/import',
    {
      config: admin,
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['bank'],
        summary: 'Import a question file (.xlsx, .csv or .json) sent as the request body; all or nothing',
        description:
          'Send the file itself as the body (Content-Type: application/octet-stream). 400 lists every bad row as `row N, column X`; duplicates are reported and skipped.',
        querystring: Type.Object(
          { filename: Type.String({ minLength: 1, maxLength: 255, description: 'the file name; its extension says the format' }) },
          { additionalProperties: false },
        ),
        response: { 200: ImportReplyT, ...errors },
      },
    },
    async (request) => {
      const { filename } = request.query as { filename: string };
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0)
        throw new ValidationError([{ path: 'body', problem: 'send the file itself as the request body (Content-Type: application/octet-stream)' }]);
      return bankAdmin.importFile(body, importFormatOf(filename), { filename, actor: request.actor, ip: request.ip });
    },
  );

  app.post(
    '/api/bank/imports',
    {
      config: admin,
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['bank'],
        summary: 'Import a question file as a job (the admin console): answers 202 and the job at once; follow it at /api/jobs/:jobId/events',
        description:
          'The same all-or-nothing import as POST /api/bank/import. Progress note: reading, checking or storing. A refused file fails the job; its result lists every problem (exam/protocol.ts BankImportRefused) and nothing is stored.',
        querystring: Type.Object(
          { filename: Type.String({ minLength: 1, maxLength: 255, description: 'the file name; its extension says the format' }) },
          { additionalProperties: false },
        ),
        response: { 202: JobViewT, ...errors },
      },
    },
    async (request, reply) => {
      const { filename } = request.query as { filename: string };
      if (!exam.bankImports) throw new Conflict('this process runs no jobs; use POST /api/bank/import');
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const job = exam.bankImports.start(filename, body, { actor: request.actor, ip: request.ip });
      return reply.status(202).send(jobView(job));
    },
  );

  app.post(
    '/api/bank/questions/:id/retire',
    {
      config: admin,
      schema: {
        tags: ['bank'],
        summary: 'Retire a question: no new paper draws it; it is never deleted',
        params: QuestionId,
        response: { 200: PreviewT, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const q = bankAdmin.retire(id, request.actor, request.ip);
      return previewOf(q, bank.usedCount(id));
    },
  );
};
