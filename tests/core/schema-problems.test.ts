// One translator words every schema failure (config file, bank package, terminal frame, HTTP request):
// TypeBox's errors and Fastify's Ajv ones alike become `path: problem` lines a person can act on.
import t from 'tap';
import Fastify from 'fastify';
import { Type } from 'typebox';
import { formatProblem, schemaProblems, tableLines, displayWidth } from '../../core/index.ts';
import { installErrorHandler } from '../../server/errors.ts';

const Body = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    kind: Type.Union([Type.Literal('single'), Type.Literal('multiple')]),
    note: Type.Union([Type.String({ minLength: 2 }), Type.Null()]),
    scores: Type.Array(Type.Integer({ minimum: 1 })),
    seat: Type.String({ pattern: '^\\d{2,3}$', description: 'a two- or three-digit seat number' }),
  },
  { additionalProperties: false },
);

// Not "" for note: Fastify's Ajv coerces "" to null, which the union then accepts.
const BAD = { kind: 'both', note: 'x', scores: [2, 0], seat: '7', colour: 'red' };

t.test('TypeBox errors: one line per real problem, with paths as people write them', async (t) => {
  const lines = schemaProblems(Body, BAD, { prefix: 'question' }).map(formatProblem).sort();
  t.same(lines, [
    'question.colour: unknown field (got "red")',
    'question.kind: must be one of "single", "multiple" (got "both")',
    'question.name: missing',
    'question.note: must be at least 2 characters (or null) (got "x")',
    'question.scores[1]: must be at least 1 (got 0)',
    'question.seat: must be a two- or three-digit seat number (got "7")',
  ]);
  t.same(
    schemaProblems(Body, { ...BAD, note: 5 }).find((p) => p.path === 'note'),
    { path: 'note', problem: 'must be text or null', got: 5 },
    'a value of no allowed kind is told the kinds',
  );
  t.same(
    schemaProblems(Type.String(), 5, { root: '(package)' }),
    [{ path: '(package)', problem: 'must be text', got: 5 }],
    'the whole value has a name of its own',
  );
});

t.test('Fastify (Ajv) errors are worded the same way, without echoing the request', async (t) => {
  const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } } });
  installErrorHandler(app);
  app.post('/q', { schema: { body: Body } }, async () => ({ ok: true }));
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/q', payload: BAD });
  t.equal(res.statusCode, 400);
  const body = res.json() as { error: string; problems: { path: string; problem: string; got?: unknown }[] };
  t.equal(body.error, 'invalid');
  t.same(body.problems.map((p) => `${p.path}: ${p.problem}`).sort(), [
    'body.colour: unknown field',
    'body.kind: must be one of "single", "multiple"',
    'body.name: missing',
    'body.note: must be at least 2 characters (or null)',
    'body.scores[1]: must be at least 1',
    'body.seat: must be a two- or three-digit seat number',
  ]);
  t.notOk(
    body.problems.some((p) => 'got' in p),
    'request values are not echoed back',
  );
});

t.test('CLI tables line up Chinese text: a CJK character takes two columns', async (t) => {
  t.equal(displayWidth('单选'), 4);
  t.equal(displayWidth('A1'), 2);
  const lines = tableLines([
    { 类型: '单选', count: 40 },
    { 类型: 'judge', count: 5 },
    { 类型: null, count: 1234 },
  ]);
  t.same(lines, ['类型   count', '单选   40', 'judge  5', '-      1234']);
  const starts = lines.map((l) => displayWidth(l.slice(0, l.search(/\S+$/))));
  t.same(new Set(starts).size, 1, 'the second column starts at the same terminal column on every line');
  t.same(tableLines([]), ['(none)']);
  t.same(
    tableLines([{ at: 1_700_000_000_000 }], { cell: (v) => new Date(v as number).toISOString() }),
    ['at', '2023-11-14T22:13:20.000Z'],
    'cells may be shown their own way (the CLI shows instants as ISO)',
  );
});
