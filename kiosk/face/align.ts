// dlib's face chip for the recognition ResNet: face-api's faceRecognitionNet is a port of dlib's
// dlib_face_recognition_resnet_model_v1, which dlib runs on a 150×150 "face chip" cut by a similarity
// transform (rotation, scale, shift) that puts the landmarks onto dlib's mean face, with 0.25 padding
// (dlib's get_face_chip_details + extract_image_chip). face-api itself crops an upright box instead.
// Pure functions: no tfjs here, so the geometry can be tested without loading a model.
import type { Pt } from './geometry.ts';

/**
 * dlib's mean face shape (get_face_chip_details), landmarks 17–67 of the iBUG 68-point scheme, in units
 * of the face's own box (0–1). dlib aligns on the eyes, nose and outer mouth only — eyebrows (17–26) and
 * the lower lip (55–59, 65–67) move with expression and are skipped.
 */
const MEAN_X = [
  0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004, 0.490127, 0.490127, 0.490127, 0.490127, 0.36688,
  0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918, 0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335,
  0.254149, 0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721, 0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127,
  0.552157, 0.689874, 0.553364, 0.490127, 0.42689,
];
const MEAN_Y = [
  0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454, 0.203352, 0.307009, 0.409805, 0.515625, 0.587326,
  0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733, 0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077,
  0.245099, 0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805, 0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746,
  0.785343, 0.778746, 0.784792, 0.824182, 0.831803, 0.824182,
];

/** The landmark indices dlib aligns a 68-point shape on (get_face_chip_details). */
export const DLIB_POINTS: readonly number[] = Array.from({ length: 51 }, (_, k) => k + 17).filter(
  (i) => !(i >= 17 && i <= 26) && !(i >= 55 && i <= 59) && !(i >= 65 && i <= 67),
);

/** The 5-point variant (dlib's shape_predictor_5 points): outer and inner eye corners and the nose base. */
export const FIVE_POINTS: readonly number[] = [45, 42, 36, 39, 33];

/** Where landmark i sits in a size×size chip with dlib's padding. */
export function templatePoint(i: number, size: number, padding: number): Pt {
  return { x: ((padding + MEAN_X[i - 17]!) / (2 * padding + 1)) * size, y: ((padding + MEAN_Y[i - 17]!) / (2 * padding + 1)) * size };
}

/** image = [a −b; b a]·chip + (tx, ty) */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/**
 * Least-squares similarity transform from chip points to image points (rotation + uniform scale + shift,
 * no reflection): the closed form of Umeyama's method in 2-D, as dlib's find_similarity_transform.
 */
export function similarity(from: readonly Pt[], to: readonly Pt[]): Similarity {
  const n = from.length;
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]!.x;
    fy += from[i]!.y;
    tx += to[i]!.x;
    ty += to[i]!.y;
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let s1 = 0;
  let s2 = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const qx = from[i]!.x - fx;
    const qy = from[i]!.y - fy;
    const px = to[i]!.x - tx;
    const py = to[i]!.y - ty;
    s1 += qx * px + qy * py;
    s2 += qx * py - qy * px;
    den += qx * qx + qy * qy;
  }
  const a = s1 / den;
  const b = s2 / den;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

/** The chip → image transform for a face's 68 landmarks (all of dlib's points, or its five). */
export function chipTransform(landmarks: readonly Pt[], size = 150, padding = 0.25, points: readonly number[] = DLIB_POINTS): Similarity {
  return similarity(
    points.map((i) => templatePoint(i, size, padding)),
    points.map((i) => landmarks[i]!),
  );
}

/**
 * Cut the chip from an RGB image (row-major, 3 bytes a pixel): bilinear samples, averaged over a k×k grid
 * inside each chip pixel when the chip shrinks the face (k = ⌈scale⌉), so a large face is not aliased —
 * dlib downsamples through a pyramid for the same reason. Outside the image reads black. `flip` mirrors
 * the chip left–right. Returns size×size×3 floats, 0–255.
 */
export function extractChip(rgb: Uint8Array, width: number, height: number, t: Similarity, size = 150, flip = false): Float32Array {
  const out = new Float32Array(size * size * 3);
  const scale = Math.hypot(t.a, t.b);
  const k = Math.max(1, Math.ceil(scale - 0.05));
  const inv = 1 / (k * k);
  const acc = [0, 0, 0];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      acc[0] = 0;
      acc[1] = 0;
      acc[2] = 0;
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < k; i++) {
          // Chip pixel (x, y) covers [x − ½, x + ½]: dlib's points are pixel centres at integer coordinates.
          const cx = x - 0.5 + (i + 0.5) / k;
          const cy = y - 0.5 + (j + 0.5) / k;
          // Image landmarks are face-api's, whose pixel centres are at +0.5.
          const sx = t.a * cx - t.b * cy + t.tx - 0.5;
          const sy = t.b * cx + t.a * cy + t.ty - 0.5;
          const x0 = Math.floor(sx);
          const y0 = Math.floor(sy);
          const wx = sx - x0;
          const wy = sy - y0;
          for (let dy = 0; dy < 2; dy++) {
            const yy = y0 + dy;
            if (yy < 0 || yy >= height) continue;
            const w1 = dy ? wy : 1 - wy;
            for (let dx = 0; dx < 2; dx++) {
              const xx = x0 + dx;
              if (xx < 0 || xx >= width) continue;
              const w = w1 * (dx ? wx : 1 - wx);
              const o = (yy * width + xx) * 3;
              acc[0] += w * rgb[o]!;
              acc[1] += w * rgb[o + 1]!;
              acc[2] += w * rgb[o + 2]!;
            }
          }
        }
      }
      const o = (y * size + (flip ? size - 1 - x : x)) * 3;
      out[o] = acc[0]! * inv;
      out[o + 1] = acc[1]! * inv;
      out[o + 2] = acc[2]! * inv;
    }
  }
  return out;
}
