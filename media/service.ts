// The media service: one supervised ffmpeg per source (ingest.ts, supervisor.ts), segments indexed as
// they close (recorder.ts), the retention sweeper, the disk watch and forecast, and playback.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Conflict, NotFound, ValidationError, type Clock, type EventBus } from '../core/index.ts';
import type { Config } from '../config/index.ts';
import {
  createMediaStore,
  createRetentionSweeper,
  diskSpace,
  forecastDisk,
  type AuditLog,
  type DataPaths,
  type Db,
  type Forecast,
  type MediaStore,
  type RetentionSweeper,
  type SweepResult,
} from '../storage/index.ts';
import { ingestArgs, TsFanout } from './ingest.ts';
import { createRunRecorder, recoverOrphans, runPattern } from './recorder.ts';
import { createSupervisor, type Supervisor } from './supervisor.ts';
import { createPlayback, type Playback } from './playback.ts';
import type { Ingest, SourceSpec, SourceStatus, SubStreamStatus } from './types.ts';

type Log = { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void; info(obj: unknown, msg?: string): void };

export interface MediaDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  config: Config;
  paths: DataPaths;
  audit?: AuditLog;
  log?: Log;
  /** The retention sweeper's clock (defaults to clock): tests fake time there and only there. */
  sweeperClock?: Clock;
  /** Intervals in ms (defaults: disk 30 s, forecast 1 h, sweep 10 min). */
  intervals?: { diskMs?: number; forecastMs?: number; sweepMs?: number };
}

export interface DiskStatus {
  path: string;
  freeBytes: number;
  totalBytes: number;
  minFreeBytes: number;
  reserveBytes: number;
  /** Below retention.minFreeGiB: alarm, recording goes on. */
  low: boolean;
  /** Below media.reserveMiB: no new recording starts (live view goes on). Nothing is ever deleted. */
  recordingBlocked: boolean;
  forecast: Forecast | null;
  error?: string;
}

export interface MediaService {
  ingest: Ingest;
  store: MediaStore;
  playback: Playback;
  sweeper: RetentionSweeper;
  sources(): SourceStatus[];
  source(id: string): SourceStatus;
  addSource(spec: SourceSpec): SourceStatus;
  removeSource(id: string): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Re-reads free space, raises disk.low on the way down, lifts the recording block on the way up. */
  checkDisk(): DiskStatus;
  disk(): DiskStatus;
  runForecast(): Forecast;
  sweep(): SweepResult;
  /** For /healthz: degraded when the media disk is low or a source is down. */
  health(): { ok: boolean; disk: DiskStatus; down: string[] };
}

/** A camera's sub-stream: its own ffmpeg (stream copy, live only) and fan-out; no recording, no bus events. */
interface SubState extends SubStreamStatus {
  url: string;
  fanout: TsFanout;
  supervisor: Supervisor | null;
  /** Told when a new ingest run starts, so live viewers start over on the new timestamps. */
  onRestart: Set<() => void>;
}

interface SourceState {
  spec: SourceSpec & { audio: boolean };
  fanout: TsFanout;
  sub: SubState | null;
  supervisor: Supervisor | null;
  state: 'up' | 'down';
  since: number;
  reason: string | null;
  downAnnounced: boolean;
  recording: boolean;
  bytes: number;
  restarts: number;
  lastSegmentEnd: number | null;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function createMediaService(deps: MediaDeps): MediaService {
  const { db, clock, bus, config, paths } = deps;
  const log = deps.log;
  const mediaDir = paths.media;
  mkdirSync(mediaDir, { recursive: true, mode: 0o750 });
  const store = createMediaStore(db);
  const sweeper = createRetentionSweeper({ db, clock: deps.sweeperClock ?? clock, mediaDir, retentionDays: config.retention.days });
  const playback = createPlayback({
    store,
    mediaDir,
    clock,
    sourceKnown: (id) => sources.has(id) || store.lastSegmentEnd(id) !== null,
    // The segment being written is not in the index yet; it is not a gap.
    recordingSince: (id) => {
      const s = sources.get(id);
      return s && s.state === 'up' && s.recording ? s.since : null;
    },
  });
  const sources = new Map<string, SourceState>();
  const minFreeBytes = Math.round(config.retention.minFreeGiB * 1024 ** 3);
  const reserveBytes = Math.round(config.media.reserveMiB * 1024 ** 2);
  let started = false;
  let stopping = false;
  let lastForecast: Forecast | null = null;
  let forecastAlarm = false;
  let diskLow = false;
  let lastLowLog = 0;
  let recordingBlocked = false;
  let lastDisk: DiskStatus | null = null;
  const timers: NodeJS.Timeout[] = [];

  const status = (s: SourceState): SourceStatus => ({
    id: s.spec.id,
    name: s.spec.name,
    room: s.spec.room,
    kind: s.spec.kind,
    state: s.state,
    since: s.since,
    reason: s.reason,
    recording: s.recording && s.state === 'up',
    bytes: s.bytes,
    restarts: s.restarts,
    lastSegmentEnd: s.lastSegmentEnd,
    subscribers: s.fanout.subscribers.size,
    sub: s.sub ? { state: s.sub.state, since: s.sub.since, reason: s.sub.reason, bytes: s.sub.bytes, restarts: s.sub.restarts } : null,
  });

  const get = (id: string): SourceState => {
    const s = sources.get(id);
    if (!s) throw new NotFound(`media source ${id} does not exist (sources are ${[...sources.keys()].join(', ') || 'none'})`);
    return s;
  };

  const goDown = (s: SourceState, reason: string, stopped = false) => {
    const at = clock.now();
    const wasUp = s.state === 'up';
    s.reason = reason;
    if (wasUp) {
      s.state = 'down';
      s.since = at;
    }
    if (wasUp || !s.downAnnounced) {
      s.downAnnounced = true;
      try {
        store.openOutage(s.spec.id, at, reason);
      } catch (err) {
        log?.error({ err }, 'could not record outage');
      }
      bus.emit('camera.down', { sourceId: s.spec.id, kind: s.spec.kind, room: s.spec.room, at, reason, stopped });
    }
  };

  const launch = (s: SourceState) => {
    const id = s.spec.id;
    let recorder: ReturnType<typeof createRunRecorder> | null = null;
    const startNumber = 0;
    const sup = createSupervisor(
      {
        name: id,
        stallMs: config.media.stallSeconds * 1000,
        maxBackoffMs: config.media.maxBackoffSeconds * 1000,
        now: () => clock.now(),
        ...(log ? { log } : {}),
      },
      {
        plan(n) {
          if (n > 1) s.restarts++;
          const disk = refreshDisk();
          const record = !disk.recordingBlocked;
          const startedAt = clock.now();
          const run = runPattern(id, startedAt);
          if (record) mkdirSync(join(mediaDir, run.dir), { recursive: true, mode: 0o750 });
          recorder = record
            ? createRunRecorder(
                {
                  store,
                  mediaDir,
                  sourceId: id,
                  now: () => clock.now(),
                  onIndexed: (row) => {
                    s.lastSegmentEnd = Math.max(s.lastSegmentEnd ?? 0, row.end);
                    bus.emit('recording.segment', { sourceId: id, segmentId: row.id, start: row.start, end: row.end, bytes: row.bytes });
                  },
                  ...(log ? { log } : {}),
                },
                run,
              )
            : null;
          if (!record && (s.recording || n === 1)) {
            bus.emit('recording.stopped', { sourceId: id, at: startedAt, reason: 'disk below its last-resort floor (media.reserveMiB)' });
            log?.error({ source: id, freeBytes: disk.freeBytes }, 'recording NOT started: the media disk is below its last-resort floor');
          }
          s.recording = record;
          return {
            args: ingestArgs({
              input: s.spec.input,
              audio: s.spec.audio,
              record: record ? { pattern: run.pattern, segmentSeconds: config.media.segmentSeconds, startNumber } : null,
              stallSeconds: config.media.stallSeconds,
            }),
            cwd: mediaDir,
            stdin: 'stream' in s.spec.input ? s.spec.input.stream : null,
          };
        },
        onStdout(chunk) {
          s.bytes += chunk.length;
          s.fanout.push(chunk);
        },
        onListLine(line) {
          recorder?.onListLine(line);
        },
        onUp() {
          const at = clock.now();
          s.state = 'up';
          s.since = at;
          s.reason = null;
          s.downAnnounced = false;
          try {
            store.closeOutage(id, at);
          } catch (err) {
            log?.error({ err }, 'could not close outage');
          }
          bus.emit('camera.up', { sourceId: id, kind: s.spec.kind, room: s.spec.room, at });
        },
        async onExit(info) {
          s.fanout.reset();
          goDown(s, info.stopping ? 'stopped (service shut down or source removed)' : info.reason, info.stopping);
          const rec = recorder;
          recorder = null;
          if (rec) await rec.finish(startNumber, clock.now() - (performance.now() - info.lastActivity));
        },
      },
    );
    s.supervisor = sup;
    sup.start();
  };

  // The sub-stream is a convenience for the console's grid, not evidence: it is never recorded, and its
  // outages raise no camera.down (the main stream's do; a viewer of a down sub-stream is given the main).
  const launchSub = (s: SourceState, sub: SubState) => {
    const name = `${s.spec.id} (sub-stream)`;
    const sup = createSupervisor(
      { name, stallMs: config.media.stallSeconds * 1000, maxBackoffMs: config.media.maxBackoffSeconds * 1000, now: () => clock.now(), ...(log ? { log } : {}) },
      {
        plan(n) {
          if (n > 1) sub.restarts++;
          return { args: ingestArgs({ input: { url: sub.url }, audio: s.spec.audio, record: null, stallSeconds: config.media.stallSeconds }), cwd: mediaDir, stdin: null };
        },
        onStdout(chunk) {
          sub.bytes += chunk.length;
          sub.fanout.push(chunk);
        },
        onUp() {
          sub.state = 'up';
          sub.since = clock.now();
          sub.reason = null;
          for (const fn of [...sub.onRestart]) fn();
        },
        onExit(info) {
          sub.fanout.reset();
          if (sub.state === 'up') sub.since = clock.now();
          sub.state = 'down';
          sub.reason = info.stopping ? 'stopped (service shut down or source removed)' : info.reason;
        },
      },
    );
    sub.supervisor = sup;
    sup.start();
  };

  function refreshDisk(): DiskStatus {
    let d: DiskStatus;
    try {
      const sp = diskSpace(mediaDir);
      d = { path: mediaDir, ...sp, minFreeBytes, reserveBytes, low: sp.freeBytes < minFreeBytes, recordingBlocked: sp.freeBytes < reserveBytes, forecast: lastForecast };
    } catch (err) {
      d = { path: mediaDir, freeBytes: 0, totalBytes: 0, minFreeBytes, reserveBytes, low: true, recordingBlocked: false, forecast: lastForecast, error: (err as Error).message };
    }
    const wasBlocked = recordingBlocked;
    // Loud and repeated while it lasts (every 10 minutes), not once into a log nobody reads.
    if (d.low && diskLow && performance.now() - lastLowLog > 600_000) {
      lastLowLog = performance.now();
      log?.error({ path: mediaDir, freeBytes: d.freeBytes, minFreeBytes, recordingBlocked: d.recordingBlocked }, 'media disk is still nearly full — add disk space');
    }
    if (d.low && !diskLow) {
      lastLowLog = performance.now();
      // Loud on purpose: the appliance keeps recording, but an operator must act (add disk) now.
      log?.error({ path: mediaDir, freeBytes: d.freeBytes, minFreeBytes }, 'media disk is nearly full; recording continues, nothing is deleted — add disk space');
      bus.emit('disk.low', { path: mediaDir, freeBytes: d.freeBytes, minFreeBytes, recordingStopped: d.recordingBlocked, at: clock.now() });
    } else if (d.recordingBlocked && !wasBlocked && diskLow) {
      bus.emit('disk.low', { path: mediaDir, freeBytes: d.freeBytes, minFreeBytes, recordingStopped: true, at: clock.now() });
    }
    diskLow = d.low;
    recordingBlocked = d.recordingBlocked;
    lastDisk = d;
    return d;
  }

  const api: MediaService = {
    ingest: {
      subscribe(sourceId, onChunk, opts) {
        const s = get(sourceId);
        if ((opts?.stream ?? 'main') === 'main') return s.fanout.subscribe(onChunk);
        const sub = s.sub;
        if (!sub) throw new NotFound(`media source ${sourceId} has no sub-stream (set subUrl on its camera entry to add one)`);
        const restart = opts?.onRestart;
        if (restart) sub.onRestart.add(restart);
        const off = sub.fanout.subscribe(onChunk);
        return () => {
          off();
          if (restart) sub.onRestart.delete(restart);
        };
      },
    },
    store,
    playback,
    sweeper,
    sources: () => [...sources.values()].map(status),
    source: (id) => status(get(id)),
    addSource(spec) {
      const problems = [];
      if (!ID.test(spec.id)) problems.push({ path: 'id', problem: 'must be letters, digits, _ . - (max 64), starting with a letter or digit', got: spec.id });
      if (!spec.name) problems.push({ path: 'name', problem: 'must not be empty', got: spec.name });
      if (spec.kind !== 'camera' && spec.kind !== 'screen') problems.push({ path: 'kind', problem: 'must be "camera" or "screen"', got: spec.kind });
      if (!spec.input || (!('url' in spec.input) && !('stream' in spec.input))) problems.push({ path: 'input', problem: 'must be { url } or { stream, format }' });
      if (spec.input && 'stream' in spec.input && !/^[a-z0-9_]+$/.test(spec.input.format ?? '')) {
        problems.push({ path: 'input.format', problem: 'must be an ffmpeg format name such as mpegts, webm, h264', got: spec.input.format });
      }
      if (spec.sub !== undefined) {
        if (spec.kind !== 'camera') problems.push({ path: 'sub', problem: 'only a camera has a sub-stream (a terminal screen is one stream)', got: spec.kind });
        if (!/^(rtsp|rtsps|rtmp|http|https|file):\/\//.test(spec.sub?.url ?? '')) problems.push({ path: 'sub.url', problem: 'must be an rtsp://, rtmp://, http(s):// or file:// URL', got: spec.sub?.url });
        else if ('url' in spec.input && spec.sub.url === spec.input.url) problems.push({ path: 'sub.url', problem: 'is the same stream as input.url: give the camera\'s second (low-resolution) stream', got: spec.sub.url });
      }
      if (problems.length) throw new ValidationError(problems);
      if (sources.has(spec.id)) throw new Conflict(`media source ${spec.id} already exists (in room ${sources.get(spec.id)!.spec.room})`);
      const s: SourceState = {
        spec: { ...spec, audio: spec.audio ?? true },
        fanout: new TsFanout(),
        sub: spec.sub ? { url: spec.sub.url, fanout: new TsFanout(), supervisor: null, onRestart: new Set(), state: 'down', since: clock.now(), reason: 'starting', bytes: 0, restarts: 0 } : null,
        supervisor: null,
        state: 'down',
        since: clock.now(),
        reason: 'starting',
        downAnnounced: false,
        recording: false,
        bytes: 0,
        restarts: 0,
        lastSegmentEnd: store.lastSegmentEnd(spec.id),
      };
      sources.set(spec.id, s);
      if (started && !stopping) void startSource(s);
      return status(s);
    },
    async removeSource(id) {
      const s = get(id);
      sources.delete(id);
      await Promise.all([s.supervisor?.stop(), s.sub?.supervisor?.stop()]);
    },
    async start() {
      if (started) return;
      started = true;
      refreshDisk();
      await Promise.all([...sources.values()].map(startSource));
      const iv = deps.intervals ?? {};
      const every = (ms: number, fn: () => void) => {
        const t = setInterval(() => {
          try {
            fn();
          } catch (err) {
            log?.error({ err }, 'media housekeeping failed');
          }
        }, ms);
        t.unref();
        timers.push(t);
      };
      every(iv.diskMs ?? 30_000, () => {
        const before = recordingBlocked;
        const d = refreshDisk();
        // Space came back: sources running live-only start recording again at once.
        if (before && !d.recordingBlocked) for (const s of sources.values()) if (!s.recording) s.supervisor?.restart('disk space available again');
      });
      every(iv.forecastMs ?? 3_600_000, () => void api.runForecast());
      // A first forecast soon after start-up, so a disk too small is reported on the day it is installed.
      const first = setTimeout(() => {
        try {
          api.runForecast();
        } catch (err) {
          log?.error({ err }, 'disk forecast failed');
        }
      }, Math.min(60_000, iv.forecastMs ?? 60_000));
      first.unref();
      timers.push(first);
      every(iv.sweepMs ?? 600_000, () => void api.sweep());
    },
    async stop() {
      stopping = true;
      for (const t of timers.splice(0)) clearTimeout(t);
      await Promise.all([...sources.values()].flatMap((s) => [s.supervisor?.stop(), s.sub?.supervisor?.stop()]));
    },
    checkDisk: () => refreshDisk(),
    disk: () => lastDisk ?? refreshDisk(),
    runForecast() {
      const now = clock.now();
      const d = refreshDisk();
      const f = forecastDisk({ rates: store.ratesSince(now - 86_400_000), retentionDays: config.retention.days, storedBytes: store.totalBytes(), freeBytes: d.freeBytes, minFreeBytes });
      lastForecast = f;
      if (!f.ok || forecastAlarm) {
        if (!f.ok) log?.error({ bytesPerDay: f.bytesPerDay, needBytes: f.needBytes, usableBytes: f.usableBytes, daysUntilFull: f.daysUntilFull }, 'the media disk cannot hold the retention period at the current recording rate');
        bus.emit('disk.forecast', { ok: f.ok, path: mediaDir, freeBytes: d.freeBytes, needBytes: f.needBytes, bytesPerDay: f.bytesPerDay, retentionDays: config.retention.days, daysUntilFull: f.daysUntilFull, at: now });
      }
      forecastAlarm = !f.ok;
      return f;
    },
    sweep() {
      const r = sweeper.sweepExpiredSegments();
      if (r.deleted > 0) log?.info({ deleted: r.deleted, bytes: r.bytes, cutoff: r.cutoff }, 'expired recordings deleted');
      return r;
    },
    health() {
      const disk = api.disk();
      const down = [...sources.values()].filter((s) => s.state === 'down').map((s) => s.spec.id);
      return { ok: !disk.low && !disk.error, disk, down };
    },
  };

  async function startSource(s: SourceState) {
    try {
      await recoverOrphans({
        store,
        mediaDir,
        sourceId: s.spec.id,
        now: () => clock.now(),
        onIndexed: (row) => (s.lastSegmentEnd = Math.max(s.lastSegmentEnd ?? 0, row.end)),
        ...(log ? { log } : {}),
      });
    } catch (err) {
      log?.error({ err, source: s.spec.id }, 'orphan recovery failed');
    }
    if (stopping || sources.get(s.spec.id) !== s) return;
    launch(s);
    if (s.sub) launchSub(s, s.sub);
  }

  for (const c of config.cameras) api.addSource({ id: c.id, name: c.name, room: c.room, kind: 'camera', input: { url: c.url }, audio: c.audio, ...(c.subUrl ? { sub: { url: c.subUrl } } : {}) });
  return api;
}
