// What the relay fans a source's MPEG-TS out to (media/live.ts), in a file of its own so that the relay's
// own consumers (media/on-demand.ts: the sound encode, the H.265 transcode) need not import the relay.

/** A consumer of one source's TS: a WebSocket, an ffmpeg stdin. */
export interface Sink {
  /** Bytes handed to this sink and not yet sent on (socket bufferedAmount, stdin writableLength). */
  backlog(): number;
  write(bytes: Buffer): void;
  /** The relay gives up on this sink; it must close it. */
  drop(reason: string): void;
}
