// What media's HTTP routes answer the web apps (the /live/ page, and the live tiles and playback player
// every app shares): TypeBox schemas — the routes' response schemas, so Fastify checks and serialises
// each reply with them — and the TypeScript types made from them. Shared by the server and the web
// apps, so it imports nothing but 'typebox', never server code. docs/media.md is the prose version.
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T, description?: string) => Type.Union([t, Type.Null()], description ? { description } : {});

/** One source the caller may watch (GET /api/live/sources). */
export const LiveSourceT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  room: Type.String(),
  kind: Type.String(),
  /** Path of the live-view WebSocket (/ws/live/ID). */
  ws: Type.String(),
  subWs: nullable(Type.String(), "the camera's sub-stream (low resolution, for grid tiles), or null when it has none"),
  viewers: Type.Integer(),
  video: nullable(Type.String()),
  audio: nullable(Type.String()),
  status: Type.Unknown(),
});
export type LiveSource = Static<typeof LiveSourceT>;

export const RecordedSegmentT = Type.Object({
  id: Type.Integer(),
  start: Type.Integer(),
  end: Type.Integer(),
  bytes: Type.Integer(),
  recovered: Type.Boolean(),
  url: Type.String(),
});
export type RecordedSegment = Static<typeof RecordedSegmentT>;

export const RecordingGapT = Type.Object({ start: Type.Integer(), end: Type.Integer(), reason: Type.String() });
export type RecordingGap = Static<typeof RecordingGapT>;

/** A source's recordings over a time range (GET /api/media/sources/:id/recordings): what the playback player takes. */
export const RecordingsT = Type.Object({
  sourceId: Type.String(),
  from: Type.Integer(),
  to: Type.Integer(),
  segments: Type.Array(RecordedSegmentT),
  gaps: Type.Array(RecordingGapT),
  recordingSince: nullable(Type.Integer(), 'recording now: footage from here on is in the segment being written'),
});
export type Recordings = Static<typeof RecordingsT>;

// Read by the admin console's System page. The routes answer these as the service makes them.

export interface SubStreamStatus {
  state: 'up' | 'down';
  since: number;
  reason: string | null;
  bytes: number;
  restarts: number;
}

/** One source as GET /api/media/sources lists it. `reason` is ffmpeg's last words, which may name the source's URL. */
export interface SourceStatus {
  id: string;
  name: string;
  room: string;
  kind: 'camera' | 'screen';
  /** up: ffmpeg is running and bytes flow; down: not (see reason). */
  state: 'up' | 'down';
  /** When the state last changed (server clock, ms). */
  since: number;
  /** Why it is down (or null when up). */
  reason: string | null;
  /** Whether segments are being written (false while down, outside its schedule's windows, or when the disk is below its last-resort floor). */
  recording: boolean;
  /** always: recorded around the clock; sessions: only inside its room's recording windows. */
  schedule: 'sessions' | 'always';
  /** MPEG-TS bytes received from this source since the service started. */
  bytes: number;
  /** How many times the supervisor restarted ffmpeg for this source. */
  restarts: number;
  /** End of the newest indexed segment, or null. */
  lastSegmentEnd: number | null;
  /** Live subscribers (relay viewers, upstream pushes) of the main stream. */
  subscribers: number;
  /** The sub-stream's ingest, or null when the source has none. */
  sub: SubStreamStatus | null;
  /**
   * What the source sends, as ffmpeg names it (video h264 | hevc …, audio pcm_mulaw | pcm_alaw | aac …,
   * null = none), from the current run's input; null until its ingest has read the stream once.
   */
  codecs: SourceCodecs | null;
}

export interface SourceCodecs {
  video: string | null;
  audio: string | null;
}

/** GET /api/media/disk: the media disk (media/service/disk.ts) and the forecast against the retention period (storage/disk-forecast.ts). */
export interface MediaDiskReport {
  path: string;
  freeBytes: number;
  totalBytes: number;
  minFreeBytes: number;
  reserveBytes: number;
  /** Below retention.minFreeGiB: alarm, recording goes on. */
  low: boolean;
  /** Below media.reserveMiB: no new recording starts (live view goes on). */
  recordingBlocked: boolean;
  error?: string;
  forecast: {
    ok: boolean;
    /** Average over the retention period, all sources. */
    bytesPerDay: number;
    perSource: { sourceId: string; bytesPerDay: number }[];
    retentionBytes: number;
    /** Of the retention total, what still has to fit (total − stored). */
    needBytes: number;
    /** Free space above retention.minFreeGiB. */
    usableBytes: number;
    daysUntilFull: number | null;
    fullAt: number | null;
    planUntil: number;
    plannedBytes: number;
    plannedDays: number;
    /** The days the figures cover: retentionBytes = bytesPerDay × days (the retention period, or hotDays when tiered). */
    days: number;
    /** With an object store: the local disk holds only these days (days = hotDays); the store holds the rest. Null without one. */
    hotDays: number | null;
    /**
     * With an object store: what the store must hold over the whole retention period at the same plan and
     * rates (every recording reaches it after hotDays and stays to the end of retention). Null without one.
     */
    store: { days: number; bytes: number; bytesPerDay: number } | null;
    /**
     * No source has a finished segment yet, so no rate is known and every figure would read 0: how long
     * recording has run so far (the forecast follows once the first segment is written). Null otherwise.
     */
    measuring: { recordingMs: number } | null;
  };
}

/** GET /api/upstream: one push (configured target × source). `url` has its password hidden; `lastError` is ffmpeg's words. */
export interface UpstreamPush {
  target: string;
  targetName: string;
  level: string;
  source: string;
  url: string;
  state: string;
  since: number;
  lastError: string | null;
  /** Why it does not push, in words (known causes only). */
  problem: { zh: string; en: string } | null;
  restarts: number;
  bytesOut: number;
  retryAt: number | null;
}
