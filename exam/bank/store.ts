// The question bank in SQLite: content-addressed questions, version snapshots, templates.
// Every write that makes a version is one transaction: a version is whole or absent. A large version's
// new questions may be staged first (stageQuestions: a TEMP table of this connection, filled in chunks
// that yield to the event loop), so that transaction only copies rows SQLite already holds.
import { createHash, randomBytes } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Clock } from '../../core/index.ts';
import type { Db } from '../../storage/index.ts';
import type { Category, Industry, Question, QuestionInput, QuestionType, Template } from '../types.ts';

/** Full-width letters, spaces and punctuation fold to their plain forms; case and spacing do not matter. */
export function normaliseText(s: string): string {
  return s.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}

/**
 * Two questions with the same normalised stem, the same set of options and the same pictures are one
 * question. Pictures count: 安全标志 questions share a stem ("下图所示标志的含义是") and options and
 * differ only in the sign shown. Without images the fingerprint is what it always was.
 */
export function fingerprintOf(stem: string, options: string[], images: readonly string[] = []): string {
  const opts = options.map(normaliseText).sort();
  const content: unknown[] = [normaliseText(stem), opts];
  if (images.length) content.push([...images].sort());
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 32);
}

/** The id is a hash of everything a candidate or a grader could notice, so content never changes under an id. */
export function questionIdOf(q: QuestionInput): string {
  const content = [
    q.type,
    q.stem,
    q.options,
    q.answer,
    q.images,
    q.industry,
    q.category,
    q.operationClass,
    q.knowledgePoint,
    q.difficulty,
    q.explanation,
    q.tier,
  ];
  return `q${createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 24)}`;
}

export interface BankVersion {
  id: string;
  parent: string | null;
  kind: 'package' | 'import' | 'shipped';
  label: string | null;
  publishedAt: number | null;
  receivedAt: number;
  signedBy: string | null;
  sha256: string | null;
  questionCount: number;
  templateCount: number;
  seq: number;
}

export interface NewVersion {
  id: string;
  kind: BankVersion['kind'];
  label?: string | null;
  publishedAt?: number | null;
  signedBy?: string | null;
  sha256?: string | null;
  /** Start from this version's questions and templates (imports add to the current bank). */
  parent?: string | null;
  questions: QuestionInput[];
  templates?: Template[];
  /** New questions staged beforehand (stageQuestions), stored with `questions`. */
  staged?: StagedQuestions;
}

/** Questions written to a TEMP table of this connection, not yet in the bank: nothing else sees them. */
export interface StagedQuestions {
  readonly table: string;
  readonly count: number;
  /** Drops the table (after the version is made, or when it is not): a dropped stage holds nothing. */
  drop(): void;
}

/** Rows staged per transaction before the event loop gets a turn: ~10–30 ms of work on this machine. */
export const STAGE_CHUNK_ROWS = 500;

export interface PoolFilter {
  industry?: Industry | Industry[];
  category?: Category;
  operationClass?: string | null;
  type?: QuestionType;
  includeRetired?: boolean;
}

interface QuestionRow {
  id: string;
  external_id: string | null;
  type: QuestionType;
  stem: string;
  options: string;
  answer: string;
  images: string;
  industry: Industry;
  category: Category;
  operation_class: string | null;
  knowledge_point: string;
  difficulty: number;
  explanation: string | null;
  tier: Question['tier'];
  fingerprint: string;
  retired_at: number | null;
}

function toQuestion(r: QuestionRow): Question {
  return {
    id: r.id,
    externalId: r.external_id,
    type: r.type,
    stem: r.stem,
    options: JSON.parse(r.options) as string[],
    answer: JSON.parse(r.answer) as number[],
    images: JSON.parse(r.images) as string[],
    industry: r.industry,
    category: r.category,
    operationClass: r.operation_class,
    knowledgePoint: r.knowledge_point,
    difficulty: r.difficulty as Question['difficulty'],
    explanation: r.explanation,
    tier: r.tier,
    fingerprint: r.fingerprint,
    retiredAt: r.retired_at,
  };
}

/** The columns of a question as written (created_at aside), in the order the stage table keeps them. */
const STAGE_COLS =
  'id, external_id, type, stem, options, answer, images, industry, category, operation_class, knowledge_point, difficulty, explanation, tier, fingerprint';
const STAGE_COLS_DDL = `id TEXT NOT NULL, external_id TEXT, type TEXT NOT NULL, stem TEXT NOT NULL, options TEXT NOT NULL, answer TEXT NOT NULL,
  images TEXT NOT NULL, industry TEXT NOT NULL, category TEXT NOT NULL, operation_class TEXT, knowledge_point TEXT NOT NULL,
  difficulty INTEGER NOT NULL, explanation TEXT, tier TEXT NOT NULL, fingerprint TEXT NOT NULL`;

/** A question's row values: its content-addressed id, its JSON columns and its fingerprint. */
function questionRow(q: QuestionInput, ord = 0) {
  return {
    ord,
    id: questionIdOf(q),
    externalId: q.externalId,
    type: q.type,
    stem: q.stem,
    options: JSON.stringify(q.options),
    answer: JSON.stringify(q.answer),
    images: JSON.stringify(q.images),
    industry: q.industry,
    category: q.category,
    operationClass: q.operationClass,
    knowledgePoint: q.knowledgePoint,
    difficulty: q.difficulty,
    explanation: q.explanation,
    tier: q.tier,
    fingerprint: fingerprintOf(q.stem, q.options, q.images),
  };
}

const versionCols = `id, parent, kind, label, published_at AS publishedAt, received_at AS receivedAt, signed_by AS signedBy, sha256,
  question_count AS questionCount, template_count AS templateCount, seq`;

export function createBankStore(db: Db, clock: Clock) {
  const insertQuestion = db.prepare(
    `INSERT OR IGNORE INTO questions (id, external_id, type, stem, options, answer, images, industry, category, operation_class,
       knowledge_point, difficulty, explanation, tier, fingerprint, created_at)
     VALUES (@id, @externalId, @type, @stem, @options, @answer, @images, @industry, @category, @operationClass,
       @knowledgePoint, @difficulty, @explanation, @tier, @fingerprint, @createdAt)`,
  );
  const addMember = db.prepare('INSERT OR IGNORE INTO bank_version_questions (version_id, question_id) VALUES (?, ?)');
  const insertTemplate = db.prepare('INSERT OR REPLACE INTO templates (id, version_id, name, body) VALUES (?, ?, ?, ?)');
  const questionById = db.prepare('SELECT * FROM questions WHERE id = ?');
  const questionCache = new Map<string, Question>();

  const store = {
    versions(): BankVersion[] {
      return db.prepare(`SELECT ${versionCols} FROM bank_versions ORDER BY seq DESC`).all() as BankVersion[];
    },
    version(id: string): BankVersion | null {
      return (db.prepare(`SELECT ${versionCols} FROM bank_versions WHERE id = ?`).get(id) as BankVersion | undefined) ?? null;
    },
    /** The version new papers draw from: the one received last. */
    latest(): BankVersion | null {
      return (db.prepare(`SELECT ${versionCols} FROM bank_versions ORDER BY seq DESC LIMIT 1`).get() as BankVersion | undefined) ?? null;
    },

    /** Creates a version in one transaction: its questions (new ones stored), membership and templates. */
    createVersion(v: NewVersion): BankVersion {
      return db
        .transaction(() => {
          const now = clock.now();
          const seq = ((db.prepare('SELECT MAX(seq) AS m FROM bank_versions').get() as { m: number | null }).m ?? 0) + 1;
          db.prepare(
            `INSERT INTO bank_versions (id, parent, kind, label, published_at, received_at, signed_by, sha256, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(v.id, v.parent ?? null, v.kind, v.label ?? null, v.publishedAt ?? null, now, v.signedBy ?? null, v.sha256 ?? null, seq);
          if (v.parent) {
            db.prepare(
              'INSERT INTO bank_version_questions (version_id, question_id) SELECT ?, question_id FROM bank_version_questions WHERE version_id = ?',
            ).run(v.id, v.parent);
            db.prepare('INSERT INTO templates (id, version_id, name, body) SELECT id, ?, name, body FROM templates WHERE version_id = ?').run(v.id, v.parent);
          }
          for (const q of v.questions) {
            const { ord: _ord, ...row } = questionRow(q);
            insertQuestion.run({ ...row, createdAt: now });
            addMember.run(v.id, row.id);
          }
          if (v.staged) {
            // Copies of rows SQLite already holds: no JSON, no hashing, no per-row call from JavaScript.
            const t = v.staged.table;
            db.prepare(`INSERT OR IGNORE INTO questions (${STAGE_COLS}, created_at) SELECT ${STAGE_COLS}, ? FROM temp."${t}" ORDER BY ord`).run(now);
            // In key order: appended to the membership B-tree instead of scattered through it.
            db.prepare(`INSERT OR IGNORE INTO bank_version_questions (version_id, question_id) SELECT ?, id FROM temp."${t}" ORDER BY id`).run(v.id);
          }
          for (const t of v.templates ?? []) insertTemplate.run(t.id, v.id, t.name, JSON.stringify(t));
          const counts = db
            .prepare(
              `SELECT (SELECT COUNT(*) FROM bank_version_questions WHERE version_id = ?) AS q, (SELECT COUNT(*) FROM templates WHERE version_id = ?) AS t`,
            )
            .get(v.id, v.id) as { q: number; t: number };
          db.prepare('UPDATE bank_versions SET question_count = ?, template_count = ? WHERE id = ?').run(counts.q, counts.t, v.id);
          return store.version(v.id)!;
        })
        .immediate();
    },

    /**
     * Writes questions to a TEMP table of this connection in transactions of `chunkRows`, giving the
     * event loop a turn between them: the hashing, JSON and row writes of a 50,000-question import no
     * longer hold every other request. The TEMP table takes no lock on the bank's file and vanishes with
     * the connection, so a crash or a refusal leaves nothing behind; createVersion({ staged }) stores it.
     */
    async stageQuestions(questions: QuestionInput[], opts: { chunkRows?: number; onStaged?: (n: number) => void } = {}): Promise<StagedQuestions> {
      const table = `bank_stage_${randomBytes(6).toString('hex')}`;
      db.exec(`CREATE TEMP TABLE "${table}" (ord INTEGER NOT NULL, ${STAGE_COLS_DDL})`);
      let dropped = false;
      const staged: StagedQuestions = {
        table,
        count: questions.length,
        drop() {
          if (dropped) return;
          dropped = true;
          db.exec(`DROP TABLE IF EXISTS temp."${table}"`);
        },
      };
      try {
        const insert = db.prepare(
          `INSERT INTO temp."${table}" (ord, ${STAGE_COLS}) VALUES (@ord, @id, @externalId, @type, @stem, @options, @answer, @images, @industry,
             @category, @operationClass, @knowledgePoint, @difficulty, @explanation, @tier, @fingerprint)`,
        );
        const chunk = Math.max(1, opts.chunkRows ?? STAGE_CHUNK_ROWS);
        const write = db.transaction((from: number) => {
          for (let i = from; i < Math.min(from + chunk, questions.length); i++) insert.run(questionRow(questions[i]!, i));
        });
        for (let from = 0; from < questions.length; from += chunk) {
          write(from);
          opts.onStaged?.(Math.min(from + chunk, questions.length));
          await yieldToEventLoop();
          if (dropped) throw new Error('the staged questions were dropped while they were written');
        }
        return staged;
      } catch (err) {
        staged.drop();
        throw err;
      }
    },

    question(id: string): Question | null {
      const r = db.prepare('SELECT * FROM questions WHERE id = ?').get(id) as QuestionRow | undefined;
      return r ? toQuestion(r) : null;
    },
    /** Question content never changes under an id, so what was read once is kept (a room logging in at once reads one pool). */
    questionsByIds(ids: string[]): Map<string, Question> {
      const out = new Map<string, Question>();
      for (const id of ids) {
        let q = questionCache.get(id);
        if (!q) {
          const r = questionById.get(id) as QuestionRow | undefined;
          if (!r) continue;
          q = toQuestion(r);
          if (!q.retiredAt) questionCache.set(id, q);
        }
        out.set(id, q);
      }
      return out;
    },

    /** The questions of a version that match, retired ones left out unless asked for. */
    pool(versionId: string, f: PoolFilter = {}): Question[] {
      const where = ['m.version_id = ?'];
      const args: (string | number)[] = [versionId];
      if (f.industry) {
        const list = Array.isArray(f.industry) ? f.industry : [f.industry];
        where.push(`q.industry IN (${list.map(() => '?').join(',')})`);
        args.push(...list);
      }
      if (f.category) where.push('q.category = ?'), args.push(f.category);
      if (f.operationClass) where.push('q.operation_class = ?'), args.push(f.operationClass);
      if (f.type) where.push('q.type = ?'), args.push(f.type);
      if (!f.includeRetired) where.push('q.retired_at IS NULL');
      const rows = db
        .prepare(`SELECT q.* FROM bank_version_questions m JOIN questions q ON q.id = m.question_id WHERE ${where.join(' AND ')} ORDER BY q.id`)
        .all(...args) as QuestionRow[];
      return rows.map(toQuestion);
    },

    /** Which of these fingerprints the bank already holds (any version), with the holding question's id. */
    existingFingerprints(fingerprints: string[]): Map<string, string> {
      const out = new Map<string, string>();
      // An active question wins over a retired one with the same fingerprint: it is the one in use.
      const stmt = db.prepare('SELECT id FROM questions WHERE fingerprint = ? ORDER BY retired_at IS NOT NULL, created_at DESC LIMIT 1');
      for (const fp of fingerprints) {
        const r = stmt.get(fp) as { id: string } | undefined;
        if (r) out.set(fp, r.id);
      }
      return out;
    },

    search(opts: {
      versionId: string;
      text?: string;
      type?: QuestionType;
      industry?: Industry;
      category?: Category;
      knowledgePoint?: string;
      difficulty?: number;
      includeRetired?: boolean;
      limit?: number;
      offset?: number;
    }): { total: number; items: Question[] } {
      const where = ['m.version_id = ?'];
      const args: (string | number)[] = [opts.versionId];
      if (opts.text) where.push('(q.stem LIKE ? OR q.options LIKE ?)'), args.push(`%${opts.text}%`, `%${opts.text}%`);
      if (opts.type) where.push('q.type = ?'), args.push(opts.type);
      if (opts.industry) where.push('q.industry = ?'), args.push(opts.industry);
      if (opts.category) where.push('q.category = ?'), args.push(opts.category);
      if (opts.knowledgePoint) where.push('q.knowledge_point = ?'), args.push(opts.knowledgePoint);
      if (opts.difficulty) where.push('q.difficulty = ?'), args.push(opts.difficulty);
      if (!opts.includeRetired) where.push('q.retired_at IS NULL');
      const from = `FROM bank_version_questions m JOIN questions q ON q.id = m.question_id WHERE ${where.join(' AND ')}`;
      const total = (db.prepare(`SELECT COUNT(*) AS n ${from}`).get(...args) as { n: number }).n;
      const items = (
        db.prepare(`SELECT q.* ${from} ORDER BY q.id LIMIT ? OFFSET ?`).all(...args, Math.min(opts.limit ?? 50, 500), opts.offset ?? 0) as QuestionRow[]
      ).map(toQuestion);
      return { total, items };
    },

    retire(id: string, by: string): boolean {
      questionCache.delete(id);
      return db.prepare('UPDATE questions SET retired_at = ?, retired_by = ? WHERE id = ? AND retired_at IS NULL').run(clock.now(), by, id).changes === 1;
    },
    /** Counted so that a used question can be shown as such and is never deleted. */
    markUsed(ids: Iterable<string>): void {
      const stmt = db.prepare('UPDATE questions SET used_in_papers = used_in_papers + 1 WHERE id = ?');
      for (const id of ids) stmt.run(id);
    },
    /** Papers that were replaced (regenerated before check-in) no longer count as using their questions. */
    unmarkUsed(ids: Iterable<string>): void {
      const stmt = db.prepare('UPDATE questions SET used_in_papers = MAX(used_in_papers - 1, 0) WHERE id = ?');
      for (const id of ids) stmt.run(id);
    },
    usedCount(id: string): number {
      return (db.prepare('SELECT used_in_papers AS n FROM questions WHERE id = ?').get(id) as { n: number } | undefined)?.n ?? 0;
    },

    templates(versionId: string): Template[] {
      return (db.prepare('SELECT body FROM templates WHERE version_id = ? ORDER BY id').all(versionId) as { body: string }[]).map(
        (r) => JSON.parse(r.body) as Template,
      );
    },
    template(versionId: string, id: string): Template | null {
      const r = db.prepare('SELECT body FROM templates WHERE version_id = ? AND id = ?').get(versionId, id) as { body: string } | undefined;
      return r ? (JSON.parse(r.body) as Template) : null;
    },
  };
  return store;
}

export type BankStore = ReturnType<typeof createBankStore>;
