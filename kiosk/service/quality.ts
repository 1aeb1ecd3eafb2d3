// Quality hints for the live guide: one frame's face size, centring, turn and sharpness, for an attempt
// whose person has agreed to face recognition.
// sharp (libvips and its checks: 0.1–0.4 s to load) loads with the first frame checked, not with the server.
const sharp = async (input: Buffer) => (await import('sharp')).default(input);
import { ValidationError } from '../../core/index.ts';
import { laplacianVariance, type FaceBox } from '../face/index.ts';
import { FRAMES } from './types.ts';
import { jpegOk, decodeBase64Image } from './images.ts';
import { engine, kiosk, type IdentityState } from './state.ts';
import type { QualityBody } from '../protocol.ts';
import { requireAccepted } from './consent.ts';
import { requireFaceAttemptLeft } from './face-attempts.ts';
import { pendingAttempt } from './verify.ts';

/**
 * One frame of the face guide. A face is processed only for an open attempt of this kiosk whose person
 * accepted the notice (the check verify makes) and has face checks left: before the choice the camera's
 * frames are not the server's business.
 */
export async function quality(st: IdentityState, kioskId: string, body: QualityBody) {
  kiosk(st, kioskId);
  const a = pendingAttempt(st, kioskId, body.attemptId);
  requireAccepted(st, a);
  requireFaceAttemptLeft(st, a);
  const frameB64 = body.frame;
  const frame = decodeBase64Image(frameB64, 'body.frame', FRAMES.maxBytes);
  if (!jpegOk(frame)) throw new ValidationError([{ path: 'body.frame', problem: 'is not a JPEG' }]);
  let meta: { width?: number | undefined; height?: number | undefined };
  try {
    meta = await (await sharp(frame)).metadata();
  } catch {
    throw new ValidationError([{ path: 'body.frame', problem: 'is not a readable JPEG' }]);
  }
  const W = meta.width ?? 0;
  const H = meta.height ?? 0;
  const f = await (await engine(st)).analyse(frame);
  const hints: string[] = [];
  if (!f.found || !f.box) hints.push('no_face');
  if (f.faces > 1) hints.push('several_faces');
  if (f.box && W) {
    const share = f.box.width / W;
    if (share < 0.2) hints.push('too_small');
    if (share > 0.7) hints.push('too_close');
    const cx = (f.box.x + f.box.width / 2) / W;
    const cy = H ? (f.box.y + f.box.height / 2) / H : 0.5;
    if (Math.abs(cx - 0.5) > 0.2 || Math.abs(cy - 0.5) > 0.25) hints.push('off_center');
    if (Math.abs(f.yaw) > 20) hints.push('turned');
    if ((await sharpness(st, frame, f.box, W, H)) < 40) hints.push('blurred');
  }
  return { face: f.found, faces: f.faces, box: f.box, imageWidth: W, imageHeight: H, yaw: f.yaw, eyeOpenness: f.eyeOpenness, hints };
}

export async function sharpness(st: IdentityState, frame: Buffer, box: FaceBox, W: number, H: number): Promise<number> {
  const left = Math.max(0, Math.floor(box.x));
  const top = Math.max(0, Math.floor(box.y));
  const width = Math.max(8, Math.min(W - left, Math.floor(box.width)));
  const height = Math.max(8, Math.min(H - top, Math.floor(box.height)));
  const { data, info } = await (await sharp(frame))
    .extract({ left, top, width, height })
    .resize({ width: 128 })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return laplacianVariance(data, info.width, info.height);
}
