// Ajv's type coercion (ajv 8.20, coerceTypes) turns a query or path value such as "1e309" into Infinity and
// then lets it past `type: integer` with its minimum and maximum: a handler got `limit = Infinity` and
// SQLite refused it with a 500 (found by bench/fuzz.ts). Every route's coerced values are checked here,
// once, after validation: a number that is not finite is the caller's error, named like any other.
import type { FastifyInstance } from 'fastify';
import { ValidationError, type Problem } from '../core/index.ts';

export function installFiniteNumberCheck(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const problems: Problem[] = [];
    for (const [where, values] of [
      ['querystring', request.query],
      ['params', request.params],
    ] as const) {
      if (!values || typeof values !== 'object') continue;
      for (const [name, value] of Object.entries(values as Record<string, unknown>))
        for (const v of Array.isArray(value) ? value : [value])
          if (typeof v === 'number' && !Number.isFinite(v)) problems.push({ path: `${where}.${name}`, problem: 'must be a finite number', got: String(v) });
    }
    if (problems.length) throw new ValidationError(problems);
  });
}
