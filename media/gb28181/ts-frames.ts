// MPEG-TS → elementary stream frames (access units with PTS/DTS and the key-frame flag), for PS muxing.
// Reads what the ingest's live relay carries and what ffmpeg -c copy reads out of recordings. A gap in
// a PID's continuity counter (a sink skipped ahead, a seek) discards that PID's partial frame instead
// of sending a torn one. H.264/H.265 key frames get the parameter sets prepended when the camera sends
// them only once (a platform joins at any key frame).
import type { PsAudioCodec, PsFrame, PsVideoCodec } from './ps-mux.ts';

const TS = 188;

export interface TsFrame extends PsFrame {
  codec: PsVideoCodec | PsAudioCodec;
}

interface PesState {
  kind: 'video' | 'audio';
  codec: PsVideoCodec | PsAudioCodec;
  parts: Buffer[];
  bytes: number;
  /** PES_packet_length minus the PES header: known for audio, 0 (unbounded) for video. */
  expected: number;
  pts: number;
  dts: number;
  rai: boolean;
  cc: number;
  started: boolean;
}

/** stream_type (PMT) → codec we can put in PS; others (private data, MPEG audio) are left out. */
function codecOf(type: number): { kind: 'video' | 'audio'; codec: PsVideoCodec | PsAudioCodec } | null {
  switch (type) {
    case 0x1b:
      return { kind: 'video', codec: 'h264' };
    case 0x24:
      return { kind: 'video', codec: 'hevc' };
    case 0x0f:
      return { kind: 'audio', codec: 'aac' };
    case 0x90:
      return { kind: 'audio', codec: 'g711a' };
    case 0x91:
      return { kind: 'audio', codec: 'g711u' };
    default:
      return null;
  }
}

function readTs(b: Buffer, o: number): number {
  return ((b[o]! >> 1) & 0x07) * 2 ** 30 + (((b[o + 1]! << 8) | b[o + 2]!) >> 1) * 2 ** 15 + (((b[o + 3]! << 8) | b[o + 4]!) >> 1);
}

/** ffmpeg's codec name → the G.711 law for PS stream_type 0x90/0x91. */
export function lawOf(codec: string | null | undefined): 'g711a' | 'g711u' | null {
  return codec === 'pcm_alaw' ? 'g711a' : codec === 'pcm_mulaw' ? 'g711u' : null;
}

export class TsFrameReader {
  private rest: Buffer | null = null;
  private pmtPid = -1;
  private pes = new Map<number, PesState>();
  video: PsVideoCodec | null = null;
  audio: PsAudioCodec | null = null;
  /** Parameter sets last seen (SPS/PPS, and VPS for H.265), prepended to key frames that lack them. */
  private paramSets: Buffer | null = null;

  /**
   * `g711` names the law of a private-data stream (PMT stream_type 0x06, PES 0xBD): ffmpeg's MPEG-TS
   * muxer writes G.711 so and says nothing of A- or µ-law in the PMT, so the caller (who knows the
   * source's codec from ingest or ffprobe) tells. Without it such a stream is left out.
   */
  constructor(
    private onFrame: (f: TsFrame) => void,
    private g711: () => 'g711a' | 'g711u' | null = () => null,
  ) {}

  /** Bytes in any chunking; partial packets wait for the rest. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.rest) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    let off = 0;
    while (off + TS <= buf.length) {
      if (buf[off] !== 0x47) {
        off++;
        continue;
      }
      this.packet(buf, off);
      off += TS;
    }
    if (off < buf.length) this.rest = Buffer.from(buf.subarray(off));
  }

  /** A new stream (seek, restart): drop partial frames and the program tables. */
  reset(): void {
    this.rest = null;
    this.pmtPid = -1;
    this.pes.clear();
  }

  private packet(b: Buffer, o: number): void {
    const pid = ((b[o + 1]! & 0x1f) << 8) | b[o + 2]!;
    const pusi = (b[o + 1]! & 0x40) !== 0;
    const afc = (b[o + 3]! >> 4) & 0x03;
    const cc = b[o + 3]! & 0x0f;
    let p = o + 4;
    let rai = false;
    let stuffed = false;
    if (afc === 2 || afc === 3) {
      const afLen = b[o + 4]!;
      if (afLen > 0) {
        const flags = b[o + 5]!;
        rai = (flags & 0x40) !== 0;
        // Bytes the flags need; anything beyond is stuffing, which ffmpeg's muxer writes only in a PES's last packet.
        const need = 1 + (flags & 0x10 ? 6 : 0) + (flags & 0x08 ? 6 : 0) + (flags & 0x04 ? 1 : 0);
        stuffed = (flags & 0x03) === 0 && afLen > need;
      }
      p = o + 5 + afLen;
    }
    if (afc === 2 || p >= o + TS) return;
    const end = o + TS;
    if (pid === 0) {
      if (pusi) this.readPat(b.subarray(p + 1 + b[p]!, end));
      return;
    }
    if (pid === this.pmtPid) {
      if (pusi) this.readPmt(b.subarray(p + 1 + b[p]!, end));
      return;
    }
    const s = this.pes.get(pid);
    if (!s) return;
    const expectedCc = (s.cc + 1) & 0x0f;
    const continuous = s.cc < 0 || cc === expectedCc;
    s.cc = cc;
    if (pusi) {
      if (s.started && continuous) this.flush(s);
      s.started = false;
      s.parts = [];
      s.bytes = 0;
      if (b[p] !== 0 || b[p + 1] !== 0 || b[p + 2] !== 1) return;
      const pesLen = (b[p + 4]! << 8) | b[p + 5]!;
      const flags = b[p + 7]!;
      const hdrLen = b[p + 8]!;
      if (!(flags & 0x80)) return;
      s.pts = readTs(b, p + 9);
      s.dts = flags & 0x40 ? readTs(b, p + 14) : s.pts;
      s.rai = rai;
      s.expected = pesLen ? pesLen - 3 - hdrLen : 0;
      s.started = true;
      p += 9 + hdrLen;
    } else if (!s.started) return;
    else if (!continuous) {
      // A lost or skipped packet: this frame is torn, wait for the next one.
      s.started = false;
      s.parts = [];
      s.bytes = 0;
      return;
    }
    if (p < end) {
      s.parts.push(b.subarray(p, end));
      s.bytes += end - p;
    }
    if ((s.expected && s.bytes >= s.expected) || (!s.expected && stuffed)) {
      this.flush(s);
      s.started = false;
      s.parts = [];
      s.bytes = 0;
    }
  }

  private flush(s: PesState): void {
    if (s.bytes === 0) return;
    let data = s.parts.length === 1 ? Buffer.from(s.parts[0]!) : Buffer.concat(s.parts, s.bytes);
    if (s.expected && data.length > s.expected) data = data.subarray(0, s.expected);
    let key = s.rai;
    if (s.kind === 'video') {
      const nal = scanNals(data, s.codec as PsVideoCodec);
      key ||= nal.key;
      if (nal.params) this.paramSets = nal.params;
      else if (nal.key && this.paramSets) data = Buffer.concat([this.paramSets, data]);
    }
    this.onFrame({ kind: s.kind, codec: s.codec, pts: s.pts, dts: s.dts, key: s.kind === 'audio' || key, data });
  }

  private readPat(sec: Buffer): void {
    if (sec.length < 12 || sec[0] !== 0x00) return;
    const len = ((sec[1]! & 0x0f) << 8) | sec[2]!;
    for (let i = 8; i + 4 <= Math.min(sec.length, 3 + len - 4); i += 4) {
      if (((sec[i]! << 8) | sec[i + 1]!) !== 0) {
        this.pmtPid = ((sec[i + 2]! & 0x1f) << 8) | sec[i + 3]!;
        return;
      }
    }
  }

  private readPmt(sec: Buffer): void {
    if (sec.length < 16 || sec[0] !== 0x02) return;
    const len = ((sec[1]! & 0x0f) << 8) | sec[2]!;
    const end = Math.min(sec.length, 3 + len - 4);
    const infoLen = ((sec[10]! & 0x0f) << 8) | sec[11]!;
    const seen = new Set<number>();
    let video: PsVideoCodec | null = null;
    let audio: PsAudioCodec | null = null;
    for (let i = 12 + infoLen; i + 5 <= end; ) {
      const type = sec[i]!;
      const pid = ((sec[i + 1]! & 0x1f) << 8) | sec[i + 2]!;
      i += 5 + (((sec[i + 3]! & 0x0f) << 8) | sec[i + 4]!);
      const law = type === 0x06 ? this.g711() : null;
      const c = law ? { kind: 'audio' as const, codec: law } : codecOf(type);
      // One video and one audio stream: the first of each, as the PS program carries.
      if (!c || (c.kind === 'video' ? video : audio)) continue;
      if (c.kind === 'video') video = c.codec as PsVideoCodec;
      else audio = c.codec as PsAudioCodec;
      seen.add(pid);
      const old = this.pes.get(pid);
      if (!old || old.codec !== c.codec) {
        this.pes.set(pid, { kind: c.kind, codec: c.codec, parts: [], bytes: 0, expected: 0, pts: 0, dts: 0, rai: false, cc: -1, started: false });
      }
    }
    for (const pid of [...this.pes.keys()]) if (!seen.has(pid)) this.pes.delete(pid);
    this.video = video;
    this.audio = audio;
  }
}

/**
 * Looks at the NAL units before the first slice: whether the access unit is a key frame (H.264 IDR,
 * H.265 IRAP) and its parameter sets. Only the head of the frame is scanned: slices are the bulk.
 */
export function scanNals(data: Buffer, codec: PsVideoCodec): { key: boolean; params: Buffer | null } {
  let key = false;
  let paramStart = -1;
  let paramEnd = -1;
  let i = 0;
  const n = data.length;
  while (i + 3 < n) {
    // Find the next start code 00 00 01.
    if (data[i + 2]! > 1) {
      i += 3;
      continue;
    }
    if (data[i] !== 0 || data[i + 1] !== 0 || data[i + 2] !== 1) {
      i++;
      continue;
    }
    const sc = i > 0 && data[i - 1] === 0 ? i - 1 : i;
    const h = data[i + 3]!;
    const type = codec === 'h264' ? h & 0x1f : (h >> 1) & 0x3f;
    const isParam = codec === 'h264' ? type === 7 || type === 8 : type >= 32 && type <= 34;
    const isSlice = codec === 'h264' ? type >= 1 && type <= 5 : type <= 31;
    if (paramStart >= 0 && paramEnd < 0 && !isParam) paramEnd = sc;
    if (isParam && paramStart < 0) paramStart = sc;
    if (isSlice) {
      key = codec === 'h264' ? type === 5 : type >= 16 && type <= 23;
      break;
    }
    i += 3;
  }
  const params = paramStart >= 0 ? Buffer.from(data.subarray(paramStart, paramEnd >= 0 ? paramEnd : n)) : null;
  return { key, params: key ? params : null };
}
