// Stored papers: rows in, rows out. A stored paper never changes; its seed is kept so that anyone can
// regenerate it and check that it is what the template and bank would have produced (verifyPaper).
import { Conflict, newId, type Clock } from '../../core/index.ts';
import type { Db } from '../../storage/index.ts';
import type { Paper, PaperItem, Question, Template } from '../types.ts';
import { generatePaper } from './generate.ts';

interface PaperRow {
  id: string;
  session_id: string | null;
  id_number: string | null;
  bank_version: string;
  template_id: string;
  seed: string;
  items: string;
  generated_at: number;
}

function toPaper(r: PaperRow): Paper {
  return {
    id: r.id,
    sessionId: r.session_id,
    idNumber: r.id_number,
    bankVersion: r.bank_version,
    templateId: r.template_id,
    seed: r.seed,
    items: JSON.parse(r.items) as PaperItem[],
    generatedAt: r.generated_at,
  };
}

export type NewPaper = Omit<Paper, 'id' | 'generatedAt'>;

export function createPaperStore(db: Db, clock: Clock) {
  const insertStmt = db.prepare(
    `INSERT INTO papers (id, session_id, id_number, bank_version, template_id, seed, items, generated_at)
     VALUES (@id, @sessionId, @idNumber, @bankVersion, @templateId, @seed, @items, @generatedAt)`,
  );
  const byIdStmt = db.prepare('SELECT * FROM papers WHERE id = ?');
  const forCandidateStmt = db.prepare('SELECT * FROM papers WHERE session_id = ? AND id_number = ?');
  const ofSessionStmt = db.prepare('SELECT * FROM papers WHERE session_id = ? ORDER BY id_number, id');

  const insertOne = (p: NewPaper): Paper => {
    const now = clock.now();
    const paper: Paper = {
      id: newId(now),
      sessionId: p.sessionId,
      idNumber: p.idNumber,
      bankVersion: p.bankVersion,
      templateId: p.templateId,
      seed: p.seed,
      items: p.items,
      generatedAt: now,
    };
    try {
      insertStmt.run({ ...paper, items: JSON.stringify(paper.items) });
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new Conflict(`candidate ${p.idNumber ?? '(none)'} already has a paper in session ${p.sessionId ?? '(none)'}`);
      throw err;
    }
    return paper;
  };

  return {
    /** Stores a paper as given; it marks nothing used — callers do that with bank.markUsed. */
    insert(p: NewPaper): Paper {
      return insertOne(p);
    },
    /** A whole session's papers in one transaction: all stored or none (one fsync, not hundreds). */
    insertMany(ps: readonly NewPaper[]): Paper[] {
      return db.transaction(() => ps.map(insertOne)).immediate();
    },
    byId(id: string): Paper | null {
      const r = byIdStmt.get(id) as PaperRow | undefined;
      return r ? toPaper(r) : null;
    },
    forCandidate(sessionId: string, idNumber: string): Paper | null {
      const r = forCandidateStmt.get(sessionId, idNumber) as PaperRow | undefined;
      return r ? toPaper(r) : null;
    },
    ofSession(sessionId: string): Paper[] {
      return (ofSessionStmt.all(sessionId) as PaperRow[]).map(toPaper);
    },
  };
}

export type PaperStore = ReturnType<typeof createPaperStore>;

function sameItem(a: PaperItem, b: PaperItem): boolean {
  const same = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    a.questionId === b.questionId &&
    a.type === b.type &&
    a.score === b.score &&
    a.knowledgePoint === b.knowledgePoint &&
    same(a.optionOrder, b.optionOrder) &&
    same(a.key, b.key)
  );
}

/**
 * The audit of a paper: regenerates it from its stored seed and compares every item — question,
 * order, option order, key, score. `pool` must be the pool as it was when the paper was made
 * (poolFor with `at: paper.generatedAt`), `t` the template it was made from.
 */
export function verifyPaper(p: Paper, t: Template, pool: readonly Question[]): boolean {
  if (p.templateId !== t.id) return false;
  let again: PaperItem[];
  try {
    again = generatePaper(t, pool, p.seed);
  } catch {
    return false;
  }
  return again.length === p.items.length && again.every((item, i) => sameItem(item, p.items[i]!));
}
