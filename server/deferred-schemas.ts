// Fastify compiles every route's request validator (Ajv) and response serializer (fast-json-stringify)
// before it listens: 1.3 s of the server's 4.6 s start in a CPU profile on the 2-core appliance (bench
// startup), nearly all of it for routes nobody calls in the first minute. Deferred, a route's schemas
// compile on its first request (a few ms, once), so a restarted server takes its terminals back sooner;
// the rest compile a while after the start (compileDeferredSchemas), so a schema that does not compile
// still shows in the log at start-up, as it did when Fastify refused to start with it.
// The compilers are Fastify's own defaults with Fastify's options: what is checked does not change.
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
type Compile = (route: {
  schema: unknown;
  method?: string;
  url?: string;
  httpPart?: string;
  httpStatus?: string;
  contentType?: string;
}) => (...args: unknown[]) => unknown;
type Builder = (externalSchemas: unknown, options: unknown) => Compile;
// Required on the first compile too, not here: Ajv, its formats and fast-json-stringify are some 0.7 MB of
// CommonJS that Node compiled before listening (the largest part of loading Fastify's stack, bench startup).
const requireAjvCompilerFactory = () => fromFastify('@fastify/ajv-compiler') as () => Builder;
const requireSerializerCompilerFactory = () => fromFastify('@fastify/fast-json-stringify-compiler') as () => Builder;

export interface DeferredSchemas {
  schemaController: NonNullable<FastifyServerOptions['schemaController']>;
  /** Compiles what no request has needed yet, one schema per turn of the event loop; resolves with the failures. */
  compileAll(): Promise<{ route: string; error: Error }[]>;
}

export function deferredSchemas(): DeferredSchemas {
  const pending = new Set<{ compile: () => void; route: string }>();

  function defer(compile: Compile, route: Parameters<Compile>[0]): { fn: (...args: unknown[]) => unknown; ensure: () => (...args: unknown[]) => unknown } {
    let compiled: ((...args: unknown[]) => unknown) | null = null;
    const entry = { compile: () => void ensure(), route: `${route.method ?? ''} ${route.url ?? ''} ${route.httpPart ?? route.httpStatus ?? ''}`.trim() };
    const ensure = () => {
      if (!compiled) {
        pending.delete(entry);
        compiled = compile(route);
      }
      return compiled;
    };
    pending.add(entry);
    return { fn: (...args: unknown[]) => ensure()(...args), ensure };
  }

  // The compilers themselves (Ajv with its formats and keywords) are made on the first compile too:
  // building Ajv took 42 ms of the start in a CPU profile (bench startup, on the 2 loaded cores).
  const lazily = (make: () => Compile): Compile => {
    let compile: Compile | null = null;
    return (route) => (compile ??= make())(route);
  };
  const buildValidator: Builder = (externalSchemas, options) => {
    const compile = lazily(() => requireAjvCompilerFactory()()(externalSchemas, options));
    return (route) => {
      const { fn, ensure } = defer(compile, route);
      // Fastify reads a failed validation's errors from the function, and passes the parent data to an
      // Ajv function (it has schemaEnv) so Ajv may coerce the root value: both as the compiled one.
      return Object.defineProperties(fn, {
        errors: { get: () => (ensure() as { errors?: unknown }).errors },
        schemaEnv: { value: true },
      });
    };
  };
  const buildSerializer: Builder = (externalSchemas, options) => {
    const compile = lazily(() => requireSerializerCompilerFactory()()(externalSchemas, options));
    return (route) => defer(compile, route).fn;
  };

  return {
    schemaController: { compilersFactory: { buildValidator, buildSerializer } } as DeferredSchemas['schemaController'],
    async compileAll() {
      const failures: { route: string; error: Error }[] = [];
      for (const entry of [...pending]) {
        await new Promise((resolve) => setImmediate(resolve));
        try {
          entry.compile();
        } catch (err) {
          pending.delete(entry);
          failures.push({ route: entry.route, error: err as Error });
        }
      }
      return failures;
    },
  };
}
