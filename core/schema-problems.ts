// JSON-schema errors (TypeBox's, or Fastify's Ajv ones for route schemas) translated into Problems a
// person can act on: one line per real problem, the path written as `rooms[0].seats`, the offending
// value alongside, union noise folded into one "must be one of" line. The config loader, the bank
// package reader, the terminal gateway and the HTTP error handler all speak through this one translator.
import { Value } from 'typebox/value';
import { Settings } from 'typebox/system';
import type { Problem } from './errors.ts';

/** What TypeBox's Value.Errors / a compiled validator's Errors and Ajv both report per failed keyword. */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  schemaPath?: string;
  params: unknown;
  message?: string;
}

export interface SchemaProblemOptions {
  /** The schema the errors came from: its descriptions and property names make the messages specific. */
  schema?: unknown;
  /** The value that was checked, so each problem can show what it found. */
  value?: unknown;
  /** Prepended to every path (`signature`, `body`). */
  prefix?: string;
  /** The path shown for a problem with the whole value (when there is no prefix). */
  root?: string;
  /** Words for a field the schema does not have, given its name and the names allowed beside it. */
  unknownField?: (name: string, known: string[]) => string;
  /** The noun for a JSON type where the default reads wrong for the audience (YAML says "a mapping"). */
  nouns?: Partial<Record<string, string>>;
  /** Leave out the offending values (a terminal's frame may carry a credential). */
  withoutValues?: boolean;
}

const NOUNS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

/** Checks `value` against `schema` and explains every failure (all of them, not TypeBox's first 8). */
export function schemaProblems(schema: unknown, value: unknown, opts: Omit<SchemaProblemOptions, 'schema' | 'value'> = {}): Problem[] {
  // TypeBox stops at 8 errors by default; whoever fixes a file wants the whole list in one pass.
  Settings.Set({ maxErrors: 1000 });
  return explainSchemaErrors([...Value.Errors(schema as Parameters<typeof Value.Errors>[0], value)], { ...opts, schema, value });
}

/** Explains errors already collected (by a compiled validator, or by Fastify's Ajv). */
export function explainSchemaErrors(errors: readonly SchemaError[], opts: SchemaProblemOptions = {}): Problem[] {
  const nouns = { ...NOUNS, ...opts.nouns } as Record<string, string>;
  const out: Problem[] = [];
  const seen = new Set<string>();
  const add = (path: string, problem: string, got?: unknown) => {
    const key = `${path}|${problem}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ path, problem, ...(got === undefined || opts.withoutValues ? {} : { got }) });
  };
  const pathOf = (pointer: string, extra?: string) => {
    let p = opts.prefix ?? '';
    for (const part of [...pointerParts(pointer), ...(extra === undefined ? [] : [extra])]) p += /^\d+$/.test(part) ? `[${part}]` : p ? `.${part}` : part;
    return p || (opts.root ?? '(top level)');
  };
  const schemaOf = (e: SchemaError): unknown =>
    opts.schema === undefined || e.schemaPath === undefined ? undefined : nodeAt(opts.schema, owningSchemaPath(e.schemaPath, e.keyword));
  const message = (e: SchemaError) => humanMessage(e, (schemaOf(e) as { description?: string } | undefined)?.description, nouns);
  // Paths that failed a union: their per-branch noise is replaced by one line.
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors) {
    const params = (e.params ?? {}) as Record<string, unknown>;
    const got = opts.value === undefined ? undefined : valueAt(opts.value, e.instancePath);
    switch (e.keyword) {
      case 'boolean': // additionalProperties: false seen from the child; the parent reports it by name
        break;
      case 'additionalProperties': {
        const known = Object.keys((schemaOf(e) as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
        // TypeBox lists every unknown name at once; Ajv reports one per error.
        const names =
          (params.additionalProperties as string[] | undefined) ?? (params.additionalProperty === undefined ? [] : [String(params.additionalProperty)]);
        for (const name of names)
          add(pathOf(e.instancePath, name), opts.unknownField?.(name, known) ?? 'unknown field', (got as Record<string, unknown> | undefined)?.[name]);
        break;
      }
      case 'required': {
        const names = (params.requiredProperties as string[] | undefined) ?? (params.missingProperty === undefined ? [] : [String(params.missingProperty)]);
        for (const name of names) add(pathOf(e.instancePath, name), 'missing');
        break;
      }
      case 'anyOf': {
        const branches = errors.filter((x) => x.instancePath === e.instancePath && x.keyword !== 'anyOf');
        const union = schemaOf(e) as { anyOf?: Branch[] } | undefined;
        const allowed = branches.filter((x) => x.keyword === 'const').map((x) => JSON.stringify((x.params as { allowedValue: unknown }).allowedValue));
        const onlyWords = union?.anyOf ? union.anyOf.every((b) => b.const !== undefined) : allowed.length > 0 && allowed.length === branches.length;
        // A value of the right kind that broke one of that branch's rules (too short, wrong pattern) is told that rule.
        const specific = branches.find((x) => x.keyword !== 'const' && x.keyword !== 'type');
        if (onlyWords && allowed.length > 0) add(pathOf(e.instancePath), `must be one of ${allowed.join(', ')}`, got);
        else if (specific) {
          // The branch the value did match in kind is the one whose rule it broke; the others are its alternatives.
          const unionPath = e.schemaPath === undefined ? '' : owningSchemaPath(e.schemaPath, e.keyword);
          const tried = Number(/^\/anyOf\/(\d+)/.exec((specific.schemaPath ?? '').slice(unionPath.length))?.[1] ?? -1);
          const others = union?.anyOf?.filter((b, i) => (tried >= 0 ? i !== tried : kindOf(b) !== jsonKind(got))).map((b) => branchWords(b, nouns)) ?? [];
          add(pathOf(e.instancePath), `${message(specific)}${others.length > 0 ? ` (or ${others.join(' or ')})` : ''}`, got);
        } else {
          const parts = union?.anyOf
            ? union.anyOf.map((b) => branchWords(b, nouns))
            : branches.map((x) =>
                x.keyword === 'const'
                  ? JSON.stringify((x.params as { allowedValue: unknown }).allowedValue)
                  : (nouns[String((x.params as { type?: unknown }).type)] ?? String((x.params as { type?: unknown }).type)),
              );
          add(pathOf(e.instancePath), parts.length > 0 ? `must be ${parts.join(' or ')}` : 'must be a valid value', got);
        }
        break;
      }
      default:
        if (unionPaths.has(e.instancePath)) break; // said by the anyOf line
        add(pathOf(e.instancePath), message(e), got);
    }
  }
  return out;
}

interface Branch {
  const?: unknown;
  type?: string;
  description?: string;
}

function humanMessage(e: SchemaError, described: string | undefined, nouns: Record<string, string>): string {
  const params = (e.params ?? {}) as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return `must be ${nouns[String(params.type)] ?? String(params.type)}${described ? `: ${described}` : ''}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'enum':
      return `must be one of ${((params.allowedValues as unknown[]) ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return `must be ${described ?? `text matching ${String(params.pattern)}`}`;
    case 'format':
      return `must be ${described ?? `a valid ${String(params.format)}`}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      // Words, not `>=`: the reader is a person fixing a file, and a description that already states
      // the bound ("at least 1096 …") replaces the generic wording instead of repeating it.
      const words: Record<string, string> = { '>=': 'at least', '<=': 'at most', '>': 'more than', '<': 'less than' };
      const bound = `${words[String(params.comparison)] ?? String(params.comparison)} ${String(params.limit)}`;
      if (described?.startsWith(bound)) return `must be ${described}`;
      return described ? `must be ${bound}: ${described}` : `must be ${bound}`;
    }
    case 'minItems':
      return `must list at least ${String(params.limit)}`;
    case 'maxItems':
      return `must list at most ${String(params.limit)}`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters`;
    default:
      return e.message ?? `breaks the schema's ${e.keyword} rule`;
  }
}

function branchWords(b: Branch, nouns: Record<string, string>): string {
  if (b.const !== undefined) return JSON.stringify(b.const);
  return b.description ?? nouns[b.type ?? ''] ?? 'a value';
}

function kindOf(b: Branch): string {
  if (b.const !== undefined) return jsonKind(b.const);
  return b.type === 'integer' ? 'number' : (b.type ?? '');
}

function jsonKind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function pointerParts(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The schema that holds the failed keyword: TypeBox points at that schema, Ajv at the keyword inside it. */
function owningSchemaPath(schemaPath: string, keyword: string): string {
  const parts = schemaPath.split('/');
  return parts.length > 1 && parts[parts.length - 1] === keyword && parts[parts.length - 2] !== 'properties' ? parts.slice(0, -1).join('/') : schemaPath;
}

function nodeAt(root: unknown, schemaPath: string): unknown {
  let node = root;
  for (const part of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[decodeURIComponent(part.replace(/~1/g, '/').replace(/~0/g, '~'))];
  }
  return node;
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointerParts(pointer)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
