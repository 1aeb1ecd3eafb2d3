// Duplicates: equal fingerprints (stem and options, in any order) against the bank and within the
// file; a duplicate whose answer differs is said so, since it may be a correction.
import { normaliseText, type BankStore } from '../store.ts';
import type { Question, QuestionInput } from '../../types.ts';
import { PROGRESS_EVERY, type DuplicateReport } from './types.ts';
import { formatLoc, type Loc } from './problems.ts';

/** The answer as option texts: the same question may list its options in another order. */
function answerKey(q: Pick<Question, 'options' | 'answer'>): string {
  return JSON.stringify(q.answer.map((i) => normaliseText(q.options[i] ?? '')).sort());
}

export interface Candidate {
  loc: Loc;
  question: QuestionInput;
  fingerprint: string;
}

export function findDuplicates(
  bank: BankStore,
  candidates: Candidate[],
  sheets: number,
  onChecked: (n: number) => void,
): { fresh: QuestionInput[]; duplicates: DuplicateReport[] } {
  const inBank = bank.existingFingerprints(candidates.map((c) => c.fingerprint));
  const firstInFile = new Map<string, Candidate>();
  const fresh: QuestionInput[] = [];
  const duplicates: DuplicateReport[] = [];
  candidates.forEach((c, i) => {
    if (i % PROGRESS_EVERY === 0) onChecked(i);
    const where = formatLoc(c.loc, sheets);
    const existingId = inBank.get(c.fingerprint);
    const existing = existingId ? bank.question(existingId) : null;
    // A retired question with another answer is being corrected: the corrected one comes in as new.
    const correctsRetired = Boolean(existing?.retiredAt) && answerKey(existing!) !== answerKey(c.question);
    if (existingId && !correctsRetired) {
      duplicates.push({
        where,
        sameAs: `question ${existingId}`,
        questionId: existingId,
        answerDiffers: existing ? answerKey(existing) !== answerKey(c.question) : false,
      });
      return;
    }
    const first = firstInFile.get(c.fingerprint);
    if (first) {
      duplicates.push({ where, sameAs: formatLoc(first.loc, sheets), questionId: null, answerDiffers: answerKey(first.question) !== answerKey(c.question) });
      return;
    }
    firstInFile.set(c.fingerprint, c);
    fresh.push(c.question);
  });
  onChecked(candidates.length);
  return { fresh, duplicates };
}
