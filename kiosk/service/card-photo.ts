// The card photo as the reader bridge's WLT decoder wrote it. The vendors' decoders write a BMP
// (102×126, 24-bit, bottom-up on most); the kiosk stores and compares JPEG or PNG, so a BMP becomes a
// PNG here (lossless: the card photo is small and already poor). Anything else is refused in words.
import sharp from 'sharp';
import { ValidationError } from '../../core/index.ts';
import { imageKind } from './images.ts';

const bad = (problem: string) => new ValidationError([{ path: 'body.photoBase64', problem }]);

/** Uncompressed 24- or 32-bit BMP → PNG. */
export async function bmpToPng(b: Buffer): Promise<Buffer> {
  if (b.length < 54 || b[0] !== 0x42 || b[1] !== 0x4d) throw bad('is not a BMP');
  const dataAt = b.readUInt32LE(10);
  const headerSize = b.readUInt32LE(14);
  const width = b.readInt32LE(18);
  const rawHeight = b.readInt32LE(22);
  const bits = b.readUInt16LE(28);
  const compression = headerSize >= 40 ? b.readUInt32LE(30) : 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || width > 2000 || height === 0 || height > 2000) throw bad(`is a BMP of ${width}×${height} pixels; a card photo is about 102×126`);
  if ((bits !== 24 && bits !== 32) || (compression !== 0 && compression !== 3))
    throw bad(`is a ${bits}-bit BMP with compression ${compression}; the decoder must write an uncompressed 24- or 32-bit BMP (or a JPEG/PNG)`);
  const bpp = bits / 8;
  const stride = Math.ceil((width * bpp) / 4) * 4;
  if (dataAt + stride * height > b.length) throw bad(`is a BMP cut short: ${b.length} bytes, its header needs ${dataAt + stride * height}`);
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    // A positive height stores the bottom row first.
    const src = dataAt + (rawHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const s = src + x * bpp;
      const d = (y * width + x) * 3;
      rgb[d] = b[s + 2]!;
      rgb[d + 1] = b[s + 1]!;
      rgb[d + 2] = b[s]!;
    }
  }
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** The card photo in a form the kiosk stores: JPEG and PNG as sent, BMP converted. */
export async function cardPhotoImage(bytes: Buffer): Promise<Buffer> {
  if (imageKind(bytes)) return bytes;
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return bmpToPng(bytes);
  throw bad('is neither a JPEG, a PNG nor a BMP image');
}
