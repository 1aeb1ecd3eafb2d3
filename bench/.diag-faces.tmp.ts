// temporary diagnostic (face helper); deleted before report
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModels } from '../kiosk/face/core.ts';
import { createRequire } from 'node:module';
import sharp from 'sharp';
const require = createRequire(import.meta.url);
await loadModels();
const fa = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const dir = '/work/shared/data/faces';
async function frame640(photo: Buffer): Promise<Buffer> {
  const img = sharp(photo);
  const m = await img.metadata();
  const scale = Math.min(1, 460 / Math.max(m.width ?? 1, m.height ?? 1));
  const w = Math.round((m.width ?? 1) * scale);
  const h = Math.round((m.height ?? 1) * scale);
  const inner = await img.resize(w, h).toBuffer();
  return sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 118, g: 118, b: 118 } } })
    .composite([{ input: inner, left: Math.round((640 - w) / 2), top: Math.round((480 - h) / 2) }]).jpeg({ quality: 90 }).toBuffer();
}
for (const p of process.argv.slice(2)) {
  const img = await frame640(readFileSync(join(dir, p)));
  writeFileSync('/tmp/face-helper/' + p.split('/').pop(), img);
  const { data, info } = await sharp(img).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const t = fa.tf.tensor3d(new Uint8Array(data), [info.height, info.width, 3], 'int32');
  for (const [name, opt] of [['tiny320', new fa.TinyFaceDetectorOptions({ inputSize: 320, scoreThreshold: 0.5 })], ['tiny416', new fa.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 })], ['ssd', new fa.SsdMobilenetv1Options({ minConfidence: 0.5 })]] as const) {
    const r = await fa.detectAllFaces(t, opt).withFaceLandmarks();
    const cx = info.width / 2, cy = info.height / 2;
    console.log(p, name);
    for (const x of r) {
      const b = x.detection.box;
      const off = Math.hypot(b.x + b.width / 2 - cx, b.y + b.height / 2 - cy);
      console.log(`  box x${b.x.toFixed(0)} y${b.y.toFixed(0)} w${b.width.toFixed(0)} h${b.height.toFixed(0)} score ${x.detection.score.toFixed(3)} off ${off.toFixed(0)} off/w ${(off / b.width).toFixed(2)}`);
    }
  }
  t.dispose();
}
