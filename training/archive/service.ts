// The class file (一期一档 of a training class) as a job: the class's parts streamed by documents'
// writePartsArchive — the same assembly, writer, manifest and signature as an exam session's archive —
// under <data>/archives/, indexed in training_class_archives (migration 034). A second file of the same
// class is version N+1 beside the old one; nothing here deletes a file. Made once the last lesson ended.
import { existsSync, unlinkSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { Conflict, NotFound, newId, type Clock } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import { archiveStamp, loadSiteSigner, writePartsArchive, type AuditAnchors, type Job, type JobRunner, type PartsProgress } from '../../documents/index.ts';
import type { AuditLog, DataPaths, Db } from '../../storage/index.ts';
import { classEndsAt } from '../report/build.ts';
import type { TrainingFacts } from '../report/facts.ts';
import { CLASS_ARCHIVE_JOB, CLASS_ARCHIVE_KIND } from './protocol.ts';
import type { ClassArchivePart } from './parts.ts';

const DAY_MS = 86_400_000;

export interface ClassArchive {
  id: string;
  classId: string;
  version: number;
  file: string;
  bytes: number;
  members: number;
  manifestSha256: string;
  withMedia: boolean;
  parts: string[];
  createdBy: string;
  createdAt: number;
  retentionUntil: number;
}

export interface ClassArchiveJobParams {
  classId: string;
  withMedia: boolean;
  by: string;
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

interface Row {
  id: string;
  class_id: string;
  version: number;
  file: string;
  bytes: number;
  members: number;
  manifest_sha256: string;
  with_media: number;
  parts: string;
  created_by: string;
  created_at: number;
  retention_until: number;
}

const toArchive = (r: Row): ClassArchive => ({
  id: r.id,
  classId: r.class_id,
  version: r.version,
  file: r.file,
  bytes: r.bytes,
  members: r.members,
  manifestSha256: r.manifest_sha256,
  withMedia: r.with_media === 1,
  parts: JSON.parse(r.parts) as string[],
  createdBy: r.created_by,
  createdAt: r.created_at,
  retentionUntil: r.retention_until,
});

export function createClassArchives(deps: ClassArchivesDeps) {
  const { db, clock, audit, config, paths, jobs, facts, parts } = deps;
  const root = resolve(paths.archives);

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
    const version = (db.prepare('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM training_class_archives WHERE class_id = ?').get(classId) as { v: number }).v;
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
    try {
      db.transaction(() => {
        db.prepare(
          `INSERT INTO training_class_archives (id, class_id, version, file, bytes, members, manifest_sha256, with_media, parts, created_by, created_at, retention_until)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          archive.id,
          archive.classId,
          version,
          fileName,
          archive.bytes,
          archive.members,
          archive.manifestSha256,
          withMedia ? 1 : 0,
          JSON.stringify(archive.parts),
          o.by,
          now,
          archive.retentionUntil,
        );
        audit.append({
          actor: o.by,
          action: 'training.archive.create',
          target: d.class.id,
          detail: {
            archiveId: archive.id,
            version,
            file: fileName,
            bytes: archive.bytes,
            members: archive.members,
            manifestSha256: archive.manifestSha256,
            withMedia,
          },
        });
      }).immediate();
    } catch (err) {
      // Another process took this version number meanwhile: the file is in no index, so it goes.
      try {
        unlinkSync(join(root, fileName));
      } catch {
        // already gone
      }
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new Conflict(`class ${d.class.id} was archived by someone else at the same time (version ${version}); make the file again`);
      throw err;
    }
    return archive;
  }

  jobs.define<ClassArchiveJobParams, ClassArchive>(CLASS_ARCHIVE_JOB, (ctx) =>
    make(ctx.params.classId, {
      withMedia: ctx.params.withMedia,
      by: ctx.params.by,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress(p.partsDone, p.parts, `${p.part} · ${p.members} files · ${(p.bytes / 1048576).toFixed(1)} MiB`),
    }),
  );

  function get(id: string): ClassArchive {
    const r = db.prepare('SELECT * FROM training_class_archives WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw new NotFound(`no class archive ${JSON.stringify(id)}`);
    return toArchive(r);
  }

  return {
    make,
    checkArchivable,
    /** Queues the job (checked first, so a refusal is an answer, not a failed job). */
    start(classId: string, o: { withMedia?: boolean }, by: string): Job {
      checkArchivable(classId);
      jobs.recoverInterrupted();
      const running = jobs
        .list({ kind: CLASS_ARCHIVE_JOB, status: ['queued', 'running'] })
        .find((j) => (j.params as ClassArchiveJobParams).classId === classId);
      if (running) throw new Conflict(`a file of class ${classId} is already being made (job ${running.id}); wait for it or cancel it`);
      return jobs.start(CLASS_ARCHIVE_JOB, { classId, withMedia: o.withMedia === true, by } satisfies ClassArchiveJobParams, by);
    },
    list(classId?: string): ClassArchive[] {
      const rows = classId
        ? (db.prepare('SELECT * FROM training_class_archives WHERE class_id = ? ORDER BY version').all(classId) as Row[])
        : (db.prepare('SELECT * FROM training_class_archives ORDER BY created_at DESC, class_id, version DESC LIMIT 1000').all() as Row[]);
      return rows.map(toArchive);
    },
    get,
    pathOf(a: ClassArchive): string {
      return join(root, a.file);
    },
    /** The file for a download: the access is audited before a byte leaves. */
    openForDownload(id: string, actor: string, ip: string | null): { archive: ClassArchive; file: string } {
      const a = get(id);
      const file = resolve(root, a.file);
      if (!file.startsWith(root + sep) || !existsSync(file))
        throw new NotFound(
          `class archive ${a.file} (class ${a.classId}, version ${a.version}) is indexed but missing from ${root}; restore it from the backup`,
        );
      audit.append({ actor, action: 'training.archive.download', target: a.classId, detail: { archiveId: a.id, version: a.version, file: a.file }, ip });
      return { archive: a, file };
    },
  };
}

export type ClassArchives = ReturnType<typeof createClassArchives>;
