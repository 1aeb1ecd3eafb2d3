// What /healthz reports: can we write the database, is there disk for recordings, is ffmpeg there.
import { statfsSync } from 'node:fs';
import { execFile, spawnSync } from 'node:child_process';
import type { Db } from '../storage/index.ts';

export interface Health {
  status: 'ok' | 'degraded' | 'failing';
  db: { ok: boolean; error?: string; schemaVersion?: number };
  disk: { ok: boolean; path: string; freeBytes: number; totalBytes: number; minFreeBytes: number; error?: string };
  ffmpeg: { ok: boolean; version: string | null };
}

let ffmpegCache: { ok: boolean; version: string | null } | null = null;

/** Looked up once per process: installing ffmpeg needs a restart anyway (the unit's PATH is fixed). */
export function findFfmpeg(): { ok: boolean; version: string | null } {
  if (ffmpegCache) return ffmpegCache;
  const r = spawnSync('ffmpeg', ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 5000 });
  const first = r.status === 0 ? (r.stdout.split('\n')[0] ?? '') : '';
  ffmpegCache = { ok: r.status === 0, version: first.match(/ffmpeg version (\S+)/)?.[1] ?? null };
  return ffmpegCache;
}

/** findFfmpeg without blocking the event loop; fills the same cache. */
export function probeFfmpeg(): Promise<{ ok: boolean; version: string | null }> {
  if (ffmpegCache) return Promise.resolve(ffmpegCache);
  return new Promise((resolve) => {
    execFile('ffmpeg', ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 5000 }, (err, stdout) => {
      ffmpegCache ??= { ok: !err, version: err ? null : (stdout.split('\n')[0]?.match(/ffmpeg version (\S+)/)?.[1] ?? null) };
      resolve(ffmpegCache);
    });
  });
}

export function checkHealth(db: Db, dataRoot: string, minFreeGiB: number): Health {
  let dbPart: Health['db'];
  try {
    db.prepare('SELECT 1').get();
    dbPart = { ok: true, schemaVersion: db.pragma('user_version', { simple: true }) as number };
  } catch (err) {
    dbPart = { ok: false, error: (err as Error).message };
  }
  const minFreeBytes = Math.round(minFreeGiB * 1024 ** 3);
  let disk: Health['disk'];
  try {
    const s = statfsSync(dataRoot);
    const freeBytes = s.bavail * s.bsize;
    disk = { ok: freeBytes >= minFreeBytes, path: dataRoot, freeBytes, totalBytes: s.blocks * s.bsize, minFreeBytes };
  } catch (err) {
    disk = { ok: false, path: dataRoot, freeBytes: 0, totalBytes: 0, minFreeBytes, error: (err as Error).message };
  }
  const ffmpeg = findFfmpeg();
  const status = !dbPart.ok ? 'failing' : disk.ok && ffmpeg.ok ? 'ok' : 'degraded';
  return { status, db: dbPart, disk, ffmpeg };
}
