// The class file (一期一档 of a training class) as a job: the class's parts streamed by documents'
// writePartsArchive — the same assembly, writer, manifest and signature as an exam session's archive —
// under <data>/archives/, indexed in training_class_archives (migration 034). A second file of the same
// class is version N+1 beside the old one; nothing here deletes a file. Made once the last lesson ended.
import { join } from 'node:path';
import { Conflict, newId, type Clock } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import {
  archiveStamp,
  createArchiveIndex,
  defineArchiveJob,
  loadSiteSigner,
  writePartsArchive,
  type ArchiveJobBase,
  type AuditAnchors,
  type Job,
  type JobRunner,
  type OwnedArchive,
  type PartsProgress,
} from '../../documents/index.ts';
import type { AuditLog, DataPaths, Db } from '../../storage/index.ts';
import { classEndsAt } from '../report/build.ts';
import type { TrainingFacts } from '../report/facts.ts';
import { CLASS_ARCHIVE_JOB, CLASS_ARCHIVE_KIND } from './protocol.ts';
import type { ClassArchivePart } from './parts.ts';

const DAY_MS = 86_400_000;

export type ClassArchive = OwnedArchive<'classId'>;

export interface ClassArchiveJobParams extends ArchiveJobBase {
  classId: string;
}

export interface ClassArchivesDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  config: Config;
  paths: DataPaths;
  jobs: JobRunner;
  facts: TrainingFacts;
  parts: readonly ClassArchivePart[];
  anchors?: AuditAnchors;
}

/** The index table and its owner column, for the index and for the tier (training/tier-files.ts). */
export const CLASS_ARCHIVES = { table: 'training_class_archives', ownerColumn: 'class_id' } as const;

export function createClassArchives(deps: ClassArchivesDeps) {
  const { db, clock, audit, config, paths, jobs, facts, parts } = deps;
  const index = createArchiveIndex({
    db,
    audit,
    ...CLASS_ARCHIVES,
    ownerKey: 'classId',
    root: paths.archives,
    auditPrefix: 'training.archive',
    words: { ownerNoun: 'class', archiveNoun: 'class archive', thing: 'file' },
  });
  const root = index.root;

  function checkArchivable(classId: string) {
    const d = facts.detail(classId);
    const end = classEndsAt(d);
    if (end === null || clock.now() < end)
      throw new Conflict(
        `class ${d.class.id} has not ended (${end === null ? 'it has no lessons' : `its last lesson ends ${new Date(end).toISOString()}`}); its file (一期一档) is made after it`,
        'class_not_ended',
      );
    return d;
  }

  async function make(classId: string, o: { withMedia?: boolean; by: string; signal?: AbortSignal; onProgress?: (p: PartsProgress) => void }) {
    const d = checkArchivable(classId);
    const now = clock.now();
    const version = index.nextVersion(d.class.id);
    const fileName = `${d.class.id.replace(/[^A-Za-z0-9_-]/g, '_')}-v${version}-${archiveStamp(now)}.zip`;
    const withMedia = o.withMedia === true;
    const written = await writePartsArchive({
      file: join(root, fileName),
      parts,
      ctx: { classId: d.class.id, withMedia, now, ...(o.signal ? { signal: o.signal } : {}) },
      signer: loadSiteSigner(config.paths.keys),
      meta: {
        kind: CLASS_ARCHIVE_KIND,
        version,
        class: { id: d.class.id, name: d.class.name, institution: d.class.institution, startsOn: d.class.startsOn, endsOn: d.class.endsOn },
        site: { id: config.site.id, name: config.site.name },
        withMedia,
        auditAnchor: deps.anchors?.current('archive') ?? null,
        createdBy: o.by,
      },
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    const archive: ClassArchive = {
      id: newId(now),
      classId: d.class.id,
      version,
      file: fileName,
      bytes: written.bytes,
      members: written.members,
      manifestSha256: written.manifestSha256,
      withMedia,
      parts: parts.map((p) => p.id),
      createdBy: o.by,
      createdAt: now,
      retentionUntil: now + config.retention.days * DAY_MS,
    };
    index.record(archive);
    return archive;
  }

  const startJob = defineArchiveJob<ClassArchiveJobParams, ClassArchive>(jobs, {
    kind: CLASS_ARCHIVE_JOB,
    owner: (p) => p.classId,
    make: (p, run) => make(p.classId, { withMedia: p.withMedia, by: p.by, ...run }),
    note: (p) => `${p.part} · ${p.members} files · ${(p.bytes / 1048576).toFixed(1)} MiB`,
    busy: (id, job) => `a file of class ${id} is already being made (job ${job}); wait for it or cancel it`,
  });

  return {
    make,
    checkArchivable,
    /** Queues the job (checked first, so a refusal is an answer, not a failed job). */
    start(classId: string, o: { withMedia?: boolean }, by: string): Job {
      checkArchivable(classId);
      return startJob({ classId, withMedia: o.withMedia === true, by }, by);
    },
    list: (classId?: string): ClassArchive[] => index.list(classId),
    get: index.get,
    pathOf: index.pathOf,
    /** The file for a download: the access is audited before a byte leaves. */
    openForDownload: index.openForDownload,
  };
}

export type ClassArchives = ReturnType<typeof createClassArchives>;
