// MPEG-2 Program Stream (ISO/IEC 13818-1 §2.5) as GB/T 28181 (Annex C) asks for it: every frame opens
// with a pack header; a video key frame also carries the system header and the program stream map so a
// platform can join at any key frame; each elementary stream frame is split into PES packets of at most
// 64 KiB (PES_packet_length is 16 bits). Nothing is re-encoded: the bytes are the camera's.

export type PsVideoCodec = 'h264' | 'hevc';
export type PsAudioCodec = 'aac' | 'g711a' | 'g711u';

/** stream_type values of the PSM (ISO/IEC 13818-1 Table 2-34; 0x90/0x91 are GB/T 28181's G.711). */
export const PS_STREAM_TYPE = { h264: 0x1b, hevc: 0x24, aac: 0x0f, g711a: 0x90, g711u: 0x91 } as const;
export const VIDEO_STREAM_ID = 0xe0;
export const AUDIO_STREAM_ID = 0xc0;

/** The largest PES payload that keeps PES_packet_length (3 header bytes + 10 of PTS/DTS + payload) within 16 bits. */
export const MAX_PES_PAYLOAD = 0xffff - 3 - 10;

/** program_mux_rate / rate_bound in units of 50 bytes/s: 20 Mbit/s, above any camera we carry. */
const MUX_RATE = 50_000;

export interface PsFrame {
  kind: 'video' | 'audio';
  /** 90 kHz, 33 bits. */
  pts: number;
  dts: number;
  key: boolean;
  /** The access unit: Annex-B for video, ADTS for AAC, raw bytes for G.711. */
  data: Buffer;
}

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** CRC-32/MPEG-2 (Annex A): polynomial 0x04C11DB7, initial all ones, no reflection, no final xor. */
export function crc32Mpeg(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const b of buf) crc = ((crc << 8) ^ crcTable[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  return crc >>> 0;
}

/** A 33-bit 90 kHz time as 5 bytes with the 4-bit prefix and markers (PTS/DTS, §2.4.3.7). */
function writeTimestamp(buf: Buffer, off: number, prefix: number, ts: number): void {
  const t = ts % 2 ** 33;
  const hi = Math.floor(t / 2 ** 30) & 0x07;
  const mid = Math.floor(t / 2 ** 15) & 0x7fff;
  const lo = t & 0x7fff;
  buf[off] = (prefix << 4) | (hi << 1) | 1;
  buf[off + 1] = mid >> 7;
  buf[off + 2] = ((mid & 0x7f) << 1) | 1;
  buf[off + 3] = lo >> 7;
  buf[off + 4] = ((lo & 0x7f) << 1) | 1;
}

/** pack_header (§2.5.3.3): 14 bytes, SCR from the frame's DTS, no stuffing. */
export function packHeader(scr: number): Buffer {
  const b = Buffer.alloc(14);
  b.writeUInt32BE(0x000001ba, 0);
  const t = scr % 2 ** 33;
  const hi = Math.floor(t / 2 ** 30) & 0x07;
  const mid = Math.floor(t / 2 ** 15) & 0x7fff;
  const lo = t & 0x7fff;
  // '01' SCR[32..30] 1 SCR[29..15] 1 SCR[14..0] 1 SCR_ext(9)=0 1
  b[4] = 0x40 | (hi << 3) | 0x04 | (mid >> 13);
  b[5] = (mid >> 5) & 0xff;
  b[6] = ((mid & 0x1f) << 3) | 0x04 | (lo >> 13);
  b[7] = (lo >> 5) & 0xff;
  b[8] = ((lo & 0x1f) << 3) | 0x04;
  b[9] = 0x01;
  // program_mux_rate(22) '11'
  b[10] = (MUX_RATE >> 14) & 0xff;
  b[11] = (MUX_RATE >> 6) & 0xff;
  b[12] = ((MUX_RATE & 0x3f) << 2) | 0x03;
  // reserved '11111', pack_stuffing_length 0
  b[13] = 0xf8;
  return b;
}

/** system_header (§2.5.3.5) listing the streams and their P-STD buffer bounds. */
export function systemHeader(video: PsVideoCodec | null, audio: PsAudioCodec | null): Buffer {
  const streams: Array<[number, number, number]> = [];
  // [stream_id, buffer_bound_scale, size_bound]: video in 1024-byte units, audio in 128-byte units.
  if (video) streams.push([VIDEO_STREAM_ID, 1, 2048]);
  if (audio) streams.push([AUDIO_STREAM_ID, 0, 512]);
  const b = Buffer.alloc(12 + 3 * streams.length);
  b.writeUInt32BE(0x000001bb, 0);
  b.writeUInt16BE(6 + 3 * streams.length, 4);
  // marker, rate_bound(22), marker
  b[6] = 0x80 | ((MUX_RATE >> 15) & 0x7f);
  b[7] = (MUX_RATE >> 7) & 0xff;
  b[8] = ((MUX_RATE & 0x7f) << 1) | 0x01;
  // audio_bound(6), fixed_flag 0, CSPS_flag 0
  b[9] = (audio ? 1 : 0) << 2;
  // system_audio_lock_flag, system_video_lock_flag, marker, video_bound(5)
  b[10] = 0xe0 | (video ? 1 : 0);
  // packet_rate_restriction_flag 0, reserved 0x7f
  b[11] = 0x7f;
  streams.forEach(([id, scale, size], i) => {
    const o = 12 + 3 * i;
    b[o] = id;
    b[o + 1] = 0xc0 | (scale << 5) | ((size >> 8) & 0x1f);
    b[o + 2] = size & 0xff;
  });
  return b;
}

/** program_stream_map (§2.5.4) naming each stream's type, with its CRC. */
export function programStreamMap(video: PsVideoCodec | null, audio: PsAudioCodec | null, version = 0): Buffer {
  const entries: Array<[number, number]> = [];
  if (video) entries.push([PS_STREAM_TYPE[video], VIDEO_STREAM_ID]);
  if (audio) entries.push([PS_STREAM_TYPE[audio], AUDIO_STREAM_ID]);
  const b = Buffer.alloc(16 + 4 * entries.length);
  b.writeUInt32BE(0x000001bc, 0);
  b.writeUInt16BE(10 + 4 * entries.length, 4);
  // current_next_indicator 1, reserved '11', program_stream_map_version(5)
  b[6] = 0xe0 | (version & 0x1f);
  // reserved(7), marker
  b[7] = 0xff;
  b.writeUInt16BE(0, 8); // program_stream_info_length
  b.writeUInt16BE(4 * entries.length, 10);
  entries.forEach(([type, id], i) => {
    const o = 12 + 4 * i;
    b[o] = type;
    b[o + 1] = id;
    b.writeUInt16BE(0, o + 2);
  });
  b.writeUInt32BE(crc32Mpeg(b.subarray(0, b.length - 4)), b.length - 4);
  return b;
}

/** The PES headers (§2.4.3.6) for one frame's payload, split at MAX_PES_PAYLOAD; PTS/DTS on the first only. */
function pesHeaders(streamId: number, frame: PsFrame, out: Buffer[]): void {
  const withDts = frame.kind === 'video' && frame.dts !== frame.pts;
  let off = 0;
  const data = frame.data;
  do {
    const first = off === 0;
    const tsBytes = first ? (withDts ? 10 : 5) : 0;
    const n = Math.min(data.length - off, MAX_PES_PAYLOAD + 10 - tsBytes);
    const h = Buffer.alloc(9 + tsBytes);
    h.writeUInt32BE(0x00000100 | streamId, 0);
    h.writeUInt16BE(3 + tsBytes + n, 4);
    // '10', not scrambled, data_alignment_indicator on the frame's first PES (it starts an access unit), original
    h[6] = first ? 0x85 : 0x81;
    h[7] = first ? (withDts ? 0xc0 : 0x80) : 0x00;
    h[8] = tsBytes;
    if (first) {
      writeTimestamp(h, 9, withDts ? 0x3 : 0x2, frame.pts);
      if (withDts) writeTimestamp(h, 14, 0x1, frame.dts);
    }
    out.push(h, data.subarray(off, off + n));
    off += n;
  } while (off < data.length);
}

/** Packs frames of one program; keeps the codecs so the PSM is right and says when they change. */
export class PsMuxer {
  private version = 0;
  constructor(
    private video: PsVideoCodec | null,
    private audio: PsAudioCodec | null,
  ) {}

  setCodecs(video: PsVideoCodec | null, audio: PsAudioCodec | null): void {
    if (video === this.video && audio === this.audio) return;
    this.video = video;
    this.audio = audio;
    this.version = (this.version + 1) & 0x1f;
  }

  /**
   * One frame (and the audio frames given with a video frame) as the buffers of one PS pack (header pieces and slices of the frame's own bytes, not
   * copied): pack header, [system header + PSM on a key frame], PES packets.
   */
  mux(frame: PsFrame, audio: readonly PsFrame[] = []): Buffer[] {
    const out: Buffer[] = [packHeader(frame.dts)];
    if (frame.kind === 'video' && frame.key) out.push(systemHeader(this.video, this.audio), programStreamMap(this.video, this.audio, this.version));
    pesHeaders(frame.kind === 'video' ? VIDEO_STREAM_ID : AUDIO_STREAM_ID, frame, out);
    // Audio that arrived since the last video frame rides in this pack, each PES with its own PTS, so
    // the RTP timestamps (one per pack) rise with the video's instead of stepping back for audio.
    for (const a of audio) pesHeaders(AUDIO_STREAM_ID, a, out);
    return out;
  }
}
