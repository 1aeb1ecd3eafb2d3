// The S3 client the tier, its readers and the backups share: put a file (streamed, multipart, verified),
// read a range as a stream, head, delete every version after retention, tidy stale multipart uploads.
// It takes plain options (storage/ imports only core/): the caller reads the secret and the CA file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Agent as HttpsAgent } from 'node:https';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutObjectRetentionCommand,
  S3Client,
  type ChecksumAlgorithm,
  type ObjectLockMode,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { systemClock, type Clock } from '../../core/index.ts';
import { describeStoreError, ObjectStoreError } from './errors.ts';

export type ObjectLockSetting = 'none' | 'governance' | 'compliance';

export interface ObjectStoreOptions {
  /** https://s3.example.lan or http://127.0.0.1:7480 */
  endpoint: string;
  bucket: string;
  region: string;
  /** 'path' = endpoint/bucket/key (Ceph, MinIO defaults); 'virtual-host' = bucket.endpoint/key. */
  addressing: 'path' | 'virtual-host';
  accessKeyId: string;
  /** The secret itself, read from objectStore.secretFile by the caller. Never logged, never in an error. */
  secret: string;
  /** PEM text of the CA that signed the store's certificate, when it is not a public one. */
  ca?: string | null;
  /** The site's key prefix (several appliances share a bucket); the probe object and stale-upload listing stay under it. */
  prefix: string;
  /** The default lock mode of putFile's retain-until. */
  objectLock: ObjectLockSetting;
  clock?: Clock;
  /** Multipart part size in bytes (default 8 MiB; S3's minimum is 5 MiB). */
  partSize?: number;
  /** Parts in flight per upload (default 2: a tier upload must never crowd out recording). */
  queueSize?: number;
  /** Per request: no bytes for this long ends it (default 30 s). */
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** What an object's metadata carries, readable in any S3 browser. */
export interface ObjectMetadata {
  source: string;
  /** The time range the file covers (ms since epoch); stored as ISO-8601 text. */
  start: number;
  end: number;
  /** SHA-256 of the file (hex); computed here when the caller has none. */
  sha256?: string;
}

export interface PutFileOptions {
  metadata: ObjectMetadata;
  /** Object lock: no one may delete or overwrite this version before (ms since epoch). */
  retainUntil?: number | null;
  /** Defaults to the store's objectLock setting. */
  lockMode?: 'governance' | 'compliance';
  signal?: AbortSignal;
  /** Called with each chunk's size before it is sent: a shared bandwidth limiter waits here. */
  throttle?: (bytes: number, signal?: AbortSignal) => Promise<void>;
  contentType?: string;
}

export type VerifiedBy = 'store-checksum' | 'read-back';

export interface PutResult {
  key: string;
  /** The version written; null when the bucket is not versioned. */
  versionId: string | null;
  sha256: string;
  bytes: number;
  verifiedBy: VerifiedBy;
  /** The retain-until the store confirmed on this version (ms since epoch); null without object lock. */
  retainUntil: number | null;
}

export interface ObjectHead {
  key: string;
  versionId: string | null;
  bytes: number;
  lastModified: number | null;
  etag: string | null;
  metadata: Record<string, string>;
  /** The SHA-256 from our metadata, when the object carries it. */
  sha256: string | null;
  lockMode: 'governance' | 'compliance' | null;
  retainUntil: number | null;
}

export interface ObjectVersion {
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  bytes: number;
  lastModified: number | null;
}

export interface StaleUpload {
  key: string;
  uploadId: string;
  initiated: number;
}

export interface ObjectStore {
  readonly endpoint: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly objectLock: ObjectLockSetting;
  putFile(localPath: string, key: string, opts: PutFileOptions): Promise<PutResult>;
  /** Bytes start..end (inclusive, as HTTP ranges and fs.createReadStream count) of one version, streamed. */
  getRange(key: string, versionId: string | null, start?: number, end?: number, opts?: { signal?: AbortSignal }): Promise<Readable>;
  /** null when there is no such object (or version). */
  head(key: string, versionId?: string | null): Promise<ObjectHead | null>;
  /** Every version and delete marker of exactly this key, newest first. */
  versions(key: string): Promise<ObjectVersion[]>;
  /** Removes every version of the key; refuses while retainUntil is in the future. Returns how many versions and markers went. */
  deleteAllVersions(key: string, opts: { retainUntil: number | null }): Promise<{ deleted: number }>;
  /**
   * Lengthens one version's object lock to `until` (never shortens it: a store refuses that without a
   * bypass, and a lock is a promise). Returns the retain-until the store then shows.
   */
  extendRetention(key: string, versionId: string | null, until: number, mode?: 'governance' | 'compliance'): Promise<number>;
  /** Multipart uploads under the prefix begun more than olderThanMs ago (a crash mid-upload leaves them). */
  listStaleUploads(olderThanMs: number): Promise<StaleUpload[]>;
  abortUpload(upload: { key: string; uploadId: string }): Promise<void>;
  /** Whether the store answered the probe with an S3 additional checksum (set by probe(); putFile then trusts it). */
  storeChecksums: boolean;
  /** The SDK client, for the probe in this folder only. */
  readonly s3: S3Client;
  /** A client that tries once, for the probe: an unreachable store is reported in seconds, not after retries. */
  readonly s3Once: S3Client;
  destroy(): void;
}

const MiB = 1024 * 1024;

function makeClient(o: ObjectStoreOptions, maxAttempts: number): S3Client {
  const ca = o.ca ?? null;
  return new S3Client({
    endpoint: o.endpoint,
    region: o.region,
    forcePathStyle: o.addressing === 'path',
    credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secret },
    // Ceph 16's RGW answers 411 to the SDK's default streamed checksum trailer; checksums are asked per request.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts,
    requestHandler: {
      connectionTimeout: o.connectTimeoutMs ?? 5000,
      requestTimeout: o.requestTimeoutMs ?? 30_000,
      ...(ca ? { httpsAgent: new HttpsAgent({ ca, keepAlive: true }) } : {}),
    },
  });
}

export function createObjectStore(o: ObjectStoreOptions): ObjectStore {
  // The SDK warns on stderr once per process that its 2027 releases need Node 22; the lock file pins
  // this release, so the warning would only alarm whoever reads the service's log.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const clock = o.clock ?? systemClock;
  const partSize = Math.max(5 * MiB, o.partSize ?? 8 * MiB);
  const queueSize = o.queueSize ?? 2;
  const s3 = makeClient(o, 3);
  const s3Once = makeClient(o, 1);
  const where = { endpoint: o.endpoint, bucket: o.bucket };
  const fail = (err: unknown, what: string) => describeStoreError(err, what, where);
  const Bucket = o.bucket;

  const store: ObjectStore = {
    endpoint: o.endpoint,
    bucket: o.bucket,
    prefix: o.prefix,
    objectLock: o.objectLock,
    storeChecksums: false,
    s3,
    s3Once,

    async putFile(localPath, key, opts) {
      const what = `uploading ${key}`;
      const size = (await stat(localPath)).size;
      const sha256 = opts.metadata.sha256 ?? (await sha256OfFile(localPath));
      const lock = opts.retainUntil != null ? (opts.lockMode ?? (o.objectLock === 'none' ? 'governance' : o.objectLock)) : null;
      const hashing = new HashingCounter(partSize);
      const file = createReadStream(localPath);
      let source: Readable = file.pipe(hashing);
      if (opts.throttle) source = source.pipe(throttleStream(opts.throttle, opts.signal));
      file.on('error', (err) => source.destroy(err));
      const checksum: ChecksumAlgorithm | undefined = store.storeChecksums ? 'SHA256' : undefined;
      const upload = new Upload({
        client: s3,
        partSize,
        queueSize,
        leavePartsOnError: false,
        params: {
          Bucket,
          Key: key,
          Body: source,
          ContentType: opts.contentType ?? contentTypeOf(key),
          Metadata: {
            source: opts.metadata.source,
            start: new Date(opts.metadata.start).toISOString(),
            end: new Date(opts.metadata.end).toISOString(),
            sha256,
          },
          ...(checksum ? { ChecksumAlgorithm: checksum } : {}),
          ...(lock && opts.retainUntil != null
            ? { ObjectLockMode: lock.toUpperCase() as ObjectLockMode, ObjectLockRetainUntilDate: new Date(opts.retainUntil) }
            : {}),
        },
      });
      const onAbort = () => void upload.abort().catch(() => {});
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      let out: Awaited<ReturnType<Upload['done']>>;
      try {
        if (opts.signal?.aborted) throw new ObjectStoreError('aborted', `${what} was cancelled`);
        out = await upload.done();
      } catch (err) {
        source.destroy();
        // lib-storage answers an abort at once and abandons its multipart upload later, if at all: it is
        // abandoned here, so a cancelled or failed upload leaves no parts on the store.
        const uploadId = (upload as unknown as { uploadId?: string }).uploadId;
        if (uploadId) await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId })).catch(() => {});
        if (opts.signal?.aborted) throw new ObjectStoreError('aborted', `${what} was cancelled`);
        const e = fail(err, what);
        // Ceph and MinIO refuse a lock header on a bucket made without object lock.
        if (lock && e.storeCode === 'InvalidRequest')
          throw new ObjectStoreError(
            'no-object-lock',
            `${what} with a retain-until failed: the bucket ${Bucket} has no object lock (${e.message})`,
            e.storeCode,
          );
        throw e;
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
      }
      const versionId = out.VersionId ?? null;
      const sent = hashing.result();
      if (sent.sha256 !== sha256 || sent.bytes !== size)
        throw new ObjectStoreError(
          'local-changed',
          `${what}: the local file ${localPath} changed while it was read (expected ${size} bytes, SHA-256 ${sha256}; read ${sent.bytes} bytes, ${sent.sha256}); the version written (${versionId ?? 'unversioned'}) is not the file indexed`,
        );
      const storeSum = (out as { ChecksumSHA256?: string }).ChecksumSHA256;
      const finish = async (verifiedBy: VerifiedBy): Promise<PutResult> => {
        const retainUntil = lock && opts.retainUntil != null ? await ensureRetention(key, versionId, lock, opts.retainUntil) : null;
        return { key, versionId, sha256, bytes: size, verifiedBy, retainUntil };
      };
      if (storeSum && sent.checksums.includes(storeSum)) return finish('store-checksum');
      if (storeSum)
        throw new ObjectStoreError(
          'verify-failed',
          `${what}: the store's SHA-256 checksum ${storeSum} does not match the file sent (version ${versionId ?? 'unversioned'})`,
        );
      // No checksum from the store (Ceph 16 RGW has none): read the version written back and hash it.
      const back = await readBack(key, versionId, opts.signal);
      if (back.sha256 !== sha256 || back.bytes !== size)
        throw new ObjectStoreError(
          'verify-failed',
          `${what}: reading version ${versionId ?? '(unversioned)'} back gave ${back.bytes} bytes with SHA-256 ${back.sha256}, but the file has ${size} bytes with SHA-256 ${sha256}`,
        );
      return finish('read-back');
    },

    async getRange(key, versionId, start, end, opts = {}) {
      const what = `reading ${key}${versionId ? ` (version ${versionId})` : ''}`;
      const range = start !== undefined || end !== undefined ? `bytes=${start ?? 0}-${end ?? ''}` : undefined;
      try {
        const out = await s3.send(
          new GetObjectCommand({ Bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}), ...(range ? { Range: range } : {}) }),
          opts.signal ? { abortSignal: opts.signal } : {},
        );
        if (!(out.Body instanceof Readable)) throw new ObjectStoreError('store-error', `${what}: the store's answer has no body`);
        return out.Body;
      } catch (err) {
        throw fail(err, what);
      }
    },

    async extendRetention(key, versionId, until, mode) {
      return ensureRetention(key, versionId, mode ?? (o.objectLock === 'none' ? 'governance' : o.objectLock), until);
    },

    async head(key, versionId) {
      try {
        const h = await s3.send(new HeadObjectCommand({ Bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
        const metadata = h.Metadata ?? {};
        return {
          key,
          versionId: h.VersionId ?? null,
          bytes: h.ContentLength ?? 0,
          lastModified: h.LastModified?.getTime() ?? null,
          etag: h.ETag ?? null,
          metadata,
          sha256: metadata.sha256 ?? null,
          lockMode: h.ObjectLockMode ? (h.ObjectLockMode.toLowerCase() as 'governance' | 'compliance') : null,
          retainUntil: h.ObjectLockRetainUntilDate?.getTime() ?? null,
        };
      } catch (err) {
        const e = fail(err, `looking up ${key}`);
        // HEAD has no body, so a missing bucket looks like a missing object: only the object case is null.
        if (e.problem === 'missing-object' || (e.problem === 'store-error' && e.storeCode === 'NotFound')) return null;
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 400 && versionId) return null;
        throw e;
      }
    },

    async versions(key) {
      const found: ObjectVersion[] = [];
      let KeyMarker: string | undefined;
      let VersionIdMarker: string | undefined;
      try {
        for (;;) {
          const page = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: key, KeyMarker, VersionIdMarker }));
          for (const v of page.Versions ?? [])
            if (v.Key === key && v.VersionId)
              found.push({
                versionId: v.VersionId,
                isLatest: v.IsLatest ?? false,
                deleteMarker: false,
                bytes: v.Size ?? 0,
                lastModified: v.LastModified?.getTime() ?? null,
              });
          for (const m of page.DeleteMarkers ?? [])
            if (m.Key === key && m.VersionId)
              found.push({
                versionId: m.VersionId,
                isLatest: m.IsLatest ?? false,
                deleteMarker: true,
                bytes: 0,
                lastModified: m.LastModified?.getTime() ?? null,
              });
          if (!page.IsTruncated) break;
          KeyMarker = page.NextKeyMarker;
          VersionIdMarker = page.NextVersionIdMarker;
        }
      } catch (err) {
        throw fail(err, `listing the versions of ${key}`);
      }
      return found.sort((a, b) => (b.lastModified ?? 0) - (a.lastModified ?? 0));
    },

    async deleteAllVersions(key, { retainUntil }) {
      const now = clock.now();
      if (retainUntil !== null && retainUntil > now)
        throw new ObjectStoreError(
          'retained',
          `refused to delete ${key}: it is kept until ${new Date(retainUntil).toISOString()} (retention has not ended; now ${new Date(now).toISOString()})`,
        );
      const all = await store.versions(key);
      let deleted = 0;
      for (const v of all) {
        try {
          await s3.send(new DeleteObjectCommand({ Bucket, Key: key, VersionId: v.versionId }));
          deleted++;
        } catch (err) {
          const e = fail(err, `deleting version ${v.versionId} of ${key}`);
          if (e.problem === 'denied')
            throw new ObjectStoreError(
              'store-refused',
              `the store refused to delete version ${v.versionId} of ${key} (${e.storeCode ?? 'refused'}${storeWords(err)}); an object lock or the bucket's policy still protects it`,
              e.storeCode,
            );
          throw e;
        }
      }
      return { deleted };
    },

    async listStaleUploads(olderThanMs) {
      const before = clock.now() - olderThanMs;
      const stale: StaleUpload[] = [];
      let KeyMarker: string | undefined;
      let UploadIdMarker: string | undefined;
      try {
        for (;;) {
          const page = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: o.prefix || undefined, KeyMarker, UploadIdMarker }));
          for (const u of page.Uploads ?? []) {
            const initiated = u.Initiated?.getTime() ?? 0;
            if (u.Key && u.UploadId && initiated < before) stale.push({ key: u.Key, uploadId: u.UploadId, initiated });
          }
          if (!page.IsTruncated) break;
          KeyMarker = page.NextKeyMarker;
          UploadIdMarker = page.NextUploadIdMarker;
        }
      } catch (err) {
        throw fail(err, 'listing unfinished multipart uploads');
      }
      return stale;
    },

    async abortUpload({ key, uploadId }) {
      try {
        await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId }));
      } catch (err) {
        const e = fail(err, `abandoning the unfinished upload of ${key}`);
        if (e.storeCode !== 'NoSuchUpload') throw e;
      }
    },

    destroy() {
      s3.destroy();
      s3Once.destroy();
    },
  };

  /**
   * Ceph 16 ignores the lock headers of a multipart upload, so the version's retention is read back and,
   * when missing or shorter, set on the version itself; a store that still shows none has no object lock.
   */
  async function ensureRetention(key: string, versionId: string | null, mode: 'governance' | 'compliance', until: number): Promise<number> {
    const what = `locking ${key}${versionId ? ` (version ${versionId})` : ''} until ${new Date(until).toISOString()}`;
    const now = await store.head(key, versionId);
    if (now?.retainUntil != null && now.retainUntil >= until) return now.retainUntil;
    try {
      await s3.send(
        new PutObjectRetentionCommand({
          Bucket,
          Key: key,
          ...(versionId ? { VersionId: versionId } : {}),
          Retention: { Mode: mode.toUpperCase() as ObjectLockMode, RetainUntilDate: new Date(until) },
        }),
      );
    } catch (err) {
      const e = fail(err, what);
      if (e.problem === 'store-error' && /InvalidRequest|ObjectLockConfigurationNotFound/i.test(e.storeCode ?? ''))
        throw new ObjectStoreError('no-object-lock', `${what} failed: the bucket ${Bucket} has no object lock (${e.storeCode})`, e.storeCode);
      throw e;
    }
    const after = await store.head(key, versionId);
    if (after?.retainUntil == null || after.retainUntil < until)
      throw new ObjectStoreError(
        'no-object-lock',
        `${what}: the store accepted the retention but does not show it on the object; it has no working object lock`,
      );
    return after.retainUntil;
  }

  async function readBack(key: string, versionId: string | null, signal?: AbortSignal): Promise<{ sha256: string; bytes: number }> {
    const body = await store.getRange(key, versionId, undefined, undefined, { signal });
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        hash.update(chunk);
        bytes += chunk.length;
      }
    } catch (err) {
      throw fail(err, `reading ${key} back to verify it`);
    }
    return { sha256: hash.digest('hex'), bytes };
  }

  return store;
}

/** The store's own words from an SDK error, for a refusal surfaced as it was said. */
function storeWords(err: unknown): string {
  const m = (err as { message?: string }).message;
  return m && m !== 'UnknownError' ? `: ${m}` : '';
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

function contentTypeOf(key: string): string {
  if (key.endsWith('.mp4')) return 'video/mp4';
  if (key.endsWith('.ts')) return 'video/mp2t';
  if (key.endsWith('.jpg') || key.endsWith('.jpeg')) return 'image/jpeg';
  if (key.endsWith('.zip')) return 'application/zip';
  return 'application/octet-stream';
}

/**
 * Passes bytes through while hashing them, whole and per multipart part (the store's composite
 * checksum is the SHA-256 of the parts' SHA-256s, "-N"), so verifying by the store costs no second read.
 */
class HashingCounter extends Transform {
  private readonly whole = createHash('sha256');
  private part = createHash('sha256');
  private partBytes = 0;
  private readonly partSums: Buffer[] = [];
  bytes = 0;
  constructor(private readonly partSize: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.whole.update(chunk);
    this.bytes += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(chunk.length - at, this.partSize - this.partBytes);
      this.part.update(chunk.subarray(at, at + take));
      this.partBytes += take;
      at += take;
      if (this.partBytes === this.partSize) {
        this.partSums.push(this.part.digest());
        this.part = createHash('sha256');
        this.partBytes = 0;
      }
    }
    done(null, chunk);
  }
  result(): { sha256: string; bytes: number; checksums: string[] } {
    const sums = [...this.partSums];
    if (this.partBytes > 0 || sums.length === 0) sums.push(this.part.copy().digest());
    const whole = this.whole.copy().digest();
    const composite = `${createHash('sha256').update(Buffer.concat(sums)).digest('base64')}-${sums.length}`;
    return { sha256: whole.toString('hex'), bytes: this.bytes, checksums: [whole.toString('base64'), composite] };
  }
}

function throttleStream(wait: (bytes: number, signal?: AbortSignal) => Promise<void>, signal?: AbortSignal): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      wait(chunk.length, signal).then(
        () => done(null, chunk),
        (err: unknown) => done(err as Error),
      );
    },
  });
}

/**
 * A bandwidth cap shared by every upload that is given it: each chunk waits until the bytes sent in
 * the last moments fit the rate. The rate may be changed while uploads run (the upload window).
 */
export function bandwidthLimiter(bytesPerSecond: number): { throttle: (bytes: number, signal?: AbortSignal) => Promise<void>; setRate(bps: number): void } {
  let rate = bytesPerSecond;
  let nextFree = 0;
  return {
    setRate(bps) {
      rate = bps;
    },
    async throttle(bytes, signal) {
      if (!(rate > 0)) return;
      const now = performance.now();
      const startAt = Math.max(now, nextFree);
      nextFree = startAt + (bytes / rate) * 1000;
      const delay = startAt - now;
      if (delay <= 1) return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, delay);
        signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(new ObjectStoreError('aborted', 'the upload was cancelled'));
          },
          { once: true },
        );
      });
    },
  };
}
