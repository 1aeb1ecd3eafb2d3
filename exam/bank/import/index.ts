// Question-bank import from the spreadsheets exam centres keep (.xlsx, .csv) and from JSON.
// All or nothing: one bad row rejects the file with every problem listed by row and column, and
// nothing is stored; duplicates are reported and skipped, never stored twice. A good file becomes one
// new bank version, published with its audit entry in one short transaction after its rows were checked
// and staged in steps that leave the event loop free (the server keeps answering during a large import).
// The parts: sniff.ts (format), readers.ts, headers.ts, checks.ts, duplicates.ts, retire.ts.
import { basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Conflict, ValidationError } from '../../../core/index.ts';
import { fingerprintOf, STAGE_CHUNK_ROWS, type BankVersion, type StagedQuestions } from '../store.ts';
import { lettersOf } from '../notation.ts';
import { createBankImages, type CheckedImage } from '../images.ts';
import type { Question, QuestionInput } from '../../types.ts';
import {
  PROGRESS_EVERY,
  type BankAdminDeps,
  type DuplicateReport,
  type ImageFiles,
  type ImportFormat,
  type ImportOptions,
  type ImportResult,
} from './types.ts';
import { fileProblem } from './sniff.ts';
import { toProblem } from './problems.ts';
import { noHeaderProblem, recordsOf, type ReadState } from './readers.ts';
import { checkRecord } from './checks.ts';
import { findDuplicates, findDuplicatesInSteps, type Candidate } from './duplicates.ts';
import { retireQuestion } from './retire.ts';

export { importFormatOf, decodeText } from './sniff.ts';
export type { BankAdminDeps, DuplicateReport, ImageFiles, ImportFormat, ImportOptions, ImportProgress, ImportResult } from './types.ts';

/** `local-20250301T093000-3fa2c1`: sorts by time, says where it came from, never collides. */
function localVersionId(now: number): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '');
  return `local-${stamp}-${randomBytes(3).toString('hex')}`;
}

export function createBankAdmin(deps: BankAdminDeps) {
  const { db, bank, audit, clock } = deps;
  const images = deps.images ?? createBankImages({ db, clock, audit });

  /** A name's image id, from the files that came with the import or from earlier uploads; problems say why not. */
  type Resolved = { id: string; file: CheckedImage | null } | { problems: string[] };
  async function resolveImage(name: string, files: ImageFiles | undefined): Promise<Resolved> {
    const bytes = files ? await files.read(name) : null;
    if (bytes) {
      try {
        const c = images.check(name, bytes);
        return { id: c.id, file: c };
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        return { problems: err.problems.map((p) => `${files!.where}${name}: ${p.problem}`) };
      }
    }
    const stored = images.resolve(name);
    if (stored) return { id: stored.id, file: null };
    if (files) return { problems: [`no image named "${name}": no such file in ${files.where}, and none has been uploaded`] };
    return { problems: [`no image named "${name}" has been uploaded (POST /api/bank/images?name=… or bank import --images DIR)`] };
  }

  /** Reads and checks every row; throws a ValidationError listing every problem, or returns the questions in file order. */
  async function readAndCheck(
    source: string | Uint8Array,
    format: ImportFormat,
    opts: ImportOptions,
  ): Promise<{ candidates: Candidate[]; rows: number; sheets: number; files: CheckedImage[] }> {
    const state: ReadState = { problems: [], sheetsWithHeader: new Set(), headerFound: false, firstRow: null };
    const candidates: Candidate[] = [];
    const resolved = new Map<string, Resolved>();
    let rows = 0;
    opts.onProgress?.({ phase: 'reading', rows: 0 });
    for await (const rec of recordsOf(source, format, state, { filename: basename(opts.filename), limits: opts.sheetLimits })) {
      rows++;
      const { question, problems } = checkRecord(rec);
      for (const p of problems) state.problems.push({ ...p, loc: rec.loc });
      if (question?.images.length) {
        // A question is stored with its images' ids, never their names: a name may be uploaded again with other bytes.
        const ids: string[] = [];
        for (const name of question.images) {
          let r = resolved.get(name);
          if (!r) resolved.set(name, (r = await resolveImage(name, opts.imageFiles)));
          if ('id' in r) ids.push(r.id);
          else for (const problem of r.problems) state.problems.push({ loc: rec.loc, column: rec.label('images'), problem });
        }
        if (ids.length < question.images.length) continue;
        question.images = ids;
      }
      if (question) candidates.push({ loc: rec.loc, question, fingerprint: fingerprintOf(question.stem, question.options, question.images) });
      if (rows % PROGRESS_EVERY === 0) opts.onProgress?.({ phase: 'reading', rows });
    }
    opts.onProgress?.({ phase: 'reading', rows, total: rows });
    const sheets = state.sheetsWithHeader.size;
    const file = basename(opts.filename);
    if (!state.headerFound) {
      const problem = noHeaderProblem(state);
      throw new ValidationError([problem], `${file}: ${problem.problem}; nothing was imported`);
    }
    const problems = state.problems.map((p) => toProblem(p, sheets));
    if (rows === 0 && problems.length === 0) throw fileProblem('no questions below the header row');
    if (problems.length) {
      const badRows = new Set(problems.map((p) => p.path.replace(/, (column|field) .*$/u, ''))).size;
      throw new ValidationError(
        problems,
        `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${badRows} ${format === 'json' ? 'item' : 'row'}${badRows === 1 ? '' : 's'}; nothing was imported`,
      );
    }
    const files = [...resolved.values()].flatMap((r) => ('file' in r && r.file ? [r.file] : []));
    return { candidates, rows, sheets, files };
  }

  /** What the duplicate check depends on: the newest version (any import or package makes one) and the retirements. */
  const retiredState = db.prepare('SELECT COUNT(retired_at) AS n, MAX(retired_at) AS m FROM questions');
  function bankState(): string {
    const r = retiredState.get() as { n: number; m: number | null };
    return `${bank.latest()?.id ?? ''}|${r.n}|${r.m ?? ''}`;
  }

  return {
    /**
     * Imports a question file (a path, or the bytes of an upload). All or nothing: a ValidationError
     * lists every bad row and nothing is stored. Duplicates are reported and skipped.
     */
    async importFile(source: string | Uint8Array, format: ImportFormat, opts: ImportOptions): Promise<ImportResult> {
      const file = basename(opts.filename);
      const { candidates, rows, sheets, files } = await readAndCheck(source, format, opts);
      const total = candidates.length;
      const onChecked = (n: number) => opts.onProgress?.({ phase: 'checking', rows: n, total });
      const onStored = (n: number, of: number) => opts.onProgress?.({ phase: 'storing', rows: n, total: of });

      /** The version and its audit entry, in the one IMMEDIATE transaction that publishes them. */
      const publish = (fresh: QuestionInput[], duplicates: DuplicateReport[], staged: StagedQuestions | null): ImportResult => {
        // The image files come in with the questions that show them, or not at all.
        const imagesStored = files.filter((f) => images.store(f, opts.actor, opts.ip ?? null).created).length;
        let version: BankVersion | null = null;
        if (fresh.length) {
          const latest = bank.latest();
          version = bank.createVersion({
            id: localVersionId(clock.now()),
            kind: 'import',
            parent: latest?.id ?? null,
            label: file,
            questions: staged ? [] : fresh,
            ...(staged ? { staged } : {}),
          });
          onStored(fresh.length, fresh.length);
        }
        audit.append({
          actor: opts.actor,
          action: 'bank.import',
          target: version?.id ?? null,
          detail: {
            file,
            imported: fresh.length,
            duplicates: duplicates.length,
            version: version?.id ?? null,
            ...(files.length ? { images: files.length } : {}),
          },
          ip: opts.ip ?? null,
        });
        return { file, rows, imported: fresh.length, duplicates, version, imagesStored };
      };

      if (opts.oneTransaction) {
        // As before December 2026 (kept for the bench's before/after): the duplicate check and every row
        // written in one IMMEDIATE transaction, holding the event loop for all of it.
        return db
          .transaction((): ImportResult => {
            const { fresh, duplicates } = findDuplicates(bank, candidates, sheets, onChecked);
            if (fresh.length) onStored(0, fresh.length);
            return publish(fresh, duplicates, null);
          })
          .immediate();
      }
      // In steps, the event loop getting a turn between chunks: the duplicate check (reads), then the new
      // questions staged in a TEMP table of this connection (no lock on the bank), then one short IMMEDIATE
      // transaction that checks the bank is as it was checked against — an import or a package from the
      // CLI next to the server, or a retirement, may have come in meanwhile: then all is checked again —
      // and copies the staged rows in with the version and its audit entry. All or nothing as before:
      // until that transaction nothing is in the bank, and a crash leaves no stage behind.
      for (let attempt = 1; ; attempt++) {
        const before = bankState();
        const { fresh, duplicates } = await findDuplicatesInSteps(bank, candidates, sheets, onChecked, STAGE_CHUNK_ROWS);
        if (fresh.length) onStored(0, fresh.length);
        const staged = fresh.length ? await bank.stageQuestions(fresh, { onStaged: (n) => onStored(n, fresh.length) }) : null;
        try {
          const result = db.transaction((): ImportResult | null => (bankState() === before ? publish(fresh, duplicates, staged) : null)).immediate();
          if (result) return result;
        } finally {
          staged?.drop();
        }
        if (attempt >= 3)
          throw new Conflict(
            `${file}: the bank changed while the file was checked, ${attempt} times (other imports or packages are being installed); nothing was imported — import it again`,
          );
      }
    },

    /** Takes a question out of every future paper; it is never deleted (papers that used it keep it). */
    retire: (questionId: string, actor: string, ip: string | null = null): Question => retireQuestion({ db, bank, audit }, questionId, actor, ip),
  };
}

export type BankAdmin = ReturnType<typeof createBankAdmin>;

/** A question as an admin previews it: the answer as the letters people use. */
export function previewOf(q: Question, usedInPapers: number) {
  return { ...q, answerLetters: lettersOf(q.answer), usedInPapers };
}
