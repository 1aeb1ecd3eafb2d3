// The object store as the server runs it: the client made from objectStore: (its secret and CA read
// from their files here, never kept in Config), the monitor that probes it at start and now and then,
// and the words /healthz and the System page show. A store that fails the probe never stops the start.
import { readFileSync } from 'node:fs';
import { readObjectStoreSecret, type Config } from '../config/index.ts';
import type { Clock } from '../core/index.ts';
import { createObjectStore, createObjectStoreMonitor, type MonitorLog, type ObjectStoreMonitor } from '../storage/object-store/index.ts';
import type { ObjectStoreStatus } from './protocol.ts';

export function openObjectStore(config: Config, deps: { clock: Clock; log?: MonitorLog; intervalMs?: number }): ObjectStoreMonitor | null {
  const c = config.objectStore;
  if (!c) return null;
  const store = createObjectStore({
    endpoint: c.endpoint,
    bucket: c.bucket,
    region: c.region,
    addressing: c.addressing,
    accessKeyId: c.accessKeyId,
    secret: readObjectStoreSecret(c),
    ca: c.caFile ? readFileSync(c.caFile, 'utf8') : null,
    prefix: c.prefix,
    objectLock: c.objectLock,
    clock: deps.clock,
  });
  return createObjectStoreMonitor({
    store,
    clock: deps.clock,
    ...(deps.log ? { log: deps.log } : {}),
    ...(deps.intervalMs ? { intervalMs: deps.intervalMs } : {}),
  });
}

/** The store's state for /healthz and GET /api/system/status; no secret, no access key id. */
export function objectStoreStatus(config: Config, monitor: ObjectStoreMonitor | null): ObjectStoreStatus | null {
  const c = config.objectStore;
  if (!c || !monitor) return null;
  const p = monitor.latest();
  return {
    state: p === null ? 'checking' : p.ok ? 'ok' : 'failed',
    endpoint: c.endpoint,
    bucket: c.bucket,
    prefix: c.prefix,
    objectLock: c.objectLock,
    hotDays: c.hotDays,
    uploadWindow: c.uploadWindow === 'always' ? 'always' : c.uploadWindow.text,
    bandwidthMbps: c.bandwidthMbps,
    problem: p?.problem ?? null,
    message: p?.message ?? null,
    reachable: p?.reachable ?? null,
    writable: p?.writable ?? null,
    versioning: p?.versioning ?? null,
    verifiedBy: p ? (p.storeChecksums ? 'store-checksum' : 'read-back') : null,
    checkedAt: p?.checkedAt ?? null,
  };
}
