// Retiring a question: no new paper draws it; it is never deleted, because papers hold it.
import { Conflict, NotFound } from '../../../core/index.ts';
import type { Question } from '../../types.ts';
import type { BankAdminDeps } from './types.ts';

/** Takes a question out of every future paper; it is never deleted (papers that used it keep it). */
export function retireQuestion(
  { db, bank, audit }: Pick<BankAdminDeps, 'db' | 'bank' | 'audit'>,
  questionId: string,
  actor: string,
  ip: string | null = null,
): Question {
  return db
    .transaction((): Question => {
      const q = bank.question(questionId);
      if (!q) throw new NotFound(`no question ${questionId}`);
      if (q.retiredAt !== null) throw new Conflict(`question ${questionId} was already retired at ${new Date(q.retiredAt).toISOString()}`);
      bank.retire(questionId, actor);
      audit.append({ actor, action: 'bank.retire', target: questionId, detail: { stem: q.stem.slice(0, 80) }, ip });
      return bank.question(questionId)!;
    })
    .immediate();
}
