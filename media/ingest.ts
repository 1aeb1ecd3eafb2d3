// Ingest: the ffmpeg command line that reads a source once and writes both the recording segments and
// a live MPEG-TS stream, and the fan-out of that live stream to any number of subscribers in Node.
// A late subscriber gets PAT/PMT and the current GOP first, so its decoder starts without waiting.
import type { SourceInput } from './types.ts';

export const TS_PACKET = 188;
/** The current GOP is kept up to this size; a source with a longer one simply gets no replay. */
const MAX_GOP_BYTES = 8 * 1024 * 1024;

export interface IngestArgs {
  input: SourceInput;
  audio: boolean;
  /** Segment recording, or null for live only (the last-resort disk floor). */
  record: { pattern: string; segmentSeconds: number; startNumber: number } | null;
  stallSeconds: number;
}

/**
 * The segment muxer's options, as ffmpeg command-line arguments, for both writers of recording segments:
 * the ingest's tee (converted by `teeSlave`) and the scheduled window recorder (as they are). Matroska
 * segments carry every stream as the camera sent it (H.264/H.265, G.711 A-law/µ-law, AAC; MPEG-TS has
 * no G.711, MPEG-PS and MP4 refuse it: docs/media.md). A Matroska file cut by kill -9 has no duration
 * and no cues, but every cluster written is readable: cluster_time_limit=1000 closes a cluster each
 * second (the muxer holds the open one in memory) and flush_packets=1 writes it at once, so a kill
 * loses about a second; the recorder computes such a file's span from its packets. The segment list
 * (csv) comes on fd 4.
 */
export function segmentMuxerArgs(segmentSeconds: number, startNumber: number): string[] {
  return [
    '-f',
    'segment',
    '-segment_time',
    String(segmentSeconds),
    '-segment_format',
    'matroska',
    '-segment_format_options',
    'flush_packets=1:cluster_time_limit=1000',
    '-segment_list',
    'pipe:4',
    '-segment_list_type',
    'csv',
    '-segment_start_number',
    String(startNumber),
  ];
}

/**
 * Muxer arguments (`-name value` pairs, as segmentMuxerArgs gives) as one slave of the tee muxer,
 * `[name=value:…]target`. `\\:` escapes a colon inside a value (e.g. pipe:4): once for tee, once for
 * the option parser.
 */
function teeSlave(args: string[], extra: string, target: string): string {
  const opts: string[] = [];
  for (let i = 0; i < args.length; i += 2) opts.push(`${args[i]!.replace(/^-/, '')}=${args[i + 1]!.replaceAll(':', '\\\\:')}`);
  return `[${[...opts, extra].join(':')}]${target}`;
}

/**
 * One ffmpeg, one read of the source: video and sound copied as received (nothing is encoded), then
 * the `tee` muxer writes the same packets to (a) Matroska segment files and (b) MPEG-TS on stdout for
 * the live consumers (G.711 rides there as a private stream: media/g711.ts reads it back). -progress on
 * fd 3 is the heartbeat; the segment list (csv) comes on fd 4. Logged at info level with the level on
 * each line: the input's stream dump says which audio codec the camera sends (`codecsOf`).
 */
export function ingestArgs(a: IngestArgs): string[] {
  const input: string[] = [];
  if ('url' in a.input) {
    const url = a.input.url;
    if (/^rtsps?:\/\//.test(url)) {
      // TCP interleaving where the camera offers it (no UDP loss, one port); prefer_tcp falls back to
      // UDP when the server answers 461 (as rtsp-streaming-server does). timeout also bounds UDP silence.
      input.push('-rtsp_flags', 'prefer_tcp', '-timeout', String(a.stallSeconds * 1_000_000));
    } else if (url.startsWith('file://')) {
      input.push('-re', '-stream_loop', '-1');
    } else if (/^https?:\/\//.test(url)) {
      input.push('-rw_timeout', String(a.stallSeconds * 1_000_000));
    }
    input.push('-i', url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url);
  } else {
    // Browser recorders write no frame durations: without this ffmpeg waits for 31 frames (15 s at a
    // screen's 2 fps) to guess a frame rate before writing anything, and the supervisor sees a stall.
    input.push('-fpsprobesize', '0', '-f', a.input.format, '-i', 'pipe:0');
  }
  // -map_metadata -1: a file input's tags (its DURATION, say) must not be written into segments of another length.
  const codecs = ['-map', '0:v:0', ...(a.audio ? ['-map', '0:a:0?'] : ['-an']), '-c', 'copy', '-map_metadata', '-1'];
  // onfail=abort on the live side too: if the service dies, the broken stdout pipe ends this ffmpeg
  // instead of leaving an orphan recording next to the one the restarted service launches.
  const live = '[f=mpegts:onfail=abort]pipe:1';
  const slaves = a.record ? [teeSlave(segmentMuxerArgs(a.record.segmentSeconds, a.record.startNumber), 'onfail=abort', a.record.pattern), live] : [live];
  return [
    '-hide_banner',
    '-loglevel',
    'level+info',
    '-nostats',
    ...('url' in a.input ? ['-nostdin'] : []),
    '-progress',
    'pipe:3',
    '-stats_period',
    '1',
    // Timestamps from cameras are often unset until the first RTCP report; generate them.
    '-fflags',
    '+genpts',
    // One second of probing finds H.264 + G.711/AAC; the default five would delay every (re)start.
    '-analyzeduration',
    '1000000',
    '-probesize',
    '1000000',
    ...input,
    ...codecs,
    '-f',
    'tee',
    slaves.join('|'),
  ];
}

/**
 * The codecs in ffmpeg's dump of its input ("Stream #0:1: Audio: pcm_mulaw, 8000 Hz, …"; null = no such
 * stream), once the dump is complete ("Stream mapping:" or the output's dump follows); undefined before.
 */
export function codecsOf(stderr: string): { video: string | null; audio: string | null } | undefined {
  // Only the input's dump: the output's (after "Output #0") names the same streams again.
  const input = stderr.split(/Output #0|Stream mapping:/)[0]!;
  if (input.length === stderr.length) return undefined;
  const video = /Stream #0:\d+[^\n]*?: Video: (\w+)/.exec(input)?.[1] ?? null;
  const audio = /Stream #0:\d+[^\n]*?: Audio: (\w+)/.exec(input)?.[1] ?? null;
  return { video, audio };
}

interface Subscriber {
  onChunk: (chunk: Buffer) => void;
}

/** Splits the stdout byte stream into whole TS packets, remembers PAT/PMT and the current GOP, fans out. */
export class TsFanout {
  private rest: Buffer = Buffer.alloc(0);
  private pat: Buffer | null = null;
  private pmt: Buffer | null = null;
  private pmtPid = -1;
  private videoPids = new Set<number>();
  private gop: Buffer[] = [];
  private gopBytes = 0;
  private gopValid = false;
  readonly subscribers = new Set<Subscriber>();

  /** A new ffmpeg run: its stream starts over (new PAT/PMT, new key frame). */
  reset(): void {
    this.rest = Buffer.alloc(0);
    this.pat = this.pmt = null;
    this.pmtPid = -1;
    this.videoPids.clear();
    this.gop = [];
    this.gopBytes = 0;
    this.gopValid = false;
  }

  subscribe(onChunk: (chunk: Buffer) => void): () => void {
    const sub: Subscriber = { onChunk };
    const head: Buffer[] = [];
    if (this.pat) head.push(this.pat);
    if (this.pmt) head.push(this.pmt);
    if (this.gopValid) head.push(...this.gop);
    if (head.length > 0 && this.pat && this.pmt) onChunk(Buffer.concat(head));
    this.subscribers.add(sub);
    return () => {
      this.subscribers.delete(sub);
    };
  }

  push(data: Buffer): void {
    let buf = this.rest.length ? Buffer.concat([this.rest, data]) : data;
    // Resynchronise on the 0x47 sync byte if the stream ever starts mid-packet.
    let start = 0;
    while (start < buf.length && buf[start] !== 0x47) start++;
    const whole = Math.floor((buf.length - start) / TS_PACKET) * TS_PACKET;
    this.rest = Buffer.from(buf.subarray(start + whole));
    if (whole === 0) return;
    buf = buf.subarray(start, start + whole);
    // The GOP cache references the chunks themselves (they are never written to again): no per-packet copies.
    let key = -1;
    for (let off = 0; off < buf.length; off += TS_PACKET) if (this.inspect(buf, off)) key = off;
    if (key >= 0) {
      this.gop = [buf.subarray(key)];
      this.gopBytes = buf.length - key;
      this.gopValid = true;
    } else if (this.gopValid) {
      this.gop.push(buf);
      this.gopBytes += buf.length;
      if (this.gopBytes > MAX_GOP_BYTES) {
        this.gop = [];
        this.gopBytes = 0;
        this.gopValid = false;
      }
    }
    for (const s of this.subscribers) s.onChunk(buf);
  }

  /** Reads one packet's headers; true when it starts a video key frame (random access indicator). */
  private inspect(buf: Buffer, off: number): boolean {
    const p = buf.subarray(off, off + TS_PACKET);
    const pid = ((p[1]! & 0x1f) << 8) | p[2]!;
    const pusi = (p[1]! & 0x40) !== 0;
    const afc = (p[3]! >> 4) & 3;
    let payload = 4;
    let rai = false;
    if (afc === 2 || afc === 3) {
      const afLen = p[4]!;
      if (afLen > 0) rai = (p[5]! & 0x40) !== 0;
      payload = 5 + afLen;
    }
    if (pid === 0 && pusi) {
      this.pat = Buffer.from(p);
      const sec = payload + 1 + p[payload]!;
      // First program entry with a non-zero program number: its PMT PID.
      const secLen = ((p[sec + 1]! & 0x0f) << 8) | p[sec + 2]!;
      for (let e = sec + 8; e + 4 <= sec + 3 + secLen - 4 && e + 4 <= TS_PACKET; e += 4) {
        const prog = (p[e]! << 8) | p[e + 1]!;
        if (prog !== 0) {
          this.pmtPid = ((p[e + 2]! & 0x1f) << 8) | p[e + 3]!;
          break;
        }
      }
      return false;
    }
    if (pid === this.pmtPid && pusi) {
      this.pmt = Buffer.from(p);
      const sec = payload + 1 + p[payload]!;
      const secLen = ((p[sec + 1]! & 0x0f) << 8) | p[sec + 2]!;
      const progInfoLen = ((p[sec + 10]! & 0x0f) << 8) | p[sec + 11]!;
      const end = Math.min(sec + 3 + secLen - 4, TS_PACKET);
      this.videoPids.clear();
      for (let e = sec + 12 + progInfoLen; e + 5 <= end; ) {
        const type = p[e]!;
        const esPid = ((p[e + 1]! & 0x1f) << 8) | p[e + 2]!;
        const infoLen = ((p[e + 3]! & 0x0f) << 8) | p[e + 4]!;
        // H.264, H.265, MPEG-2, MPEG-4 part 2
        if (type === 0x1b || type === 0x24 || type === 0x02 || type === 0x10) this.videoPids.add(esPid);
        e += 5 + infoLen;
      }
      return false;
    }
    return this.videoPids.has(pid) && pusi && rai;
  }
}
