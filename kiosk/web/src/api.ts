// The kiosk's HTTP calls, as docs/kiosk-api.md defines them. The app imports nothing of the server's:
// these types restate the parts of that contract it reads.

export type Me = { kind: 'device'; device: { id: string; kind: string } } | { kind: 'user'; user: { username: string; role: string } };

/** The server answered with an error status (4xx/5xx): `{ error, message }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The request never got an answer: the network or the server is down. Safe to repeat. */
export class NetworkError extends Error {}

async function call<T>(method: 'GET' | 'POST', url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
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
    const d = data as { error?: string; message?: string } | null;
    throw new HttpError(res.status, d?.error ?? 'error', d?.message ?? `HTTP ${res.status}`);
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
  return call<PairingRequest>('POST', '/api/devices/pairings', deviceId ? { kind: 'kiosk', deviceId } : { kind: 'kiosk' });
}

export type CollectStatus = 'pending' | 'rejected' | 'expired' | 'approved';

/** On 'approved' the server sets the httpOnly device cookie; the token in the body is not kept. */
export async function collectPairing(p: PairingRequest): Promise<CollectStatus> {
  const r = await call<{ status: CollectStatus }>('POST', `/api/devices/pairings/${encodeURIComponent(p.pairingId)}/collect`, { pollSecret: p.pollSecret });
  return r.status;
}

// ------------------------------------------------------------------ the kiosk contract

export type Challenge = 'turn_left' | 'turn_right' | 'blink';

export interface SessionView {
  id: string;
  name: string;
  roomId: string;
  roomName: string;
  startsAt: string;
  startsAtLocal: string;
  status: string;
  admitted?: number;
  total?: number;
}

export interface KioskState {
  kiosk: { id: string; name: string };
  site: { id: string; name: string };
  serverTime: string;
  sessions: SessionView[];
  challenges: Challenge[];
  frames: { min: number; max: number; recommended: number; seconds: number };
}

export interface CandidateView {
  name: string;
  idNumberMasked: string;
  ticketNo?: string;
  photoUrl?: string;
  hasPhoto?: boolean;
  cardPhoto?: boolean;
}

export type LookupReply =
  | { ok: true; attemptId: string; expiresAt: string; candidate: CandidateView; session: SessionView; seat: string | null; challenge: Challenge }
  | { ok: false; reason: string; detail: string; message: string; candidate: CandidateView | null; session: SessionView | null; admittedAt: string | null; seat: string | null };

export type LookupBody = { source: 'typed'; idNumber: string } | { source: 'card'; cardId: string };

export type VerifyReply =
  | { ok: true; decision: 'admitted'; attemptId: string; seat: string; roomId: string; roomName: string; distance: number; cardDistance: number | null; threshold: number }
  | { ok: false; decision: 'refused'; attemptId: string; reason: string; detail: string; message: string; distance: number | null; threshold: number; retryAllowed: boolean };

export type QualityHint = 'no_face' | 'several_faces' | 'too_small' | 'too_close' | 'off_center' | 'turned' | 'blurred';

export interface QualityReply {
  face: boolean;
  faces: number;
  box: { x: number; y: number; width: number; height: number } | null;
  imageWidth: number;
  imageHeight: number;
  yaw: number;
  eyeOpenness: number;
  hints: QualityHint[];
}

export interface OverrideReply {
  ok: true;
  decision: 'admitted';
  seat: string;
  roomId: string;
  roomName: string;
  by: string;
}

export interface CardEvent {
  cardId: string;
  name: string;
  idNumberMasked: string;
  hasPhoto: boolean;
  validUntil: string | null;
}

export const kioskState = () => call<KioskState>('GET', '/api/kiosk/state');
export const lookup = (body: LookupBody) => call<LookupReply>('POST', '/api/kiosk/lookup', body);
export const quality = (frame: string, signal?: AbortSignal) => call<QualityReply>('POST', '/api/kiosk/quality', { frame }, signal);
export const verify = (attemptId: string, frames: string[]) => call<VerifyReply>('POST', `/api/kiosk/attempts/${encodeURIComponent(attemptId)}/verify`, { frames });
export const override = (attemptId: string, body: { username: string; password: string; reason: string }) =>
  call<OverrideReply>('POST', `/api/kiosk/attempts/${encodeURIComponent(attemptId)}/override`, body);
