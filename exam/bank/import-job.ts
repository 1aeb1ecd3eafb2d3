// A bank import as a job of the server's runner (documents/jobs.ts), for the admin console: the
// upload is answered at once (202 + the job) and the page follows the rows read, checked and stored.
// The work is the same all-or-nothing import as POST /api/bank/import and `bank import`; a refusal
// fails the job with every problem as a row the page shows as a table, and stores nothing.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { Conflict, ValidationError, formatProblem, type EventBus, type Problem } from '../../core/index.ts';
import { JobFailedWith, type Job, type JobRunner } from '../../documents/index.ts';
import type { AuditLog } from '../../storage/index.ts';
import { BANK_IMPORT_JOB, type BankImportDone, type BankImportJobParams, type BankImportProblem, type BankImportRefused } from '../protocol.ts';
import { importFormatOf, type createBankAdmin } from './import/index.ts';

/** `row 5, column 答案` → where `row 5`, column `column 答案`; `row 5` or `file` has no column. */
export function importProblemRow(p: Problem): BankImportProblem {
  const m = /^(.*?), ((?:column|field) .*)$/u.exec(p.path);
  return { where: m ? m[1]! : p.path, column: m ? m[2]! : null, problem: p.problem, line: formatProblem(p) };
}

export function refusedView(file: string, err: ValidationError): BankImportRefused {
  return { file, problems: err.problems.map(importProblemRow) };
}

export interface BankImportJobs {
  /** Checks the name, keeps the bytes for the job and starts it; a bad name is refused before any job exists. */
  start(filename: string, bytes: Buffer, by: { actor: string; ip: string | null }): Job;
}

export function createBankImportJobs(deps: { jobs: JobRunner; bus: EventBus; bankAdmin: ReturnType<typeof createBankAdmin>; audit: AuditLog }): BankImportJobs {
  const { jobs, bus, bankAdmin, audit } = deps;
  // The file stays in memory, not in the job's row: a restart interrupts the job anyway (the runner
  // marks it so) and the person uploads again; 50 MiB in a SQLite row would only slow every job list.
  const uploads = new Map<string, { bytes: Buffer; actor: string; ip: string | null }>();
  const uploadOfJob = new Map<string, string>();
  // A job cancelled or interrupted while queued never runs its handler: its file must not stay in memory.
  bus.on('job.status', (e) => {
    if (e.kind !== BANK_IMPORT_JOB || !['done', 'failed', 'cancelled', 'interrupted'].includes(e.status)) return;
    const upload = uploadOfJob.get(e.jobId);
    if (upload) uploads.delete(upload);
    uploadOfJob.delete(e.jobId);
  });

  jobs.define<BankImportJobParams, BankImportDone>(BANK_IMPORT_JOB, async (ctx) => {
    const upload = uploads.get(ctx.params.upload);
    uploads.delete(ctx.params.upload);
    if (!upload) throw new Conflict(`the uploaded file ${ctx.params.filename} is no longer in this server's memory (it restarted); import it again`);
    const file = basename(ctx.params.filename);
    try {
      const r = await bankAdmin.importFile(upload.bytes, importFormatOf(file), {
        filename: file,
        actor: upload.actor,
        ip: upload.ip,
        onProgress: (p) => {
          // A cancel while checking throws inside the import's transaction, which then stores nothing.
          ctx.throwIfCancelled();
          ctx.progress(p.rows, p.total ?? null, p.phase);
        },
      });
      return r;
    } catch (err) {
      if (err instanceof ValidationError) throw new JobFailedWith(err.message, refusedView(file, err));
      throw err;
    }
  });

  return {
    start(filename, bytes, by) {
      importFormatOf(filename);
      if (bytes.length === 0)
        throw new ValidationError([{ path: 'body', problem: 'send the file itself as the request body (Content-Type: application/octet-stream)' }]);
      const id = randomBytes(9).toString('base64url');
      uploads.set(id, { bytes, actor: by.actor, ip: by.ip });
      try {
        const job = jobs.start(BANK_IMPORT_JOB, { filename: basename(filename), bytes: bytes.length, upload: id } satisfies BankImportJobParams, by.actor);
        if (uploads.has(id)) uploadOfJob.set(job.id, id);
        audit.append({ actor: by.actor, action: 'bank.import.start', target: job.id, detail: { file: basename(filename), bytes: bytes.length }, ip: by.ip });
        return job;
      } catch (err) {
        uploads.delete(id);
        throw err;
      }
    },
  };
}
