// Domain errors become HTTP here and only here. A reply always says what went wrong, where and why;
// a crash is logged in full but the client only learns that it was our fault.
import type { FastifyError, FastifyInstance } from 'fastify';
import {
  Conflict,
  DomainError,
  Forbidden,
  Locked,
  NotFound,
  Unauthorized,
  Unavailable,
  ValidationError,
  explainSchemaErrors,
  type Problem,
} from '../core/index.ts';

export interface ErrorBody {
  error: string;
  message: string;
  problems?: Problem[];
  /** What an app needs to word the refusal (core RefusalParams). */
  params?: Record<string, string | number>;
}

export function statusOf(err: DomainError): number {
  if (err instanceof ValidationError) return 400;
  if (err instanceof Unauthorized) return 401;
  if (err instanceof Forbidden) return 403;
  if (err instanceof NotFound) return 404;
  if (err instanceof Conflict) return 409;
  if (err instanceof Locked) return 423;
  if (err instanceof Unavailable) return 503;
  return 400;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | DomainError | Error, request, reply) => {
    if (err instanceof DomainError) {
      const body: ErrorBody = { error: err.code, message: err.message };
      if (err instanceof ValidationError) body.problems = err.problems;
      if (err.params) body.params = err.params;
      if (err instanceof Locked) void reply.header('retry-after', String(err.retryAfterSeconds));
      return reply.status(statusOf(err)).send(body);
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const context = fe.validationContext ?? 'body';
      const problems = explainSchemaErrors(fe.validation, {
        prefix: context,
        schema: (request.routeOptions.schema as Record<string, unknown> | undefined)?.[context],
        withoutValues: true,
      });
      return reply.status(400).send({ error: 'invalid', message: problems.map((p) => `${p.path}: ${p.problem}`).join('; '), problems } satisfies ErrorBody);
    }
    const status = fe.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.status(500).send({ error: 'internal', message: 'internal error; the details are in the server log' } satisfies ErrorBody);
    }
    // Body parsing failures (bad JSON, wrong content type) are the caller's input errors like any other.
    const code = fe.code?.startsWith('FST_ERR_CTP_') ? 'invalid' : status === 429 ? 'rate_limited' : (fe.code ?? 'error');
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      // Say the limit: "Request body is too large" leaves the person guessing how much smaller to make it.
      const limit = request.routeOptions.bodyLimit;
      const size = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB` : `${Math.ceil(n / 1024)} KiB`);
      return reply.status(413).send({
        error: code,
        message: `the request body is larger than ${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]} takes (at most ${size(limit)})`,
      } satisfies ErrorBody);
    }
    return reply.status(status).send({ error: code, message: fe.message } satisfies ErrorBody);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } satisfies ErrorBody);
  });
}
