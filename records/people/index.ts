// 一人一档, the person file: per ID number every exam attempted with its result, the retakes and the rule
// applied, training hours, certificates, identity checks with their photos and incidents, as JSON and as
// an A4 PDF, and each candidate's part in their session's archive. It reads other modules through their
// index.ts and never writes their tables; every read of a person's file by a person is audited.
import type { Config } from '../../config/index.ts';
import type { Clock } from '../../core/index.ts';
import { faceVaultOr, type AuditLog, type DataPaths, type Db, type FaceVault } from '../../storage/index.ts';
import type { ExamService } from '../../exam/index.ts';
import type { ArchivePart } from '../archive-parts.ts';
import { gatherPersonFile, personFileJson, type PersonFile } from './file.ts';
import { personFilePdf } from './pdf.ts';

export { PERSON_FILE_FORMAT, personId, type PersonFile, type PersonExam } from './file.ts';
export { personCommands } from './commands.ts';

export interface PersonFilesDeps {
  db: Db;
  clock: Clock;
  config: Config;
  audit: AuditLog;
  paths: DataPaths;
  exam: ExamService;
  faceVault?: FaceVault;
}

export function createPersonFiles(deps: PersonFilesDeps) {
  const gather = (idNumber: string, opts: { sessionId?: string | null } = {}) => gatherPersonFile(deps, idNumber, opts);
  const faceVault = faceVaultOr(deps.faceVault, deps.config.paths.keys);
  const pdf = (f: PersonFile) => personFilePdf(f, { config: deps.config, capturesDir: deps.paths.captures, faceVault });

  /** A person reading a person's file: gathered, then audited (a file that does not exist is not a read). */
  function read(idNumber: string, who: { actor: string; ip?: string | null; format: 'json' | 'pdf' }): PersonFile {
    const f = gather(idNumber);
    deps.audit.append({
      actor: who.actor,
      action: 'records.person.read',
      target: f.idNumber,
      detail: { format: who.format, exams: f.exams.length, identityChecks: f.identityChecks.length },
      ip: who.ip ?? null,
    });
    return f;
  }

  /** Archive part `people`: each candidate of the session, their file cut to that session, as JSON and PDF. */
  const archivePart: ArchivePart = {
    id: 'people',
    title: '一人一档：本场每位考生的个人档案（本场部分）',
    async *members(ctx) {
      for (const entry of deps.exam.plans.roster(ctx.sessionId)) {
        ctx.signal?.throwIfAborted();
        const f = gather(entry.idNumber, { sessionId: ctx.sessionId });
        yield { path: `people/${f.idNumber}.json`, source: Buffer.from(`${JSON.stringify(personFileJson(f), null, 2)}\n`) };
        // The person file shows their photos: sealed in the archive like the photos themselves.
        yield { path: `people/${f.idNumber}.pdf`, source: faceVault.seal(await pdf(f)), compress: false, encrypted: true };
      }
    },
  };

  return { gather, read, pdf, json: personFileJson, archivePart };
}

export type PersonFiles = ReturnType<typeof createPersonFiles>;
