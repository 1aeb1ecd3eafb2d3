// Where a problem is: a sheet's row and column, or a JSON item and field, as one message.
import type { Problem } from '../../../core/index.ts';

export type Loc = { kind: 'row'; sheet: string; row: number } | { kind: 'item'; item: number };

export interface FieldProblem {
  /** `column 答案` or `field answer`; absent for problems with the whole row or item. */
  column?: string;
  problem: string;
  got?: unknown;
}

export interface LocatedProblem extends FieldProblem {
  loc: Loc;
}

/** Sheet names appear only when more than one sheet held questions. */
export function formatLoc(loc: Loc, sheets: number): string {
  if (loc.kind === 'item') return `item ${loc.item}`;
  return sheets > 1 && loc.sheet ? `sheet ${loc.sheet}, row ${loc.row}` : `row ${loc.row}`;
}

export function toProblem(p: LocatedProblem, sheets: number): Problem {
  const path = p.column ? `${formatLoc(p.loc, sheets)}, ${p.column}` : formatLoc(p.loc, sheets);
  return p.got === undefined ? { path, problem: p.problem } : { path, problem: p.problem, got: p.got };
}
