// A reader of MPEG-2 Program Stream packs written from ISO/IEC 13818-1 §2.5 (not from the muxer's
// code), for checking what we send field by field.
import { crc32Mpeg } from '../../../media/gb28181/ps-mux.ts';

/** Reads a 33-bit time from the 5-byte PTS/DTS layout, checking the three marker bits. */
function ts5(b: Buffer, o: number): { value: number; prefix: number; markers: boolean } {
  const markers = (b[o]! & 1) === 1 && (b[o + 2]! & 1) === 1 && (b[o + 4]! & 1) === 1;
  const value = ((b[o]! >> 1) & 7) * 2 ** 30 + ((b[o + 1]! << 7) | (b[o + 2]! >> 1)) * 2 ** 15 + ((b[o + 3]! << 7) | (b[o + 4]! >> 1));
  return { value, prefix: b[o]! >> 4, markers };
}

export interface Parsed {
  scr: number;
  scrMarkers: boolean;
  muxRate: number;
  system: { rateBound: number; streams: Array<{ id: number; scale: number; size: number }> } | null;
  psm: { types: Array<{ type: number; id: number }>; crcOk: boolean; length: number } | null;
  pes: Array<{ id: number; length: number; pts: number | null; dts: number | null; payload: Buffer; aligned: boolean }>;
}

export function parsePack(whole: Buffer, at = 0): Parsed & { end: number } {
  const buf = whole.subarray(at);
  let o = 0;
  if (buf.readUInt32BE(0) !== 0x1ba) throw new Error('no pack_start_code');
  if (buf[4]! >> 6 !== 1) throw new Error("pack header does not start with '01' (MPEG-2)");
  const scrMarkers = (buf[4]! & 0x04) !== 0 && (buf[6]! & 0x04) !== 0 && (buf[8]! & 0x04) !== 0 && (buf[9]! & 1) === 1;
  const scr =
    ((buf[4]! >> 3) & 7) * 2 ** 30 +
    (((buf[4]! & 3) << 13) | (buf[5]! << 5) | (buf[6]! >> 3)) * 2 ** 15 +
    (((buf[6]! & 3) << 13) | (buf[7]! << 5) | (buf[8]! >> 3));
  const muxRate = (buf[10]! << 14) | (buf[11]! << 6) | (buf[12]! >> 2);
  o = 14 + (buf[13]! & 7);
  const out: Parsed = { scr, scrMarkers, muxRate, system: null, psm: null, pes: [] };
  while (o < buf.length) {
    const code = buf.readUInt32BE(o);
    if (code === 0x1ba) break;
    const len = buf.readUInt16BE(o + 4);
    const body = buf.subarray(o + 6, o + 6 + len);
    if (code === 0x1bb) {
      const streams = [];
      for (let i = 6; i < body.length; i += 3)
        streams.push({ id: body[i]!, scale: (body[i + 1]! >> 5) & 1, size: ((body[i + 1]! & 0x1f) << 8) | body[i + 2]! });
      out.system = { rateBound: ((body[0]! & 0x7f) << 15) | (body[1]! << 7) | (body[2]! >> 1), streams };
    } else if (code === 0x1bc) {
      const infoLen = body.readUInt16BE(2);
      const mapLen = body.readUInt16BE(4 + infoLen);
      const types = [];
      for (let i = 6 + infoLen; i < 6 + infoLen + mapLen; ) {
        types.push({ type: body[i]!, id: body[i + 1]! });
        i += 4 + body.readUInt16BE(i + 2);
      }
      const whole = buf.subarray(o, o + 6 + len);
      out.psm = { types, crcOk: crc32Mpeg(whole.subarray(0, whole.length - 4)) === whole.readUInt32BE(whole.length - 4), length: len };
    } else if ((code & 0xffffff00) === 0x100 && (code & 0xff) >= 0xc0) {
      const flags = body[1]!;
      const hdr = body[2]!;
      const pts = flags & 0x80 ? ts5(body, 3) : null;
      const dts = flags & 0x40 ? ts5(body, 8) : null;
      if (pts && !pts.markers) throw new Error('PTS marker bits');
      out.pes.push({
        id: code & 0xff,
        length: len,
        pts: pts?.value ?? null,
        dts: dts?.value ?? null,
        payload: body.subarray(3 + hdr),
        aligned: (body[0]! & 0x04) !== 0,
      });
    } else throw new Error(`unexpected start code 0x${code.toString(16)} at ${o}`);
    o += 6 + len;
  }
  return { ...out, end: at + o };
}

/** Every pack of a PS stream. */
export function parsePs(buf: Buffer): Parsed[] {
  const packs: Parsed[] = [];
  for (let at = 0; at < buf.length; ) {
    const p = parsePack(buf, at);
    packs.push(p);
    at = p.end;
  }
  return packs;
}
