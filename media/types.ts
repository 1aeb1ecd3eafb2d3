// The media module's public types: what the live relay, upstream push and terminal screens build on.
import type { Readable } from 'node:stream';

/** Where a source's bytes come from: a URL ffmpeg pulls (RTSP, RTMP, HTTP, file) or a stream we pipe in. */
export type SourceInput =
  | { url: string }
  /** A byte stream (e.g. a terminal's screen capture) fed to ffmpeg on stdin; format is ffmpeg's -f name ("mpegts", "webm", "h264", …). */
  | { stream: Readable; format: string };

export interface SourceSpec {
  id: string;
  name: string;
  room: string;
  input: SourceInput;
  kind: 'camera' | 'screen';
  /** Keep and transcode audio to AAC (default true). False drops audio. */
  audio?: boolean;
  /**
   * When it is recorded: 'always', or 'sessions' — only inside its room's recording windows (exam
   * sessions, training lessons, margins included). Live view and upstream push run all day either way.
   * Default: the config's media.record.
   */
  record?: 'sessions' | 'always';
  /**
   * A camera's low-resolution second stream, ingested with stream copy for live tiles only: never
   * recorded, never pushed upstream (both stay on input). Absent = one stream, as before.
   */
  sub?: { url: string };
}

/** Which of a source's streams: the main one (recorded, pushed upstream) or its sub-stream (live tiles only). */
export type StreamName = 'main' | 'sub';

export const LIVE_WS_PREFIX = '/ws/live/';

/** The live-view path of a source's stream: the main one, or `?stream=sub` for a camera's sub-stream. */
export const liveWsPath = (sourceId: string, stream: StreamName = 'main') =>
  `${LIVE_WS_PREFIX}${encodeURIComponent(sourceId)}${stream === 'sub' ? '?stream=sub' : ''}`;

export interface SubStreamStatus {
  state: 'up' | 'down';
  since: number;
  reason: string | null;
  bytes: number;
  restarts: number;
}

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
}

/** The live side of ingest: MPEG-TS (H.264/H.265 copied, AAC audio), whole 188-byte packets per chunk. */
export interface Ingest {
  /**
   * Calls onChunk with every MPEG-TS chunk of the source from now on. A new subscriber first gets
   * PAT + PMT and the packets since the last video key frame, so a decoder can start at once.
   * Returns the unsubscribe function. Subscribing to a source that is down is fine: chunks arrive
   * when it comes up (again with PAT/PMT first). Throws NotFound for an unknown source id.
   * onChunk must not throw and must not block: copy or queue the buffer if you keep it.
   * stream 'sub' subscribes to the sub-stream (NotFound when the source has none); onRestart is called
   * when that stream's ingest starts a new run (its timestamps begin again): the main stream announces
   * that on the bus (camera.up), a sub-stream only here.
   */
  subscribe(sourceId: string, onChunk: (chunk: Buffer) => void, opts?: { stream?: StreamName; onRestart?: () => void }): () => void;
}
