// The index of 一期一档 archive files, one table per kind of owner — an exam session's archives
// (records: session_archives) and a training class's files (training: training_class_archives) have the
// same columns but the owner's. One row per file, written once after the file is complete, never updated
// or deleted; versions count up per owner. Beside it, what both kinds wire the same way: the job that makes
// one (one at a time per owner), the audited download, and the CLI's waiting and listing. The caller owns
// the meaning: which parts, the archive's meta, what happens to its owner afterwards.
import { existsSync, unlinkSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { Conflict, NotFound, localDateTime } from '../core/index.ts';
import { indexedTierFiles, type AuditLog, type Db, type TierProvider } from '../storage/index.ts';
import type { Job, JobRunner } from './jobs.ts';
import type { PartsProgress } from './part-archive.ts';

/** One archive file as the index holds it, the owner's field aside. */
export interface IndexedArchive {
  id: string;
  version: number;
  /** File name under the data folder's archives/. */
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

/** An indexed archive with its owner under the caller's name for it (sessionId, classId). */
export type OwnedArchive<K extends string> = IndexedArchive & { [P in K]: string };

interface Row {
  id: string;
  owner: string;
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

export interface ArchiveIndexOptions<K extends string> {
  db: Db;
  audit: AuditLog;
  /** The index table and its owner column (session_id, class_id): names from code, never from input. */
  table: string;
  ownerColumn: string;
  /** The owner's field in the archive record (sessionId, classId). */
  ownerKey: K;
  /** The archives folder every indexed `file` is relative to. */
  root: string;
  /** Audit actions are `<auditPrefix>.create` and `<auditPrefix>.download`. */
  auditPrefix: string;
  /** How errors name things: ownerNoun 'exam session' | 'class', archiveNoun 'session archive' | 'class archive', thing 'archive' | 'file'. */
  words: { ownerNoun: string; archiveNoun: string; thing: string };
}

const SQL_NAME = /^[a-z_][a-z0-9_]*$/;

function checkNames(o: { table: string; ownerColumn: string }): void {
  if (!SQL_NAME.test(o.table) || !SQL_NAME.test(o.ownerColumn)) throw new Error(`archive index: bad table or column name ${o.table}.${o.ownerColumn}`);
}

/**
 * The index's files as the object-store tier sees them (storage/tier/): a row is written only once its file
 * is complete, and never changed, so every archive is closed. Its time is when it was made; the file's own
 * SHA-256 is not kept in the index (the manifest's is), so the tier hashes the file before upload.
 */
export function archiveTierFiles(db: Db, o: { table: string; ownerColumn: string }): TierProvider {
  checkNames(o);
  return indexedTierFiles(db, {
    kind: 'archive',
    table: o.table,
    endColumn: 'created_at',
    columns: { path: 'file', source: o.ownerColumn, start: 'created_at', bytes: 'bytes', sha256: null },
  });
}

export function createArchiveIndex<K extends string>(o: ArchiveIndexOptions<K>) {
  const { db, audit, ownerKey, words } = o;
  checkNames(o);
  const root = resolve(o.root);
  const cols = `id, ${o.ownerColumn} AS owner, version, file, bytes, members, manifest_sha256, with_media, parts, created_by, created_at, retention_until`;
  const q = {
    get: db.prepare<[string], Row>(`SELECT ${cols} FROM ${o.table} WHERE id = ?`),
    latest: db.prepare<[string], Row>(`SELECT ${cols} FROM ${o.table} WHERE ${o.ownerColumn} = ? ORDER BY version DESC LIMIT 1`),
    ofOwner: db.prepare<[string], Row>(`SELECT ${cols} FROM ${o.table} WHERE ${o.ownerColumn} = ? ORDER BY version`),
    all: db.prepare<[number], Row>(`SELECT ${cols} FROM ${o.table} ORDER BY created_at DESC, ${o.ownerColumn}, version DESC LIMIT ?`),
    nextVersion: db.prepare<[string], { v: number }>(`SELECT COALESCE(MAX(version), 0) + 1 AS v FROM ${o.table} WHERE ${o.ownerColumn} = ?`),
    insert: db.prepare(
      `INSERT INTO ${o.table} (id, ${o.ownerColumn}, version, file, bytes, members, manifest_sha256, with_media, parts, created_by, created_at, retention_until)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
  };
  const toArchive = (r: Row): OwnedArchive<K> =>
    ({
      id: r.id,
      [ownerKey]: r.owner,
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
    }) as OwnedArchive<K>;
  const ownerOf = (a: OwnedArchive<K>): string => a[ownerKey] as string;

  function insert(a: OwnedArchive<K>): void {
    q.insert.run(
      a.id,
      ownerOf(a),
      a.version,
      a.file,
      a.bytes,
      a.members,
      a.manifestSha256,
      a.withMedia ? 1 : 0,
      JSON.stringify(a.parts),
      a.createdBy,
      a.createdAt,
      a.retentionUntil,
    );
  }

  function find(id: string): OwnedArchive<K> | null {
    const r = q.get.get(id);
    return r ? toArchive(r) : null;
  }

  function get(id: string): OwnedArchive<K> {
    const a = find(id);
    if (!a) throw new NotFound(`no ${words.archiveNoun} ${JSON.stringify(id)}`);
    return a;
  }

  function pathOf(a: OwnedArchive<K>): string {
    const file = resolve(root, a.file);
    if (!file.startsWith(root + sep)) throw new NotFound(`${words.archiveNoun} ${a.id} points outside the archives folder`);
    return file;
  }

  return {
    root,
    find,
    get,
    latest(owner: string): OwnedArchive<K> | null {
      const r = q.latest.get(owner);
      return r ? toArchive(r) : null;
    },
    list: (owner?: string, limit = 1000): OwnedArchive<K>[] => (owner ? q.ofOwner.all(owner) : q.all.all(limit)).map(toArchive),
    nextVersion: (owner: string): number => q.nextVersion.get(owner)!.v,
    insert,
    /**
     * Indexes a file just written and audits it, in one transaction. When another process took this
     * version meanwhile, the file is in no index, so it goes, and the person is told to run it again.
     */
    record(a: OwnedArchive<K>): void {
      try {
        db.transaction(() => {
          insert(a);
          audit.append({
            actor: a.createdBy,
            action: `${o.auditPrefix}.create`,
            target: ownerOf(a),
            detail: {
              archiveId: a.id,
              version: a.version,
              file: a.file,
              bytes: a.bytes,
              members: a.members,
              manifestSha256: a.manifestSha256,
              withMedia: a.withMedia,
            },
          });
        }).immediate();
      } catch (err) {
        try {
          unlinkSync(join(root, a.file));
        } catch {
          // already gone
        }
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
          throw new Conflict(
            `${words.ownerNoun} ${ownerOf(a)} was archived by someone else at the same time (version ${a.version}); make the ${words.thing} again for the next version`,
          );
        throw err;
      }
    },
    pathOf,
    /** The archive file for a download: the access is audited before a byte leaves. */
    openForDownload(id: string, actor: string, ip: string | null): { archive: OwnedArchive<K>; file: string } {
      const a = get(id);
      const file = pathOf(a);
      if (!existsSync(file))
        throw new NotFound(
          `${words.archiveNoun} ${a.file} (${words.ownerNoun} ${ownerOf(a)}, version ${a.version}) is indexed but missing from ${root}; restore it from the backup`,
        );
      audit.append({ actor, action: `${o.auditPrefix}.download`, target: ownerOf(a), detail: { archiveId: a.id, version: a.version, file: a.file }, ip });
      return { archive: a, file };
    },
  };
}

export type ArchiveIndex<K extends string> = ReturnType<typeof createArchiveIndex<K>>;

/** What every archive job is asked: the owner's id is the caller's own field. */
export interface ArchiveJobBase {
  withMedia: boolean;
  /** Who asked (user:NAME, cli:USER): the index and the audit log name them. */
  by: string;
}

/**
 * Defines the job that makes an archive and returns its starter: one job per owner at a time (a second
 * is refused while one is queued or running), and a job left "running" by a process that died (a CLI run
 * killed) does not block the next. The caller checks that the owner can be archived before starting.
 */
export function defineArchiveJob<P extends ArchiveJobBase, R>(
  jobs: JobRunner,
  o: {
    kind: string;
    owner: (params: P) => string;
    make: (params: P, run: { signal: AbortSignal; onProgress: (p: PartsProgress) => void }) => Promise<R>;
    /** The progress line's note for a part done. */
    note: (p: PartsProgress) => string;
    /** The refusal while one is being made. */
    busy: (owner: string, jobId: string) => string;
  },
): (params: P, by: string) => Job {
  jobs.define<P, R>(o.kind, (ctx) => o.make(ctx.params, { signal: ctx.signal, onProgress: (p) => ctx.progress(p.partsDone, p.parts, o.note(p)) }));
  return (params, by) => {
    jobs.recoverInterrupted();
    const owner = o.owner(params);
    const running = jobs.list({ kind: o.kind, status: ['queued', 'running'] }).find((j) => o.owner(j.params as P) === owner);
    if (running) throw new Conflict(o.busy(owner, running.id));
    return jobs.start(o.kind, params, by);
  };
}

/** Waits for a job run from the command line; Ctrl-C cancels it (the job removes its half-written file). */
export async function waitForArchiveJob(jobs: JobRunner, jobId: string, actor: string): Promise<Job> {
  const onInt = () => {
    try {
      jobs.cancel(jobId, actor);
    } catch {
      // already over
    }
  };
  process.once('SIGINT', onInt);
  try {
    return await jobs.wait(jobId);
  } finally {
    process.off('SIGINT', onInt);
  }
}

const MiB = 1024 * 1024;
/** A file size as the CLI prints it. */
export const archiveSize = (n: number): string => (n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

/** The CLI listing's rows (for core's tableLines), newest first as listed; `heading` names the owner's column. */
export function archiveListRows<K extends string>(list: OwnedArchive<K>[], ownerKey: K, heading: string, timeZone: string): Record<string, string | number>[] {
  return list.map((a) => ({
    [heading]: a[ownerKey] as string,
    v: a.version,
    file: a.file,
    size: archiveSize(a.bytes),
    members: a.members,
    media: a.withMedia ? 'yes' : 'no',
    created: localDateTime(a.createdAt, timeZone),
    by: a.createdBy,
    'kept until': localDateTime(a.retentionUntil, timeZone),
  }));
}
