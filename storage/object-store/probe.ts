// "Is the store reachable and writable?", asked at start and now and then after: list the prefix, check
// object lock when the config asks for it, then put, read back and delete a small probe object. The
// answer is words for the admin console and /healthz; recording never waits on it.
import { createHash, randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { systemClock, type Clock } from '../../core/index.ts';
import type { ObjectStore } from './client.ts';
import { describeStoreError, ObjectStoreError, type ObjectStoreProblem } from './errors.ts';

export interface ProbeResult {
  /** Reachable, the key accepted, writable (and locked when object lock is asked for). */
  ok: boolean;
  reachable: boolean;
  writable: boolean;
  /** null when ok. */
  problem: ObjectStoreProblem | null;
  /** One sentence in English naming what failed and where; never a secret. */
  message: string;
  endpoint: string;
  bucket: string;
  versioning: 'enabled' | 'suspended' | 'off' | 'unknown';
  objectLock: 'enabled' | 'absent' | 'not-asked' | 'unknown';
  /** The store answers S3 additional checksums (then uploads are verified by them, else read back). */
  storeChecksums: boolean;
  checkedAt: number;
  tookMs: number;
}

export async function probeObjectStore(store: ObjectStore, opts: { clock?: Clock } = {}): Promise<ProbeResult> {
  const clock = opts.clock ?? systemClock;
  const started = performance.now();
  const base = {
    endpoint: store.endpoint,
    bucket: store.bucket,
    checkedAt: clock.now(),
  };
  const s3 = store.s3Once;
  const Bucket = store.bucket;
  const where = { endpoint: store.endpoint, bucket: store.bucket };
  let reachable = false;
  let versioning: ProbeResult['versioning'] = 'unknown';
  let objectLock: ProbeResult['objectLock'] = store.objectLock === 'none' ? 'not-asked' : 'unknown';
  const done = (problem: ObjectStoreProblem | null, message: string, writable: boolean): ProbeResult => ({
    ...base,
    ok: problem === null,
    reachable,
    writable,
    problem,
    message,
    versioning,
    objectLock,
    storeChecksums: store.storeChecksums,
    tookMs: Math.round(performance.now() - started),
  });
  try {
    await s3.send(new ListObjectsV2Command({ Bucket, Prefix: store.prefix || undefined, MaxKeys: 1 }));
    reachable = true;
    try {
      const v = await s3.send(new GetBucketVersioningCommand({ Bucket }));
      versioning = v.Status === 'Enabled' ? 'enabled' : v.Status === 'Suspended' ? 'suspended' : 'off';
    } catch {
      // Some stores let a key write objects but not read bucket settings; versioning then stays unknown.
    }
    if (store.objectLock !== 'none') {
      try {
        const lock = await s3.send(new GetObjectLockConfigurationCommand({ Bucket }));
        objectLock = lock.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled' ? 'enabled' : 'absent';
      } catch (err) {
        const e = describeStoreError(err, 'reading the object lock setting', where);
        if (e.problem !== 'missing-object' && !/ObjectLockConfigurationNotFound/i.test(e.storeCode ?? '')) throw e;
        objectLock = 'absent';
      }
      if (objectLock === 'absent')
        return done(
          'no-object-lock',
          `objectStore.objectLock is ${store.objectLock}, but the bucket ${Bucket} at ${store.endpoint} has no object lock (it can only be turned on when the bucket is created: create a new bucket with object lock, or set objectLock: none)`,
          false,
        );
    }
    const key = `${store.prefix ? `${store.prefix.replace(/\/+$/, '')}/` : ''}.examroom-probe/${randomBytes(6).toString('hex')}`;
    const body = randomBytes(64);
    const sha = createHash('sha256').update(body).digest('base64');
    // The checksum header rides on a small in-memory body (no streamed trailer): a store that answers it supports checksums.
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: body, ChecksumSHA256: sha, ContentLength: body.length })).catch((err: unknown) => {
      throw describeStoreError(err, `writing the probe object ${key}`, where);
    });
    store.storeChecksums = put.ChecksumSHA256 === sha;
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: key, ...(put.VersionId ? { VersionId: put.VersionId } : {}) })).catch((err: unknown) => {
      throw describeStoreError(err, `reading the probe object ${key} back`, where);
    });
    const back = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
    if (!back.equals(body)) return done('verify-failed', `the probe object ${key} read back from ${store.endpoint} differs from what was written`, false);
    await s3.send(new DeleteObjectCommand({ Bucket, Key: key, ...(put.VersionId ? { VersionId: put.VersionId } : {}) })).catch((err: unknown) => {
      // A bucket whose default retention locks every new object keeps the probe: the write still worked.
      const e = describeStoreError(err, `deleting the probe object ${key}`, where);
      if (e.problem !== 'denied') throw e;
    });
    const how = store.storeChecksums ? 'uploads are verified by the store\u2019s SHA-256 checksums' : 'uploads are verified by reading them back';
    const lockWords = objectLock === 'enabled' ? `, object lock on (${store.objectLock})` : '';
    return done(null, `the bucket ${Bucket} at ${store.endpoint} is reachable and writable${lockWords}; ${how}`, true);
  } catch (err) {
    const e = err instanceof ObjectStoreError ? err : describeStoreError(err, `reaching the bucket ${Bucket}`, where);
    if (e.problem !== 'unreachable' && e.problem !== 'tls') reachable = true;
    return done(e.problem, e.message, false);
  }
}
