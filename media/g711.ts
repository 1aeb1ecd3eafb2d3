// G.711 out of the live MPEG-TS. Ingest copies a camera's sound as received; MPEG-TS has no stream type
// for G.711, so ffmpeg's muxer writes it as a private PES stream (stream_type 0x06, no descriptor) that
// ffmpeg's own demuxer then reads back only as "bin_data". Every ffmpeg that reads the relay and needs
// the sound (the scheduled recorder, the on-demand AAC encode, an RTSP push) therefore gets it a second
// way: this tap takes the private PES payloads — the G.711 bytes exactly as the camera sent them — with
// their PTS and writes them as an audio-only FLV stream (FLV sound formats 7 = A-law, 8 = µ-law, with a
// millisecond timestamp per tag) on another pipe. With -copyts the two inputs keep the same clock
// (PTS / 90 = FLV ms), so sound and picture stay in step.
import { TS_PACKET } from './ingest.ts';

export type G711Codec = 'pcm_mulaw' | 'pcm_alaw';

/**
 * ffmpeg input options for the live TS when its G.711 comes from the tap: with -copyts the two inputs
 * share the TS clock. Probing stops at 64 KiB: the private stream never gets parameters, so ffmpeg would
 * otherwise read the whole probe size (1 MB, seconds of a camera) before writing anything — the video's
 * parameters are in the key frame the relay starts every consumer on.
 */
export const G711_TS_INPUT = ['-copyts', '-analyzeduration', '500000', '-probesize', '65536', '-f', 'mpegts', '-i', 'pipe:0'];
/** The tap's FLV on fd 3: its one stream is described by its first tag, no need for the default 5 s of probing. */
export const G711_FLV_INPUT = ['-analyzeduration', '200000', '-probesize', '4096', '-f', 'flv', '-i', 'pipe:3'];

export const isG711 = (codec: string | null | undefined): codec is G711Codec => codec === 'pcm_mulaw' || codec === 'pcm_alaw';

/** The FLV file header (audio only) and the empty PreviousTagSize0 that follows it. */
export function flvHeader(): Buffer {
  return Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x04, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00]);
}

/** One FLV audio tag holding G.711 bytes at `ms`, with its PreviousTagSize. */
export function flvG711Tag(codec: G711Codec, ms: number, payload: Buffer): Buffer {
  const size = payload.length + 1;
  const tag = Buffer.alloc(11 + size + 4);
  tag[0] = 8;
  tag.writeUIntBE(size, 1, 3);
  const t = ms >>> 0;
  tag.writeUIntBE(t & 0xffffff, 4, 3);
  tag[7] = (t >>> 24) & 0xff;
  // Sound format 7 (A-law) or 8 (µ-law); rate/size/type bits: 8-bit mono (ffmpeg takes 8 kHz for G.711).
  tag[11] = (codec === 'pcm_alaw' ? 7 : 8) << 4;
  payload.copy(tag, 12);
  tag.writeUInt32BE(11 + size, 11 + size);
  return tag;
}

/**
 * Reads whole TS packets (any chunking that keeps packets whole, as the relay and ingest's fan-out
 * hand them) and returns FLV bytes for the private-stream PES payloads found: the header first.
 */
export class G711Tap {
  private pmtPid = -1;
  private audioPid = -1;
  private pes: Buffer[] = [];
  private pesBytes = 0;
  private pesLen = 0;
  private started = false;
  /** G.711 bytes seen so far (tests compare them with the source's). */
  bytes = 0;

  constructor(private codec: G711Codec) {}

  push(packets: Buffer): Buffer {
    const out: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      out.push(flvHeader());
    }
    for (let off = 0; off + TS_PACKET <= packets.length; off += TS_PACKET) {
      if (packets[off] !== 0x47) continue;
      const p = packets.subarray(off, off + TS_PACKET);
      const pid = ((p[1]! & 0x1f) << 8) | p[2]!;
      const pusi = (p[1]! & 0x40) !== 0;
      const afc = (p[3]! >> 4) & 3;
      let i = 4;
      if (afc === 2) continue;
      if (afc === 3) i += 1 + p[4]!;
      if (i >= TS_PACKET) continue;
      if (pid === 0 && pusi) this.readPat(p.subarray(i + 1 + p[i]!));
      else if (pid === this.pmtPid && pusi) this.readPmt(p.subarray(i + 1 + p[i]!));
      else if (pid === this.audioPid) {
        if (pusi) {
          this.flush(out);
          this.pesLen = p.readUInt16BE(i + 4);
        }
        if (pusi || this.pes.length) {
          this.pes.push(Buffer.from(p.subarray(i)));
          this.pesBytes += TS_PACKET - i;
          if (this.pesLen > 0 && this.pesBytes >= this.pesLen + 6) this.flush(out);
        }
      }
    }
    return Buffer.concat(out);
  }

  private flush(out: Buffer[]): void {
    if (!this.pes.length) return;
    const pes = Buffer.concat(this.pes);
    this.pes = [];
    this.pesBytes = 0;
    if (pes.length < 9 || pes[0] !== 0 || pes[1] !== 0 || pes[2] !== 1) return;
    const hdr = 9 + pes[8]!;
    const end = this.pesLen > 0 ? Math.min(pes.length, this.pesLen + 6) : pes.length;
    if ((pes[7]! & 0x80) === 0 || end <= hdr) return;
    const pts = ((pes[9]! >> 1) & 0x07) * 2 ** 30 + (pes.readUInt16BE(10) >> 1) * 2 ** 15 + (pes.readUInt16BE(12) >> 1);
    const payload = pes.subarray(hdr, end);
    this.bytes += payload.length;
    out.push(flvG711Tag(this.codec, Math.round(pts / 90), payload));
  }

  private readPat(s: Buffer): void {
    if (s[0] !== 0) return;
    const len = ((s[1]! & 0x0f) << 8) | s[2]!;
    for (let e = 8; e + 4 <= Math.min(s.length, 3 + len - 4); e += 4) {
      if (((s[e]! << 8) | s[e + 1]!) !== 0) {
        this.pmtPid = ((s[e + 2]! & 0x1f) << 8) | s[e + 3]!;
        return;
      }
    }
  }

  private readPmt(s: Buffer): void {
    if (s[0] !== 2) return;
    const len = ((s[1]! & 0x0f) << 8) | s[2]!;
    const infoLen = ((s[10]! & 0x0f) << 8) | s[11]!;
    const end = Math.min(s.length, 3 + len - 4);
    for (let e = 12 + infoLen; e + 5 <= end; ) {
      const type = s[e]!;
      const pid = ((s[e + 1]! & 0x1f) << 8) | s[e + 2]!;
      if (type === 0x06) {
        this.audioPid = pid;
        return;
      }
      e += 5 + (((s[e + 3]! & 0x0f) << 8) | s[e + 4]!);
    }
  }
}
