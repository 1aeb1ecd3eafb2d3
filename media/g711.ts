// G.711 out of the live MPEG-TS. Ingest copies a camera's sound as received; MPEG-TS has no stream type
// for G.711, so ffmpeg's muxer writes it as a private PES stream (stream_type 0x06, no descriptor) that
// ffmpeg's own demuxer then reads back only as "bin_data". Every ffmpeg that reads the relay and needs
// the sound (the scheduled recorder, the on-demand AAC encode, an RTSP push) therefore gets it a second
// way: this tap takes the private PES payloads — the G.711 bytes exactly as the camera sent them — with
// their PTS and writes them as an audio-only FLV stream (FLV sound formats 7 = A-law, 8 = µ-law, with a
// millisecond timestamp per tag) on another pipe. With -copyts the two inputs keep the same clock
// (PTS / 90 = FLV ms), so sound and picture stay in step.
// The same tap reads AAC (ADTS in stream_type 0x0F) for the one consumer that needs it apart: the RTSP
// muxer wants AAC's configuration before the first packet, which ADTS in MPEG-TS only gives with each
// frame; as FLV (sequence header first, then raw frames) ffmpeg knows it from the start.
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

/** What the tap can take out of the TS: G.711 (private stream) or AAC (ADTS). */
export type TapCodec = G711Codec | 'aac';

const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** An FLV AAC tag (0xAF: AAC, then packet type 0 = AudioSpecificConfig, 1 = a raw frame). */
function flvAacTag(ms: number, type: 0 | 1, payload: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([0xaf, type]), payload]);
  const tag = Buffer.alloc(11 + body.length + 4);
  tag[0] = 8;
  tag.writeUIntBE(body.length, 1, 3);
  const t = ms >>> 0;
  tag.writeUIntBE(t & 0xffffff, 4, 3);
  tag[7] = (t >>> 24) & 0xff;
  body.copy(tag, 11);
  tag.writeUInt32BE(11 + body.length, 11 + body.length);
  return tag;
}

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
export class AudioTap {
  private aacConfigSent = false;
  private pmtPid = -1;
  private audioPid = -1;
  private pes: Buffer[] = [];
  private pesBytes = 0;
  private pesLen = 0;
  private started = false;
  /** G.711 bytes seen so far (tests compare them with the source's). */
  bytes = 0;

  constructor(private codec: TapCodec) {}

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
    if (this.codec !== 'aac') {
      out.push(flvG711Tag(this.codec, Math.round(pts / 90), payload));
      return;
    }
    // ADTS frames, one after another: the first says the configuration, each is 1,024 samples.
    for (let i = 0, n = 0; i + 7 <= payload.length; n++) {
      if (payload[i] !== 0xff || (payload[i + 1]! & 0xf0) !== 0xf0) break;
      const headerLen = payload[i + 1]! & 1 ? 7 : 9;
      const objectType = (payload[i + 2]! >> 6) + 1;
      const rateIndex = (payload[i + 2]! >> 2) & 0x0f;
      const channels = ((payload[i + 2]! & 1) << 2) | (payload[i + 3]! >> 6);
      const frameLen = ((payload[i + 3]! & 3) << 11) | (payload[i + 4]! << 3) | (payload[i + 5]! >> 5);
      if (frameLen < headerLen || i + frameLen > payload.length) break;
      const ms = Math.round(pts / 90 + (n * 1024 * 1000) / (AAC_RATES[rateIndex] ?? 8000));
      if (!this.aacConfigSent) {
        this.aacConfigSent = true;
        out.push(flvAacTag(ms, 0, Buffer.from([(objectType << 3) | (rateIndex >> 1), ((rateIndex & 1) << 7) | (channels << 3)])));
      }
      out.push(flvAacTag(ms, 1, payload.subarray(i + headerLen, i + frameLen)));
      i += frameLen;
    }
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
      if (type === (this.codec === 'aac' ? 0x0f : 0x06)) {
        this.audioPid = pid;
        return;
      }
      e += 5 + (((s[e + 3]! & 0x0f) << 8) | s[e + 4]!);
    }
  }
}
