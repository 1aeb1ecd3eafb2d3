// Backups in the centre's object store: `<prefix>/<site>/backups/<name>`, the SHA-256 in the object's
// metadata (what `list` and `verify` compare against), verified by the client's put (the store's checksum
// or a read-back) before it counts. A multipart upload cut short leaves no object, so nothing half is
// ever listed; stale parts are the client's to abort.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../object-store/index.ts';
import { parseBackupName, type BackupDestination, type StoredBackup } from './destination.ts';

const DAY = 86_400_000;

/**
 * With object lock configured, each backup is kept from deletion and overwriting for `retainDays` from the
 * time it was taken: the keep rule's daily count, the life the rule promises every day's newest backup.
 * Not its weekly or monthly life (up to 36 months) at write time: no one knows then which backup will be
 * a month's, and locking every one that long would hold ~1,100 copies where the rule keeps ~58. When a
 * prune keeps one as a week's or a month's newest, `hold` lengthens its lock to match (service.ts), so it
 * stays undeletable as long as it is kept. Not the store's recording retention: backups protect against
 * losing the disk or a careless or hostile delete, not three years of evidence (recordings carry their own).
 */
export function objectStoreDestination(store: ObjectStore, site: string, opts: { retainDays?: number; now?: () => number } = {}): BackupDestination {
  const base = `${store.prefix}/${site}/backups/`;
  const now = opts.now ?? Date.now;
  const locked = store.objectLock !== 'none' && (opts.retainDays ?? 0) > 0;
  return {
    kind: 'object-store',
    where: `${store.endpoint} bucket ${store.bucket}, ${base}`,
    async put(file, name, sha256) {
      const parsed = parseBackupName(name);
      const r = await store.putFile(file, base + name, {
        metadata: { source: 'database-backup', start: parsed?.takenAt ?? 0, end: parsed?.takenAt ?? 0, sha256 },
        contentType: 'application/octet-stream',
        ...(locked && parsed ? { retainUntil: parsed.takenAt + opts.retainDays! * DAY } : {}),
      });
      if (r.sha256 !== sha256) throw new Error(`the store holds ${name} with SHA-256 ${r.sha256}, not ${sha256}`);
      return { verifiedBy: r.verifiedBy };
    },
    async list() {
      const out: StoredBackup[] = [];
      let token: string | undefined;
      do {
        const page = await store.s3.send(new ListObjectsV2Command({ Bucket: store.bucket, Prefix: base, ContinuationToken: token }));
        for (const o of page.Contents ?? []) {
          const name = (o.Key ?? '').slice(base.length);
          const parsed = parseBackupName(name);
          if (!parsed) continue;
          const head = await store.head(base + name);
          if (!head) continue;
          out.push({ name, bytes: head.bytes, sha256: head.sha256, ...parsed });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out.sort((a, b) => a.takenAt - b.takenAt);
    },
    async fetch(name, to) {
      await pipeline(await store.getRange(base + name, null), createWriteStream(to, { flags: 'wx', mode: 0o640 }));
    },
    ...(locked
      ? {
          async hold(name: string, until: number) {
            const head = await store.head(base + name);
            if (!head || until <= now() || (head.retainUntil ?? 0) >= until) return null;
            return store.extendRetention(base + name, head.versionId, until, head.lockMode ?? undefined);
          },
        }
      : {}),
    async remove(name) {
      // Under retention the store refuses the delete: leave it for a prune after its retain-until.
      const head = await store.head(base + name);
      if (head?.retainUntil != null && head.retainUntil > now()) return false;
      await store.deleteAllVersions(base + name, { retainUntil: head?.retainUntil ?? null });
      return true;
    },
  };
}
