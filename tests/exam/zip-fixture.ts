// Zips made byte by byte for the roster-zip tests, because the cases are what a zip library will not
// write: names in GBK without the UTF-8 flag (Windows' own "send to compressed folder" on a Chinese
// system) and a header that understates an entry's unzipped size (a zip bomb that lies).
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntryInput {
  /** The name as raw bytes (GBK, say) or text (written as UTF-8, with or without the flag). */
  name: Buffer | string;
  data: Buffer;
  /** Set bit 11 (names are UTF-8). Default: true for string names, false for Buffer names. */
  utf8Flag?: boolean;
  /** Deflate (default) or store. */
  deflate?: boolean;
  /** Write this as the unzipped size in the headers instead of the true one (a lying header). */
  declaredSize?: number;
}

export function makeZip(entries: ZipEntryInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : e.name;
    const flag = (e.utf8Flag ?? typeof e.name === 'string') ? 0x800 : 0;
    const deflate = e.deflate !== false;
    const body = deflate ? deflateRawSync(e.data) : e.data;
    const crc = crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flag, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x5a21, 12); // 2025-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flag, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x5a21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Text in GBK, as a Chinese Windows writes file names into a zip. */
export function gbk(text: string): Buffer {
  // Node has no GBK encoder; the few names the tests use are spelled out (verified by TextDecoder('gbk')).
  const table: Record<string, number[]> = { 张三: [0xd5, 0xc5, 0xc8, 0xfd], 照片: [0xd5, 0xd5, 0xc6, 0xac], 李四: [0xc0, 0xee, 0xcb, 0xc4] };
  const out: number[] = [];
  let rest = text;
  while (rest.length) {
    const k = Object.keys(table).find((w) => rest.startsWith(w));
    if (k) {
      out.push(...table[k]!);
      rest = rest.slice(k.length);
    } else {
      const c = rest.charCodeAt(0);
      if (c > 0x7f) throw new Error(`gbk(): no bytes for ${rest[0]}`);
      out.push(c);
      rest = rest.slice(1);
    }
  }
  return Buffer.from(out);
}
