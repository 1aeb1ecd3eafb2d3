// A person's data on request (PIPL art. 45; issue 23): that one person's photos, consent records and
// verification results as one signed zip (documents' archive writer: manifest.json + manifest.sig, so
// the person can show it is what the site gave). The photos are in plain form — the person is the
// destination — and only an admin makes one, audited. Nothing of another person goes in: every row is
// read by the one ID number, and snapshots are filtered by it.
import { extname } from 'node:path';
import { iso, type Clock } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import { loadSiteSigner, writeArchive, type ArchiveMember, type ArchiveWritten } from '../../documents/index.ts';
import { faceConsentsOf, type FaceConsentRecord } from '../../kiosk/index.ts';
import { sessionIntegrity } from '../../terminal/index.ts';
import type { DataPaths, Db, FaceVault } from '../../storage/index.ts';
import type { PersonFile } from '../people/index.ts';
import { readFaceImage } from './face-image.ts';

export const PERSON_EXPORT_FORMAT = 'examroom-person-export/1';

/** One consent decision as the export states it: the kiosk's record, its time in ISO form. */
export type ConsentRecord = Omit<FaceConsentRecord, 'decidedAt'> & { decidedAt: string };

/** The person's consent decisions, oldest first, as the kiosk (their owner) reads them. */
export function consentsOf(db: Db, idNumber: string): ConsentRecord[] {
  return faceConsentsOf(db, idNumber).map((r) => ({ ...r, decidedAt: iso(r.decidedAt) }));
}

const ext = (rel: string) => (extname(rel) || '.jpg').toLowerCase();
const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');

export interface PersonExportDeps {
  db: Db;
  clock: Clock;
  config: Config;
  paths: DataPaths;
  faceVault: FaceVault;
}

/** Writes the export of `file` (a person file already gathered for this ID number) to `out`. */
export async function writePersonExport(deps: PersonExportDeps, file: PersonFile, out: string, madeBy: string): Promise<ArchiveWritten & { photos: number }> {
  const { db, paths } = deps;
  const id = file.idNumber;
  const members: ArchiveMember[] = [];
  const photos: { path: string; kind: string; of: string | null; takenAt: string | null }[] = [];
  const addPhoto = (rel: string | null, path: string, kind: string, of: string | null, takenAt: number | null) => {
    const bytes = readFaceImage(deps.faceVault, paths.captures, rel);
    if (!bytes) return null;
    members.push({ path, source: bytes, compress: false, ...(takenAt !== null ? { mtime: takenAt } : {}) });
    photos.push({ path, kind, of, takenAt: iso(takenAt) });
    return path;
  };

  // Roster and training photos: each stored file once, whichever rows name it.
  const seen = new Set<string>();
  const rosterPhotos = [file.photo, ...file.identityChecks.map((c) => c.rosterPhoto)].filter((p): p is string => Boolean(p));
  for (const p of rosterPhotos) {
    if (seen.has(p)) continue;
    seen.add(p);
    addPhoto(p, `photos/registration-${seen.size}${ext(p)}`, 'registration', null, null);
  }

  const checks = file.identityChecks.map((c) => ({
    id: c.id,
    sessionId: c.sessionId,
    classId: c.classId,
    action: c.action,
    kioskId: c.kioskId,
    startedAt: iso(c.startedAt),
    decidedAt: iso(c.decidedAt),
    decision: c.decision,
    reason: c.reason,
    distance: c.distance,
    threshold: c.threshold,
    override: c.overrideBy ? { by: c.overrideBy, reason: c.overrideReason } : null,
    photo: addPhoto(c.capture, `photos/kiosk/${safe(c.id)}${ext(c.capture ?? '')}`, 'kiosk-capture', c.sessionId ?? c.classId, c.decidedAt ?? c.startedAt),
  }));

  // Seat re-checks: the snapshots of each session the person sat, theirs only.
  const seat: unknown[] = [];
  for (const e of file.exams) {
    for (const s of sessionIntegrity(db, e.sessionId).snapshots) {
      if (s.idNumber !== id) continue;
      seat.push({
        sessionId: s.sessionId,
        terminalId: s.terminalId,
        at: iso(s.at),
        identity: s.identity,
        distance: s.distance,
        detail: s.detail,
        photo: addPhoto(s.file, `photos/seat/${safe(s.sessionId)}/${safe(s.id)}${ext(s.file)}`, 'seat-snapshot', s.sessionId, s.at),
      });
    }
  }

  const now = deps.clock.now();
  const doc = {
    format: PERSON_EXPORT_FORMAT,
    idNumber: id,
    name: file.name,
    madeAt: iso(now),
    site: { id: deps.config.site.id, name: deps.config.site.name },
    note: '本文件是本人人脸相关数据的副本（照片、同意记录、核验结果），应本人请求导出。 A copy of your face-related data (photos, consent records, verification results), exported at your request.',
    photos,
    consents: consentsOf(db, id),
    // A candidate who declined face recognition was checked at the seat by an invigilator instead: those checks are theirs too.
    verifications: { kiosk: checks, seat, seatByStaff: file.seatConfirmations },
    exams: file.exams.map((e) => ({ sessionId: e.sessionId, planName: e.planName, startsAt: iso(e.startsAt), status: e.status })),
  };
  members.unshift({ path: 'person.json', source: Buffer.from(`${JSON.stringify(doc, null, 2)}\n`) });
  const written = await writeArchive({
    file: out,
    members,
    signer: loadSiteSigner(deps.config.paths.keys),
    createdAt: now,
    meta: { kind: 'person-export', idNumber: id, madeBy },
  });
  return { ...written, photos: photos.length };
}
