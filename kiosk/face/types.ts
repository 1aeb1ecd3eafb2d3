// The face engine's contract: what the kiosk flow, seat re-checks and training attendance call.
// The engine itself (worker threads running face-api on tfjs) lives beside this file.

/** Why a photo cannot be used, in words a kiosk can show. */
export type FaceRefusal = 'unreadable' | 'no_face' | 'several_faces' | 'too_small' | 'too_blurred' | 'turned_away';

/**
 * The quality rules a person can fix by retaking the picture. A live frame failing one is refused (the
 * kiosk asks for another); a stored reference (roster or ID-card photo) cannot be retaken, so it is
 * enrolled with the finding as a warning and the verification distance decides.
 */
export type FaceQualityIssue = 'too_small' | 'too_blurred' | 'turned_away';

export interface FaceWarning {
  reason: FaceQualityIssue;
  /** What was measured against which limit, e.g. "the face is blurred (sharpness 9, at least 10 needed)". */
  detail: string;
}

/**
 * What the picture is: a stored `reference` (refused only when no single face can be found: unreadable,
 * no face, several faces the central-face rule cannot tell apart) or a `live` frame from a camera
 * (refused by every quality rule, so the person can be asked to retake it).
 */
export type EnrolPurpose = 'reference' | 'live';

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
  /** Quality rules a reference failed but was enrolled anyway (empty when clean; live frames failing
   *  one are refused instead). Absent in enrolments stored before warnings existed. */
  warnings?: FaceWarning[];
  /** How the descriptor was computed (DESCRIPTOR_VERSION in index.ts); absent = 1, before re-alignment.
   *  Descriptors of different versions are not comparable: a stored one of another version is redone. */
  descriptorVersion?: number;
  /** The descriptor model (FACE_MODEL_ID in index.ts); absent = face-api's ResNet, the only model before it. */
  modelId?: string;
}

export type EnrolResult = { ok: true; descriptor: Float32Array; box: FaceBox; quality: FaceQuality } | { ok: false; reason: FaceRefusal; detail: string };

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
  /**
   * Finds the one face of a reference photo (roster / ID card) and returns its descriptor, with quality
   * warnings in `quality.warnings`, or says precisely why no face can be used. Live frames go through
   * the engine's `enrol(image, { purpose: 'live' })` or `verify`, where every quality rule refuses.
   */
  enrol(image: Buffer): Promise<EnrolResult>;
  /** Compares a probe (a live frame: every quality rule refuses) with a stored descriptor or a reference
   *  photo (enrolled as a reference: quality findings are only warnings) at the configured threshold. */
  verify(
    probe: Buffer | Float32Array,
    reference: Buffer | Float32Array,
  ): Promise<{ ok: true; result: VerifyResult } | { ok: false; side: 'probe' | 'reference'; reason: FaceRefusal; detail: string }>;
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
