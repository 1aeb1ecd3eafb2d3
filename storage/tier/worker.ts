// The tier worker: moves closed files older than hotDays (earlier, oldest first, when the disk runs short)
// to the object store inside the upload window, under a bandwidth cap and a small bounded concurrency, so
// recording (ffmpeg, its own processes) and exams never wait on it. Each file: hash if its index has none,
// upload with its metadata and lock, verified (store checksum or read-back) → the tier row → only then the
// local copy goes. A store that is down leaves the backlog on the local disk; it drains when the store is
// back, each file once (an object found under its key with the same SHA-256 is adopted, not uploaded again).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { Clock } from '../../core/index.ts';
import { localDateTime } from '../../core/index.ts';
import type { AuditLog } from '../audit.ts';
import type { Db } from '../db.ts';
import { diskSpace } from '../disk-forecast.ts';
import { objectKey } from './keys.ts';
import { AREA_OF_KIND, createTierRows, type TierArea, type TierCheckResult, type TierKind, type TierRow, type TierRows } from './rows.ts';

const DAY = 86_400_000;

/** What the worker needs of the object store client (storage/object-store/), structurally. */
export interface TierObjectStore {
  putFile(
    localPath: string,
    key: string,
    opts: {
      metadata: { source: string; start: number; end: number; sha256?: string };
      retainUntil?: number | null;
      signal?: AbortSignal;
      throttle?: (bytes: number, signal?: AbortSignal) => Promise<void>;
    },
  ): Promise<{ key: string; versionId: string | null; sha256: string; bytes: number; verifiedBy: 'store-checksum' | 'read-back'; retainUntil?: number | null }>;
  getRange(key: string, versionId: string | null, start?: number, end?: number, opts?: { signal?: AbortSignal }): Promise<Readable>;
  head(key: string, versionId?: string | null): Promise<{ versionId: string | null; bytes: number; sha256: string | null; retainUntil: number | null } | null>;
  versions(key: string): Promise<{ versionId: string; isLatest: boolean; deleteMarker: boolean; lastModified: number | null }[]>;
  deleteAllVersions(key: string, opts: { retainUntil: number | null }): Promise<{ deleted: number }>;
  listStaleUploads(olderThanMs: number): Promise<{ key: string; uploadId: string; initiated: number }[]>;
  abortUpload(upload: { key: string; uploadId: string }): Promise<void>;
}

/** A closed file its owning module offers for tiering. */
export interface TierCandidate {
  kind: TierKind;
  /** Relative to the kind's folder, exactly as the owning index stores it. */
  path: string;
  source: string;
  start: number;
  end: number;
  bytes: number;
  /** From the owning index; null for files closed before hashes were kept (the worker hashes them). */
  sha256: string | null;
  /** Object lock end when the owner keeps the file by a rule of its own (face data: capture_expires_at); default end + retentionDays. */
  retainUntil?: number;
}

/** One owning module's tierable files, offered through its index.ts and wired in by the server. */
export interface TierProvider {
  kind: TierKind;
  /** Closed files whose content ended in [since, before), oldest end first, at most `limit`. Tiered ones may be among them. */
  candidates(since: number, before: number, limit: number): TierCandidate[];
  /** Files and bytes of the owning index that ended in [since, before) (tiered or not). */
  sum(since: number, before: number): { files: number; bytes: number };
  /** Every file and byte the owning index holds. */
  total(): { files: number; bytes: number };
  /** Store a hash the worker computed for a file closed before hashes were kept (the owner's column). */
  setSha256?(path: string, sha256: string): void;
  /**
   * The owner keeps the local copy and deletes it by a rule of its own (face data: storage/face-retention.ts),
   * so the store holds a copy, not the only one: every reader keeps reading the local file, the worker never
   * unlinks it, and the retention sweep leaves these objects alone. Their objects go when `released` says so.
   */
  keepLocal?: boolean;
  /** Of these paths, the ones the owner no longer keeps (its rule deleted the file and its row): their objects are deleted, every version. */
  released?(paths: string[]): string[];
}

export interface TierAlert {
  kind: 'integrity' | 'backlog';
  at: number;
  /** integrity: the object key and version; backlog: null. */
  key: string | null;
  versionId?: string | null;
  path?: string;
  result?: TierCheckResult;
  detail: string;
  /** backlog: bytes waiting, and the days the local disk holds at today's recording rate (null: unknown). */
  waitingBytes?: number;
  daysLeft?: number | null;
  ok?: boolean;
}

export interface TierWorkerDeps {
  db: Db;
  clock: Clock;
  /** null: no objectStore configured; media stays local and the worker only reports that. */
  store: TierObjectStore | null;
  folders: Record<TierArea, string>;
  site: string;
  timeZone: string;
  prefix: string;
  hotDays: number;
  retentionDays: number;
  /** Object lock: retain-until = end of the recording + retention (none: no lock asked for). */
  objectLock: 'none' | 'governance' | 'compliance';
  /** Minutes of the site's day uploads may run, [from, to) — to < from crosses midnight (objectStore.uploadWindow). */
  window: 'always' | { from: number; to: number };
  /** Bytes per second over all uploads; null = no cap. */
  bandwidthBytesPerSec: number | null;
  /** Uploads at once (default 2). */
  concurrency?: number;
  providers: TierProvider[];
  audit: AuditLog;
  alert?: (a: TierAlert) => void;
  /** Bytes the site records per day (the disk forecast's figure), for the days-left of a backlog. */
  recordingBytesPerDay?: () => number | null;
  /** Space that must stay free on the media disk (retention.minFreeGiB). */
  minFreeBytes?: number;
  log?: { info(o: unknown, m?: string): void; warn(o: unknown, m?: string): void; error(o: unknown, m?: string): void };
  /** Intervals: the upload pass (default 60 s), the integrity sample (1 h) and its size (3), the remote retention sweep (1 h). */
  intervals?: { passMs?: number; sampleMs?: number; sampleSize?: number; sweepMs?: number };
}

export interface TierStatus {
  configured: boolean;
  site: string;
  bytesLocal: number;
  bytesTiered: number;
  objectsTiered: number;
  bytesWaiting: number;
  filesWaiting: number;
  /** Days the local disk holds the backlog's growth at today's rate while the store stays unreachable; null when nothing waits or the rate is unknown. */
  daysLeft: number | null;
  lastUpload: { at: number; key: string } | null;
  lastError: { at: number; message: string } | null;
  storeDownSince: number | null;
  windowOpen: boolean;
  uploading: number;
  uploadedBytes: number;
  lastCheck: { at: number; key: string; result: TierCheckResult } | null;
  problems: number;
}

export interface TierWorker {
  rows: TierRows;
  /** One upload pass now (the timer runs it every passMs); resolves when the pass ends. */
  runPass(): Promise<{ uploaded: number; failed: number; waiting: number }>;
  /** The integrity sample now: re-reads `n` of the least recently checked objects. */
  sample(n?: number): Promise<{ key: string; result: TierCheckResult }[]>;
  /** Remote deletion after retention now (every version), audited. */
  sweepRemote(): Promise<{ deleted: number; refused: number }>;
  /** Deletes one tiered file's objects; refused inside retention (by the appliance, before the store is asked). */
  deleteRemote(area: TierArea, path: string, by: string): Promise<{ deleted: number }>;
  /** Aborts multipart uploads a killed run left under this site's prefix. */
  abortStaleUploads(olderThanMs?: number): Promise<number>;
  status(): TierStatus;
  start(): void;
  stop(): Promise<void>;
}

export class TierRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TierRefused';
  }
}

const problemOf = (err: unknown): string | null => (err as { problem?: string } | null)?.problem ?? null;
/** Failures that say "the store as a whole is not there": the pass stops and the backlog waits. */
const STORE_DOWN = new Set(['unreachable', 'tls', 'wrong-key', 'missing-bucket', 'denied', 'store-error']);

export async function sha256OfLocalFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function sha256OfStream(body: Readable): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), bytes };
}

function limiter(bytesPerSecond: number) {
  let nextFree = 0;
  return async (bytes: number, signal?: AbortSignal) => {
    const now = performance.now();
    const at = Math.max(now, nextFree);
    nextFree = at + (bytes / bytesPerSecond) * 1000;
    const wait = at - now;
    if (wait < 1) return;
    await new Promise<void>((res, rej) => {
      const t = setTimeout(res, wait);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          rej(new Error('aborted'));
        },
        { once: true },
      );
    });
  };
}

export function createTierWorker(deps: TierWorkerDeps): TierWorker {
  const { clock, audit } = deps;
  const rows = createTierRows(deps.db);
  const concurrency = Math.max(1, deps.concurrency ?? 2);
  const iv = { passMs: 60_000, sampleMs: 3_600_000, sampleSize: 3, sweepMs: 3_600_000, ...deps.intervals };
  const throttle = deps.bandwidthBytesPerSec ? limiter(deps.bandwidthBytesPerSec) : undefined;
  const roots = Object.fromEntries(Object.entries(deps.folders).map(([k, v]) => [k, resolve(v)])) as Record<TierArea, string>;
  /** Per kind, the end before which every file is tiered (or gone): the next pass starts there, so a pass costs the backlog, not the archive. */
  const floor = {
    get: (k: TierKind) => rows.floor(k),
    set: (k: TierKind, ms: number) => {
      if (ms !== rows.floor(k)) rows.setFloor(k, ms);
    },
  };
  /** Files that failed for a reason of their own (missing locally, a foreign object under the key): skipped until restart, counted as problems. */
  const skipped = new Map<string, string>();
  let lastError: { at: number; message: string } | null = null;
  let storeDownSince: number | null = null;
  let lastCheck: TierStatus['lastCheck'] = null;
  let uploading = 0;
  let uploadedBytes = 0;
  let waiting = { files: 0, bytes: 0 };
  let passing: Promise<{ uploaded: number; failed: number; waiting: number }> | null = null;
  let timers: NodeJS.Timeout[] = [];
  const abort = new AbortController();
  let backlogAlerted = false;
  /** Kinds whose owner keeps the local copy and deletes it by its own rule (face data). */
  const keepLocal: TierKind[] = deps.providers.filter((p) => p.keepLocal).map((p) => p.kind);

  const fileOf = (area: TierArea, path: string): string | null => {
    const f = resolve(roots[area], path);
    return f.startsWith(roots[area] + sep) ? f : null;
  };

  const windowOpen = (): boolean => {
    const w = deps.window;
    if (w === 'always' || w.from === w.to) return true;
    const t = localDateTime(clock.now(), deps.timeZone);
    const m = Number(t.slice(11, 13)) * 60 + Number(t.slice(14, 16));
    return w.from < w.to ? m >= w.from && m < w.to : m >= w.from || m < w.to;
  };

  /** The media disk is short when less than two days of recording fit above the floor: tier everything closed, oldest first. */
  const diskShort = (): boolean => {
    const perDay = deps.recordingBytesPerDay?.() ?? null;
    if (!perDay) return false;
    try {
      return diskSpace(roots.media).freeBytes - (deps.minFreeBytes ?? 0) < 2 * perDay;
    } catch {
      return false;
    }
  };

  const hotCutoff = (now: number) => (diskShort() ? now : now - deps.hotDays * DAY);

  /** The untiered files of each provider in [floor, before), oldest first over all kinds. */
  async function collect(before: number, want: number): Promise<TierCandidate[]> {
    const out: TierCandidate[] = [];
    for (const p of deps.providers) {
      const area = AREA_OF_KIND[p.kind];
      const seen = new Set<string>();
      let since = floor.get(p.kind) ?? Number.MIN_SAFE_INTEGER;
      let firstOpen: number | null = null;
      let got = 0;
      let reachedEnd = false;
      let lastSeen: number | null = null;
      for (let guard = 0; guard < 1000 && got < want; guard++) {
        // A first pass over a long history reads it in batches without holding the event loop.
        if (guard > 0) await new Promise((r) => setImmediate(r));
        const batch = p.candidates(since, before, 200);
        for (const c of batch) {
          lastSeen = c.end;
          if (seen.has(c.path)) continue;
          seen.add(c.path);
          if (rows.get(area, c.path)) continue;
          firstOpen ??= c.end;
          if (skipped.has(`${area}:${c.path}`)) continue;
          out.push(c);
          got++;
        }
        if (batch.length < 200) {
          reachedEnd = true;
          break;
        }
        const last = batch.at(-1)!.end;
        // 200 files ending at one instant: step past it (a pathological index; the rest wait for a restart).
        since = last === since ? last + 1 : last;
      }
      // Everything before the first untiered file is tiered: the next pass starts there. With none, at the
      // last file seen (not at `before`: a file indexed later with an older end, e.g. restored, is still found).
      if (firstOpen !== null) floor.set(p.kind, firstOpen);
      else if (reachedEnd && lastSeen !== null) floor.set(p.kind, lastSeen);
    }
    return out.sort((a, b) => a.end - b.end).slice(0, want);
  }

  function measureWaiting(before: number) {
    let files = 0;
    let bytes = 0;
    for (const p of deps.providers) {
      const since = floor.get(p.kind) ?? Number.MIN_SAFE_INTEGER;
      const all = p.sum(since, before);
      const done = rows.sumRange(p.kind, since, before);
      files += Math.max(0, all.files - done.files);
      bytes += Math.max(0, all.bytes - done.bytes);
    }
    // Files left local for a reason of their own are problems, not backlog: the store cannot take them.
    waiting = { files: Math.max(0, files - skipped.size), bytes };
  }

  function daysLeft(): number | null {
    const perDay = deps.recordingBytesPerDay?.() ?? null;
    if (!perDay || perDay <= 0) return null;
    try {
      return Math.max(0, (diskSpace(roots.media).freeBytes - (deps.minFreeBytes ?? 0)) / perDay);
    } catch {
      return null;
    }
  }

  /** Deletes the local copy of a verified row (and its day folder when that empties). */
  async function dropLocal(row: TierRow) {
    const file = fileOf(row.area, row.path);
    if (file) {
      try {
        await unlink(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      await rmdir(dirname(file)).catch(() => {});
    }
    rows.markLocalDeleted(row.area, row.path, clock.now());
  }

  async function tierOne(c: TierCandidate): Promise<void> {
    const store = deps.store!;
    const area = AREA_OF_KIND[c.kind];
    const file = fileOf(area, c.path);
    const id = `${area}:${c.path}`;
    if (!file) {
      skipped.set(id, 'path outside its folder');
      return;
    }
    const st = await stat(file).catch(() => null);
    if (!st) {
      skipped.set(id, 'the local file is missing');
      deps.log?.warn({ path: c.path, kind: c.kind }, 'tier: an indexed file is missing on the local disk; not tiered');
      return;
    }
    let sha256 = c.sha256;
    if (!sha256) {
      // Closed before hashes were kept (segments before migration 015): hashed now, before anything leaves.
      sha256 = await sha256OfLocalFile(file);
      deps.providers.find((p) => p.kind === c.kind)?.setSha256?.(c.path, sha256);
    }
    const key = objectKey({ prefix: deps.prefix, site: deps.site, kind: c.kind, source: c.source, start: c.start, path: c.path, timeZone: deps.timeZone });
    const until = c.retainUntil ?? c.end + deps.retentionDays * DAY;
    // A lock date already past (face data its owner is about to delete) is refused by the store: no lock is asked for.
    const retainUntil = deps.objectLock === 'none' || until <= clock.now() ? null : until;
    // A run killed after the store took the file but before the row was written left it there: adopt that
    // version (after a read-back) instead of writing a second one. A different file under our key is not ours to overwrite.
    const there = await store.head(key);
    let result: { versionId: string | null; verifiedBy: 'store-checksum' | 'read-back'; bytes: number; retainUntil?: number | null };
    if (there) {
      if (there.sha256 !== sha256) {
        skipped.set(id, `the store already holds a different object under ${key}`);
        const detail = `the store already holds an object under ${key} (version ${there.versionId ?? 'unversioned'}, SHA-256 ${there.sha256 ?? 'none'}) that is not the file ${c.path} (SHA-256 ${sha256}); the file stays on the local disk`;
        audit.append({
          actor: 'system',
          action: 'tier.object.conflict',
          target: key,
          detail: { path: c.path, versionId: there.versionId, theirs: there.sha256, ours: sha256 },
        });
        deps.alert?.({ kind: 'integrity', at: clock.now(), key, versionId: there.versionId, path: c.path, result: 'mismatch', detail });
        return;
      }
      const back = await sha256OfStream(await store.getRange(key, there.versionId, undefined, undefined, { signal: abort.signal }));
      if (back.sha256 !== sha256) throw new Error(`reading back ${key} (version ${there.versionId}) gave SHA-256 ${back.sha256}, not ${sha256}`);
      result = { versionId: there.versionId, verifiedBy: 'read-back', bytes: back.bytes, retainUntil: there.retainUntil };
    } else {
      uploading++;
      try {
        const put = await store.putFile(file, key, {
          metadata: { source: c.source, start: c.start, end: c.end, sha256 },
          retainUntil,
          signal: abort.signal,
          ...(throttle ? { throttle } : {}),
        });
        if (put.sha256 !== sha256) throw new Error(`uploaded ${key} has SHA-256 ${put.sha256}, but the index says ${sha256}`);
        result = put;
        uploadedBytes += put.bytes;
      } finally {
        uploading--;
      }
    }
    const row = rows.record({
      area,
      path: c.path,
      kind: c.kind,
      source: c.source,
      start: c.start,
      end: c.end,
      bytes: result.bytes,
      sha256,
      key,
      versionId: result.versionId,
      retainUntil: result.retainUntil ?? retainUntil,
      verifiedBy: result.verifiedBy === 'store-checksum' ? 'checksum' : 'readback',
      verifiedAt: clock.now(),
    });
    if (!keepLocal.includes(c.kind)) await dropLocal(row);
  }

  async function pass(): Promise<{ uploaded: number; failed: number; waiting: number }> {
    const now = clock.now();
    const before = hotCutoff(now);
    let uploaded = 0;
    let failed = 0;
    if (deps.store && storeDownSince === null) {
      // A crash between a verified row and the unlink: finish the unlink first.
      for (const r of rows.localPending(100, keepLocal))
        await dropLocal(r).catch((err: unknown) => deps.log?.warn({ err, path: r.path }, 'tier: could not delete a local copy'));
    }
    if (deps.store && windowOpen()) {
      const queue = await collect(before, 50);
      let down: unknown = null;
      const next = async () => {
        for (let c = queue.shift(); c && !down && !abort.signal.aborted; c = queue.shift()) {
          try {
            await tierOne(c);
            uploaded++;
          } catch (err) {
            failed++;
            if (abort.signal.aborted) return;
            const problem = problemOf(err);
            lastError = { at: clock.now(), message: (err as Error).message };
            if (problem === 'local-changed' || problem === 'verify-failed') skipped.set(`${AREA_OF_KIND[c.kind]}:${c.path}`, (err as Error).message);
            else if (problem === null || STORE_DOWN.has(problem)) down = err;
            deps.log?.warn({ err, path: c.path }, 'tier: upload failed; the file stays on the local disk');
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, next));
      if (down) storeDownSince ??= clock.now();
      else if (uploaded > 0 || queue.length === 0) {
        storeDownSince = null;
        if (uploaded > 0 && failed === 0) lastError = null;
      }
    }
    measureWaiting(before);
    checkBacklog();
    return { uploaded, failed, waiting: waiting.files };
  }

  /** A backlog that waits because the store is unreachable is an alert with the days the local disk has left. */
  function checkBacklog() {
    const bad = storeDownSince !== null && waiting.files > 0;
    if (bad) {
      const left = daysLeft();
      deps.alert?.({
        kind: 'backlog',
        at: clock.now(),
        key: null,
        ok: false,
        waitingBytes: waiting.bytes,
        daysLeft: left,
        detail: `the object store has been unreachable since ${new Date(storeDownSince!).toISOString()} (${lastError?.message ?? 'no answer'}); ${waiting.files} files (${waiting.bytes} bytes) wait on the local disk${left === null ? '' : `, which holds about ${left.toFixed(1)} more days of recording`}`,
      });
      backlogAlerted = true;
    } else if (backlogAlerted) {
      backlogAlerted = false;
      deps.alert?.({
        kind: 'backlog',
        at: clock.now(),
        key: null,
        ok: true,
        waitingBytes: waiting.bytes,
        daysLeft: null,
        detail: 'the object store is reachable again',
      });
    }
  }

  async function checkOne(r: TierRow): Promise<{ result: TierCheckResult; detail: string | null }> {
    const store = deps.store!;
    try {
      const h = await store.head(r.key, r.versionId);
      if (!h) return { result: 'missing', detail: `version ${r.versionId ?? '(unversioned)'} of ${r.key} is not in the store` };
      const got = await sha256OfStream(await store.getRange(r.key, r.versionId, undefined, undefined, { signal: abort.signal }));
      if (got.sha256 !== r.sha256 || got.bytes !== r.bytes)
        return {
          result: 'mismatch',
          detail: `${r.key} version ${r.versionId ?? '(unversioned)'} reads ${got.bytes} bytes with SHA-256 ${got.sha256}; the index says ${r.bytes} bytes, ${r.sha256}`,
        };
      if (r.versionId) {
        const vs = await store.versions(r.key);
        const latest = vs.find((v) => v.isLatest);
        if (latest && latest.versionId !== r.versionId)
          return {
            result: 'newer_version',
            detail: `someone wrote ${latest.deleteMarker ? 'a delete marker' : `version ${latest.versionId}`} over ${r.key} after the appliance's version ${r.versionId} (still intact)`,
          };
      }
      return { result: 'ok', detail: null };
    } catch (err) {
      const problem = problemOf(err);
      if (problem === 'missing-object') return { result: 'missing', detail: (err as Error).message };
      return { result: 'error', detail: (err as Error).message };
    }
  }

  /**
   * Objects of files their owner has deleted by its own rule (face retention, a person's erasure): every
   * version goes, audited. Walks the kind's objects still in the store by path, a batch at a time, asking
   * the owner which it released (by primary key: cheap at any count).
   */
  async function sweepReleased(): Promise<{ deleted: number; refused: number }> {
    let deleted = 0;
    let refused = 0;
    for (const p of deps.providers) {
      if (!p.keepLocal || !p.released) continue;
      let after = '';
      for (;;) {
        const batch = rows.inStore(p.kind, after, 500);
        if (batch.length === 0) break;
        after = batch.at(-1)!.path;
        const gone = new Set(p.released(batch.map((r) => r.path)));
        for (const r of batch) {
          if (!gone.has(r.path) || abort.signal.aborted) continue;
          try {
            const d = await deps.store!.deleteAllVersions(r.key, { retainUntil: r.retainUntil });
            rows.markRemoteDeleted(r.area, r.path, clock.now());
            audit.append({
              actor: 'system',
              action: 'tier.object.deleted',
              target: r.key,
              detail: { path: r.path, kind: r.kind, versions: d.deleted, reason: 'face-retention' },
            });
            deleted++;
          } catch (err) {
            refused++;
            lastError = { at: clock.now(), message: (err as Error).message };
            deps.log?.warn({ err, key: r.key }, 'tier: deleting the object of a released face file failed');
          }
        }
        if (batch.length < 500) break;
        await new Promise((r) => setImmediate(r));
      }
    }
    return { deleted, refused };
  }

  const api: TierWorker = {
    rows,
    runPass() {
      passing ??= pass().finally(() => {
        passing = null;
      });
      return passing;
    },
    async sample(n = iv.sampleSize) {
      if (!deps.store) return [];
      const out: { key: string; result: TierCheckResult }[] = [];
      for (const r of rows.leastRecentlyChecked(n)) {
        const { result, detail } = await checkOne(r);
        const at = clock.now();
        rows.markChecked(r.area, r.path, at, result, detail);
        lastCheck = { at, key: r.key, result };
        out.push({ key: r.key, result });
        if (result === 'error') continue; // the store not answering is the backlog's alert, not evidence tampered with
        if (result !== 'ok') {
          audit.append({
            actor: 'system',
            action: 'tier.integrity.failed',
            target: r.key,
            detail: { versionId: r.versionId, path: r.path, kind: r.kind, result, detail },
          });
          deps.alert?.({ kind: 'integrity', at, key: r.key, versionId: r.versionId, path: r.path, result, detail: detail ?? result });
        }
      }
      return out;
    },
    async sweepRemote() {
      if (!deps.store || storeDownSince !== null) return { deleted: 0, refused: 0 };
      const now = clock.now();
      let deleted = 0;
      let refused = 0;
      for (const r of rows.expired(now - deps.retentionDays * DAY, now, 200, keepLocal)) {
        try {
          const d = await deps.store.deleteAllVersions(r.key, { retainUntil: r.retainUntil });
          rows.markRemoteDeleted(r.area, r.path, clock.now());
          audit.append({
            actor: 'system',
            action: 'tier.object.deleted',
            target: r.key,
            detail: { path: r.path, kind: r.kind, versions: d.deleted, reason: 'retention' },
          });
          deleted++;
        } catch (err) {
          refused++;
          lastError = { at: clock.now(), message: (err as Error).message };
          deps.log?.warn({ err, key: r.key }, 'tier: deleting an expired object failed');
        }
      }
      const released = await sweepReleased();
      return { deleted: deleted + released.deleted, refused: refused + released.refused };
    },
    async deleteRemote(area, path, by) {
      const r = rows.get(area, path);
      if (!r || r.remoteDeletedAt !== null) throw new TierRefused(`${area}/${path} is not in the object store`);
      const now = clock.now();
      const until = Math.max(r.retainUntil ?? 0, r.end + deps.retentionDays * DAY);
      if (until > now)
        throw new TierRefused(`refused to delete ${r.key}: it is evidence kept until ${new Date(until).toISOString()} (retention ${deps.retentionDays} days)`);
      const d = await deps.store!.deleteAllVersions(r.key, { retainUntil: r.retainUntil });
      rows.markRemoteDeleted(area, path, clock.now());
      audit.append({ actor: by, action: 'tier.object.deleted', target: r.key, detail: { path, kind: r.kind, versions: d.deleted, reason: 'requested' } });
      return d;
    },
    async abortStaleUploads(olderThanMs = 0) {
      if (!deps.store) return 0;
      const base = `${[deps.prefix.replace(/^\/+|\/+$/g, ''), deps.site].filter(Boolean).join('/')}/`;
      const stale = (await deps.store.listStaleUploads(olderThanMs)).filter((u) => u.key.startsWith(base) && !u.key.startsWith(`${base}backups/`));
      for (const u of stale) await deps.store.abortUpload(u);
      if (stale.length) deps.log?.info({ aborted: stale.length }, 'tier: unfinished multipart uploads of an earlier run aborted');
      return stale.length;
    },
    status() {
      const totals = rows.totals();
      let tiered = 0;
      let objects = 0;
      let gone = 0;
      for (const t of Object.values(totals)) {
        tiered += t.bytes;
        objects += t.objects;
        gone += t.localGoneBytes;
      }
      const indexed = deps.providers.reduce((a, p) => a + p.total().bytes, 0);
      return {
        configured: deps.store !== null,
        site: deps.site,
        bytesLocal: Math.max(0, indexed - gone),
        bytesTiered: tiered,
        objectsTiered: objects,
        bytesWaiting: waiting.bytes,
        filesWaiting: waiting.files,
        daysLeft: storeDownSince !== null && waiting.files > 0 ? daysLeft() : null,
        lastUpload: rows.lastUpload(),
        lastError,
        storeDownSince,
        windowOpen: windowOpen(),
        uploading,
        uploadedBytes,
        lastCheck,
        problems: skipped.size,
      };
    },
    start() {
      if (!deps.store || timers.length) return;
      const every = (ms: number, fn: () => Promise<unknown>) => {
        const t = setInterval(() => void fn().catch((err: unknown) => deps.log?.error({ err }, 'tier worker failed')), ms);
        t.unref();
        timers.push(t);
      };
      // A killed run's multipart uploads first: the files they carried are re-uploaded from the start.
      const first = setTimeout(() => {
        void api
          .abortStaleUploads()
          .catch((err: unknown) => {
            lastError = { at: clock.now(), message: (err as Error).message };
          })
          .then(() => api.runPass())
          .catch((err: unknown) => deps.log?.error({ err }, 'tier worker failed'));
      }, 0);
      first.unref();
      timers.push(first);
      every(iv.passMs, () => api.runPass());
      every(iv.sampleMs, () => api.sample());
      every(iv.sweepMs, () => api.sweepRemote());
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers = [];
      abort.abort();
      await passing?.catch(() => {});
    },
  };
  return api;
}
