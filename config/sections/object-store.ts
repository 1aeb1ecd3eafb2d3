// The `objectStore:` section: the centre's S3-compatible store that recordings and archives move to after
// `hotDays` (storage/object-store/, storage/tier/). Absent = media stays on the local disk, as before.
// The schema, the defaults and the checks a schema cannot say (a readable, private secret file; a URL
// without credentials; an upload window that parses), each problem naming its field.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Type, type Static } from 'typebox';
import type { Problem } from '../../core/index.ts';

const WINDOW = /^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$/;

export const ObjectStoreSchema = Type.Object(
  {
    endpoint: Type.String({ minLength: 1, description: "the store's S3 address, e.g. https://s3.centre.lan or http://10.0.0.5:7480" }),
    bucket: Type.String({
      pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
      description: 'the bucket (3–63 lower-case letters, digits, dots and hyphens); with objectLock it must have been created with object lock',
    }),
    region: Type.Optional(
      Type.String({ minLength: 1, default: 'us-east-1', description: "the store's region (Ceph: its zonegroup, often default; MinIO: us-east-1)" }),
    ),
    addressing: Type.Optional(
      Type.Union([Type.Literal('path'), Type.Literal('virtual-host')], {
        default: 'path',
        description: 'path = endpoint/bucket/key (Ceph, MinIO); virtual-host = bucket.endpoint/key (needs DNS for the bucket name)',
      }),
    ),
    accessKeyId: Type.String({ minLength: 1, secret: false, description: 'the S3 access key id (an identifier; the secret lives in secretFile)' }),
    secretFile: Type.String({
      minLength: 1,
      secret: false,
      description: 'a FILE holding the S3 secret key (one line, readable by the service only: chmod 600); the secret is never written in this config',
    }),
    caFile: Type.Optional(Type.String({ minLength: 1, description: "a PEM file of the CA that signed the store's certificate, when it is not a public one" })),
    prefix: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*$',
        default: 'examroom',
        description: 'the first part of every key (keys are PREFIX/SITE/SOURCE/yyyy/mm/dd/FILE); several appliances share a bucket by site id',
      }),
    ),
    hotDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 3650, default: 7, description: 'days a recording stays on the local disk before it moves to the store' }),
    ),
    uploadWindow: Type.Optional(
      Type.String({ default: 'always', description: 'always, or the hours uploads may run in site time, e.g. "20:00-06:00" (may cross midnight)' }),
    ),
    bandwidthMbps: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 100_000, description: 'the most the uploads may send, in megabits per second (absent = no cap)' }),
    ),
    objectLock: Type.Optional(
      Type.Union([Type.Literal('none'), Type.Literal('governance'), Type.Literal('compliance')], {
        default: 'none',
        description:
          'none; governance (no one deletes a recording before its retention ends, except an account given the bypass right); compliance (no one at all, not even the store root)',
      }),
    ),
  },
  { additionalProperties: false },
);

export type ObjectStoreFile = Static<typeof ObjectStoreSchema>;

/** When uploads may run: always, or from one minute of the day to another in site time (may cross midnight). */
export type UploadWindow = 'always' | { from: number; to: number; text: string };

export interface ObjectStoreConfig {
  endpoint: string;
  bucket: string;
  region: string;
  addressing: 'path' | 'virtual-host';
  accessKeyId: string;
  /** Absolute path; the secret itself is read by whoever opens the client (server/object-store.ts), never kept in Config. */
  secretFile: string;
  caFile: string | null;
  prefix: string;
  hotDays: number;
  uploadWindow: UploadWindow;
  /** null = no cap. */
  bandwidthMbps: number | null;
  objectLock: 'none' | 'governance' | 'compliance';
}

export function normaliseObjectStore(raw: ObjectStoreFile, baseDir: string): ObjectStoreConfig {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    endpoint: raw.endpoint.replace(/\/+$/, ''),
    bucket: raw.bucket,
    region: raw.region ?? 'us-east-1',
    addressing: raw.addressing ?? 'path',
    accessKeyId: raw.accessKeyId,
    secretFile: at(raw.secretFile),
    caFile: raw.caFile ? at(raw.caFile) : null,
    prefix: raw.prefix ?? 'examroom',
    hotDays: raw.hotDays ?? 7,
    uploadWindow: parseUploadWindow(raw.uploadWindow ?? 'always') ?? 'always',
    bandwidthMbps: raw.bandwidthMbps ?? null,
    objectLock: raw.objectLock ?? 'none',
  };
}

export function parseUploadWindow(text: string): UploadWindow | null {
  if (text === 'always') return 'always';
  const m = WINDOW.exec(text);
  if (!m) return null;
  return { from: Number(m[1]) * 60 + Number(m[2]), to: Number(m[3]) * 60 + Number(m[4]), text };
}

/** Whether uploads may run at this minute of the site's day (0–1439). */
export function uploadWindowOpen(window: UploadWindow, minuteOfDay: number): boolean {
  if (window === 'always') return true;
  return window.from <= window.to ? minuteOfDay >= window.from && minuteOfDay < window.to : minuteOfDay >= window.from || minuteOfDay < window.to;
}

/** Rules a schema cannot say; every problem names its field. */
export function objectStoreProblems(raw: ObjectStoreFile, c: ObjectStoreConfig): Problem[] {
  const problems: Problem[] = [];
  const path = (f: string) => `objectStore.${f}`;
  let url: URL | null = null;
  try {
    url = new URL(raw.endpoint);
  } catch {
    problems.push({ path: path('endpoint'), problem: 'is not a URL (e.g. https://s3.centre.lan or http://10.0.0.5:7480)', got: raw.endpoint });
  }
  if (url) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      problems.push({ path: path('endpoint'), problem: 'must start with https:// or http://', got: raw.endpoint });
    // Not echoed: credentials in the URL are a secret, and this message ends up in logs.
    if (url.username || url.password)
      problems.push({ path: path('endpoint'), problem: 'carries a user name or password; put the key in accessKeyId and secretFile' });
    if (url.pathname !== '/' || url.search || url.hash)
      problems.push({
        path: path('endpoint'),
        problem: 'must be the store\u2019s address only, without a path or query (the bucket goes in objectStore.bucket)',
        got: raw.endpoint,
      });
    if (url.protocol === 'http:' && c.caFile)
      problems.push({ path: path('caFile'), problem: 'is set, but the endpoint is plain http://: there is no TLS to check', got: raw.caFile });
  }
  if (c.addressing === 'virtual-host' && raw.bucket.includes('.'))
    problems.push({
      path: path('bucket'),
      problem: 'has a dot, which breaks the TLS name check with virtual-host addressing (bucket.name.endpoint); use addressing: path or a bucket without dots',
      got: raw.bucket,
    });
  if (raw.uploadWindow !== undefined && parseUploadWindow(raw.uploadWindow) === null)
    problems.push({ path: path('uploadWindow'), problem: 'must be always, or hours like "20:00-06:00" (24-hour HH:MM-HH:MM)', got: raw.uploadWindow });
  const w = parseUploadWindow(raw.uploadWindow ?? 'always');
  if (w && w !== 'always' && w.from === w.to)
    problems.push({ path: path('uploadWindow'), problem: 'starts and ends at the same minute; write always for no limit', got: raw.uploadWindow });
  problems.push(...secretFileProblems(c.secretFile));
  if (c.caFile) {
    try {
      const pem = readFileSync(c.caFile, 'utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----'))
        problems.push({ path: path('caFile'), problem: 'is not a PEM certificate file (no BEGIN CERTIFICATE line)', got: c.caFile });
    } catch (err) {
      problems.push({ path: path('caFile'), problem: fileProblem(err), got: c.caFile });
    }
  }
  return problems;
}

function fileProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES') return 'cannot be read by the service (permission denied)';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return `cannot be read (${code ?? (err as Error).message})`;
}

/** The secret file must exist, be readable by the service, hold one word, and not be readable by everyone. */
function secretFileProblems(file: string): Problem[] {
  const at = 'objectStore.secretFile';
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(file);
    accessSync(file, constants.R_OK);
  } catch (err) {
    return [{ path: at, problem: fileProblem(err), got: file }];
  }
  if (!st.isFile()) return [{ path: at, problem: 'is not a regular file', got: file }];
  // The contents are never echoed: only what is wrong with them.
  const problems: Problem[] = [];
  // Group-readable is fine (root:examroom 640 is the usual way); everyone-readable is not.
  if ((st.mode & 0o004) !== 0)
    problems.push({
      path: at,
      problem: `is readable by every user of this machine (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 (or 640 for the service's group) on it`,
      got: file,
    });
  const text = readFileSync(file, 'utf8').trim();
  if (text.length === 0) problems.push({ path: at, problem: 'is empty; it must hold the S3 secret key on one line', got: file });
  else if (/\s/.test(text)) problems.push({ path: at, problem: 'holds more than one word or line; it must hold only the S3 secret key', got: file });
  return problems;
}

/** The secret from the file (checked by objectStoreProblems at load): for whoever opens the client, never for Config. */
export function readObjectStoreSecret(c: Pick<ObjectStoreConfig, 'secretFile'>): string {
  return readFileSync(c.secretFile, 'utf8').trim();
}
