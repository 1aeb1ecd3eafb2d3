// Pure measurements on landmarks and pixels, shared by the worker (enrolment quality) and the main
// thread (liveness). No tfjs here, so these are cheap to test and to reason about.

export interface Pt {
  x: number;
  y: number;
}

/**
 * Head turn in degrees from 68-point landmarks, positive when the nose tip sits toward the image's
 * right (larger x) between the two ends of the jaw outline. In an unmirrored camera frame that is the
 * person turning to THEIR OWN LEFT (the camera faces them). A mirrored preview flips it, so callers that
 * mirror frames before sending them must negate.
 * The ratio (nose − jawLeft)/(jawRight − jawLeft) is 0.5 facing the camera; mapping 2r−1 through asin is a
 * rough small-angle model, good enough to tell frontal from turned, not a pose estimator.
 */
export function yawFromLandmarks(points: readonly Pt[]): number {
  const jawLeft = points[0]!;
  const jawRight = points[16]!;
  const nose = points[30]!;
  const span = jawRight.x - jawLeft.x;
  if (Math.abs(span) < 1e-6) return 90;
  const r = (nose.x - jawLeft.x) / span;
  const s = Math.max(-1, Math.min(1, 2 * r - 1));
  return (Math.asin(s) * 180) / Math.PI;
}

function dist(a: Pt, b: Pt): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Eye aspect ratio (Soukupová & Čech 2016) of one six-point eye contour. */
export function eyeAspectRatio(eye: readonly Pt[]): number {
  const [p1, p2, p3, p4, p5, p6] = eye as [Pt, Pt, Pt, Pt, Pt, Pt];
  const w = dist(p1, p4);
  if (w < 1e-6) return 0;
  return (dist(p2, p6) + dist(p3, p5)) / (2 * w);
}

/** Mean eye aspect ratio of both eyes from 68-point landmarks (points 36–41 and 42–47). */
export function eyeOpenness(points: readonly Pt[]): number {
  return (eyeAspectRatio(points.slice(36, 42)) + eyeAspectRatio(points.slice(42, 48))) / 2;
}

/**
 * Variance of the 4-neighbour Laplacian over a greyscale image. The caller resizes the face crop to a
 * fixed size first so that the figure does not depend on how large the face was in the photo.
 */
export function laplacianVariance(grey: Uint8Array | Buffer, width: number, height: number): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const v = grey[i - 1]! + grey[i + 1]! + grey[i - width]! + grey[i + width]! - 4 * grey[i]!;
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}
