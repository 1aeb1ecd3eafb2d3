// The live relay: one ingest subscription per source fanned out to any number of sinks (browser
// viewers over WebSocket, upstream pushers' stdin). The MPEG-TS the ingest produces (video and sound as
// received; G.711 as a private stream that browsers ignore, so tiles are video only) is cut into whole
// 188-byte packets and forwarded as is. The `sound` stream is the one exception: the same video with the
// sound as AAC, from one on-demand encode per source (media/sound.ts) that runs while anyone takes it; and
// likewise `h264`, an H.265 camera transcoded for a tile opened large (media/hevc.ts, capped). A sink that cannot keep up never
// holds the others back: it stops receiving, skips ahead to the next key frame once its backlog has
// drained, and is dropped when it stays behind too long or its backlog grows past a hard cap.

import { isG711 } from './g711.ts';
import { createHevcTranscodes, type HevcTranscodes } from './hevc.ts';
import type { Sink } from './sink.ts';
import { createSoundEncodes, type SoundDeps, type SoundEncodes } from './sound.ts';

export type { Sink } from './sink.ts';

export const TS_PACKET = 188;
const SYNC = 0x47;

/** What the relay needs from ingest (media/index.ts): the source's MPEG-TS, with the last GOP replayed to a late subscriber. */
export interface TsFeed {
  subscribe(sourceId: string, onChunk: (chunk: Buffer) => void, opts?: { stream?: 'main' | 'sub'; onRestart?: () => void }): () => void;
  /** What the source sends (audio pcm_mulaw | pcm_alaw | aac …): the relay's `sound` stream encodes G.711 only. */
  codecs?(sourceId: string): { video: string | null; audio: string | null } | null;
}

/**
 * A source's main stream (recorded, pushed upstream; sound as received), its camera's sub-stream (live
 * tiles only, no sound), or `sound`: the main stream with its sound as AAC (for listeners and RTMP; the
 * main stream itself when the camera sends AAC or no sound), or `h264`: an H.265 main stream transcoded to
 * H.264 at sub-stream size, with the sound as AAC (the enlarged tile of a browser without H.265; the main stream itself
 * when the camera sends anything but H.265).
 */
export type StreamName = 'main' | 'sub' | 'sound' | 'h264';

export interface SinkPolicy {
  /** Above this backlog a sink stops receiving and waits for the next key frame. */
  softBytes: number;
  /** Above this backlog a sink is dropped at once. */
  hardBytes: number;
  /** A sink still behind after this long is dropped. */
  maxBehindMs: number;
}

/** ≈4 s of a 4 Mbit/s camera before skipping; 16 MB or 10 s behind and the viewer is let go. */
export const DEFAULT_POLICY: SinkPolicy = { softBytes: 2 * 1024 * 1024, hardBytes: 16 * 1024 * 1024, maxBehindMs: 10_000 };
/** A GOP bigger than this (a camera with a 60 s key-frame interval, say) is not cached: the viewer waits for the next key frame. */
const MAX_GOP_BYTES = 24 * 1024 * 1024;

export interface SinkStats {
  sent: number;
  skips: number;
  state: 'live' | 'behind' | 'starting';
}

interface SinkEntry {
  sink: Sink;
  /** starting: waits for the first key frame (for as long as it takes: the camera may be down). */
  state: 'live' | 'behind' | 'starting';
  behindSince: number;
  sent: number;
  skips: number;
}

/** Stream types of ISO/IEC 13818-1 Table 2-34 (and the registered ones ffmpeg writes) that carry video. */
const VIDEO_STREAM_TYPES = new Set([0x01, 0x02, 0x10, 0x1b, 0x24, 0x42, 0xea]);

export interface TsProgramInfo {
  videoPid: number | null;
  videoCodec: string | null;
  audioCodec: string | null;
}

/**
 * Reads an MPEG-TS byte stream that arrives in arbitrary chunks: returns whole packets, keeps the
 * latest PAT and PMT (a viewer joining mid-stream needs them first) and says where video key frames
 * start (random_access_indicator on the video PID, which ffmpeg's muxer sets on every key frame).
 */
export class TsReader {
  private rest: Buffer = Buffer.alloc(0);
  pat: Buffer | null = null;
  pmt: Buffer | null = null;
  private pmtPid: number | null = null;
  info: TsProgramInfo = { videoPid: null, videoCodec: null, audioCodec: null };

  /** Whole packets from the chunk (and what was left over from the last one), and the offsets of key-frame packets. */
  push(chunk: Buffer): { packets: Buffer; keys: number[] } {
    let buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    // Resynchronise on a sync byte: a stream joined mid-packet or a corrupt byte must not shift every packet after it.
    let start = 0;
    while (start < buf.length && !(buf[start] === SYNC && (start + TS_PACKET >= buf.length || buf[start + TS_PACKET] === SYNC))) start++;
    if (start) buf = buf.subarray(start);
    const whole = buf.length - (buf.length % TS_PACKET);
    this.rest = Buffer.from(buf.subarray(whole));
    const packets = buf.subarray(0, whole);
    const keys: number[] = [];
    for (let off = 0; off < whole; off += TS_PACKET) {
      if (packets[off] !== SYNC) continue;
      const pid = ((packets[off + 1]! & 0x1f) << 8) | packets[off + 2]!;
      const pusi = (packets[off + 1]! & 0x40) !== 0;
      if (pid === 0 && pusi) {
        this.pat = Buffer.from(packets.subarray(off, off + TS_PACKET));
        this.readPat(this.pat);
      } else if (pid === this.pmtPid && pusi) {
        this.pmt = Buffer.from(packets.subarray(off, off + TS_PACKET));
        this.readPmt(this.pmt);
      } else if (pid === this.info.videoPid && pusi) {
        const afc = (packets[off + 3]! >> 4) & 0x3;
        if ((afc === 2 || afc === 3) && packets[off + 4]! > 0 && (packets[off + 5]! & 0x40) !== 0) keys.push(off);
      }
    }
    return { packets, keys };
  }

  /** PAT and PMT, for a sink that starts mid-stream. */
  header(): Buffer | null {
    return this.pat && this.pmt ? Buffer.concat([this.pat, this.pmt]) : null;
  }

  private section(p: Buffer): Buffer | null {
    const afc = (p[3]! >> 4) & 0x3;
    let i = 4;
    if (afc === 2 || afc === 3) i += 1 + p[4]!;
    if (i >= TS_PACKET) return null;
    i += 1 + p[i]!; // pointer_field
    if (i + 3 > TS_PACKET) return null;
    const len = ((p[i + 1]! & 0x0f) << 8) | p[i + 2]!;
    return p.subarray(i, Math.min(TS_PACKET, i + 3 + len));
  }

  private readPat(p: Buffer): void {
    const s = this.section(p);
    if (!s || s[0] !== 0x00) return;
    // 8 bytes of header, then 4-byte program entries, then the CRC.
    for (let i = 8; i + 4 <= s.length - 4; i += 4) {
      const program = (s[i]! << 8) | s[i + 1]!;
      if (program !== 0) {
        this.pmtPid = ((s[i + 2]! & 0x1f) << 8) | s[i + 3]!;
        return;
      }
    }
  }

  private readPmt(p: Buffer): void {
    const s = this.section(p);
    if (!s || s[0] !== 0x02) return;
    const infoLen = ((s[10]! & 0x0f) << 8) | s[11]!;
    const info: TsProgramInfo = { videoPid: null, videoCodec: null, audioCodec: null };
    for (let i = 12 + infoLen; i + 5 <= s.length - 4; ) {
      const type = s[i]!;
      const pid = ((s[i + 1]! & 0x1f) << 8) | s[i + 2]!;
      const esLen = ((s[i + 3]! & 0x0f) << 8) | s[i + 4]!;
      if (VIDEO_STREAM_TYPES.has(type) && info.videoPid === null) {
        info.videoPid = pid;
        info.videoCodec = type === 0x1b ? 'h264' : type === 0x24 ? 'hevc' : type === 0x02 ? 'mpeg2video' : `0x${type.toString(16)}`;
      } else if (info.audioCodec === null && [0x0f, 0x11, 0x03, 0x04, 0x81].includes(type)) {
        info.audioCodec = type === 0x0f || type === 0x11 ? 'aac' : type === 0x81 ? 'ac3' : 'mp2';
      }
      i += 5 + esLen;
    }
    this.info = info;
  }
}

/**
 * One source's fan-out. Subscribes to ingest when the first sink arrives and lets go after the last
 * leaves. Keeps the current GOP (from its key frame) so a sink that joins or skips ahead starts
 * with a picture instead of grey blocks until the next key frame.
 */
export class LiveChannel {
  private reader = new TsReader();
  private gop: Buffer[] = [];
  private gopBytes = 0;
  private sinks = new Set<SinkEntry>();
  private unsubscribe: (() => void) | null = null;
  bytesIn = 0;
  lastDataAt = 0;

  constructor(
    readonly sourceId: string,
    private feed: TsFeed,
    private policy: SinkPolicy = DEFAULT_POLICY,
    private now: () => number = Date.now,
    readonly stream: StreamName = 'main',
  ) {}

  get info(): TsProgramInfo {
    return this.reader.info;
  }

  get size(): number {
    return this.sinks.size;
  }

  stats(): SinkStats[] {
    return [...this.sinks].map((e) => ({ sent: e.sent, skips: e.skips, state: e.state }));
  }

  add(sink: Sink): () => void {
    const entry: SinkEntry = { sink, state: 'live', behindSince: 0, sent: 0, skips: 0 };
    this.sinks.add(entry);
    const header = this.reader.header();
    if (header && this.gop.length) this.send(entry, Buffer.concat([header, ...this.gop]));
    else entry.state = 'starting';
    if (!this.unsubscribe) {
      try {
        // The main stream's restarts come from the bus (camera.up → relay.restart); a sub-stream has no
        // bus events, so its ingest says so here.
        this.unsubscribe =
          this.stream === 'main'
            ? this.feed.subscribe(this.sourceId, (chunk) => this.onChunk(chunk))
            : this.feed.subscribe(this.sourceId, (chunk) => this.onChunk(chunk), {
                stream: this.stream === 'sub' ? 'sub' : 'main',
                onRestart: () => this.bytesIn > 0 && this.dropAll('source restarted'),
              });
      } catch (err) {
        this.sinks.delete(entry);
        throw err;
      }
    }
    return () => this.remove(entry);
  }

  /** Sinks whose source has restarted are told to start over (timestamps begin again at zero). */
  dropAll(reason: string): void {
    for (const e of [...this.sinks]) {
      this.sinks.delete(e);
      e.sink.drop(reason);
    }
    this.close();
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.reader = new TsReader();
    this.gop = [];
    this.gopBytes = 0;
    this.bytesIn = 0;
  }

  private remove(entry: SinkEntry): void {
    if (!this.sinks.delete(entry)) return;
    if (this.sinks.size === 0) this.close();
  }

  private send(e: SinkEntry, bytes: Buffer): void {
    e.sent += bytes.length;
    e.sink.write(bytes);
  }

  private onChunk(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    this.lastDataAt = this.now();
    const read = this.reader.push(chunk);
    if (!read.packets.length) return;
    // One copy per chunk, shared by every sink: ingest's buffer is only ours for the length of this call.
    const packets = Buffer.from(read.packets);
    const keys = read.keys;
    const firstKey = keys[0];
    // The GOP cache restarts at each key frame; a chunk may hold the end of one GOP and the start of the next.
    if (firstKey !== undefined) {
      const fromKey = packets.subarray(keys[keys.length - 1]!);
      this.gop = [fromKey];
      this.gopBytes = fromKey.length;
    } else if (this.gop.length) {
      this.gop.push(packets);
      this.gopBytes += packets.length;
      if (this.gopBytes > MAX_GOP_BYTES) {
        this.gop = [];
        this.gopBytes = 0;
      }
    }
    const now = this.now();
    for (const e of [...this.sinks]) {
      const backlog = e.sink.backlog();
      if (backlog > this.policy.hardBytes) {
        this.drop(e, `fell ${Math.round(backlog / 1024)} KiB behind`);
        continue;
      }
      if (e.state === 'live') {
        if (backlog <= this.policy.softBytes) {
          this.send(e, packets);
          continue;
        }
        e.state = 'behind';
        e.behindSince = now;
        e.skips++;
      }
      // Behind: rejoin at a key frame once the backlog has drained to half the soft limit.
      if (e.state === 'behind' && now - e.behindSince > this.policy.maxBehindMs) {
        this.drop(e, `behind for more than ${Math.round(this.policy.maxBehindMs / 1000)} s`);
        continue;
      }
      if (firstKey !== undefined && backlog <= this.policy.softBytes / 2) {
        const header = this.reader.header();
        if (!header) continue;
        e.state = 'live';
        this.send(e, Buffer.concat([header, packets.subarray(firstKey)]));
      }
    }
  }

  private drop(e: SinkEntry, reason: string): void {
    this.sinks.delete(e);
    e.sink.drop(reason);
    if (this.sinks.size === 0) this.close();
  }
}

/** Every source's channel, created on first use. */
export function createLiveRelay(
  feed: TsFeed,
  policy: SinkPolicy = DEFAULT_POLICY,
  now: () => number = Date.now,
  soundDeps: Omit<SoundDeps, 'attachMain'> = {},
  /** Most H.265 transcodes at once (config media.hevcTranscodes). */
  hevcTranscodes = 2,
) {
  const channels = new Map<string, LiveChannel>();
  // NUL cannot occur in a source id: the sub-stream's key never collides with another source's.
  const key = (sourceId: string, stream: StreamName) => (stream === 'main' ? sourceId : `${sourceId}\u0000${stream}`);
  const sound: SoundEncodes = createSoundEncodes({ ...soundDeps, attachMain: (sourceId, sink) => channel(sourceId, 'main').add(sink) });
  // The `sound` channel's feed: its first sink starts the source's one AAC encode, its last ends it.
  const soundFeed: TsFeed = {
    subscribe(sourceId, onChunk, opts) {
      const audio = feed.codecs?.(sourceId)?.audio;
      if (!isG711(audio)) throw new Error(`source ${sourceId} sends no G.711 to encode`);
      return sound.start(sourceId, audio, onChunk, opts?.onRestart);
    },
  };
  const hevc: HevcTranscodes = createHevcTranscodes({
    max: hevcTranscodes,
    ...(soundDeps.ffmpeg ? { ffmpeg: soundDeps.ffmpeg } : {}),
    ...(soundDeps.log ? { log: soundDeps.log } : {}),
    attachMain: (sourceId, sink) => channel(sourceId, 'main').add(sink),
  });
  // The `h264` channel's feed: its first sink starts the source's transcode (or is refused at the cap), its last ends it.
  const hevcFeed: TsFeed = {
    subscribe: (sourceId, onChunk, opts) => hevc.start(sourceId, feed.codecs?.(sourceId)?.audio ?? null, onChunk, opts?.onRestart),
  };
  const channel = (sourceId: string, stream: StreamName = 'main'): LiveChannel => {
    let c = channels.get(key(sourceId, stream));
    if (!c)
      channels.set(
        key(sourceId, stream),
        (c = new LiveChannel(sourceId, stream === 'sound' ? soundFeed : stream === 'h264' ? hevcFeed : feed, policy, now, stream)),
      );
    return c;
  };
  /**
   * `sound` is an encode only for G.711; a camera that sends AAC (or nothing) is heard on its main stream.
   * `h264` is a transcode only for H.265; any other camera is watched on its main stream.
   */
  const resolve = (sourceId: string, stream: StreamName): StreamName => {
    if (stream === 'sound' && !isG711(feed.codecs?.(sourceId)?.audio)) return 'main';
    if (stream === 'h264' && feed.codecs?.(sourceId)?.video !== 'hevc') return 'main';
    return stream;
  };
  return {
    channel,
    /** The on-demand AAC encodes (one per source at most). */
    sound,
    /** The on-demand H.265 → H.264 transcodes (one per source at most, `hevcTranscodes` at most in all). */
    hevc,
    /** Which stream a sink asking for `stream` gets (see resolve). */
    resolve,
    /** Adds a sink to a source's fan-out (its main stream unless told otherwise); returns the function that removes it. */
    attach(sourceId: string, sink: Sink, stream: StreamName = 'main'): () => void {
      return channel(sourceId, resolve(sourceId, stream)).add(sink);
    },
    /** Viewers and pushers of a source whose ingest restarted start over from the new stream. */
    restart(sourceId: string, reason: string): void {
      // Sinks still waiting for the first bytes (joined while the source was down) just keep waiting.
      for (const c of [channels.get(sourceId), channels.get(key(sourceId, 'sound')), channels.get(key(sourceId, 'h264'))])
        if (c && c.bytesIn > 0) c.dropAll(reason);
    },
    /** Sinks of the source, all its streams together (the sound encode's and the transcode's own sinks on the main stream not counted). */
    viewers(sourceId: string): number {
      const main = channels.get(sourceId)?.size ?? 0;
      const listening = channels.get(key(sourceId, 'sound'))?.size ?? 0;
      const large = channels.get(key(sourceId, 'h264'))?.size ?? 0;
      const encoding = (sound.running().includes(sourceId) ? 1 : 0) + (hevc.running().includes(sourceId) ? 1 : 0);
      return main - encoding + listening + large + (channels.get(key(sourceId, 'sub'))?.size ?? 0);
    },
    close(): void {
      for (const c of channels.values()) c.dropAll('relay closing');
      channels.clear();
    },
  };
}

export type LiveRelay = ReturnType<typeof createLiveRelay>;
