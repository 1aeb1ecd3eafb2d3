// The media service: one supervised ffmpeg per source (ingest.ts, supervisor.ts), segments indexed as
// they close (recorder.ts), the retention sweeper, the disk watch and forecast, and playback.
// This file holds the state every part works on (one MediaState): the sources and their ffmpeg runs,
// the disk's last reading and alarms, the housekeeping timers.
import { mkdirSync } from 'node:fs';
import type { Clock, EventBus, WindowSource } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import {
  createMediaReader,
  readCacheDir,
  type MediaReader,
  createMediaStore,
  createRetentionSweeper,
  type AuditLog,
  type DataPaths,
  type Db,
  type Forecast,
  type ScheduledForecast,
  type MediaStore,
  type RetentionSweeper,
  type SweepResult,
} from '../../storage/index.ts';
import type { TsFanout } from '../ingest.ts';
import type { Supervisor } from '../supervisor.ts';
import type { RecordingSchedule } from '../schedule.ts';
import type { WindowRecorder } from '../window-recorder.ts';
import { createPlayback, type Playback } from '../playback.ts';
import type { Ingest, SourceCodecs, SourceSpec, SourceStatus, SubStreamStatus } from '../types.ts';

export type Log = { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void; info(obj: unknown, msg?: string): void };

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
  /** Intervals in ms (defaults: disk 30 s, forecast 1 h, sweep 10 min, schedule look 1 min). */
  intervals?: { diskMs?: number; forecastMs?: number; sweepMs?: number; scheduleMs?: number };
  /** Opens media-folder files wherever they live (storage/media-reader); default: a reader of local files only. */
  files?: MediaReader;
  /** What opens a room's recording windows for its `record: sessions` sources: exam sessions, training lessons. None = they never record. */
  windows?: WindowSource[];
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
  /** Opens media-folder files wherever they live: what archives with media read segments through. */
  files: MediaReader;
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
  runForecast(): MediaForecast;
  sweep(): SweepResult;
  /** For /healthz: degraded when the media disk is low or a source is down. */
  health(): { ok: boolean; disk: DiskStatus; down: string[]; h265WithoutSub: string[] };
}

/** A camera's sub-stream: its own ffmpeg (stream copy, live only) and fan-out; no recording, no bus events. */
export interface SubState extends SubStreamStatus {
  url: string;
  fanout: TsFanout;
  supervisor: Supervisor | null;
  /** Told when a new ingest run starts, so live viewers start over on the new timestamps. */
  onRestart: Set<() => void>;
}

/** The schedule forecast as the console shows it: which days it covers and whether a rate is known yet. */
export type MediaForecast = ScheduledForecast & {
  /** With an object store the forecast covers the local disk's hotDays (the store holds the rest); null without one. */
  hotDays: number | null;
  /** With an object store: what the store holds over the whole retention period at this plan (media/protocol.ts). */
  store: { days: number; bytes: number; bytesPerDay: number } | null;
  /** No finished segment yet, so no rate: how long recording has run (the figures follow the first segment). */
  measuring: { recordingMs: number } | null;
};

export interface SourceState {
  spec: SourceSpec & { audio: boolean; record: 'sessions' | 'always' };
  /** record: sessions — the recorder running while the room's window is open (window-recorder.ts), else null. */
  windowRec: WindowRecorder | null;
  /** When the segments being written now began (null = not recording): playback's "recording, not a gap". */
  recordingSince: number | null;
  fanout: TsFanout;
  sub: SubState | null;
  supervisor: Supervisor | null;
  state: 'up' | 'down';
  since: number;
  reason: string | null;
  downAnnounced: boolean;
  /** A scheduled recording could not start for the disk floor, and recording.stopped said so (once). */
  blockedAnnounced: boolean;
  recording: boolean;
  bytes: number;
  restarts: number;
  lastSegmentEnd: number | null;
  /** What the current run's input carries (null until its dump was read; audio null when spec.audio is false). */
  codecs: SourceCodecs | null;
}

/** A source id: it becomes part of the recording folders and file names. */
export const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function createMediaState(deps: MediaDeps) {
  const { db, clock, config, paths } = deps;
  const mediaDir = paths.media;
  mkdirSync(mediaDir, { recursive: true, mode: 0o750 });
  const store = createMediaStore(db);
  const sources = new Map<string, SourceState>();
  // The app passes the one reader it shares with the archives; a media service built alone reads local files.
  const files = deps.files ?? createMediaReader({ mediaDir, cacheDir: readCacheDir(paths.root) });
  const playback = createPlayback({
    store,
    files,
    clock,
    excerpts: {
      perUser: config.media.excerpts.perUser,
      atOnce: config.media.excerpts.atOnce,
      maxMs: config.media.excerpts.maxMinutes * 60_000,
      maxBytes: config.media.excerpts.maxMiB * 1024 ** 2,
    },
    sourceKnown: (id) => sources.has(id) || store.lastSegmentEnd(id) !== null,
    // The segment being written is not in the index yet; it is not a gap.
    recordingSince: (id) => {
      const s = sources.get(id);
      return s && s.state === 'up' && s.recording ? s.recordingSince : null;
    },
  });
  return {
    deps,
    clock,
    bus: deps.bus,
    config,
    log: deps.log,
    mediaDir,
    store,
    sweeper: createRetentionSweeper({ db, clock: deps.sweeperClock ?? clock, mediaDir, retentionDays: config.retention.days }),
    playback,
    files,
    /** Closed with the service only when it made the reader itself. */
    ownsFiles: !deps.files,
    sources,
    minFreeBytes: Math.round(config.retention.minFreeGiB * 1024 ** 3),
    reserveBytes: Math.round(config.media.reserveMiB * 1024 ** 2),
    started: false,
    stopping: false,
    lastForecast: null as MediaForecast | null,
    forecastAlarm: false,
    diskLow: false,
    lastLowLog: 0,
    recordingBlocked: false,
    lastDisk: null as DiskStatus | null,
    timers: [] as NodeJS.Timeout[],
    /** Set by the service right after this state is made (service/index.ts). */
    schedule: null as unknown as RecordingSchedule,
    /** Window recorders being stopped: the service's stop() waits for their last segments. */
    closing: new Set<Promise<void>>(),
  };
}

export type MediaState = ReturnType<typeof createMediaState>;
