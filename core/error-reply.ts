// The body of every refused HTTP call, as a schema: the routes' response schemas use this one, so a
// field the error handler adds (problems, params) is never stripped by one route's copy.
import { Type } from 'typebox';

/** One problem of a refused input (core/errors.ts Problem). */
export const ProblemT = Type.Object({ path: Type.String(), problem: Type.String(), got: Type.Optional(Type.Unknown()) });

export const ErrorReply = Type.Object({
  error: Type.String(),
  message: Type.String(),
  problems: Type.Optional(Type.Array(ProblemT)),
  params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
});
