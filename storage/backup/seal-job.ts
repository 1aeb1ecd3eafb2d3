// One backup's heavy half: the side files, the consistent snapshot and the sealing into `partial`. It
// runs in the low-priority child (child.ts) while the server serves an exam, or in-process at start-up,
// where nothing competes with it. It never lists, renames or audits: a backup counts as good only once
// the server, having read this result, writes the checksum and renames the file (service.ts).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FACE_VAULT_MARKER } from '../face-vault.ts';
import { DB_MEMBER, sealBackup, type BackupReason } from './format.ts';
import type { BackupKey } from './key.ts';
import { copyIfPresent, snapshotDatabase } from './snapshot.ts';

export interface SealJob {
  dbFile: string;
  /** The data folder (the face-vault marker is there) and its audit anchors folder. */
  root: string;
  anchors: string;
  /** A fresh folder for the members, removed by the caller. */
  work: string;
  /** The sealed file to write (must not exist). */
  partial: string;
  site: string;
  takenAt: number;
  reason: BackupReason;
}

export interface SealResult {
  schemaVersion: number;
  auditHead: { seq: number; hash: string };
  bytes: number;
  sha256: string;
  pages: number;
}

export async function snapshotAndSeal(job: SealJob, key: BackupKey): Promise<SealResult> {
  const members: { name: string; file: string }[] = [{ name: DB_MEMBER, file: join(job.work, DB_MEMBER) }];
  const snap = await snapshotDatabase(job.dbFile, join(job.work, DB_MEMBER), {
    // The files beside the database, copied just before the snapshot is pinned (snapshot.ts).
    before: async () => {
      if (await copyIfPresent(join(job.root, FACE_VAULT_MARKER), join(job.work, FACE_VAULT_MARKER)))
        members.push({ name: FACE_VAULT_MARKER, file: join(job.work, FACE_VAULT_MARKER) });
      let anchorFiles: string[] = [];
      try {
        anchorFiles = (await readdir(job.anchors)).filter((n) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(n));
      } catch {
        anchorFiles = [];
      }
      for (const n of anchorFiles)
        if (await copyIfPresent(join(job.anchors, n), join(job.work, `anchor.${n}`)))
          members.push({ name: `anchor.${n}`, file: join(job.work, `anchor.${n}`) });
    },
  });
  const sealed = await sealBackup(
    { site: job.site, takenAt: job.takenAt, reason: job.reason, schemaVersion: snap.schemaVersion, auditHead: snap.auditHead },
    members,
    key,
    job.partial,
  );
  return { schemaVersion: snap.schemaVersion, auditHead: snap.auditHead, bytes: sealed.bytes, sha256: sealed.sha256, pages: snap.pages };
}
