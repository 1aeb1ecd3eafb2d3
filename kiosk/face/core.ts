// The face pipeline itself: decode, detect, check quality, describe. Runs inside a worker thread (see
// worker.ts); it owns the tfjs runtime of that thread, so nothing here may be imported by the main thread.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type * as FaceApiNs from '@vladmandic/face-api';
import type { FaceBox, FaceQuality, FaceRefusal, FaceWarning, FrameFace } from './types.ts';
import { eyeOpenness, laplacianVariance, yawFromLandmarks, type Pt } from './geometry.ts';
import { loadExtraModel, parseVariant, runExtraModel, type Tf } from './extra-models.ts';
import { chipTransform, extractChip, FIVE_POINTS } from './align.ts';
import { isOnnxModel, loadOnnxModel, onnxDescriptor, runOnnxModel } from './onnx-models.ts';

type FaceApi = typeof FaceApiNs;
const require = createRequire(import.meta.url);

export interface CoreLimits {
  /** A second face at least this share of the main face's width counts as a face, not background. */
  secondFaceRatio: number;
  /**
   * enrol/verify only: a counted second face makes the photo ambiguous unless the main face is clearly
   * the subject — nearer the image centre by at least this many main-face widths. Live frames (analyse)
   * count every face above the ratio, so a helper beside the candidate is always reported.
   */
  centralMargin: number;
  /**
   * Live frames only (analyse: the kiosk's face guide and liveness): a counted face at least this share of
   * the subject's width is someone about as near the camera — a helper at the candidate's shoulder — and
   * always counts, wherever it is. Smaller faces off to the side are a step behind (a queue, a crowd in a
   * photo held up): background. The bench's six side-by-side pairs are 79–111 % as wide (docs/face-engine.md);
   * the README's demo frame (Alejandro_Toledo_0027) has a face 56 % as wide at the top edge.
   */
  peerRatio: number;
  /** Smallest usable face width in pixels of the (possibly downscaled) photo. */
  minFacePx: number;
  /**
   * Least Laplacian variance of the face (its landmarks' box, resized to sharpnessCrop px wide) still
   * sharp enough. On LFW (86 photos, both paths): sharp photos read ≥ 17 (p5 21–24); blurred σ 1.5
   * p50 12–17, σ 2 p50 8–12, σ 2.5 p50 6–9. 12 refuses most σ 2 and nearly all σ 2.5 live frames and
   * no sharp photo of the sample.
   */
  minSharpness: number;
  /** Largest |yaw| in degrees still accepted as facing the camera. */
  maxYaw: number;
  /** Input size of the tiny detector on the quick path (multiple of 32; smaller = faster, misses small faces). */
  tinyInput: number;
  /** Width the face crop is resized to before the Laplacian (the sharpness scale depends on it). */
  sharpnessCrop: number;
}

export const defaultLimits: CoreLimits = {
  secondFaceRatio: 0.5,
  centralMargin: 0.5,
  peerRatio: 0.75,
  minFacePx: 48,
  minSharpness: 12,
  maxYaw: 60,
  tinyInput: 320,
  sharpnessCrop: 128,
};

/**
 * How a face's descriptor is computed from its landmarks (docs/face-engine.md, "Alignment"):
 * - `v2`: face-api's upright crop, twice (first-pass landmarks, and landmarks found again on a canonical
 *   box), descriptors averaged — descriptor version 2;
 * - `chip`: dlib's 150 px face chip (align.ts) from the first-pass landmarks;
 * - `chip-flip`: the mean of that chip's descriptor and its mirror image's;
 * - `mfn`: the 512-d MobileFaceNet of onnx-models.ts (`fpmfn`) on the ArcFace 112 px crop, unit length;
 *   `mfn-flip`: the unit mean of that and its mirror image's.
 */
// 'none' (bench/face-models.ts only): landmarks and the extra models, no face-api descriptor — for caching
// another model's outputs when face-api's are already cached from an earlier run.
export type Recipe = 'v2' | 'chip' | 'chip-flip' | 'mfn' | 'mfn-flip' | 'none';
// Since 2026-12-07: mfn (index.ts FACE_MODEL_ID). On pairs.txt's 10-fold CV at FAR ≤ 0.5 % (photo path)
// the MobileFaceNet scored 98.7 ± 1.1 % (v2 97.4 ± 2.1 %; its mirror mean tied at one more pass)
// (docs/face-engine.md, "A descriptor from npm"). Before: v2, which had beaten dlib's chip
// (96.2 %), chip + mirror (96.7 %) and v2 + chip + mirror (97.4 %, twice the ResNet passes).
export const RECIPE: Recipe = 'mfn';

/** Which detector finds the face: roster photos take the thorough one, live frames the quick one. */
export type DetectMode = 'accurate' | 'fast';

/**
 * The worker's answer. A photo with one face is described even when it fails a quality rule: `issues`
 * lists the failed rules in the order a person at the kiosk can act on them (near enough, still enough,
 * facing the camera), and the engine (index.ts) turns the first into a refusal for a live frame or keeps
 * them as warnings for a reference. Only what no retake policy can change is refused here.
 */
export type DescribeResult =
  | {
      ok: true;
      descriptor: Float32Array;
      box: FaceBox;
      quality: FaceQuality;
      detector: 'ssd' | 'tiny';
      issues: Array<FaceWarning & { hint: string }>;
      /** Outputs of the extra models asked for (extra-models.ts), by model name. */
      extra?: Record<string, Float32Array>;
      /** Time each extra model took, crop included (ms). */
      extraMs?: Record<string, number>;
    }
  | { ok: false; reason: FaceRefusal; detail: string };

// Images larger than this are shrunk first: detectors resize to ≤ 512 px anyway, and the descriptor
// works on a 150 px aligned crop, so bigger inputs only cost decode and copy time.
const MAX_SIDE = 1024;
// SSD MobileNet misses faces that fill most of the frame (≈10 % of LFW's 250×250 crops); a margin of
// this share of the longer side on every edge brought misses to 0.4 % (0 with the tiny fallback here).
const PAD = 0.25;
const WIDE_PAD = 0.5;

let api: FaceApi | null = null;
let backendName = '';

function tfjsNodeAvailable(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

export async function loadModels(): Promise<{ backend: string }> {
  if (api) return { backend: backendName };
  // tfjs-node (native TensorFlow) is several times faster when installed; wasm is the portable default.
  // No setWasmPaths: in Node the wasm backend finds its .wasm files beside its own module.
  const native = tfjsNodeAvailable();
  const faceapi = require(native ? '@vladmandic/face-api/dist/face-api.node.js' : '@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  const tf = faceapi.tf as unknown as { setBackend(n: string): Promise<boolean>; ready(): Promise<void>; getBackend(): string };
  if (!native) await tf.setBackend('wasm');
  await tf.ready();
  const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  // face-api's ResNet only for the recipes that use it (the bench's comparisons load it on demand).
  if (usesResnet(RECIPE)) await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  else await loadOnnxModel('fpmfn');
  api = faceapi;
  backendName = tf.getBackend();
  return { backend: backendName };
}

const usesResnet = (r: Recipe) => r === 'v2' || r === 'chip' || r === 'chip-flip';

async function ensureResnet(r: Recipe): Promise<void> {
  const net = faceapi().nets.faceRecognitionNet;
  if (usesResnet(r) && !net.isLoaded) await net.loadFromDisk(join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model'));
}

function faceapi(): FaceApi {
  if (!api) throw new Error('face models are not loaded');
  return api;
}

interface Decoded {
  rgb: Buffer;
  width: number;
  height: number;
}

class Unreadable extends Error {}

async function decode(image: Buffer | Uint8Array): Promise<Decoded> {
  try {
    let img = sharp(image, { failOn: 'error' }).rotate();
    const meta = await img.metadata();
    const w = meta.autoOrient?.width ?? meta.width ?? 0;
    const h = meta.autoOrient?.height ?? meta.height ?? 0;
    if (!w || !h) throw new Unreadable('no image dimensions');
    if (Math.max(w, h) > MAX_SIDE) img = img.resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside' });
    const { data, info } = await img.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Unreadable(`decoded to ${info.channels} channels`);
    return { rgb: data, width: info.width, height: info.height };
  } catch (err) {
    if (err instanceof Unreadable) throw err;
    throw new Unreadable((err as Error).message);
  }
}

/** The image centred on a black canvas `share` × its longer side larger on every edge. */
async function padded(d: Decoded, share = PAD): Promise<{ image: Decoded; offset: number }> {
  const m = Math.round(Math.max(d.width, d.height) * share);
  const { data, info } = await sharp(d.rgb, { raw: { width: d.width, height: d.height, channels: 3 } })
    .extend({ top: m, bottom: m, left: m, right: m, background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { image: { rgb: data, width: info.width, height: info.height }, offset: m };
}

function toTensor(d: Decoded) {
  const fa = faceapi();
  return fa.tf.tensor3d(new Uint8Array(d.rgb.buffer, d.rgb.byteOffset, d.rgb.length), [d.height, d.width, 3], 'int32');
}

/** One detection attempt: which detector, on a copy padded by what share, at what tiny input size. */
interface Pass {
  det: 'ssd' | 'tiny';
  pad: number;
  size?: number;
}

interface Found {
  box: FaceBox;
  score: number;
  landmarks: Pt[];
  descriptor?: Float32Array;
}

async function detect(tensor: ReturnType<typeof toTensor>, detector: 'ssd' | 'tiny', withDescriptors: boolean, tinySize = 416): Promise<Found[]> {
  const fa = faceapi();
  const options =
    detector === 'ssd'
      ? new fa.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 10 })
      : new fa.TinyFaceDetectorOptions({ inputSize: tinySize, scoreThreshold: 0.5 });
  const task = fa.detectAllFaces(tensor as never, options).withFaceLandmarks();
  const results = withDescriptors ? await task.withFaceDescriptors() : await task;
  return results.map((r) => {
    const b = r.detection.box;
    return {
      box: { x: b.x, y: b.y, width: b.width, height: b.height },
      score: r.detection.score,
      landmarks: r.landmarks.positions.map((p) => ({ x: p.x, y: p.y })),
      ...('descriptor' in r ? { descriptor: (r as { descriptor: Float32Array }).descriptor } : {}),
    };
  });
}

/**
 * Who the picture is of — one rule for reference photos and live frames. Faces under `secondFaceRatio` of
 * the largest one are background and ignored. Among the rest the subject is the one nearest the image
 * centre (an ID photo, a news crop and the kiosk's face guide all centre the subject); `rivals` are the
 * counted faces that make it ambiguous: about as central (within `centralMargin` subject widths), or —
 * for live frames (`peers`) — about as large as the subject (`peerRatio`), i.e. a second person beside
 * the candidate rather than one behind.
 */
export function subjectOf<F extends { box: FaceBox }>(
  found: readonly F[],
  width: number,
  height: number,
  limits: Pick<CoreLimits, 'secondFaceRatio' | 'centralMargin' | 'peerRatio'>,
  opts: { peers: boolean },
): { main: F | undefined; rivals: F[] } {
  const largest = Math.max(0, ...found.map((f) => f.box.width));
  const counted = found.filter((f) => f.box.width >= limits.secondFaceRatio * largest);
  const off = (f: F) => Math.hypot(f.box.x + f.box.width / 2 - width / 2, f.box.y + f.box.height / 2 - height / 2);
  const byCentre = [...counted].sort((a, b) => off(a) - off(b));
  const main = byCentre[0];
  if (!main) return { main, rivals: [] };
  const rivals = byCentre
    .slice(1)
    .filter((f) => off(f) - off(main) < limits.centralMargin * main.box.width || (opts.peers && f.box.width >= limits.peerRatio * main.box.width));
  return { main, rivals };
}

async function sharpnessOf(d: Decoded, box: FaceBox, CROP: number): Promise<number> {
  const left = Math.max(0, Math.floor(box.x));
  const top = Math.max(0, Math.floor(box.y));
  const width = Math.max(1, Math.min(d.width - left, Math.round(box.width)));
  const height = Math.max(1, Math.min(d.height - top, Math.round(box.height)));
  const h = Math.round((CROP * height) / width);
  const grey = await sharp(d.rgb, { raw: { width: d.width, height: d.height, channels: 3 } })
    .extract({ left, top, width, height })
    .resize(CROP, h, { kernel: 'cubic' })
    .greyscale()
    .raw()
    .toBuffer();
  return laplacianVariance(grey, CROP, h);
}

/**
 * The box around the 68 landmarks (jaw, brows, eyes, nose, mouth): the face itself, the same whichever
 * detector found it. The detectors' boxes are not: the tiny detector's is ≈ 35 % wider than SSD's and
 * takes in hair and background edges, which read as sharpness (a σ 2 blur measured 19–27 in a tiny box,
 * 7–8 in an SSD box and 11 in either's landmark box), so a limit on the detector box let every blurred
 * live frame through.
 */
function landmarkBox(pts: Pt[]): FaceBox {
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

function shift(box: FaceBox, dx: number, dy: number): FaceBox {
  return { x: box.x - dx, y: box.y - dy, width: box.width, height: box.height };
}

/**
 * The box the landmark net sees on its second pass, derived from the first pass's landmarks: as wide as
 * the landmarks and 1.28× as tall, starting 0.28 of their height above the brows — the geometry of SSD's
 * boxes around the bench's reference faces (median of 514). The first pass sees the detector's box,
 * which differs by detector (the tiny detector's is ≈ 40 % wider than the landmarks, SSD's ≈ as wide),
 * so the same face gets slightly different landmarks, crops and descriptors on the kiosk's quick path
 * and the roster's thorough path; the second pass sees the same geometry whichever detector found it.
 */
function canonicalBox(pts: Pt[], width: number, height: number) {
  const b = landmarkBox(pts);
  const h = 1.28 * b.height;
  const x = Math.max(0, Math.round(b.x - 0.01 * b.width));
  const y = Math.max(0, Math.round(b.y - 0.28 * b.height));
  return new (faceapi().Rect)(x, y, Math.max(1, Math.min(Math.round(1.02 * b.width), width - x)), Math.max(1, Math.min(Math.round(h), height - y)));
}

/** Landmarks found again on the canonical box (see canonicalBox), in image coordinates. */
async function realignedLandmarks(tensor: ReturnType<typeof toTensor>, pts: Pt[]): Promise<Pt[]> {
  const fa = faceapi();
  const [height, width] = tensor.shape as [number, number, number];
  const rect = canonicalBox(pts, width, height);
  const [crop] = await fa.extractFaceTensors(tensor as never, [rect]);
  try {
    const lm = (await fa.nets.faceLandmark68Net.detectLandmarks(crop as never)) as FaceApiNs.FaceLandmarks68;
    return lm.shiftBy(rect.x, rect.y).positions.map((p) => ({ x: p.x, y: p.y }));
  } finally {
    crop?.dispose();
  }
}

/**
 * A second descriptor of the same face: landmarks again on the canonical box, then face-api's own
 * (dlib-style) aligned crop from them. Averaged with the first-pass descriptor it cut the bench's wrong
 * decisions by distance from 9 to 6 of 604 pairs at the default threshold (docs/face-engine.md).
 */
async function realignedDescriptor(tensor: ReturnType<typeof toTensor>, pts: Pt[]): Promise<Float32Array> {
  const fa = faceapi();
  const [height, width] = tensor.shape as [number, number, number];
  const rect = canonicalBox(pts, width, height);
  const [crop] = await fa.extractFaceTensors(tensor as never, [rect]);
  let landmarks: FaceApiNs.FaceLandmarks68;
  try {
    landmarks = ((await fa.nets.faceLandmark68Net.detectLandmarks(crop as never)) as FaceApiNs.FaceLandmarks68).shiftBy(
      rect.x,
      rect.y,
    ) as FaceApiNs.FaceLandmarks68;
  } finally {
    crop?.dispose();
  }
  const aligned = landmarks.align(null, { useDlibAlignment: true });
  const [face] = await fa.extractFaceTensors(tensor as never, [aligned]);
  try {
    return (await fa.nets.faceRecognitionNet.computeFaceDescriptor(face as never)) as Float32Array;
  } finally {
    face?.dispose();
  }
}

/**
 * Descriptors of dlib's face chip (align.ts) cut from `rgb` with these landmarks: the chip itself, and
 * with `flip` also its mirror image (one batch of two through the ResNet).
 */
async function chipDescriptors(d: Decoded, pts: Pt[], flip: boolean, points?: readonly number[]): Promise<Float32Array[]> {
  const fa = faceapi();
  const t = chipTransform(pts, 150, 0.25, points);
  const rgb = new Uint8Array(d.rgb.buffer, d.rgb.byteOffset, d.rgb.length);
  const chips = [extractChip(rgb, d.width, d.height, t, 150, false), ...(flip ? [extractChip(rgb, d.width, d.height, t, 150, true)] : [])];
  const tensors = chips.map((c) => fa.tf.tensor3d(c, [150, 150, 3], 'float32'));
  try {
    const out = await fa.nets.faceRecognitionNet.computeFaceDescriptor(tensors as never);
    return Array.isArray(out) ? (out as Float32Array[]) : [out as Float32Array];
  } finally {
    for (const x of tensors) x.dispose();
  }
}

function mean(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i]! + b[i]!) / 2;
  return out;
}

/**
 * The subject's face → descriptor, with the quality rules it fails listed as issues; refused only when
 * the image cannot be decoded, no face is found, or two comparable faces are about as central.
 */
export async function describe(
  image: Uint8Array,
  mode: DetectMode,
  limits: CoreLimits,
  extra: string[] = [],
  recipe: Recipe = RECIPE,
): Promise<DescribeResult> {
  await ensureResnet(recipe);
  let plain: Decoded;
  try {
    plain = await decode(image);
  } catch (err) {
    return { ok: false, reason: 'unreadable', detail: `the image cannot be decoded as JPEG or PNG: ${(err as Error).message}` };
  }
  let found: Found[] = [];
  let used: Decoded = plain;
  let usedTensor: ReturnType<typeof toTensor> | null = null;
  let offset = 0;
  // Both paths try both detectors and differ only in order: the quick one first for live frames (most
  // frames have a well-framed face), SSD on a padded copy first for photos. Only a face neither finds
  // is "no face".
  // A last pass, SSD on a copy padded twice as wide, only when both have failed: it finds faces that
  // fill a tight crop edge to edge (LFW's Jeffrey_Jones_0002) without the false faces a lower SSD
  // confidence or a larger tiny input also "found" (docs/face-engine.md, "Detection misses").
  // The tiny detector on a padded copy at two input sizes closes the list (the retry `analyse` already
  // makes for the face guide): a washed-out or dark, low-contrast face (LFW's Kim_Dae-jung_0002,
  // Thomas_Birmingham_0002) scores under the cut at one scale and over it at another. These passes run
  // only after every other one found nothing, so they change no decision on a photo found before.
  const closing: Pass[] = [
    { det: 'tiny', pad: PAD, size: 320 },
    { det: 'tiny', pad: PAD, size: 416 },
  ];
  const passes: Pass[] =
    mode === 'fast'
      ? [{ det: 'tiny', pad: 0 }, { det: 'ssd', pad: PAD }, { det: 'ssd', pad: WIDE_PAD }, ...closing]
      : [{ det: 'ssd', pad: PAD }, { det: 'tiny', pad: 0 }, { det: 'ssd', pad: WIDE_PAD }, ...closing];
  let detector: 'ssd' | 'tiny' = passes[0]!.det;
  try {
    for (const { det, pad, size } of passes) {
      detector = det;
      const src = pad === 0 ? { image: plain, offset: 0 } : await padded(plain, pad);
      const t = toTensor(src.image);
      try {
        found = await detect(t, det, recipe === 'v2', det === 'tiny' ? (size ?? limits.tinyInput) : undefined);
      } catch (err) {
        t.dispose();
        throw err;
      }
      used = src.image;
      offset = src.offset;
      if (found.length > 0) {
        usedTensor = t;
        break;
      }
      t.dispose();
    }
    return await judge(found, plain, used, usedTensor, offset, detector, limits, extra, recipe);
  } finally {
    usedTensor?.dispose();
  }
}

async function judge(
  found: Found[],
  plain: Decoded,
  used: Decoded,
  tensor: ReturnType<typeof toTensor> | null,
  offset: number,
  detector: 'ssd' | 'tiny',
  limits: CoreLimits,
  extraNames: string[],
  recipe: Recipe,
): Promise<DescribeResult> {
  const { main, rivals } = subjectOf(found, used.width, used.height, limits, { peers: false });
  if (!main) return { ok: false, reason: 'no_face', detail: 'no face was found in the image' };
  const others = found.filter((f) => f !== main).sort((a, b) => b.box.width - a.box.width);
  const secondFace = others[0] ? others[0].box.width / main.box.width : 0;
  if (rivals.length > 0) {
    return {
      ok: false,
      reason: 'several_faces',
      detail: `${rivals.length + 1} faces of comparable size near the centre (the other is ${Math.round((100 * rivals[0]!.box.width) / main.box.width)} % as wide); only one person may be in the picture`,
    };
  }
  if (!tensor || (recipe === 'v2' && !main.descriptor)) return { ok: false, reason: 'no_face', detail: 'the face could not be described' };
  let descriptor: Float32Array;
  if (recipe === 'v2') descriptor = mean(main.descriptor!, await realignedDescriptor(tensor, main.landmarks));
  else if (recipe === 'none') descriptor = new Float32Array(0);
  else if (recipe === 'mfn' || recipe === 'mfn-flip')
    descriptor = await onnxDescriptor(
      'fpmfn',
      new Uint8Array(used.rgb.buffer, used.rgb.byteOffset, used.rgb.length),
      used.width,
      used.height,
      main.landmarks,
      recipe === 'mfn-flip',
    );
  else {
    const ds = await chipDescriptors(used, main.landmarks, recipe === 'chip-flip');
    descriptor = ds.length === 2 ? mean(ds[0]!, ds[1]!) : ds[0]!;
  }
  const box = shift(main.box, offset, offset);
  const issues: Array<FaceWarning & { hint: string }> = [];
  if (main.box.width < limits.minFacePx) {
    issues.push({
      reason: 'too_small',
      detail: `the face is ${Math.round(main.box.width)} px wide; at least ${limits.minFacePx} px is needed`,
      hint: 'come closer',
    });
  }
  const sharpness = await sharpnessOf(used, landmarkBox(main.landmarks), limits.sharpnessCrop);
  if (sharpness < limits.minSharpness) {
    issues.push({
      reason: 'too_blurred',
      detail: `the face is blurred (sharpness ${sharpness.toFixed(0)}, at least ${limits.minSharpness} needed)`,
      hint: 'hold still',
    });
  }
  const yaw = yawFromLandmarks(main.landmarks);
  if (Math.abs(yaw) > limits.maxYaw) {
    issues.push({
      reason: 'turned_away',
      detail: `the head is turned ${Math.abs(yaw).toFixed(0)}° (at most ${limits.maxYaw}° accepted)`,
      hint: 'face the camera',
    });
  }
  let extra: Record<string, Float32Array> | undefined;
  const extraMs: Record<string, number> = {};
  if (extraNames.length > 0) {
    const tf = faceapi().tf as unknown as Tf;
    extra = {};
    for (const name of extraNames) {
      if (name.startsWith('dlib')) {
        // Descriptor-pipeline candidates (bench/face-models.ts): dlib's chip from the first-pass landmarks
        // (dlib), from the canonical box's landmarks (dlibB), on five points (dlib5); F adds the mirror.
        await ensureResnet('chip');
        const t0 = performance.now();
        const pts = name.startsWith('dlibB') ? await realignedLandmarks(tensor, main.landmarks) : main.landmarks;
        const ds = await chipDescriptors(used, pts, name.endsWith('F'), name.startsWith('dlib5') ? FIVE_POINTS : undefined);
        extra[name] = ds[0]!;
        if (ds[1]) extra[`${name}:mirror`] = ds[1];
        extraMs[name] = performance.now() - t0;
        continue;
      }
      if (isOnnxModel(name)) {
        // ONNX candidates (onnx-models.ts): the descriptor and its mirror's, from the same landmarks.
        const t0 = performance.now();
        const rgb = new Uint8Array(used.rgb.buffer, used.rgb.byteOffset, used.rgb.length);
        const [d, m] = await runOnnxModel(name, rgb, used.width, used.height, main.landmarks);
        extra[name] = d!;
        extra[`${name}:mirror`] = m!;
        extraMs[name] = performance.now() - t0;
        continue;
      }
      await loadExtraModel(tf, parseVariant(name).name);
      const t0 = performance.now();
      extra[name] = runExtraModel(tf, name, used.rgb, used.width, used.height, main.landmarks);
      extraMs[name] = performance.now() - t0;
    }
  }
  return {
    ok: true,
    descriptor,
    box,
    quality: { score: main.score, size: box.width / plain.width, sharpness, yaw, secondFace },
    detector,
    issues,
    ...(extra ? { extra, extraMs } : {}),
  };
}

/** Landmarks only, quick detector on a small input: for liveness sequences and live quality hints. */
export async function analyse(image: Uint8Array, limits: CoreLimits): Promise<FrameFace> {
  let d: Decoded;
  try {
    d = await decode(image);
  } catch {
    return { found: false, faces: 0, yaw: 0, eyeOpenness: 0, box: null };
  }
  let found: Found[] = [];
  let offset = 0;
  let used = d;
  // The tiny detector at 320 px is the cheapest pass (≈ a third of SSD) and finds a face that fills a
  // normal share of a camera frame; a face filling the frame or cut by its edge needs the padded retry.
  for (const attempt of ['plain', 'padded'] as const) {
    const src = attempt === 'plain' ? { image: d, offset: 0 } : await padded(d);
    const t = toTensor(src.image);
    try {
      found = await detect(t, 'tiny', false, attempt === 'plain' ? 320 : 416);
    } finally {
      t.dispose();
    }
    offset = src.offset;
    used = src.image;
    if (found.length > 0) break;
  }
  const { main, rivals } = subjectOf(found, used.width, used.height, limits, { peers: true });
  if (!main) return { found: false, faces: 0, yaw: 0, eyeOpenness: 0, box: null };
  return {
    found: true,
    faces: 1 + rivals.length,
    yaw: yawFromLandmarks(main.landmarks),
    eyeOpenness: eyeOpenness(main.landmarks),
    box: shift(main.box, offset, offset),
  };
}

export function tensorCount(): number {
  return (faceapi().tf as unknown as { memory(): { numTensors: number } }).memory().numTensors;
}
