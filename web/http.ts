// The one way every web app talks HTTP to the appliance: same-origin JSON with the session or device
// cookie, errors carrying the server's own `{ error, message }` (it says what, where and why) so a
// screen can show it as is, and "no answer at all" kept apart from "answered no".

/** The server answered with an error status (4xx/5xx): `{ error, message }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** What the server gave to word the refusal (names, seats, states): see web/error-words.ts. */
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

/** The request never got an answer: the network or the server is down. Safe to repeat. */
export class NetworkError extends Error {}

let unauthorized: (() => void) | null = null;

/**
 * Called when a request outside /api/auth/ is answered 401: the cookie may have ended under the open page
 * (expired, logged out elsewhere). web/session-end.ts registers its check here, so a page shows the log-in
 * form instead of an error per request. A registration, not an import, because session-end imports this file.
 */
export function onUnauthorized(fn: () => void): void {
  unauthorized = fn;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function call<T>(method: Method, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if ((err as { name?: string }).name === 'AbortError') throw err;
    throw new NetworkError((err as Error).message);
  }
  const text = await res.text().catch(() => '');
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    // A proxy's or a restarting server's 502/503/504 is the network, not an answer.
    if (res.status === 502 || res.status === 503 || res.status === 504) throw new NetworkError(`HTTP ${res.status}`);
    if (res.status === 401 && !url.startsWith('/api/auth/')) unauthorized?.();
    const d = data as { error?: string; message?: string; params?: Record<string, string | number> } | null;
    throw new HttpError(res.status, d?.error ?? 'error', d?.message ?? `HTTP ${res.status}`, d?.params ?? {});
  }
  return data as T;
}

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Who holds this browser's cookie (GET /api/auth/me): a signed-in person or a paired device. */
export type Me =
  | { kind: 'user'; user: { username: string; displayName: string | null; role: string; rooms: string[] } }
  | { kind: 'device'; device: { id: string; kind: string } };

/**
 * The person or device signed in, or null when this browser holds no valid cookie. Asked of
 * /api/auth/session, which answers 200 with `{ me: null }` for nobody: a 401 would show as an error in
 * the browser's console at every app's first load, before anyone could have signed in.
 */
export async function whoAmI(): Promise<Me | null> {
  return (await call<{ me: Me | null }>('GET', '/api/auth/session')).me;
}

export const login = (username: string, password: string) => call<unknown>('POST', '/api/auth/login', { username, password });
export const logout = () => call<unknown>('POST', '/api/auth/logout');

/** The signed-in person, or null for nobody or a device. */
export const userOf = (me: Me | null | undefined) => (me?.kind === 'user' ? me.user : null);
