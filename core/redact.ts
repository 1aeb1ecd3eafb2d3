// Hiding credentials in text that people or logs see: the one redaction every module uses for a URL or
// for free text that may hold one (ffmpeg's stderr repeats its input URL, password included, in every
// error: "rtsp://admin:pw@10.0.0.5/1: Server returned 401 Unauthorized"). It never hides a host, a port
// or a path: those are what a person needs to find the broken camera.

/** What a hidden secret reads as (config/masking.ts shows the same). */
export const HIDDEN = '***';

// scheme://USERINFO@ — userinfo runs to the LAST @ before the host ends (ffmpeg's own URL parser does the
// same, so a password with an unencoded @ is hidden whole). Any scheme: rtsp, rtsps, rtmp(s), http(s), srt…
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi;
// A secret as a key=value parameter: in a query (?passphrase= of srt://, ?token=, ?sign=) and in the
// path-parameter style some cameras use (rtsp://host:554/user=admin&password=pw&channel=1).
const SECRET_PARAM =
  /(^|[?&;/\s,])(pass(?:word|wd|phrase)?|pwd|secret|token|access_token|auth|authorization|api_?key|key|stream_?key|sign|signature|sig|credentials?)=([^&\s#'",;]*)/gi;
// An RTMP URL's path is app/stream-name, and the stream name is the platform's stream key (a secret that
// lets anyone publish as this site): everything after the app is hidden, the app kept to say which push.
// It stops at ':' so ffmpeg's "rtmp://h/app/KEY: Connection refused" keeps its reason.
const RTMP_KEY = /(rtmps?:\/\/[^\s/?#'"]*\/[^\s/?#'":,;]+)(\/[^\s?#'":,;]*)/gi;
// An HTTP authorization header's value, should a library ever print one.
const AUTH_HEADER = /(authorization:\s*)(basic|bearer|digest)\s+[^\s,]+/gi;
/** Literal secrets shorter than this are not searched for: "12" would hide every port number. */
const MIN_LITERAL = 4;

/**
 * `text` with every credential a URL may carry hidden: a password (`user:***@`, in any scheme), secret
 * parameters (`passphrase=***`, `token=***`), and each `known` literal (a camera's password as configured,
 * raw and percent-decoded), wherever it appears — even outside a URL, or in a URL cut in half.
 */
export function redactText(text: string, known: readonly string[] = []): string {
  let out = redactPasswords(text);
  out = out.replace(RTMP_KEY, (_m, head: string, rest: string) => `${head}${hideSegments(rest)}`);
  out = out.replace(SECRET_PARAM, (_m, lead: string, name: string) => `${lead}${name}=${HIDDEN}`);
  out = out.replace(AUTH_HEADER, (_m, head: string, scheme: string) => `${head}${scheme} ${HIDDEN}`);
  for (const secret of known) if (secret.length >= MIN_LITERAL && out.includes(secret)) out = out.split(secret).join(HIDDEN);
  return out;
}

/** Only the passwords of URLs (`scheme://user:***@`): for text whose parameters must stay as they are (a signed link). */
export function redactPasswords(text: string): string {
  if (!text.includes('@')) return text;
  return text.replace(USERINFO, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon < 0 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:${HIDDEN}@`;
  });
}

/** A URL fit to show: its password and secret parameters hidden; scheme, user, host, port and path kept. */
export function redactUrl(url: string): string {
  return redactText(url);
}

/** A template's placeholder for the source id: not a value, shown as it is. */
const SOURCE_PLACEHOLDER = /^(\{source\}|%7Bsource%7D)$/i;

/** `/a/b/` with each non-empty segment hidden, a `{source}` placeholder kept. */
function hideSegments(path: string): string {
  return path
    .split('/')
    .map((seg) => (seg === '' || SOURCE_PLACEHOLDER.test(seg) ? seg : HIDDEN))
    .join('/');
}

const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)(?:([^/@?#]*)@)?([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i;

/**
 * A push URL (RTMP, RTSP to a platform) fit to show: scheme, user, host, port and the first path segment
 * (RTMP's app) kept; the password, the rest of the path (the stream key), every query value and the
 * fragment hidden. A path of one segment is hidden whole (it may be the key). Given the `template` the URL
 * came from, a segment that was exactly `{source}` shows the source id: which camera is pushed is no
 * secret and is what the IT person looks for. Null when `url` does not parse as a URL.
 */
export function redactPushUrl(url: string, template?: string): string | null {
  const m = URL_PARTS.exec(url);
  if (!m) return null;
  const [, scheme, userinfo, host, path = '', query, fragment] = m;
  const user = userinfo === undefined ? '' : `${userinfo.includes(':') ? `${userinfo.slice(0, userinfo.indexOf(':'))}:${HIDDEN}` : userinfo}@`;
  const segs = path.split('/');
  const named = segs.filter((x) => x !== '').length;
  const tpl = template ? (URL_PARTS.exec(template)?.[4] ?? '').split('/') : [];
  let seen = 0;
  const shownPath = segs
    .map((seg, i) => {
      if (seg === '') return seg;
      seen++;
      if (SOURCE_PLACEHOLDER.test(seg) || (tpl.length === segs.length && SOURCE_PLACEHOLDER.test(tpl[i]!))) return seg;
      return seen === 1 && named > 1 ? seg : HIDDEN;
    })
    .join('/');
  const shownQuery = query
    ? `?${query
        .slice(1)
        .split('&')
        .map((pair) => (pair.includes('=') ? `${pair.slice(0, pair.indexOf('='))}=${HIDDEN}` : pair === '' ? '' : HIDDEN))
        .join('&')}`
    : '';
  return `${scheme}${user}${host}${shownPath}${shownQuery}${fragment ? `#${HIDDEN}` : ''}`;
}

/**
 * What redactPushUrl hides, as literals for redactText's `known` (ffmpeg repeats an RTSP push URL, whose
 * path no generic rule can call secret): the password, the query values and the hidden path segments, raw
 * and percent-decoded. For a template, the fixed text around `{source}` in a hidden segment.
 */
export function pushUrlSecrets(url: string): string[] {
  const out = new Set(urlSecrets(url));
  const m = URL_PARTS.exec(url);
  if (!m) return [...out];
  const add = (v: string) => {
    for (const part of v.split(/\{source\}|%7Bsource%7D/i)) {
      if (part.length < MIN_LITERAL) continue;
      out.add(part);
      try {
        const decoded = decodeURIComponent(part);
        if (decoded.length >= MIN_LITERAL) out.add(decoded);
      } catch {
        /* not percent-encoded */
      }
    }
  };
  const segs = (m[4] ?? '').split('/').filter((x) => x !== '');
  segs.forEach((seg, i) => {
    if ((i > 0 || segs.length === 1) && !SOURCE_PLACEHOLDER.test(seg)) add(seg);
  });
  for (const pair of (m[5] ?? '').slice(1).split('&')) if (pair) add(pair.includes('=') ? pair.slice(pair.indexOf('=') + 1) : pair);
  return [...out];
}

/** The secrets inside a URL, for redactText's `known`: the password and secret parameter values, raw and percent-decoded. */
export function urlSecrets(url: string): string[] {
  const out = new Set<string>();
  const add = (v: string) => {
    if (v.length < MIN_LITERAL) return;
    out.add(v);
    try {
      const decoded = decodeURIComponent(v);
      if (decoded.length >= MIN_LITERAL) out.add(decoded);
    } catch {
      /* not percent-encoded */
    }
  };
  for (const m of url.matchAll(USERINFO)) {
    const userinfo = m[2]!;
    const colon = userinfo.indexOf(':');
    if (colon >= 0) add(userinfo.slice(colon + 1));
  }
  for (const m of url.matchAll(SECRET_PARAM)) add(m[3]!);
  return [...out];
}

/** Every URL secret in a value (a config, a spec): each string holding `://` or `=` is looked into; only plain objects and arrays are walked. */
export function secretsIn(value: unknown, depth = 0): string[] {
  if (typeof value === 'string') return value.includes('://') || value.includes('=') ? urlSecrets(value) : [];
  if (depth > 8 || value === null || typeof value !== 'object') return [];
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return [];
  const parts = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  return [...new Set(parts.flatMap((v) => secretsIn(v, depth + 1)))];
}

/**
 * A copy of a plain value (strings, arrays, plain objects; errors as { type, message, stack }) with every
 * string redacted. Anything else (a request, a socket, a Buffer) is kept as it is: it is not walked.
 */
export function redactDeep<T>(value: T, known: readonly string[] = [], depth = 0): T {
  if (typeof value === 'string') return redactText(value, known) as T;
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, known, depth + 1)) as T;
  if (value instanceof Error) return redactError(value, known) as T;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactDeep(v, known, depth + 1);
  return out as T;
}

/** An error as a log shows it ({ type, message, stack } and its own fields), every string redacted. */
export function redactError(err: Error, known: readonly string[] = []): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) own[k] = redactDeep(v, known, 1);
  return {
    type: err.name,
    ...own,
    message: redactText(err.message, known),
    ...(err.stack ? { stack: redactText(err.stack, known) } : {}),
    ...(err.cause instanceof Error ? { cause: redactError(err.cause, known) } : {}),
  };
}

/**
 * The last whole lines of `text` that fit in `max` characters. Cutting text inside a URL would leave
 * "ss@host" with no scheme before it for redactText to recognise: the cut is always at a line start.
 */
export function lastLines(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = text.slice(-max);
  const nl = tail.indexOf('\n');
  return nl < 0 ? '' : tail.slice(nl + 1);
}
