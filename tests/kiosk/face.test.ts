// The face engine on real photos (LFW, tests/fixtures/faces/): each refusal reason, same/different
// person decisions, liveness from landmarks across frames, and the worker pool's failure handling.
// One engine (one worker, models loaded once) serves the whole file.
import t from 'tap';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createFaceEngine, decideLiveness, DEFAULT_THRESHOLD, DESCRIPTOR_LENGTH, type FrameFace } from '../../kiosk/face/index.ts';
import { photoToY4m } from '../fixtures/faces/y4m.ts';
import { ROOT, scratchDir } from '../helpers.ts';

const FACES = join(ROOT, 'tests/fixtures/faces');
const photo = (name: string) => readFileSync(join(FACES, name.replace(/_\d{4}$/, ''), `${name}.jpg`));

const engine = await createFaceEngine({ workers: 1 });
t.teardown(() => engine.close());

/** A 640×480 grey frame with the given photos placed on it (a live-camera-like frame). */
async function canvas(items: Array<{ img: Buffer; left: number; top: number; width?: number }>, size = { width: 640, height: 480 }): Promise<Buffer> {
  const layers = await Promise.all(
    items.map(async (it) => ({ input: it.width ? await sharp(it.img).resize(it.width).toBuffer() : it.img, left: it.left, top: it.top })),
  );
  return sharp({ create: { ...size, channels: 3, background: { r: 118, g: 118, b: 118 } } })
    .composite(layers)
    .jpeg({ quality: 92 })
    .toBuffer();
}

t.test("a clear frontal photo enrols to a descriptor of the model's length with its quality", async (t) => {
  const r = await engine.enrol(photo('John_McCain_0002'));
  if (!r.ok) return t.fail(`refused: ${r.reason} ${r.detail}`);
  t.equal(r.descriptor.length, DESCRIPTOR_LENGTH);
  t.ok(r.box.width > 60 && r.box.width < 200, `face box ${Math.round(r.box.width)} px wide in a 250 px photo`);
  t.ok(r.box.x > 0 && r.box.x + r.box.width < 250, 'box is in the coordinates of the photo, not of the padded copy');
  t.ok(Math.abs(r.quality.yaw) < 15, `frontal: yaw ${r.quality.yaw.toFixed(1)}°`);
  t.ok(r.quality.score > 0.5 && r.quality.size > 0.2);
});

t.test('unreadable: bytes that are not an image are refused as unreadable', async (t) => {
  const r = await engine.enrol(Buffer.from('this is not a JPEG, just text pretending'));
  t.match(r, { ok: false, reason: 'unreadable' });
  const truncated = photo('John_McCain_0002').subarray(0, 600);
  t.match(await engine.enrol(truncated), { ok: false, reason: 'unreadable' }, 'a truncated JPEG too');
});

t.test('no_face: a photo of a plain wall (a smooth gradient) has no face', async (t) => {
  const w = 640;
  const h = 480;
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.fill(Math.round(90 + (100 * (x + y)) / (w + h)), (y * w + x) * 3, (y * w + x) * 3 + 3);
  const wall = await sharp(px, { raw: { width: w, height: h, channels: 3 } })
    .jpeg()
    .toBuffer();
  t.match(await engine.enrol(wall), { ok: false, reason: 'no_face' });
  t.match(await engine.verify(wall, photo('John_McCain_0002')), { ok: false, side: 'probe', reason: 'no_face' }, 'verify says which side had no face');
});

t.test('a low-contrast face that SSD and the tiny detector at one scale miss is found by the closing passes', async (t) => {
  // Both were `no_face` before the tiny detector ran on a padded copy at 320 and 416 px.
  for (const name of ['Kim_Dae-jung_0002', 'Thomas_Birmingham_0002']) {
    const r = await engine.enrol(photo(name));
    if (!r.ok) {
      t.fail(`${name}: ${r.reason} ${r.detail}`);
      continue;
    }
    const cx = r.box.x + r.box.width / 2;
    const cy = r.box.y + r.box.height / 2;
    t.ok(Math.abs(cx - 125) < 40 && Math.abs(cy - 135) < 45, `${name}: the face found is the centred subject (box centre ${Math.round(cx)},${Math.round(cy)})`);
    t.ok(r.box.width > 70 && r.box.width < 160, `${name}: a face-sized box (${Math.round(r.box.width)} px)`);
  }
  const same = await engine.verify(photo('Kim_Dae-jung_0002'), photo('Kim_Dae-jung_0002'));
  t.match(same, { ok: true, result: { decision: 'match' } }, 'the found face, as a live frame, verifies against the photo');
});

t.test('several_faces: two people side by side are refused; a small face at the edge is not', async (t) => {
  const two = await canvas([
    { img: photo('John_McCain_0002'), left: 60, top: 115 },
    { img: photo('Julianne_Moore_0004'), left: 330, top: 115 },
  ]);
  // Two equally central people leave even a reference ambiguous: it is refused, not warned about.
  const r = await engine.enrol(two);
  t.match(r, { ok: false, reason: 'several_faces' });
  t.match(await engine.verify(two, photo('John_McCain_0006')), { ok: false, side: 'probe', reason: 'several_faces' }, 'the live-frame path refuses too');
  // Real news photos: a second face 65–80 % as wide but off to the side (behind Jimmy Carter's shoulder,
  // beside David Hyde Pierce) leaves no doubt who the photo is of; the central subject is taken.
  t.match(await engine.enrol(photo('David_Hyde_Pierce_0002')), { ok: true });
  const carter = await engine.enrol(photo('Jimmy_Carter_0001'));
  t.match(carter, { ok: true }, 'Jimmy_Carter_0001 enrols despite the face at the edge');
  if (carter.ok) t.ok((carter.quality.secondFace ?? 0) > 0.3, `the other face was seen (${carter.quality.secondFace?.toFixed(2)} of the width) and set aside`);

  // Someone far behind the candidate: a face under the several-faces ratio is background.
  const behind = await canvas([
    { img: photo('John_McCain_0002'), left: 195, top: 115 },
    { img: photo('Julianne_Moore_0004'), left: 520, top: 20, width: 90 },
  ]);
  const b = await engine.enrol(behind);
  if (!b.ok) return t.fail(`refused: ${b.reason} ${b.detail}`);
  t.ok(b.box.x > 195 && b.box.x < 445, 'the main (larger) face is the one described');
});

t.test('live frames take the central face when the others are smaller and off to the side; a helper beside counts', async (t) => {
  // The README's demo camera frame: Alejandro_Toledo_0027 scaled into 640×480 as its ffmpeg line does. A
  // man behind him at the top edge is 56 % as wide: background, as the roster side already treats it.
  const demo = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .composite([{ input: await sharp(photo('Alejandro_Toledo_0027')).resize(480, 480).toBuffer(), left: 80, top: 0 }])
    .jpeg({ quality: 85 })
    .toBuffer();
  const f = await engine.analyse(demo);
  t.match(f, { found: true, faces: 1 }, 'one face counted: the central one');
  t.ok(f.box && f.box.x > 150 && f.box.x + f.box.width < 490, 'the box is the central face');
  t.match(await engine.enrol(demo, { purpose: 'live' }), { ok: true }, 'the probe path takes the same face');
  // Two people of the same size side by side: whoever is nearer the centre, the other is a peer, not background.
  const two = await canvas([
    { img: photo('John_McCain_0002'), left: 60, top: 115 },
    { img: photo('Julianne_Moore_0004'), left: 330, top: 115 },
  ]);
  t.match(await engine.analyse(two), { found: true, faces: 2 }, 'a helper at the shoulder is reported');
  const behind = await canvas([
    { img: photo('John_McCain_0002'), left: 195, top: 115 },
    { img: photo('Julianne_Moore_0004'), left: 520, top: 20, width: 150 },
  ]);
  t.match(await engine.analyse(behind), { found: true, faces: 1 }, 'a smaller face at the edge, a step behind, is not');
});

t.test('too_small: a live frame with the face far from the camera is refused; as a reference it is a warning', async (t) => {
  const far = await canvas([{ img: photo('John_McCain_0002'), left: 280, top: 200, width: 90 }]);
  const r = await engine.enrol(far, { purpose: 'live' });
  t.match(r, { ok: false, reason: 'too_small' });
  if (!r.ok) t.match(r.detail, /px wide.*come closer/);
  t.match(await engine.verify(far, photo('John_McCain_0006')), { ok: false, side: 'probe', reason: 'too_small' }, 'verify judges its probe as a live frame');
  const ref = await engine.enrol(far);
  if (!ref.ok) return t.fail(`reference refused: ${ref.reason} ${ref.detail}`);
  t.match(ref.quality.warnings, [{ reason: 'too_small', detail: /px wide/ }]);
});

t.test('too_blurred: a blurred live frame is refused, the sharp one is not', async (t) => {
  // A Gaussian blur of σ 2.5 px on a 250 px face, as motion or a misfocused camera blurs it, as the
  // photo itself and on a 640×480 frame (where the quick detector's wide box once hid the blur: the
  // sharpness is measured on the landmarks' box for that reason).
  for (const name of ['John_McCain_0002', 'Richard_Myers_0004']) {
    const original = photo(name);
    const blurred = await sharp(original).blur(2.5).jpeg().toBuffer();
    t.match(await engine.enrol(original, { purpose: 'live' }), { ok: true }, `${name} itself passes as a live frame`);
    t.match(await engine.enrol(await canvas([{ img: original, left: 195, top: 115 }]), { purpose: 'live' }), { ok: true }, `${name} on a frame too`);
    const r = await engine.enrol(blurred, { purpose: 'live' });
    t.match(r, { ok: false, reason: 'too_blurred' }, `${name} blurred`);
    if (!r.ok) t.match(r.detail, /sharpness \d+.*hold still/);
    const frame = await engine.enrol(await canvas([{ img: blurred, left: 195, top: 115 }]), { purpose: 'live' });
    t.match(frame, { ok: false, reason: 'too_blurred' }, `${name} blurred on a 640×480 frame`);
  }
});

t.test('a blurred reference is enrolled with a warning, a blurred live probe is refused', async (t) => {
  // A roster photo cannot be retaken, so blur is recorded and the distance decides; a person at the
  // kiosk can be asked to hold still, so the live frame is refused.
  const blurred = await sharp(photo('John_McCain_0002')).blur(2).jpeg().toBuffer();
  const ref = await engine.enrol(blurred);
  if (!ref.ok) return t.fail(`the blurred reference was refused: ${ref.reason} ${ref.detail}`);
  t.match(ref.quality.warnings, [{ reason: 'too_blurred', detail: /sharpness \d+, at least 12 needed/ }], 'the warning names the measured sharpness');
  t.ok(ref.quality.sharpness < 12);
  const clean = await engine.enrol(photo('John_McCain_0006'));
  t.same(clean.ok && clean.quality.warnings, [], 'a sharp reference has no warnings');

  // The same man blurred as the live side: refused, on every live path.
  const blurredFrame = await canvas([{ img: await sharp(photo('John_McCain_0002')).blur(2.5).jpeg().toBuffer(), left: 195, top: 115 }]);
  t.match(await engine.enrol(blurredFrame, { mode: 'fast' }), { ok: false, reason: 'too_blurred' }, "mode 'fast' alone means a live frame");
  t.match(await engine.verify(blurredFrame, photo('John_McCain_0006')), { ok: false, side: 'probe', reason: 'too_blurred' });
  t.match(
    await engine.verify(blurredFrame, clean.ok ? clean.descriptor : new Float32Array(DESCRIPTOR_LENGTH)),
    { ok: false, side: 'probe', reason: 'too_blurred' },
    'against a stored descriptor too',
  );

  // The blurred reference still verifies: a sharp frame of the same man matches, another man does not.
  const same = await engine.verify(await canvas([{ img: photo('John_McCain_0006'), left: 195, top: 115 }]), ref.descriptor);
  t.match(same, { ok: true, result: { decision: 'match' } }, 'McCain_0006 matches the blurred McCain_0002');
  const other = await engine.verify(await canvas([{ img: photo('Alejandro_Toledo_0023'), left: 195, top: 115 }]), ref.descriptor);
  t.match(other, { ok: true, result: { decision: 'mismatch' } }, 'Toledo does not');
  // As the reference side of verify (a photo, not a descriptor), the same leniency applies.
  t.match(await engine.verify(await canvas([{ img: photo('John_McCain_0006'), left: 195, top: 115 }]), blurred), { ok: true, result: { decision: 'match' } });
});

t.test('turned_away: a live frame turned far to the side is refused; as a reference it is a warning', async (t) => {
  // LFW's Pervez_Musharraf_0005: head turned strongly toward the image's right (yaw ≈ +79° by landmarks).
  const r = await engine.enrol(photo('Pervez_Musharraf_0005'), { purpose: 'live' });
  t.match(r, { ok: false, reason: 'turned_away' });
  if (!r.ok) t.match(r.detail, /turned \d+°.*face the camera/);
  const ref = await engine.enrol(photo('Pervez_Musharraf_0005'));
  t.match(ref, { ok: true, quality: { warnings: [{ reason: 'turned_away', detail: /turned \d+°/ }] } });
});

t.test('same person: two different photos of one person match; different people do not', async (t) => {
  const same: Array<[string, string]> = [
    ['John_McCain_0002', 'John_McCain_0006'],
    ['Alejandro_Toledo_0023', 'Alejandro_Toledo_0027'],
    ['Pervez_Musharraf_0007', 'Pervez_Musharraf_0016'],
  ];
  const diff: Array<[string, string]> = [
    ['John_McCain_0002', 'Alejandro_Toledo_0023'],
    // Matthew_Broderick_0001 is a soft video still (sharpness ≈ 10): refused as a live frame, usable as
    // a reference (with a too_blurred warning), which is how it is used here.
    ['Matthew_Broderick_0001', 'Julianne_Moore_0004'],
    ['Richard_Myers_0004', 'Jack_Straw_0028'],
  ];
  for (const [a, b] of same) {
    const ref = await engine.enrol(photo(a));
    if (!ref.ok) return t.fail(`${a} refused: ${ref.detail}`);
    const v = await engine.verify(photo(b), ref.descriptor);
    t.match(v, { ok: true, result: { decision: 'match', threshold: DEFAULT_THRESHOLD } }, `${a} ~ ${b}`);
  }
  for (const [a, b] of diff) {
    const v = await engine.verify(photo(b), photo(a));
    t.match(v, { ok: true, result: { decision: 'mismatch' } }, `${a} ≠ ${b}`);
  }
  // The probe as the kiosk sends it: a 640×480 JPEG frame with the face in it.
  const frame = await canvas([{ img: photo('Richard_Myers_0008'), left: 195, top: 115 }]);
  t.match(await engine.verify(frame, photo('Richard_Myers_0004')), { ok: true, result: { decision: 'match' } }, 'a 640×480 frame matches the roster photo');
  t.match(
    await engine.verify(photo('Julianne_Moore_0006'), new Float32Array(12)),
    { ok: false, side: 'reference', reason: 'unreadable' },
    'a malformed stored descriptor is named as such',
  );
});

t.test('analyse: landmarks-only pass reports one face, its yaw sign and eye openness', async (t) => {
  const front = await engine.analyse(photo('Jack_Straw_0028'));
  const left = await engine.analyse(photo('Jack_Straw_0003'));
  const right = await engine.analyse(photo('Jack_Straw_0025'));
  t.match(front, { found: true, faces: 1 });
  t.ok(front.eyeOpenness > 0.15 && front.eyeOpenness < 0.5, `open eyes: EAR ${front.eyeOpenness.toFixed(3)}`);
  // Jack_Straw_0003 faces toward the image's right (his own left), 0025 toward the image's left.
  t.ok(left.yaw > front.yaw + 15, `nose toward image right → larger yaw (${front.yaw.toFixed(0)}° → ${left.yaw.toFixed(0)}°)`);
  t.ok(right.yaw < front.yaw - 15, `nose toward image left → smaller yaw (${front.yaw.toFixed(0)}° → ${right.yaw.toFixed(0)}°)`);
  t.match(await engine.analyse(Buffer.from('nope')), { found: false, faces: 0, box: null });
});

t.test('liveness: a still photo replayed as frames is refused for lack of motion', async (t) => {
  const still = photo('Jack_Straw_0028');
  for (const challenge of ['turn_left', 'turn_right', 'blink'] as const) {
    t.match(await engine.liveness([still, still, still, still, still], challenge), { ok: false, challenge, reason: 'no_motion' }, challenge);
  }
  // A printed photo moved in front of the camera: it moves, but the head never turns.
  const moved = await Promise.all([150, 175, 200, 225].map((left) => canvas([{ img: still, left, top: 115 }])));
  t.match(await engine.liveness(moved, 'turn_left'), { ok: false, reason: 'challenge_not_met' });
});

t.test('liveness: frames with two faces, no face or too few frames are refused with that reason', async (t) => {
  const one = await canvas([{ img: photo('John_McCain_0002'), left: 195, top: 115 }]);
  const two = await canvas([
    { img: photo('John_McCain_0002'), left: 60, top: 115 },
    { img: photo('Julianne_Moore_0004'), left: 330, top: 115 },
  ]);
  t.match(await engine.liveness([one, one, two, one], 'blink'), { ok: false, reason: 'several_faces' });
  const blank = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 30, g: 30, b: 30 } } })
    .jpeg()
    .toBuffer();
  t.match(await engine.liveness([blank, blank, blank, one], 'blink'), { ok: false, reason: 'no_face' });
  t.match(await engine.liveness([one, one], 'blink'), { ok: false, reason: 'too_few_frames' });
});

t.test('liveness: real photos of one person turning from frontal pass the asked direction only', async (t) => {
  // Not a video: three LFW photos of the same man, frontal (0028), turned to his left (0003), turned to
  // his right (0025). Honest about the head motion, which is what the rule judges.
  const front = photo('Jack_Straw_0028');
  const hisLeft = photo('Jack_Straw_0003');
  const hisRight = photo('Jack_Straw_0025');
  t.match(await engine.liveness([front, front, hisLeft], 'turn_left'), { ok: true, challenge: 'turn_left' });
  t.match(await engine.liveness([front, front, hisRight], 'turn_right'), { ok: true, challenge: 'turn_right' });
  t.match(await engine.liveness([front, front, hisRight], 'turn_left'), { ok: false, reason: 'challenge_not_met' }, 'the other way does not count');
  // A mirrored capture (as a selfie preview shows it) flips the image's left and right.
  const mirror = (b: Buffer) => sharp(b).flop().jpeg({ quality: 95 }).toBuffer();
  const mirrored = await Promise.all([front, front, hisLeft].map(mirror));
  t.match(await engine.liveness(mirrored, 'turn_left', { mirrored: true }), { ok: true }, 'mirrored frames with mirrored: true');
  t.match(
    await engine.liveness(mirrored, 'turn_left'),
    { ok: false, reason: 'challenge_not_met' },
    'mirrored frames judged as unmirrored look like the other way',
  );
  t.match(await engine.liveness([hisLeft, hisLeft, front], 'turn_right'), { ok: false, reason: 'challenge_not_met' }, 'must start frontal');
});

t.test('blink rule: eye openness must dip and recover; a dip that stays closed is not a blink', async (t) => {
  // No LFW photo shows closed eyes, so the rule is checked on landmark figures directly.
  const f = (eye: number, x = 100): FrameFace => ({ found: true, faces: 1, yaw: 2, eyeOpenness: eye, box: { x, y: 80, width: 120, height: 120 } });
  t.match(decideLiveness([f(0.3), f(0.31), f(0.12), f(0.29), f(0.3)], 'blink'), { ok: true });
  t.match(decideLiveness([f(0.3), f(0.3), f(0.29), f(0.12), f(0.1)], 'blink'), { ok: false, reason: 'challenge_not_met' }, 'no recovery');
  t.match(
    decideLiveness([f(0.3, 100), f(0.29, 110), f(0.3, 120), f(0.3, 130)], 'blink'),
    { ok: false, reason: 'challenge_not_met' },
    'moving without blinking',
  );
  t.match(decideLiveness([f(0.3), f(0.3), f(0.3)], 'blink'), { ok: false, reason: 'no_motion' });
});

t.test('a worker that dies fails only its in-flight request, clearly, and is replaced', async (t) => {
  await t.rejects(engine.crashWorkerForTest(), /exited with code 3 while handling crash; the request was not completed/);
  const r = await engine.enrol(photo('John_McCain_0002'));
  t.ok(r.ok, 'the next request is served by the restarted worker');
  t.equal(engine.stats().restarts, 1);
});

t.test('verification runs off the main thread: timers keep firing while faces are described', async (t) => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  await Promise.all([engine.enrol(photo('Luis_Figo_0002')), engine.enrol(photo('Jim_Tressel_0004')), engine.analyse(photo('Jim_Tressel_0002'))]);
  clearInterval(timer);
  // Synchronous tfjs on this thread would leave the timer no turn at all until the work was done.
  t.ok(ticks >= 3, `${ticks} timer ticks during three requests`);
});

t.test('photoToY4m writes a looping clip Chromium can use as a fake camera', async (t) => {
  const dir = scratchDir(t);
  const out = await photoToY4m(join(FACES, 'Jack_Straw/Jack_Straw_0028.jpg'), join(dir, 'cam.y4m'), { width: 640, height: 480, seconds: 1 });
  const head = readFileSync(out).subarray(0, 80).toString('latin1');
  t.match(head, /^YUV4MPEG2 W640 H480 F15:1/);
  t.equal(statSync(out).size > 640 * 480 * 1.5 * 14, true, 'about one second of 4:2:0 frames');
  await t.rejects(photoToY4m(join(dir, 'missing.jpg'), join(dir, 'x.y4m')), /ffmpeg failed/);
});
