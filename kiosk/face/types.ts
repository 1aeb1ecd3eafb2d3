// The face engine's contract: what the kiosk flow, seat re-checks and training attendance call.
// The engine itself (worker threads running face-api on tfjs) lives beside this file.

/** Why a photo cannot be used, in words a kiosk can show. */
export type FaceRefusal = 'unreadable' | 'no_face' | 'several_faces' | 'too_small' | 'too_blurred' | 'turned_away';

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FaceQuality {
  /** Detector confidence 0–1. */
  score: number;
  /** Face width as a share of the image width. */
  size: number;
  /** Variance of the Laplacian on the face crop; low = blurred. */
  sharpness: number;
  /** Head turn estimated from landmarks, degrees; 0 = facing the camera, sign = direction. */
  yaw: number;
  /** Width of the next-largest face as a share of this face's width; 0 when alone. Faces below the
   *  several-faces ratio are ignored as background (added by the engine; optional for older callers). */
  secondFace?: number;
}

export type EnrolResult =
  | { ok: true; descriptor: Float32Array; box: FaceBox; quality: FaceQuality }
  | { ok: false; reason: FaceRefusal; detail: string };

export interface VerifyResult {
  /** Euclidean distance between the two 128-d descriptors; smaller = more alike. */
  distance: number;
  threshold: number;
  decision: 'match' | 'mismatch';
}

/** One frame's landmarks reduced to what liveness needs. */
export interface FrameFace {
  found: boolean;
  faces: number;
  yaw: number;
  /** Eye aspect ratio (mean of both eyes); drops sharply in a blink. */
  eyeOpenness: number;
  box: FaceBox | null;
}

export type LivenessChallenge = 'turn_left' | 'turn_right' | 'blink';

export type LivenessResult =
  | { ok: true; challenge: LivenessChallenge; detail: string }
  | { ok: false; challenge: LivenessChallenge; reason: 'no_face' | 'several_faces' | 'no_motion' | 'challenge_not_met' | 'too_few_frames'; detail: string };

export interface FaceEngine {
  /** Finds exactly one usable face and returns its descriptor, or says precisely why not. */
  enrol(image: Buffer): Promise<EnrolResult>;
  /** Compares a probe photo with a stored descriptor (or a reference photo) at the configured threshold. */
  verify(probe: Buffer | Float32Array, reference: Buffer | Float32Array): Promise<{ ok: true; result: VerifyResult } | { ok: false; side: 'probe' | 'reference'; reason: FaceRefusal; detail: string }>;
  /** Landmarks-only pass over one frame (cheaper than enrol), for liveness and quality hints. */
  analyse(image: Buffer): Promise<FrameFace>;
  /** Decides an active liveness challenge from a sequence of frames taken while the candidate performed it. */
  liveness(frames: Buffer[], challenge: LivenessChallenge): Promise<LivenessResult>;
  readonly threshold: number;
  close(): Promise<void>;
}

export function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}
