// Papers for a whole session, made ahead of the start (千人千卷): one per roster entry, each from the
// session's template snapshot and the bank version current at generation, with its own stored seed.
// All of a session's papers are stored in one transaction with the status change: a session has a
// full set of papers or none, never half a set that check-in could open on.
import { Conflict, ValidationError } from '../../core/index.ts';
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
          const seeds = new Set<string>();
          const papers: NewPaper[] = entries.map((e) => {
            let seed = newSeed();
            // 128 random bits never collide in practice; the check makes "distinct seeds" a fact, not a hope.
            while (seeds.has(seed)) seed = newSeed();
            seeds.add(seed);
            return {
              sessionId: s.id,
              idNumber: e.idNumber,
              bankVersion: latest.id,
              templateId: s.template.id,
              seed,
              items: generatePaper(s.template, pool, seed),
            };
          });
          bank.unmarkUsed(store.ofSession(s.id).flatMap((p) => p.items.map((i) => i.questionId)));
          const replaced = db.prepare('DELETE FROM papers WHERE session_id = ?').run(s.id).changes;
          store.insertMany(papers);
          bank.markUsed(papers.flatMap((p) => p.items.map((i) => i.questionId)));
          db.prepare("UPDATE exam_sessions SET bank_version = ?, status = 'papers_ready', updated_at = ? WHERE id = ?").run(latest.id, clock.now(), s.id);
          audit.append({
            actor,
            action: replaced ? 'exam.papers.regenerate' : 'exam.papers.generate',
            target: s.id,
            detail: {
              bankVersion: latest.id,
              templateId: s.template.id,
              papers: papers.length,
              replaced,
              previousBankVersion: s.bankVersion,
              warnings: check.warnings,
            },
            ip,
          });
          return { s, bankVersion: latest.id, papers: papers.length, replaced, warnings: check.warnings };
        })
        .immediate();
      bus.emit('papers.generated', { sessionId: out.s.id, papers: out.papers, bankVersion: out.bankVersion, replaced: out.replaced });
      if (out.s.status !== 'papers_ready') bus.emit('session.status', { sessionId: out.s.id, roomId: out.s.roomId, from: out.s.status, to: 'papers_ready' });
      return { sessionId: out.s.id, bankVersion: out.bankVersion, papers: out.papers, replaced: out.replaced, warnings: out.warnings };
    },
  };
}

export type SessionPapers = ReturnType<typeof createSessionPapers>;
