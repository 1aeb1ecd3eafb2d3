// temporary diagnostic (face helper); deleted before report
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModels } from '../kiosk/face/core.ts';
import { createRequire } from 'node:module';
import sharp from 'sharp';
const require = createRequire(import.meta.url);
await loadModels();
const fa = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const dir = '/work/shared/data/faces';
for (const p of process.argv.slice(2)) {
  const img = readFileSync(join(dir, p));
  const { data, info } = await sharp(img).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const m = Math.round(Math.max(info.width, info.height) * 0.25);
  const pad = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).extend({ top: m, bottom: m, left: m, right: m, background: { r: 0, g: 0, b: 0 } }).raw().toBuffer({ resolveWithObject: true });
  const t = fa.tf.tensor3d(new Uint8Array(pad.data), [pad.info.height, pad.info.width, 3], 'int32');
  const r = await fa.detectAllFaces(t, new fa.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 10 })).withFaceLandmarks();
  t.dispose();
  const cx = pad.info.width / 2, cy = pad.info.height / 2;
  console.log(p, info.width + 'x' + info.height);
  for (const x of r) {
    const b = x.detection.box;
    const off = Math.hypot(b.x + b.width / 2 - cx, b.y + b.height / 2 - cy);
    console.log(`  box x${(b.x - m).toFixed(0)} y${(b.y - m).toFixed(0)} w${b.width.toFixed(0)} h${b.height.toFixed(0)} score ${x.detection.score.toFixed(3)} lmScore ${(x.landmarks.score ?? NaN)} off ${off.toFixed(0)} off/w ${(off / b.width).toFixed(2)}`);
  }
}
