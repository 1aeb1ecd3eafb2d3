// `examroom bank import FILE [--images DIR]`, `bank list`, `bank retire QUESTION_ID`. Scripts rely on
// the import's contract: exit 0 with `imported N, duplicates M` as the last stdout line, or exit 1
// with one `row N, column X: problem` line per problem on stderr and nothing stored.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import { ValidationError, formatProblem, tableLines } from '../../core/index.ts';
import type { CliCommand, CliContext } from '../cli.ts';
import type { BankVersion } from './store.ts';
import { importFormatOf, type DuplicateReport, type ImageFiles, type ImportProgress } from './import/index.ts';

/** Beyond this many, duplicate lines would bury the summary; the HTTP reply lists them all. */
const DUPLICATE_LINES = 100;

/**
 * Progress goes to stderr so stdout stays the result. A person at a terminal sees a line every
 * 5,000 rows; a log file gets one every 10,000, so a small import logs nothing but its result.
 */
export function progressPrinter(err: (line: string) => void, tty: boolean): (p: ImportProgress) => void {
  const every = tty ? 5000 : 10_000;
  let phase = '';
  let printedAt = 0;
  return (p) => {
    if (p.phase !== phase) (phase = p.phase), (printedAt = 0);
    if (p.phase === 'storing') {
      if (p.rows === 0 && (p.total ?? 0) >= every) err(`storing ${p.total} questions …`);
      return;
    }
    if (p.rows - printedAt < every) return;
    printedAt = p.rows;
    err(p.phase === 'reading' ? `reading: ${p.rows} rows` : `checking for duplicates: ${p.rows} of ${p.total ?? '?'}`);
  };
}

export function duplicateLine(d: DuplicateReport): string {
  const where = d.questionId ? `question ${d.questionId} already in the bank` : d.sameAs;
  return d.answerDiffers
    ? `${d.where}: same question as ${where} but with another answer; not stored: check which answer is right`
    : `${d.where}: same question as ${where}; not stored again`;
}

const table = (rows: Record<string, string | number | null>[]): string => tableLines(rows).join('\n');

const isoTime = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));

function versionRow(v: BankVersion) {
  return {
    version: v.id,
    kind: v.kind,
    label: v.label,
    questions: v.questionCount,
    templates: v.templateCount,
    received: isoTime(v.receivedAt),
    parent: v.parent,
  };
}

/**
 * The pictures next to a question file: a row's 图片 name is a path relative to DIR. Only the files
 * rows name are read, and they are stored with the import's questions in one transaction, so a
 * missing or bad picture stores nothing at all.
 */
function imageFolder(dir: string): ImageFiles {
  const root = resolve(dir);
  return {
    where: dir.endsWith('/') ? dir : `${dir}/`,
    async read(name) {
      const path = resolve(join(root, name));
      // The import has already refused names with `..` or a leading `/`; this keeps it so.
      if (!path.startsWith(root + sep)) return null;
      try {
        return await readFile(path);
      } catch (err) {
        if (['ENOENT', 'EISDIR', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return null;
        throw err;
      }
    },
  };
}

async function importCommand(ctx: CliContext): Promise<number> {
  const [file, ...extra] = ctx.args;
  if (!file || extra.length) {
    ctx.err('usage: examroom bank import FILE [--images DIR]');
    return 1;
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    ctx.err(`examroom: no file ${file}`);
    return 1;
  }
  const dir = ctx.values.images as string | undefined;
  if (dir !== undefined && (!existsSync(dir) || !statSync(dir).isDirectory())) {
    ctx.err(`examroom: --images ${dir}: no such folder`);
    return 1;
  }
  try {
    const r = await ctx.exam.bankAdmin.importFile(file, importFormatOf(file), {
      filename: basename(file),
      actor: ctx.actor,
      onProgress: progressPrinter(ctx.err, Boolean(process.stderr.isTTY)),
      ...(dir !== undefined ? { imageFiles: imageFolder(dir) } : {}),
    });
    for (const d of r.duplicates.slice(0, DUPLICATE_LINES)) ctx.out(duplicateLine(d));
    if (r.duplicates.length > DUPLICATE_LINES) ctx.out(`… and ${r.duplicates.length - DUPLICATE_LINES} more duplicates`);
    if (dir !== undefined) ctx.out(`images from ${dir}: ${r.imagesStored} stored${r.imagesStored ? '' : ' (every picture the file names was already here)'}`);
    ctx.out(r.version ? `bank version ${r.version.id}: ${r.version.questionCount} questions` : 'nothing new: no bank version made');
    ctx.out(`imported ${r.imported}, duplicates ${r.duplicates.length}`);
    return 0;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const lines = err.problems.map(formatProblem);
    for (const line of lines) ctx.err(line);
    if (err.message !== lines.join('\n')) ctx.err(`examroom: ${err.message}`);
    return 1;
  }
}

export const bankCommands: CliCommand[] = [
  {
    name: 'bank import',
    usage:
      'bank import FILE [--images DIR]          import questions from .xlsx, .csv or .json (all or nothing), with the pictures their 图片 cells name under DIR',
    options: { images: { type: 'string' } },
    run: importCommand,
  },
  {
    name: 'bank list',
    usage: 'bank list                                the bank versions, newest first',
    async run(ctx) {
      ctx.out(table(ctx.exam.bank.versions().map(versionRow)));
      return 0;
    },
  },
  {
    name: 'bank retire',
    usage: 'bank retire QUESTION_ID                  no new paper draws the question (it is never deleted)',
    async run(ctx) {
      const [id, ...extra] = ctx.args;
      if (!id || extra.length) {
        ctx.err('usage: examroom bank retire QUESTION_ID');
        return 1;
      }
      ctx.exam.bankAdmin.retire(id, ctx.actor);
      ctx.out(`retired ${id}: no new paper draws it; papers that already hold it keep it`);
      return 0;
    },
  },
];
