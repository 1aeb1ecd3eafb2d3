// One error type per kind of failure a caller can act on. server/ maps them to HTTP once.
import { redactDeep } from './redact.ts';

export interface Problem {
  /** Where: a dotted path (`rooms[0].seats`), a row/column, a field name. */
  path: string;
  /** Why, in words a person can act on. */
  problem: string;
  /** What was found, when showing it helps. */
  got?: unknown;
}

/** What an app needs to word a refusal in the person's language (names, seats, states), beside its code. */
export type RefusalParams = Record<string, string | number>;

export class DomainError extends Error {
  readonly code: string = 'error';
  /** Filled in by refusals an app words itself: the reply carries them as `params`. */
  params?: RefusalParams;
}

export class ValidationError extends DomainError {
  override readonly code = 'invalid';
  readonly problems: Problem[];
  constructor(problems: Problem[], message?: string) {
    // A refusal quotes what it was given: a camera URL's password must not travel back in it (core/redact.ts).
    const shown = redactDeep(problems);
    super(message ?? shown.map(formatProblem).join('\n'));
    this.problems = shown;
    this.name = 'ValidationError';
  }
}

export class NotFound extends DomainError {
  override readonly code = 'not_found';
  constructor(message: string) {
    super(message);
    this.name = 'NotFound';
  }
}

export class Conflict extends DomainError {
  override readonly code: string;
  /**
   * `code` and `params` name a refusal an app words in the person's language (e.g. 'seat_taken' with
   * the seat, room and occupant); the message stays the English explanation for logs and API callers.
   */
  constructor(message: string, code: string = 'conflict', params?: RefusalParams) {
    super(message);
    this.code = code;
    if (params) this.params = params;
    this.name = 'Conflict';
  }
}

export class Unauthorized extends DomainError {
  override readonly code = 'unauthorized';
  constructor(message = 'log in first') {
    super(message);
    this.name = 'Unauthorized';
  }
}

export class Forbidden extends DomainError {
  override readonly code: string;
  /**
   * `code` names a refusal an app words in the person's language (e.g. 'outside_jurisdiction');
   * the message stays the English explanation for logs and API callers.
   */
  constructor(message: string, code: string = 'forbidden') {
    super(message);
    this.code = code;
    this.name = 'Forbidden';
  }
}

export class Locked extends DomainError {
  override readonly code = 'locked';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'Locked';
  }
}

/**
 * Something the appliance depends on did not answer (the object store holding a tiered recording): the
 * request was fine and may succeed later. `code` names what was unavailable for an app to word.
 */
export class Unavailable extends DomainError {
  override readonly code: string;
  constructor(message: string, code: string = 'unavailable') {
    super(message);
    this.code = code;
    this.name = 'Unavailable';
  }
}

export function formatProblem(p: Problem): string {
  const got = p.got === undefined ? '' : ` (got ${describeValue(p.got)})`;
  return `${p.path || '(top level)'}: ${p.problem}${got}`;
}

export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}
