// The session archive (一期一档) as a job: ask every registered part for its members in order, stream
// them into one signed zip under <data>/archives/ (documents' writeArchive: no half file on cancel or
// crash, never overwrites), index it, and move the session graded → archived. A second archive of
// the same session is version N+1 beside the old one; nothing here deletes an archive.
import { join } from 'node:path';
import { Conflict, ValidationError, newId } from '../../core/index.ts';
import {
  checkArchive,
  defineArchiveJob,
  loadSiteSigner,
  SITE_SIGNING_KEY_FILE,
  archiveStamp,
  writePartsArchive,
  type ArchiveCheck,
  type ArchiveJobBase,
  type PartsProgress,
  type Job,
  type JobRunner,
} from '../../documents/index.ts';
import { readKeyFile } from '../../storage/index.ts';
import type { ArchiveParts } from '../archive-parts.ts';
import { archiveProgressNote } from '../protocol.ts';
import type { RecordsDeps } from '../service.ts';
import type { FaceVault } from '../../storage/index.ts';
import type { OutboundDestination } from '../protocol.ts';
import { createPlainExport } from './plain.ts';
import { createArchiveStore, type SessionArchive } from './store.ts';

export const ARCHIVE_JOB = 'records.session-archive';
export const ARCHIVE_KIND = 'examroom-session-archive';
const DAY_MS = 86_400_000;

export interface ArchiveJobParams extends ArchiveJobBase {
  sessionId: string;
}

export type ArchiveProgress = PartsProgress;

export interface MakeOptions {
  withMedia?: boolean;
  by: string;
  signal?: AbortSignal;
  onProgress?: (p: ArchiveProgress) => void;
}

export interface ArchiveMade {
  archive: SessionArchive;
  /** The session's status after archiving (archived, unless it could not be moved; then why). */
  sessionStatus: string;
  statusProblem: string | null;
}

/** Statuses a session can be archived in: once graded, and again (a new version) once archived. */
const ARCHIVABLE = new Set(['graded', 'archived']);

const stamp = archiveStamp;

export function createSessionArchives(
  deps: RecordsDeps & {
    parts: ArchiveParts;
    jobs: JobRunner;
    faceVault: FaceVault;
    /** The legal basis in force for a destination (records/privacy/outbound.ts): a plain copy needs 'archive-export''s. */
    basisOf: (destination: OutboundDestination) => string | null;
  },
) {
  const { db, clock, audit, config, paths, exam, parts, jobs } = deps;
  const store = createArchiveStore(db, audit, paths.archives);
  const root = store.root;

  exam.plans.setArchiveLookup((sessionId) => {
    const a = store.latest(sessionId);
    return a ? { version: a.version, file: a.file, manifestSha256: a.manifestSha256 } : null;
  });

  /** Refuses, before a job is queued, what the job would refuse: an unknown session or one not graded yet. */
  function checkArchivable(sessionId: string) {
    const s = exam.plans.session(sessionId);
    if (!ARCHIVABLE.has(s.status))
      throw new Conflict(`exam session ${s.id} is ${s.status}; its archive (一期一档) is made once it is graded (its results are final), not before`);
    if (parts.list().length === 0) throw new Conflict('no archive parts are registered; nothing would go into the archive');
    return s;
  }

  async function make(sessionId: string, o: MakeOptions): Promise<ArchiveMade> {
    const s = checkArchivable(sessionId);
    const p = exam.plans.plan(s.planId);
    const now = clock.now();
    const version = store.nextVersion(s.id);
    const fileName = `${s.id.replace(/[^A-Za-z0-9_-]/g, '_')}-v${version}-${stamp(now)}.zip`;
    const list = parts.list();
    const withMedia = o.withMedia === true;
    // A signed anchor of the audit log before the write (documents/audit-anchors.ts): a checker holding
    // the log can place the archive in it, and the archive keeps the log's head off the machine.
    const anchor = deps.anchors?.current('archive') ?? null;
    const meta = {
      kind: ARCHIVE_KIND,
      version,
      session: { id: s.id, roomId: s.roomId, templateId: s.templateId, name: s.template.name, startsAt: new Date(s.startsAt).toISOString(), status: s.status },
      plan: { id: p.id, name: p.name },
      site: { id: config.site.id, name: config.site.name },
      withMedia,
      auditAnchor: anchor,
      createdBy: o.by,
    };

    const written = await writePartsArchive({
      file: join(root, fileName),
      parts: list,
      ctx: { sessionId: s.id, withMedia, now, ...(o.signal ? { signal: o.signal } : {}) },
      signer: loadSiteSigner(config.paths.keys),
      meta,
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });

    const archive: SessionArchive = {
      id: newId(now),
      sessionId: s.id,
      version,
      file: fileName,
      bytes: written.bytes,
      members: written.members,
      manifestSha256: written.manifestSha256,
      withMedia,
      parts: list.map((x) => x.id),
      createdBy: o.by,
      createdAt: now,
      retentionUntil: now + config.retention.days * DAY_MS,
    };
    store.record(archive);

    let statusProblem: string | null = null;
    let sessionStatus = exam.plans.session(s.id).status as string;
    if (sessionStatus === 'graded') {
      try {
        sessionStatus = exam.plans.advanceSession(s.id, 'archived', o.by).status;
      } catch (err) {
        statusProblem = (err as Error).message;
        deps.log?.warn({ err, sessionId: s.id }, 'archive written, but the session could not be moved to archived');
      }
    }
    return { archive, sessionStatus, statusProblem };
  }

  const startJob = defineArchiveJob<ArchiveJobParams, ArchiveMade>(jobs, {
    kind: ARCHIVE_JOB,
    owner: (p) => p.sessionId,
    make: (p, run) => make(p.sessionId, { withMedia: p.withMedia, by: p.by, ...run }),
    note: (p) => archiveProgressNote(p.part, p.members, p.bytes),
    busy: (id, job) => `an archive of exam session ${id} is already being made (job ${job}); wait for it or cancel it`,
  });

  /** The site's own public key (PEM), or null when this site has never signed anything. Never makes a key. */
  function sitePublicKey(): string | null {
    if (!readKeyFile(config.paths.keys, SITE_SIGNING_KEY_FILE)) return null;
    return loadSiteSigner(config.paths.keys).publicKeyPem;
  }

  const { get, pathOf } = store;

  function verify(file: string, extraKeys: string[] = []): Promise<ArchiveCheck> {
    if (!file) throw new ValidationError([{ path: 'file', problem: 'is required' }]);
    const site = sitePublicKey();
    const keys = [...(site ? [site] : []), ...extraKeys];
    return checkArchive(file, keys.length ? { publicKeys: keys } : {});
  }

  const plain = createPlainExport({ ...deps, get, pathOf, verify: (file) => verify(file) });

  return {
    store,
    make,
    checkArchivable,
    /** Queues the archive job (checked first, so a refusal is an answer, not a failed job). */
    start(sessionId: string, o: { withMedia?: boolean }, by: string): Job {
      checkArchivable(sessionId);
      return startJob({ sessionId, withMedia: o.withMedia === true, by }, by);
    },
    list: (sessionId?: string) => store.list(sessionId),
    get,
    pathOf,
    /** The archive file for a download: the access is audited before a byte leaves. */
    openForDownload: store.openForDownload,
    sitePublicKey,
    /** Checks an archive against the site's key (and any extra trusted keys). */
    verify,
    /** A plain copy (face images opened) written to a file outside the data folder; refused without the legal basis; audited. */
    exportPlain: plain.exportPlain,
    /** The same in a private temporary folder, for a download; `done` removes it. */
    exportPlainTemporary: plain.exportPlainTemporary,
  };
}

export type SessionArchives = ReturnType<typeof createSessionArchives>;
