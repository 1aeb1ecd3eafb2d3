// What went wrong talking to the object store, as one kind a caller (and the person reading the admin
// console) can act on. The SDK's own errors carry the store's code and message, never the credentials;
// these messages are built from that code and message, the endpoint and the bucket only.

/** The kinds of failure a site's IT person fixes differently. */
export type ObjectStoreProblem =
  | 'wrong-key'
  | 'missing-bucket'
  | 'unreachable'
  | 'tls'
  | 'no-object-lock'
  | 'denied'
  | 'missing-object'
  | 'retained'
  | 'store-refused'
  | 'verify-failed'
  | 'local-changed'
  | 'aborted'
  | 'store-error';

export class ObjectStoreError extends Error {
  constructor(
    readonly problem: ObjectStoreProblem,
    message: string,
    /** The store's own error code (AccessDenied, NoSuchKey…) or the socket's (ECONNREFUSED…), when there was one. */
    readonly storeCode: string | null = null,
  ) {
    super(message);
    this.name = 'ObjectStoreError';
  }
}

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EPIPE', 'TimeoutError']);
const TLS =
  /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_VERIFY_LEAF_SIGNATURE$|UNABLE_TO_GET_ISSUER_CERT|EPROTO$|HOSTNAME_MISMATCH$)/;

/** The most specific code an error (or the error it wraps) carries. */
function codeOf(err: SdkLikeError): string {
  let e: SdkLikeError | undefined = err;
  for (let i = 0; i < 4 && e; i++) {
    const c = e.code ?? e.Code;
    if (c && (UNREACHABLE.has(c) || TLS.test(c))) return c;
    e = e.cause as SdkLikeError | undefined;
  }
  return err.Code ?? err.code ?? err.name ?? 'Error';
}

/**
 * Turns whatever the SDK threw into an ObjectStoreError whose message says what, where and why.
 * `what` names the operation and object ("reading segments/a.mp4"), `where` the endpoint and bucket.
 */
export function describeStoreError(err: unknown, what: string, where: { endpoint: string; bucket: string }): ObjectStoreError {
  if (err instanceof ObjectStoreError) return err;
  const e = (err ?? {}) as SdkLikeError;
  const code = codeOf(e);
  const status = e.$metadata?.httpStatusCode;
  // The first line only: OpenSSL's messages run on with file names and line numbers.
  const first = (e.message ?? '').split('\n')[0]!.trim();
  const said = first && first !== code && first !== 'UnknownError' ? `: ${first}` : '';
  const at = `${where.endpoint}, bucket ${where.bucket}`;
  if (code === 'AbortError' || e.name === 'AbortError') return new ObjectStoreError('aborted', `${what} was cancelled`, code);
  if (code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch' || code === 'InvalidToken')
    return new ObjectStoreError(
      'wrong-key',
      `${what} failed: the store at ${at} does not accept the access key (${code}); check objectStore.accessKeyId and the secret in objectStore.secretFile`,
      code,
    );
  if (code === 'NoSuchBucket' || (status === 404 && /bucket/i.test(what)))
    return new ObjectStoreError(
      'missing-bucket',
      `${what} failed: the bucket ${where.bucket} does not exist at ${where.endpoint} (create it, or fix objectStore.bucket)`,
      code,
    );
  if (UNREACHABLE.has(code))
    return new ObjectStoreError(
      'unreachable',
      `${what} failed: cannot reach the store at ${where.endpoint} (${code}); check objectStore.endpoint, the network and that the store is running`,
      code,
    );
  if (TLS.test(code))
    return new ObjectStoreError(
      'tls',
      `${what} failed: the TLS connection to ${where.endpoint} was refused (${code}${said}); give the store's CA in objectStore.caFile, or check the endpoint's certificate and name`,
      code,
    );
  if (code === 'NoSuchKey' || code === 'NoSuchVersion' || code === 'NotFound' || status === 404)
    return new ObjectStoreError('missing-object', `${what} failed: no such object at ${at} (${code})`, code);
  if (code === 'AccessDenied' || status === 403) return new ObjectStoreError('denied', `${what} failed: the store at ${at} refused (${code}${said})`, code);
  return new ObjectStoreError('store-error', `${what} failed at ${at}: ${code}${said}${status ? ` (HTTP ${status})` : ''}`, code);
}
