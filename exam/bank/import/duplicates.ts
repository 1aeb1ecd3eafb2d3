// Duplicates: equal fingerprints (stem and options, in any order) against the bank and within the
// file; a duplicate whose answer differs is said so, since it may be a correction.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
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

/**
 * Which candidates are new and which repeat the bank or an earlier row, in one go: inside the one
 * transaction that stores them.
 */
export function findDuplicates(
  bank: BankStore,
  candidates: Candidate[],
  sheets: number,
  onChecked: (n: number) => void,
): { fresh: QuestionInput[]; duplicates: DuplicateReport[] } {
  const checker = duplicateChecker(bank, sheets, onChecked);
  checker.add(candidates);
  return checker.done();
}

/**
 * The same in chunks of `chunkRows`, the event loop getting a turn between them (a 50,000-row file is
 * ~50,000 indexed reads): called outside any transaction, so the caller checks, as it stores, that the
 * bank has not changed meanwhile.
 */
export async function findDuplicatesInSteps(
  bank: BankStore,
  candidates: Candidate[],
  sheets: number,
  onChecked: (n: number) => void,
  chunkRows: number,
): Promise<{ fresh: QuestionInput[]; duplicates: DuplicateReport[] }> {
  const checker = duplicateChecker(bank, sheets, onChecked);
  for (let from = 0; from < candidates.length; from += chunkRows) {
    if (from > 0) await yieldToEventLoop();
    checker.add(candidates.slice(from, from + chunkRows));
  }
  return checker.done();
}

function duplicateChecker(bank: BankStore, sheets: number, onChecked: (n: number) => void) {
  const firstInFile = new Map<string, Candidate>();
  const fresh: QuestionInput[] = [];
  const duplicates: DuplicateReport[] = [];
  let seen = 0;
  return {
    add(part: Candidate[]): void {
      const inBank = bank.existingFingerprints(part.map((c) => c.fingerprint));
      for (const c of part) check(c, seen++, inBank);
    },
    done() {
      onChecked(seen);
      return { fresh, duplicates };
    },
  };

  function check(c: Candidate, i: number, inBank: Map<string, string>): void {
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
  }
}
