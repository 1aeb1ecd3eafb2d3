// Active liveness decided from per-frame landmarks. A printed photo or a phone screen can be moved, but
// it cannot turn its head or blink: the rules below ask for that change, measured on the face itself.
import type { FrameFace, LivenessChallenge, LivenessResult } from './types.ts';

export interface LivenessRules {
  /** Fewest frames that make a sequence worth judging. */
  minFrames: number;
  /** The start must face the camera: |yaw| of the first face frames at most this, degrees. */
  frontalYaw: number;
  /** A turn counts when yaw moves at least this many degrees from the start in the asked direction. */
  turnMargin: number;
  /** A blink counts when eye openness falls below this share of the open-eye level, then recovers. */
  blinkDip: number;
  /** …and recovers to at least this share of the open-eye level after the dip. */
  blinkRecover: number;
  /** Below these spreads across frames (yaw degrees, eye openness, box centre px) nothing moved. */
  stillYaw: number;
  stillEye: number;
  stillShift: number;
}

export const defaultLivenessRules: LivenessRules = {
  minFrames: 3,
  frontalYaw: 15,
  turnMargin: 15,
  blinkDip: 0.75,
  blinkRecover: 0.9,
  stillYaw: 1.5,
  stillEye: 0.02,
  stillShift: 2,
};

function spread(xs: number[]): number {
  return xs.length ? Math.max(...xs) - Math.min(...xs) : 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Yaw sign: positive = the nose toward the image's right, which in an UNMIRRORED camera frame is the person
 * turning to their own left. Frames captured from a mirrored preview must pass `mirrored: true`.
 */
export function decideLiveness(
  frames: FrameFace[],
  challenge: LivenessChallenge,
  opts: { mirrored?: boolean; rules?: Partial<LivenessRules> } = {},
): LivenessResult {
  const r = { ...defaultLivenessRules, ...opts.rules };
  const no = (reason: Extract<LivenessResult, { ok: false }>['reason'], detail: string): LivenessResult => ({ ok: false, challenge, reason, detail });
  if (frames.length < r.minFrames) return no('too_few_frames', `${frames.length} frames received; at least ${r.minFrames} are needed`);
  const crowded = frames.findIndex((f) => f.faces > 1);
  if (crowded >= 0) return no('several_faces', `frame ${crowded + 1} shows ${frames[crowded]!.faces} faces; only the candidate may be in view`);
  const seen = frames.filter((f) => f.found && f.box);
  if (seen.length < r.minFrames) return no('no_face', `a face was found in ${seen.length} of ${frames.length} frames; at least ${r.minFrames} are needed`);
  const sign = opts.mirrored ? -1 : 1;
  const yaws = seen.map((f) => sign * f.yaw);
  const eyes = seen.map((f) => f.eyeOpenness);
  const cx = seen.map((f) => f.box!.x + f.box!.width / 2);
  const cy = seen.map((f) => f.box!.y + f.box!.height / 2);
  if (spread(yaws) < r.stillYaw && spread(eyes) < r.stillEye && spread(cx) < r.stillShift && spread(cy) < r.stillShift) {
    return no(
      'no_motion',
      `nothing moved across ${seen.length} frames (yaw spread ${spread(yaws).toFixed(1)}°, eye spread ${spread(eyes).toFixed(3)}): a still picture`,
    );
  }
  if (challenge === 'blink') {
    const open = median(eyes);
    let minAt = 0;
    for (let i = 1; i < eyes.length; i++) if (eyes[i]! < eyes[minAt]!) minAt = i;
    const dip = eyes[minAt]! / open;
    const before = Math.max(...eyes.slice(0, minAt + 1)) / open;
    const after = minAt + 1 < eyes.length ? Math.max(...eyes.slice(minAt + 1)) / open : 0;
    if (dip <= r.blinkDip && before >= r.blinkRecover && after >= r.blinkRecover) {
      return { ok: true, challenge, detail: `eyes closed to ${(100 * dip).toFixed(0)} % of open and reopened to ${(100 * after).toFixed(0)} %` };
    }
    return no(
      'challenge_not_met',
      `no blink: eye openness fell to ${(100 * dip).toFixed(0)} % of open (needs ≤ ${(100 * r.blinkDip).toFixed(0)} %) and came back to ${(100 * after).toFixed(0)} % (needs ≥ ${(100 * r.blinkRecover).toFixed(0)} %)`,
    );
  }
  const start = yaws[0]!;
  if (Math.abs(start) > r.frontalYaw)
    return no('challenge_not_met', `the sequence must start facing the camera; the first face is turned ${start.toFixed(0)}°`);
  const want = challenge === 'turn_left' ? 1 : -1;
  const best = Math.max(...yaws.map((y) => want * (y - start)));
  if (best >= r.turnMargin)
    return { ok: true, challenge, detail: `head turned ${best.toFixed(0)}° ${challenge === 'turn_left' ? 'left' : 'right'} from a frontal start` };
  const wrong = Math.max(...yaws.map((y) => -want * (y - start)));
  return no(
    'challenge_not_met',
    `the head turned at most ${Math.max(0, best).toFixed(0)}° ${challenge === 'turn_left' ? 'left' : 'right'} (needs ≥ ${r.turnMargin}°)${wrong >= r.turnMargin ? `, but ${wrong.toFixed(0)}° the other way` : ''}`,
  );
}
