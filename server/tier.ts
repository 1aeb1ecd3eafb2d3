// The object-store tier as the server runs it: the owning modules' tierable files (media's segments,
// records' and training's archives; kiosk captures and seat snapshots as copies whose local file stays
// until face retention deletes it, and then the object too) handed to storage/tier's worker, its alerts onto the event bus (the
// proctor console raises them), GET /api/storage/tier and the examroom_tier_* metrics. With no
// objectStore configured the worker only reports that media stays local.
import type { FastifyPluginAsync } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import type { Config } from '../config/index.ts';
import type { Clock, EventBus } from '../core/index.ts';
import { captureTierFiles } from '../kiosk/index.ts';
import { segmentTierFiles } from '../media/index.ts';
import { sessionArchiveTierFiles } from '../records/index.ts';
import { snapshotTierFiles } from '../terminal/index.ts';
import { classArchiveTierFiles } from '../training/index.ts';
import { createTierWorker, mergeTierProviders, type AuditLog, type DataPaths, type Db, type TierObjectStore, type TierWorker } from '../storage/index.ts';
import { TierStatusT, type TierStatusView } from '../storage/tier/protocol.ts';

const MBIT = 1_000_000 / 8;

export interface TierWiring {
  db: Db;
  clock: Clock;
  bus: EventBus;
  config: Config;
  paths: DataPaths;
  audit: AuditLog;
  store: TierObjectStore | null;
  /** Bytes the site records per day (media's disk forecast), for the days a backlog leaves. */
  recordingBytesPerDay: () => number | null;
  registry: Registry;
  log?: { info(o: unknown, m?: string): void; warn(o: unknown, m?: string): void; error(o: unknown, m?: string): void };
  intervals?: { passMs?: number; sampleMs?: number; sampleSize?: number; sweepMs?: number };
}

export function createTier(w: TierWiring): TierWorker {
  const c = w.config.objectStore;
  const worker = createTierWorker({
    db: w.db,
    clock: w.clock,
    store: c ? w.store : null,
    folders: { media: w.paths.media, captures: w.paths.captures, archives: w.paths.archives },
    site: w.config.site.id,
    timeZone: w.config.site.timezone,
    prefix: c?.prefix ?? '',
    hotDays: c?.hotDays ?? 7,
    retentionDays: w.config.retention.days,
    objectLock: c?.objectLock ?? 'none',
    window: c && c.uploadWindow !== 'always' ? { from: c.uploadWindow.from, to: c.uploadWindow.to } : 'always',
    bandwidthBytesPerSec: c?.bandwidthMbps ? c.bandwidthMbps * MBIT : null,
    providers: [
      segmentTierFiles(w.db),
      mergeTierProviders('archive', [sessionArchiveTierFiles(w.db), classArchiveTierFiles(w.db)]),
      captureTierFiles(w.db, { capturesDir: w.paths.captures, retentionDays: w.config.retention.days }),
      snapshotTierFiles(w.db, { retentionDays: w.config.retention.days }),
    ],
    audit: w.audit,
    recordingBytesPerDay: w.recordingBytesPerDay,
    minFreeBytes: Math.round(w.config.retention.minFreeGiB * 1024 ** 3),
    alert: (a) => {
      if (a.kind === 'backlog')
        w.bus.emit('tier.backlog', { ok: a.ok ?? false, waitingBytes: a.waitingBytes ?? 0, daysLeft: a.daysLeft ?? null, detail: a.detail, at: a.at });
      else if (a.key && a.result && a.result !== 'ok' && a.result !== 'error')
        w.bus.emit('tier.integrity', { key: a.key, versionId: a.versionId ?? null, path: a.path ?? '', result: a.result, detail: a.detail, at: a.at });
    },
    ...(w.log ? { log: w.log } : {}),
    ...(w.intervals ? { intervals: w.intervals } : {}),
  });
  registerTierMetrics(w.registry, worker);
  return worker;
}

function registerTierMetrics(registry: Registry, worker: TierWorker) {
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, s: TierStatusView) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        fill(this, worker.status());
      },
    });
  gauge(
    'examroom_tier_bytes',
    'Bytes of media and archives by where they are: local disk, object store, waiting (older than hotDays, not yet in the store)',
    ['where'],
    (g, s) => {
      g.set({ where: 'local' }, s.bytesLocal);
      g.set({ where: 'tiered' }, s.bytesTiered);
      g.set({ where: 'waiting' }, s.bytesWaiting);
    },
  );
  gauge('examroom_tier_files_waiting', 'Files older than hotDays not yet in the object store', [], (g, s) => g.set(s.filesWaiting));
  gauge('examroom_tier_objects', 'Files held in the object store', [], (g, s) => g.set(s.objectsTiered));
  gauge('examroom_tier_uploaded_bytes', 'Bytes uploaded by this process since it started', [], (g, s) => g.set(s.uploadedBytes));
  gauge('examroom_tier_store_down', '1 while uploads fail because the object store is unreachable', [], (g, s) => g.set(s.storeDownSince === null ? 0 : 1));
  gauge('examroom_tier_last_upload_timestamp_seconds', 'When the last verified upload finished (server clock)', [], (g, s) =>
    g.set(s.lastUpload ? s.lastUpload.at / 1000 : 0),
  );
  gauge('examroom_tier_problems', 'Files left on the local disk for a reason of their own (missing, a foreign object under their key)', [], (g, s) =>
    g.set(s.problems),
  );
}

export const tierRoutes: FastifyPluginAsync<{ tier: TierWorker }> = async (app, { tier }) => {
  app.get(
    '/api/storage/tier',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['system'],
        summary: 'The object-store tier of this site: bytes on the local disk, in the store and waiting; the last upload and its error',
        response: { 200: TierStatusT },
      },
    },
    async (): Promise<TierStatusView> => tier.status(),
  );
};
