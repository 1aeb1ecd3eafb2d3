// The face engine: enrol photos into descriptors (DESCRIPTOR_LENGTH values), verify a probe against a reference, and judge an
// active liveness challenge. All tfjs work runs in worker threads so the main event loop (terminals'
// WebSockets) never waits on a face; this module must never import tfjs into the main thread.
import { FacePool, type PoolLog } from './pool.ts';
import { decideLiveness, type LivenessRules } from './liveness.ts';
import {
  distance,
  type EnrolPurpose,
  type EnrolResult,
  type FaceEngine,
  type FaceRefusal,
  type FrameFace,
  type LivenessChallenge,
  type LivenessResult,
  type VerifyResult,
} from './types.ts';
import type { CoreLimits, DescribeResult, DetectMode } from './core.ts';

export * from './types.ts';
export { decideLiveness, defaultLivenessRules, type LivenessRules } from './liveness.ts';
export { yawFromLandmarks, eyeOpenness, laplacianVariance } from './geometry.ts';

/**
 * The descriptor model every enrolment of this engine is computed with (issue 17, docs/face-engine.md
 * "A descriptor from npm"): a 512-d MobileFaceNet (kiosk/face/models/, run by onnxruntime-web) on the
 * ArcFace 112 px crop aligned from face-api's 68 landmarks (core.ts RECIPE). Before 2026-12-07 it was
 * face-api's ResNet (a port of dlib's) on face-api's upright crop, descriptor version 2. Distances of
 * different models or crops are not comparable, so each keeps its own threshold; a stored descriptor with
 * another id is enrolled again instead of compared.
 */
export const FACE_MODEL_ID = 'mobilefacenet512-arcface112';
/** The id enrolments without a modelId were made with (before ids existed): face-api's ResNet. */
export const LEGACY_MODEL_ID = 'face-api-resnet128';
/** Values in one descriptor of FACE_MODEL_ID (face-api's ResNet had 128). */
export const DESCRIPTOR_LENGTH = 512;
/**
 * Threshold per model: what the cross-validation rule (the largest distance with FAR ≤ 0.5 %, halfway to
 * the next different-person pair) picks on the whole dev list, pairs.txt; reported on the held-out second
 * list (docs/face-engine.md). The MobileFaceNet's is a Euclidean distance between unit vectors (√(2 − 2 cos)):
 * the rule's 1.1798 on pairs.txt, rounded down.
 * face-api's ResNet: 0.562 (0.625 before, chosen with FAR ≤ 1 % on pairs.txt itself).
 */
export const MODEL_THRESHOLDS: Readonly<Record<string, number>> = { [LEGACY_MODEL_ID]: 0.562, [FACE_MODEL_ID]: 1.179 };
/** Default decision threshold on descriptor distance: the current model's. Lower = stricter. */
export const DEFAULT_THRESHOLD = MODEL_THRESHOLDS[FACE_MODEL_ID]!;

/**
 * 3 = the MobileFaceNet on the ArcFace crop (core.ts RECIPE 'mfn'); 2 = face-api's ResNet on the mean of its
 * crop from the first-pass landmarks and from landmarks re-found on a canonical box; 1 = the first pass
 * alone. Stored enrolments of another version or model are enrolled again on next use.
 */
export const DESCRIPTOR_VERSION = 3;

/** Whether a stored enrolment's descriptor is comparable with this engine's (same model, same crop). */
export function isCurrentDescriptor(q: { descriptorVersion?: number; modelId?: string } | null | undefined): boolean {
  return (q?.descriptorVersion ?? 1) === DESCRIPTOR_VERSION && (q?.modelId ?? LEGACY_MODEL_ID) === FACE_MODEL_ID;
}

export interface FaceEngineOptions {
  threshold?: number;
  /** Worker threads, each with its own tfjs runtime (≈ 150 MB). Default 1. */
  workers?: number;
  log?: PoolLog;
  /** Refusal limits; defaults are in core.ts with the measurements behind them. */
  limits?: Partial<CoreLimits>;
  liveness?: Partial<LivenessRules>;
}

/**
 * How a picture is enrolled. `purpose` says which quality rules refuse (see EnrolPurpose in types.ts);
 * `mode` which detector runs first: 'fast' (tiny, SSD fallback) for camera frames, 'accurate' (padded
 * SSD, tiny fallback) for photos. Each defaults from the other — `{ mode: 'fast' }` alone is a live
 * frame, nothing at all is a reference photo — so a probe is never judged leniently by omission.
 */
export interface EnrolOptions {
  mode?: DetectMode;
  purpose?: EnrolPurpose;
}

export interface FaceEngineExtras {
  enrol(image: Buffer, opts?: EnrolOptions): Promise<EnrolResult>;
  liveness(frames: Buffer[], challenge: LivenessChallenge, opts?: { mirrored?: boolean }): Promise<LivenessResult>;
  /** Resolves once the models are loaded in a worker (the first request waits for this anyway). */
  ready(): Promise<void>;
  /** tfjs backend in the workers ('wasm' or 'tensorflow'), known after ready(). */
  readonly backend: string;
  /** Diagnostics: queued + running requests, worker restarts, live tensors after the last request. */
  stats(): { pending: number; restarts: number; tensors: number };
  /** Test hook: makes a worker exit while handling a request. */
  crashWorkerForTest(): Promise<unknown>;
}

/** The contract of types.ts plus the optional arguments and diagnostics above; assignable to FaceEngine. */
export type FullFaceEngine = Omit<FaceEngine, 'enrol' | 'liveness'> & FaceEngineExtras;

/**
 * The retake policy. A live frame that fails a quality rule is refused with the first failed rule and
 * what to do about it, so the kiosk can ask for another frame. A reference cannot be retaken: refusing a
 * blurred or turned roster photo only moves the decision to a staff override made without any score, so
 * it is enrolled with the findings as warnings (staff see them) and the verification distance decides.
 */
export function applyRetakePolicy(r: DescribeResult, purpose: EnrolPurpose): EnrolResult {
  if (!r.ok) return r;
  const first = r.issues[0];
  if (purpose === 'live' && first) return { ok: false, reason: first.reason, detail: `${first.detail} — ${first.hint}` };
  const warnings = r.issues.map(({ reason, detail }) => ({ reason, detail }));
  return {
    ok: true,
    descriptor: new Float32Array(r.descriptor),
    box: r.box,
    quality: { ...r.quality, warnings, descriptorVersion: DESCRIPTOR_VERSION, modelId: FACE_MODEL_ID },
  };
}

function resolveOptions(o: EnrolOptions): { mode: DetectMode; purpose: EnrolPurpose } {
  const purpose = o.purpose ?? (o.mode === 'fast' ? 'live' : 'reference');
  return { purpose, mode: o.mode ?? (purpose === 'live' ? 'fast' : 'accurate') };
}

export async function createFaceEngine(opts: FaceEngineOptions = {}): Promise<FullFaceEngine> {
  const threshold = opts.threshold ?? MODEL_THRESHOLDS[FACE_MODEL_ID]!;
  const pool = new FacePool(Math.max(1, opts.workers ?? 1), opts.limits ?? {}, opts.log);

  const enrol = async (image: Buffer, o: EnrolOptions = {}): Promise<EnrolResult> => {
    const { mode, purpose } = resolveOptions(o);
    return applyRetakePolicy(await pool.run<DescribeResult>('describe', image, mode), purpose);
  };

  const side = async (
    x: Buffer | Float32Array,
    purpose: EnrolPurpose,
  ): Promise<{ ok: true; d: Float32Array } | { ok: false; reason: FaceRefusal; detail: string }> => {
    if (x instanceof Float32Array) {
      if (x.length !== DESCRIPTOR_LENGTH)
        return { ok: false, reason: 'unreadable', detail: `a descriptor has ${DESCRIPTOR_LENGTH} values, this one has ${x.length}` };
      return { ok: true, d: x };
    }
    const r = await enrol(x, { purpose });
    return r.ok ? { ok: true, d: r.descriptor } : r;
  };

  const engine: FullFaceEngine = {
    threshold,
    get backend() {
      return pool.backend;
    },
    enrol,
    async verify(probe, reference) {
      // The probe is a live kiosk/seat frame (quick detector, every quality rule refuses); the reference
      // a roster or ID photo (thorough detector, quality findings are warnings).
      const [p, r] = await Promise.all([side(probe, 'live'), side(reference, 'reference')]);
      if (!p.ok) return { ok: false, side: 'probe', reason: p.reason, detail: p.detail };
      if (!r.ok) return { ok: false, side: 'reference', reason: r.reason, detail: r.detail };
      const d = distance(p.d, r.d);
      const result: VerifyResult = { distance: d, threshold, decision: d <= threshold ? 'match' : 'mismatch' };
      return { ok: true, result };
    },
    analyse(image) {
      return pool.run<FrameFace>('analyse', image);
    },
    async liveness(frames: Buffer[], challenge: LivenessChallenge, o: { mirrored?: boolean } = {}) {
      const faces = await Promise.all(frames.map((f) => pool.run<FrameFace>('analyse', f)));
      return decideLiveness(faces, challenge, {
        ...(o.mirrored !== undefined ? { mirrored: o.mirrored } : {}),
        ...(opts.liveness ? { rules: opts.liveness } : {}),
      });
    },
    ready: () => pool.ready(),
    stats: () => ({ pending: pool.pending, restarts: pool.restarts, tensors: pool.lastTensorCount }),
    crashWorkerForTest: () => pool.run('crash', new Uint8Array(1)),
    close: () => pool.close(),
  };
  const asContract: FaceEngine = engine;
  void asContract;
  return engine;
}
