// The few HTTP calls the live page makes: who am I, log in/out, the sources I may watch.
export interface Me {
  kind: 'user' | 'device';
  user?: { username: string; role: string };
}

export interface LiveSource {
  id: string;
  name: string;
  room: string;
  kind: string;
  ws: string;
  viewers: number;
  video: string | null;
  audio: string | null;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    cache: 'no-store',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) throw new HttpError(res.status, (data as { message?: string } | null)?.message ?? `HTTP ${res.status}`);
  return data as T;
}

export async function whoAmI(): Promise<Me | null> {
  try {
    return await call<Me>('GET', '/api/auth/me');
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) return null;
    throw err;
  }
}

export const login = (username: string, password: string) => call<unknown>('POST', '/api/auth/login', { username, password });
export const logout = () => call<unknown>('POST', '/api/auth/logout');
export const sources = () => call<LiveSource[]>('GET', '/api/live/sources');
