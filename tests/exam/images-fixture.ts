// Real picture files for the question-image tests, made by sharp (PNG, JPEG, GIF, WebP) or written
// byte by byte (BMP, which sharp does not write); each colour gives different bytes.
import sharp from 'sharp';

const COLOURS = { red: { r: 255, g: 0, b: 0 }, green: { r: 0, g: 160, b: 0 }, blue: { r: 0, g: 0, b: 255 } } as const;
export type Colour = keyof typeof COLOURS;

const canvas = (colour: Colour) => sharp({ create: { width: 4, height: 4, channels: 3, background: COLOURS[colour] } });

export const png = (colour: Colour = 'red'): Promise<Buffer> => canvas(colour).png().toBuffer();
export const jpeg = (colour: Colour = 'red'): Promise<Buffer> => canvas(colour).jpeg().toBuffer();
export const gif = (colour: Colour = 'red'): Promise<Buffer> => canvas(colour).gif().toBuffer();
export const webp = (colour: Colour = 'red'): Promise<Buffer> => canvas(colour).webp().toBuffer();

/** A 1×1 24-bit BMP: the 14-byte file header, the 40-byte BITMAPINFOHEADER, one padded pixel row. */
export function bmp(colour: Colour = 'red'): Buffer {
  const b = Buffer.alloc(58);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(58, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(1, 18);
  b.writeInt32LE(1, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  b.writeUInt32LE(4, 34);
  const { r, g, b: blue } = COLOURS[colour];
  b[54] = blue;
  b[55] = g;
  b[56] = r;
  return b;
}

export const SVG = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><script>alert(1)</script></svg>\n');
