// The media module's public types: what the live relay, upstream push and terminal screens build on.
import type { Readable } from 'node:stream';
import type { SourceCodecs } from './protocol.ts';

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

// The status of a source is read by the web apps too (the admin console's System page): its contract lives in protocol.ts.
export type { SourceCodecs, SourceStatus, SubStreamStatus } from './protocol.ts';

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
  /**
   * What the source's main stream carries as received (null until its ingest has read the input once).
   * The live MPEG-TS holds G.711 as a private stream without saying which law: this says it.
   */
  codecs(sourceId: string): SourceCodecs | null;
}
