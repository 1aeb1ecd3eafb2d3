// The few HTTP calls the terminal makes: who am I (is there a device cookie?) and device pairing.
// Everything about the exam itself goes over the WebSocket.

export type Me = { kind: 'device'; device: { id: string; kind: string } } | { kind: 'user'; user: { username: string; role: string } };

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
  if (!res.ok) {
    const msg = (data as { message?: string } | null)?.message ?? `HTTP ${res.status}`;
    throw new HttpError(res.status, msg);
  }
  return data as T;
}

/** The paired device, or null when this browser holds no valid device cookie. */
export async function whoAmI(): Promise<Me | null> {
  try {
    return await call<Me>('GET', '/api/auth/me');
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) return null;
    throw err;
  }
}

export interface PairingRequest {
  pairingId: string;
  pollSecret: string;
  code: string;
  expiresAt: number;
}

export function requestPairing(deviceId: string | null): Promise<PairingRequest> {
  return call<PairingRequest>('POST', '/api/devices/pairings', deviceId ? { kind: 'terminal', deviceId } : { kind: 'terminal' });
}

export type CollectStatus = 'pending' | 'rejected' | 'expired' | 'approved';

/** On 'approved' the server sets the httpOnly device cookie; the token in the body is not kept. */
export async function collectPairing(p: PairingRequest): Promise<CollectStatus> {
  const r = await call<{ status: CollectStatus }>('POST', `/api/devices/pairings/${encodeURIComponent(p.pairingId)}/collect`, { pollSecret: p.pollSecret });
  return r.status;
}
