// The engine's descriptor model since 2026-12-07 (core.ts RECIPE 'mfn'; docs/face-engine.md "A descriptor
// from npm"): ONNX models run by onnxruntime-web (wasm, in Node) inside a face worker, one thread. The model
// file sits in models/ beside this module, put there by server/setup.mjs at install; nothing is fetched at run time. Each model gets the crop its authors use,
// cut from face-api's 68 landmarks (extra-models.ts' warp); the bench also reads the raw outputs.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Pt } from './geometry.ts';
import { fivePoints, warpCrop } from './extra-models.ts';

/**
 * `fpmfn`: `models/mobilefacenet-512.onnx`, faceplugin-face-recognition-js 0.0.1's `model/fr_feature.onnx`
 * copied unchanged — a MobileFaceNet (PyTorch export; 512-d) whose package aligns five points (eye centres, nose tip, mouth corners) onto the
 * InsightFace 112×112 template and feeds RGB, NCHW, (x − 127) / 128 (lib/fr_feature.js). Compared by
 * cosine.
 */
export const onnxModels = {
  fpmfn: { file: 'mobilefacenet-512.onnx', size: 112, mean: 127, scale: 128 },
} as const;
export type OnnxModelName = keyof typeof onnxModels;
export const isOnnxModel = (n: string): n is OnnxModelName => Object.hasOwn(onnxModels, n);

interface OrtTensor {
  data: Float32Array;
  dims: readonly number[];
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
interface Ort {
  env: { wasm: { numThreads: number }; logLevel: string };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, opts: { executionProviders: string[]; logSeverityLevel: number }): Promise<OrtSession> };
}

const require = createRequire(import.meta.url);
let ort: Ort | null = null;
const sessions = new Map<OnnxModelName, OrtSession>();

async function session(name: OnnxModelName): Promise<OrtSession> {
  const have = sessions.get(name);
  if (have) return have;
  if (!ort) {
    // The ESM entry in Node: it finds its .wasm beside itself. One thread: a face worker is one core.
    ort = (await import(pathToFileURL(require.resolve('onnxruntime-web')).href)) as Ort;
    ort.env.wasm.numThreads = 1;
    // Errors only: at start-up the runtime warns "Unknown CPU vendor" on this kind of machine, on stderr.
    ort.env.logLevel = 'error';
  }
  const spec = onnxModels[name];
  const file = join(import.meta.dirname, 'models', spec.file);
  if (!existsSync(file)) throw new Error(`the face model ${file} is missing: \`node server/setup.mjs\` fetches it (npm start and npm test run it)`);
  const s = await ort.InferenceSession.create(readFileSync(file), {
    executionProviders: ['wasm'],
    logSeverityLevel: 3,
  });
  sessions.set(name, s);
  return s;
}

/** Load the runtime and the model now (a worker's start-up), so the first request does not wait for it. */
export async function loadOnnxModel(name: OnnxModelName): Promise<void> {
  await session(name);
}

/**
 * The engine's descriptor from this model: the unit-length output for the face, or with `flip` the
 * unit-length mean of the face's and its mirror image's unit outputs. Compared by Euclidean distance,
 * which on unit vectors is a function of the cosine (√(2 − 2 cos)).
 */
export async function onnxDescriptor(
  name: OnnxModelName,
  rgb: Uint8Array,
  width: number,
  height: number,
  landmarks: Pt[],
  flip: boolean,
): Promise<Float32Array> {
  const outs = await runOnnxModel(name, rgb, width, height, landmarks, flip);
  const units = outs.map(unitLength);
  return unitLength(units[0]!.map((_, i) => units.reduce((s, u) => s + u[i]!, 0) / units.length));
}

function unitLength(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s) || 1;
  return v.map((x) => x / n);
}

/** The model's raw output for the face, then (unless `mirror` is false) for its mirror image. */
export async function runOnnxModel(
  name: OnnxModelName,
  rgb: Uint8Array,
  width: number,
  height: number,
  landmarks: Pt[],
  mirror = true,
): Promise<Float32Array[]> {
  const s = await session(name);
  const spec = onnxModels[name];
  const n = spec.size;
  const crop = warpCrop(rgb, width, height, fivePoints(landmarks), n, 1);
  const planes = new Float32Array(2 * 3 * n * n);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++)
      for (let c = 0; c < 3; c++) {
        const v = (crop[(y * n + x) * 3 + c]! - spec.mean) / spec.scale;
        planes[c * n * n + y * n + x] = v;
        planes[3 * n * n + c * n * n + y * n + (n - 1 - x)] = v;
      }
  const out: Float32Array[] = [];
  for (let k = 0; k < (mirror ? 2 : 1); k++) {
    const input = new ort!.Tensor('float32', planes.slice(k * 3 * n * n, (k + 1) * 3 * n * n), [1, 3, n, n]);
    const res = await s.run({ [s.inputNames[0]!]: input });
    out.push(new Float32Array(res[s.outputNames[0]!]!.data));
  }
  return out;
}
