// Terminal screens as sources: the terminal app records its own screen (getDisplayMedia +
// MediaRecorder, H.264 in Matroska/WebM at a low frame rate) and sends the recorder's chunks over
// /ws/screen. Each connection becomes one ingest source, `SCREEN-<terminal id>`, fed from a stream,
// so the screen is recorded, relayed and pushed upstream exactly like a camera (docs/media.md).
import { PassThrough } from 'node:stream';
import { screenSourceId } from '../config/index.ts';

export interface ScreenSourceSpec {
  id: string;
  name: string;
  room: string;
  input: { stream: PassThrough; format: string };
  kind: 'screen';
  /** A screen has no sound: no audio track for ingest to wait for. */
  audio: false;
}

export interface ScreenIngest {
  addSource(spec: ScreenSourceSpec): unknown;
  removeSource(id: string): unknown;
}

export interface ScreenTerminal {
  id: string;
  room: string;
  seat: string;
}

export const SCREEN_WS_PATH = '/ws/screen';
/** The container MediaRecorder writes; ffmpeg reads WebM with its Matroska demuxer. */
export const SCREEN_FORMAT = 'matroska';

export { screenSourceId };

/** The terminal whose screen a source id names, or null when it names no screen. */
export function screenTerminalId(sourceId: string): string | null {
  return sourceId.startsWith('SCREEN-') ? sourceId.slice('SCREEN-'.length) : null;
}

export function screenSourceName(terminal: ScreenTerminal): string {
  return `${terminal.id} 屏幕（${terminal.room} 座位 ${terminal.seat}）`;
}

/** A terminal that holds this much unread by ingest is paused (TCP backpressure) rather than buffered without bound. */
const HIGH_WATER = 4 * 1024 * 1024;

export interface ScreenConnection {
  sourceId: string;
  /** Bytes received from the terminal. */
  bytes: number;
  /** One chunk of the recorder's output. Returns false when the caller should stop reading until the drain callback. */
  receive(chunk: Buffer): boolean;
  onDrain(fn: () => void): void;
  /** Called when the terminal must start a new recording (ingest restarted, and a WebM stream cannot be joined mid-way). */
  onAbort(fn: (reason: string) => void): void;
  close(): Promise<void>;
}

/**
 * One terminal's screen stream. A reconnecting terminal starts a new MediaRecorder (a new WebM
 * header), so every connection is a new input: the old source is removed first, and ingest records
 * the gap between them.
 */
export function createScreens(media: ScreenIngest) {
  const open = new Map<string, ScreenConnection & { abort: (reason: string) => void }>();
  return {
    async connect(terminal: ScreenTerminal): Promise<ScreenConnection> {
      const sourceId = screenSourceId(terminal.id);
      // The terminal opened a second connection (a reload): the newer one wins.
      const old = open.get(sourceId);
      if (old) {
        await old.close();
        old.abort('replaced by a newer connection of this terminal');
      }
      const stream = new PassThrough({ highWaterMark: HIGH_WATER });
      // Backpressure stops the browser; a broken ingest must not raise in the socket's handler.
      stream.on('error', () => {});
      await media.addSource({
        id: sourceId,
        name: screenSourceName(terminal),
        room: terminal.room,
        input: { stream, format: SCREEN_FORMAT },
        kind: 'screen',
        audio: false,
      });
      let closed = false;
      const conn = {
        sourceId,
        bytes: 0,
        abort: (_reason: string) => {},
        receive(chunk: Buffer) {
          if (closed) return true;
          conn.bytes += chunk.length;
          return stream.write(chunk);
        },
        onDrain(fn: () => void) {
          stream.on('drain', fn);
        },
        onAbort(fn: (reason: string) => void) {
          conn.abort = fn;
        },
        async close() {
          if (closed) return;
          closed = true;
          if (open.get(sourceId) === conn) open.delete(sourceId);
          stream.end();
          await media.removeSource(sourceId);
        },
      };
      open.set(sourceId, conn);
      return conn;
    },
    /** The source's ingest went down: the terminal reconnects and starts a new recording. */
    async abort(sourceId: string, reason: string): Promise<void> {
      const c = open.get(sourceId);
      if (!c) return;
      await c.close();
      c.abort(reason);
    },
    connected(): string[] {
      return [...open.keys()];
    },
    async closeAll(): Promise<void> {
      await Promise.all([...open.values()].map((c) => c.close()));
    },
  };
}

export type Screens = ReturnType<typeof createScreens>;
