// The System page's calls: each answers a contract from a protocol file (server/protocol.ts for the
// server's own routes, media/protocol.ts for recording and upstream, media/gb28181/protocol.ts for GB/T 28181).
import { call, HttpError } from '../../../../../web/http.ts';
import type { AuditEntryView, AuditQuery, AuditVerdictView, MaskedConfigView, ObjectStoreStatus, SystemStatus } from '../../../../../server/protocol.ts';
import type { MediaDiskReport, SourceStatus, UpstreamPush } from '../../../../../media/protocol.ts';
import type { Gb28181AdminStatus } from '../../../../../media/gb28181/protocol.ts';

/** GET /api/tls (server/tls/routes.ts); absent (404) on a plain-HTTP server. */
export interface TlsStatus {
  mode: 'site-ca' | 'site-certificate';
  serverTime: number;
  certificates: {
    name: string;
    subject: string;
    names: { dns: string[]; ips: string[] };
    notBefore: number;
    notAfter: number;
    secondsLeft: number;
    fingerprint256: string;
  }[];
  caReplaced: null | { since: number; reason: string; fingerprint: string; message: string; devicesNotSeenSince: { id: string; kind: string }[] };
}

export const getStatus = () => call<SystemStatus>('GET', '/api/system/status');
export const getConfig = () => call<MaskedConfigView>('GET', '/api/system/config');
/**
 * 刷新 asks the object store again (server/routes/object-store-probe.ts; at most once per 15 s): the
 * monitor's own probe runs every 10 minutes, too seldom for a store stopped a minute ago. Only when a
 * store is configured; a refusal leaves the last answer standing (the status call that follows shows it).
 */
export async function probeObjectStore(configured: boolean): Promise<void> {
  if (configured) await call<ObjectStoreStatus>('POST', '/api/system/object-store/probe').catch(() => undefined);
}
export const getDisk = () => call<MediaDiskReport>('GET', '/api/media/disk');
export const getSources = () => call<SourceStatus[]>('GET', '/api/media/sources');
export const getUpstream = () => call<UpstreamPush[]>('GET', '/api/upstream');
export const getGb28181 = () => call<Gb28181AdminStatus>('GET', '/api/gb28181');

/** 'plain-http' = no certificate to show. */
export async function getTls(): Promise<TlsStatus | 'plain-http'> {
  try {
    return await call<TlsStatus>('GET', '/api/tls');
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return 'plain-http';
    throw err;
  }
}

export function getAudit(q: AuditQuery): Promise<AuditEntryView[]> {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') s.set(k, String(v));
  return call<AuditEntryView[]>('GET', `/api/audit?${s}`);
}

export const verifyAudit = () => call<AuditVerdictView>('POST', '/api/audit/verify');
