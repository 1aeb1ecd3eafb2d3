// A plain copy of a session archive (issue 23): the same members, the face images opened through the
// face vault, in a NEW zip signed by the site key and naming its source. Face images leave in plain form
// only where an admin has named the legal basis for 'archive-export' (records/privacy/outbound.ts), so
// without one it refuses; each copy made is audited. It never writes the copy into the data folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { Conflict, ValidationError, iso, type Clock } from '../../core/index.ts';
import { loadSiteSigner, MANIFEST_FILE, writeArchive, type ArchiveCheck, type ArchiveMember, type Manifest } from '../../documents/index.ts';
import type { AuditLog, DataPaths, FaceVault } from '../../storage/index.ts';
import type { Config } from '../../config/index.ts';
import type { OutboundDestination } from '../protocol.ts';
import type { SessionArchive } from './store.ts';

export const PLAIN_ARCHIVE_KIND = 'examroom-session-archive-plain';
export const NO_ARCHIVE_EXPORT_BASIS = 'no_archive_export_basis';

/** A face image is a few hundred KB; a sealed member far larger than this is not one of ours. */
const SEALED_MEMBER_LIMIT = 64 * 1024 * 1024;

export interface PlainExportDeps {
  clock: Clock;
  config: Config;
  audit: AuditLog;
  paths: DataPaths;
  faceVault: FaceVault;
  basisOf: (destination: OutboundDestination) => string | null;
  get: (archiveId: string) => SessionArchive;
  pathOf: (a: SessionArchive) => string;
  verify: (file: string) => Promise<ArchiveCheck>;
}

export interface PlainExport {
  archive: SessionArchive;
  file: string;
  bytes: number;
  members: number;
  /** Members that were sealed in the source and are plain here. */
  opened: number;
  manifestSha256: string;
  basis: string;
}

type Who = { actor: string; ip?: string | null };

async function readAll(s: Readable, limit: number, where: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of s) {
    n += (c as Buffer).length;
    if (n > limit) {
      s.destroy();
      throw new Conflict(`${where} is larger than ${limit} bytes; it is not a sealed face image`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export function createPlainExport(deps: PlainExportDeps) {
  /** The basis in force, or the refusal that says what to do: checked before anything is read. */
  function basisOrRefuse(): string {
    const basis = deps.basisOf('archive-export');
    if (!basis)
      throw new Conflict(
        "no legal basis is named for handing archives out with plain face images; an admin sets it for 'archive-export' in 系统 → 人脸数据 (System → Face data) or with `examroom privacy basis archive-export TEXT`, then asks again",
        NO_ARCHIVE_EXPORT_BASIS,
      );
    return basis;
  }

  /** Writes the plain copy of archive `archiveId` to `out` (never an existing file, never inside the data folder). */
  async function exportPlain(archiveId: string, who: Who, out: string): Promise<PlainExport> {
    const a = deps.get(archiveId);
    const basis = basisOrRefuse();
    const target = resolve(out);
    if (target === deps.paths.root || target.startsWith(deps.paths.root + sep))
      throw new ValidationError([
        { path: 'out', problem: `is inside the data folder ${deps.paths.root}; a plain copy of face images is never kept there`, got: out },
      ]);
    const source = deps.pathOf(a);
    // A copy is only as good as its source: one that fails its own check is not handed out in any form.
    const check = await deps.verify(source);
    if (!check.ok)
      throw new Conflict(
        `archive ${a.file} fails verification (${check.problem?.path ? `${check.problem.path}: ` : ''}${check.problem?.detail ?? 'unknown'}); no plain copy is made of it`,
      );

    const { default: yauzlLib } = await import('yauzl');
    const zip = await yauzlLib.openPromise(source, {
      lazyEntries: true,
      autoClose: false,
      strictFileNames: true,
      validateEntrySizes: true,
      decodeStrings: true,
    });
    try {
      const entries = new Map<string, yauzl.Entry>();
      await new Promise<void>((res, rej) => {
        zip.on('entry', (e: yauzl.Entry) => {
          entries.set(e.fileName, e);
          zip.readEntry();
        });
        zip.on('end', res);
        zip.on('error', rej);
        zip.readEntry();
      });
      const manifest = JSON.parse(
        (await readAll(await zip.openReadStreamPromise(entries.get(MANIFEST_FILE)!), 256 * 1024 * 1024, MANIFEST_FILE)).toString('utf8'),
      ) as Manifest;
      let opened = 0;
      async function* members(): AsyncGenerator<ArchiveMember> {
        for (const m of manifest.members) {
          const e = entries.get(m.path)!;
          const mtime = e.getLastModDate().getTime();
          if (m.encrypted) {
            const sealed = await readAll(await zip.openReadStreamPromise(e), SEALED_MEMBER_LIMIT, m.path);
            opened++;
            yield { path: m.path, source: deps.faceVault.open(sealed, `${a.file}: ${m.path}`), compress: false, encrypted: false, mtime };
          } else {
            // Streamed: with --with-media a member may be hours of video.
            yield {
              path: m.path,
              source: {
                stream: () => {
                  const pass = new PassThrough();
                  zip.openReadStream(e, (err, s) => (err ? pass.destroy(err) : s.pipe(pass)));
                  return pass;
                },
              },
              compress: e.compressionMethod !== 0,
              mtime,
            };
          }
        }
      }
      const now = deps.clock.now();
      const written = await writeArchive({
        file: target,
        members: members(),
        signer: loadSiteSigner(deps.config.paths.keys),
        createdAt: now,
        meta: {
          kind: PLAIN_ARCHIVE_KIND,
          source: { archiveId: a.id, sessionId: a.sessionId, version: a.version, file: a.file, manifestSha256: a.manifestSha256, meta: manifest.meta },
          legalBasis: basis,
          madeBy: who.actor,
          madeAt: iso(now),
          note: 'A plain copy: the face images sealed in the source archive are decrypted here. Handed out under the legal basis named above; the copy is audited.',
        },
      });
      deps.audit.append({
        actor: who.actor,
        action: 'records.archive.export_plain',
        target: a.sessionId,
        detail: {
          archiveId: a.id,
          sessionId: a.sessionId,
          version: a.version,
          basis,
          members: written.members,
          opened,
          manifestSha256: written.manifestSha256,
        },
        ip: who.ip ?? null,
      });
      return { archive: a, file: written.file, bytes: written.bytes, members: written.members, opened, manifestSha256: written.manifestSha256, basis };
    } finally {
      zip.close();
    }
  }

  /** The copy in a private temporary folder (outside the data folder), for a reply to stream; `done` removes it. */
  async function exportPlainTemporary(archiveId: string, who: Who): Promise<PlainExport & { done: () => void }> {
    deps.get(archiveId);
    basisOrRefuse();
    const dir = mkdtempSync(join(tmpdir(), 'examroom-archive-plain-'));
    try {
      const r = await exportPlain(archiveId, who, join(dir, 'plain.zip'));
      return { ...r, done: () => rmSync(dir, { recursive: true, force: true }) };
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  return { exportPlain, exportPlainTemporary };
}

/** The download name of a plain copy: the source's name with -plain. */
export const plainFileName = (a: SessionArchive) => a.file.replace(/\.zip$/, '-plain.zip');
