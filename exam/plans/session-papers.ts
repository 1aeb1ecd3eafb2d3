// Papers for a whole session, made ahead of the start (千人千卷): one per roster entry, each from the
// session's template snapshot and the bank version current at generation, with its own stored seed.
// All of a session's papers are stored in one transaction with the status change: a session has a
// full set of papers or none, never half a set that check-in could open on.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Conflict, ValidationError } from '../../core/index.ts';
import type { ExamSession } from './model.ts';
import { generatePaper, newSeed } from '../papers/generate.ts';
import { createPaperStore, type NewPaper } from '../papers/store.ts';
import { checkTemplate, poolFor } from '../papers/template.ts';
import type { PlansDeps } from './model.ts';
import type { Plans } from './plans.ts';
import type { Roster } from './roster.ts';

export interface GeneratedPapers {
  sessionId: string;
  bankVersion: string;
  papers: number;
  replaced: number;
  warnings: string[];
}

export function createSessionPapers(deps: PlansDeps, plans: Plans, roster: Roster) {
  const { db, bank, audit, bus, clock } = deps;
  const store = createPaperStore(db, clock);

  function assertOpen(status: string, id: string): void {
    // Once check-in opens, candidates may already be looking at their paper on a terminal.
    if (status !== 'scheduled' && status !== 'papers_ready')
      throw new Conflict(`exam session ${id} is ${status}; papers can be generated or replaced only before check-in opens`);
  }

  /** What generating needs, checked: the latest bank, the roster, a pool that fills the template. */
  function prepare(s: ExamSession) {
    assertOpen(s.status, s.id);
    const latest = bank.latest();
    if (!latest) throw new Conflict('the question bank is empty: import questions or install a bank package before generating papers');
    const entries = roster.entries(s.id);
    if (entries.length === 0) throw new Conflict(`exam session ${s.id} has nobody on its roster; import the roster first`);
    const pool = poolFor(bank, latest.id, s.template);
    const check = checkTemplate(s.template, pool, { papers: entries.length });
    if (!check.ok) {
      throw new ValidationError(
        check.problems,
        `template ${s.template.id} cannot be filled from bank version ${latest.id}:\n${check.problems.map((p) => `  ${p.path}: ${p.problem}`).join('\n')}`,
      );
    }
    return { bankVersion: latest.id, entries, pool, warnings: check.warnings, seeds: new Set<string>() };
  }

  function paperFor(s: ExamSession, ready: ReturnType<typeof prepare>, idNumber: string, seeds: Set<string>): NewPaper {
    let seed = newSeed();
    // 128 random bits never collide in practice; the check makes "distinct seeds" a fact, not a hope.
    while (seeds.has(seed)) seed = newSeed();
    seeds.add(seed);
    return { sessionId: s.id, idNumber, bankVersion: ready.bankVersion, templateId: s.template.id, seed, items: generatePaper(s.template, ready.pool, seed) };
  }

  /** Inside the caller's transaction: replaces the session's papers and moves it to papers_ready, audited. */
  function save(s: ExamSession, bankVersion: string, papers: NewPaper[], warnings: string[], actor: string, ip: string | null) {
    bank.unmarkUsed(store.ofSession(s.id).flatMap((p) => p.items.map((i) => i.questionId)));
    const replaced = db.prepare('DELETE FROM papers WHERE session_id = ?').run(s.id).changes;
    store.insertMany(papers);
    bank.markUsed(papers.flatMap((p) => p.items.map((i) => i.questionId)));
    db.prepare("UPDATE exam_sessions SET bank_version = ?, status = 'papers_ready', updated_at = ? WHERE id = ?").run(bankVersion, clock.now(), s.id);
    audit.append({
      actor,
      action: replaced ? 'exam.papers.regenerate' : 'exam.papers.generate',
      target: s.id,
      detail: { bankVersion, templateId: s.template.id, papers: papers.length, replaced, previousBankVersion: s.bankVersion, warnings },
      ip,
    });
    return { s, bankVersion, papers: papers.length, replaced, warnings };
  }

  function announce(out: ReturnType<typeof save>): GeneratedPapers {
    bus.emit('papers.generated', { sessionId: out.s.id, papers: out.papers, bankVersion: out.bankVersion, replaced: out.replaced });
    if (out.s.status !== 'papers_ready') bus.emit('session.status', { sessionId: out.s.id, roomId: out.s.roomId, from: out.s.status, to: 'papers_ready' });
    return { sessionId: out.s.id, bankVersion: out.bankVersion, papers: out.papers, replaced: out.replaced, warnings: out.warnings };
  }

  return {
    store,

    /**
     * Generates (or, before check-in, regenerates) every paper of the session. Refused with the
     * template check's problems when the latest bank cannot fill the template.
     */
    generateSessionPapers(sessionId: string, actor: string, ip: string | null = null): GeneratedPapers {
      const s0 = plans.session(sessionId);
      assertOpen(s0.status, s0.id);
      const out = db
        .transaction(() => {
          const s = plans.session(sessionId);
          const ready = prepare(s);
          return save(
            s,
            ready.bankVersion,
            ready.entries.map((e) => paperFor(s, ready, e.idNumber, ready.seeds)),
            ready.warnings,
            actor,
            ip,
          );
        })
        .immediate();
      return announce(out);
    },

    /** The checks generating would make, so a job can be refused before it starts (a refusal is an answer, not a failed job). */
    checkPapers(sessionId: string): { papers: number } {
      const s = plans.session(sessionId);
      return { papers: prepare(s).entries.length };
    },

    /**
     * The same as generateSessionPapers for a big session run as a job: the papers are drawn outside the
     * write lock in slices (progress after each, cancel between them), then stored in one transaction
     * that first checks nothing changed meanwhile (status, bank version, roster) — a full set or none.
     */
    async generateSessionPapersInSteps(
      sessionId: string,
      actor: string,
      ip: string | null,
      step: { progress(done: number, total: number, note: string): void; throwIfCancelled(): void },
    ): Promise<GeneratedPapers> {
      const s0 = plans.session(sessionId);
      const ready = prepare(s0);
      const total = ready.entries.length;
      const papers: NewPaper[] = [];
      step.progress(0, total, 'drawing');
      for (const e of ready.entries) {
        papers.push(paperFor(s0, ready, e.idNumber, ready.seeds));
        if (papers.length % 20 === 0) {
          step.progress(papers.length, total, 'drawing');
          await yieldToLoop();
          step.throwIfCancelled();
        }
      }
      step.progress(total, total, 'saving');
      step.throwIfCancelled();
      const out = db
        .transaction(() => {
          const s = plans.session(sessionId);
          assertOpen(s.status, s.id);
          const now = roster.entries(s.id).map((e) => e.idNumber);
          const latest = bank.latest();
          if (latest?.id !== ready.bankVersion || now.length !== total || now.some((id, i) => id !== ready.entries[i]!.idNumber))
            throw new Conflict(`exam session ${s.id}: the roster or the bank changed while its papers were being drawn; generate them again`);
          return save(s, ready.bankVersion, papers, ready.warnings, actor, ip);
        })
        .immediate();
      return announce(out);
    },
  };
}

export type SessionPapers = ReturnType<typeof createSessionPapers>;
