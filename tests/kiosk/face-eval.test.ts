// The face benches' evaluation protocol and the extra models' crop geometry, without loading a model:
// the second pair list is disjoint from pairs.txt and the same on every run, folds are balanced, the
// cross-validated threshold never sees its test fold, and the similarity alignment puts the five
// landmarks where the InsightFace template wants them.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseThreshold, crossValidate, foldsOf, makePairs, readPairs, seeded, wilson, type Scored } from '../../bench/lib/face-pairs.ts';
import { cropToImage, warpCrop } from '../../kiosk/face/extra-models.ts';
import { DESCRIPTOR_VERSION, FACE_MODEL_ID, isCurrentDescriptor, LEGACY_MODEL_ID } from '../../kiosk/face/index.ts';
import { chipTransform, DLIB_POINTS, extractChip, FIVE_POINTS, templatePoint } from '../../kiosk/face/align.ts';
import { scratchDir } from '../helpers.ts';

t.test('the second list: disjoint people, every same-person pair, as many different ones, seeded', async (t) => {
  const root = scratchDir(t);
  const people: Record<string, number> = { Ann_A: 3, Bob_B: 2, Cy_C: 1, Dee_D: 2, Eve_E: 2, Fay_F: 2 };
  for (const [name, n] of Object.entries(people)) {
    mkdirSync(join(root, 'lfw', name), { recursive: true });
    for (let i = 1; i <= n; i++) writeFileSync(join(root, 'lfw', name, `${name}_000${i}.jpg`), 'x');
  }
  writeFileSync(join(root, 'pairs.txt'), '1 lfw/Eve_E/Eve_E_0001.jpg lfw/Eve_E/Eve_E_0002.jpg\n0 lfw/Fay_F/Fay_F_0001.jpg lfw/Cy_C/Cy_C_0001.jpg\n');
  const first = readPairs(join(root, 'pairs.txt'));
  const made = makePairs(root, first, 17);
  t.same(made, makePairs(root, first, 17), 'the same seed gives the same list');
  t.not(made.join('\n'), makePairs(root, first, 18).join('\n'), 'another seed another different-person draw');
  const rows = made.map((l) => l.split(' '));
  const same = rows.filter((r) => r[0] === '1');
  // Ann: 3 photos → 3 pairs; Bob and Dee: 1 each. Eve, Fay (in pairs.txt) and Cy (one photo) never appear.
  t.equal(same.length, 5);
  t.equal(rows.length, 10, 'as many different-person pairs as same-person ones');
  const names = new Set(rows.flatMap((r) => [r[1]!.split('/')[1], r[2]!.split('/')[1]]));
  t.same([...names].sort(), ['Ann_A', 'Bob_B', 'Dee_D']);
  for (const r of rows.filter((x) => x[0] === '0')) t.not(r[1]!.split('/')[1], r[2]!.split('/')[1], `${r.join(' ')} is two people`);
  t.equal(new Set(rows.filter((r) => r[0] === '0').map((r) => [r[1], r[2]].sort().join(' '))).size, 5, 'no different-person pair twice');
});

t.test('folds hold a tenth of each class', async (t) => {
  const pairs = [...Array.from({ length: 30 }, () => ({ same: true })), ...Array.from({ length: 50 }, () => ({ same: false }))];
  const folds = foldsOf(pairs);
  for (let f = 0; f < 10; f++) {
    t.equal(pairs.filter((p, i) => p.same && folds[i] === f).length, 3);
    t.equal(pairs.filter((p, i) => !p.same && folds[i] === f).length, 5);
  }
});

t.test('the threshold: largest with FAR ≤ the limit on the training pairs, halfway to the next pair', async (t) => {
  const train: Scored[] = [
    ...[0.2, 0.3, 0.4, 0.5].map((d) => ({ same: true, distance: d })),
    ...[0.45, 0.6, 0.7, 0.8, 0.9].map((d) => ({ same: false, distance: d })),
  ];
  // 5 different-person pairs: FAR ≤ 0.5 % allows none, so the cut sits between 0.4 (below 0.45) and 0.45.
  t.ok(Math.abs(chooseThreshold(train, 0.005) - 0.425) < 1e-9);
  // FAR ≤ 20 % allows one: the cut moves between 0.5 and 0.6.
  t.ok(Math.abs(chooseThreshold(train, 0.2) - 0.55) < 1e-9);
});

t.test('cross-validation scores each fold with a threshold chosen without it; refusals are wrong', async (t) => {
  // Distances separate perfectly at 0.5 except in fold 0, where a different-person pair sits at 0.1.
  // 225 different-person training pairs allow one false accept at FAR ≤ 0.5 %, so the other folds'
  // thresholds (trained with the intruder) stay near 0.5 too, and it is a false accept in fold 0 only.
  const rnd = seeded(1);
  const scored: Scored[] = [];
  for (let i = 0; i < 250; i++) scored.push({ same: true, distance: 0.2 + 0.25 * rnd() });
  for (let i = 0; i < 250; i++) scored.push({ same: false, distance: 0.55 + 0.3 * rnd() });
  const folds = foldsOf(scored);
  const intruder = scored.findIndex((s, i) => !s.same && folds[i] === 0);
  scored[intruder] = { same: false, distance: 0.1 };
  const refusedAt = scored.findIndex((s, i) => s.same && folds[i] === 3);
  scored[refusedAt] = { same: true, distance: null };
  const r = crossValidate(scored, folds, 0.005);
  t.equal(r.fa, 1, 'the intruder is accepted in its own fold');
  t.equal(r.fr, 1, 'the refused pair is a false reject');
  t.equal(r.refused, 1);
  t.equal(r.nSame + r.nDiff, 500);
  t.ok(
    r.thresholds.every((th) => th > 0.44 && th < 0.56),
    `thresholds ${r.thresholds.map((x) => x.toFixed(3)).join(' ')}`,
  );
  t.ok(Math.abs(r.accuracy - (1 - 2 / 500)) < 1e-9, 'mean of the ten folds (equal folds: two wrong of 500)');
  const [lo, hi] = wilson(1, 200);
  t.ok(lo > 0 && lo < 0.005 && hi > 0.02 && hi < 0.03, `Wilson 95 % of 1/200: ${lo.toFixed(4)}–${hi.toFixed(4)}`);
});

t.test('alignment: landmarks at the template scaled and rotated map back onto the template', async (t) => {
  // Five points = the InsightFace template scaled ×2, rotated 20° and shifted, i.e. a face in a photo.
  const tpl = [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
  ];
  const a = 2 * Math.cos(Math.PI / 9);
  const b = 2 * Math.sin(Math.PI / 9);
  const pts = tpl.map(([x, y]) => ({ x: a * x! - b * y! + 40, y: b * x! + a * y! + 15 }));
  const m = cropToImage(pts, 112, 1);
  t.ok(Math.abs(m.a - a) < 1e-9 && Math.abs(m.b - b) < 1e-9 && Math.abs(m.tx - 40) < 1e-9 && Math.abs(m.ty - 15) < 1e-9, 'the exact transform');
  // A white dot in the image at the left eye lands at the template's left eye in the crop.
  const w = 400;
  const h = 400;
  const rgb = new Uint8Array(w * h * 3);
  const eye = pts[0]!;
  for (let y = Math.round(eye.y) - 2; y <= Math.round(eye.y) + 2; y++)
    for (let x = Math.round(eye.x) - 2; x <= Math.round(eye.x) + 2; x++) rgb.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
  const crop = warpCrop(rgb, w, h, pts, 112, 1);
  let sx = 0;
  let sy = 0;
  let s = 0;
  for (let y = 0; y < 112; y++)
    for (let x = 0; x < 112; x++) {
      const v = crop[(y * 112 + x) * 3]!;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
      s += v;
    }
  t.ok(Math.hypot(sx / s - tpl[0]![0]!, sy / s - tpl[0]![1]!) < 1, `dot at (${(sx / s).toFixed(1)}, ${(sy / s).toFixed(1)})`);
});

t.test("dlib's face chip: landmarks on the mean face, scaled, rotated and shifted, map back exactly", async (t) => {
  // A face whose 68 landmarks are dlib's mean face in a 150 px chip, scaled ×1.6, rotated 15° and shifted:
  // the transform must undo exactly that, and a dot at the left eye's outer corner lands on the template's.
  const ang = Math.PI / 12;
  const a = 1.6 * Math.cos(ang);
  const b = 1.6 * Math.sin(ang);
  const lm = Array.from({ length: 68 }, (_, i) => {
    const p = i >= 17 ? templatePoint(i, 150, 0.25) : { x: 75, y: 75 };
    return { x: a * p.x - b * p.y + 60, y: b * p.x + a * p.y + 20 };
  });
  for (const points of [DLIB_POINTS, FIVE_POINTS]) {
    const m = chipTransform(lm, 150, 0.25, points);
    t.ok(
      Math.abs(m.a - a) < 1e-9 && Math.abs(m.b - b) < 1e-9 && Math.abs(m.tx - 60) < 1e-9 && Math.abs(m.ty - 20) < 1e-9,
      `${points.length} points: the exact transform`,
    );
  }
  t.equal(DLIB_POINTS.length, 33, 'eyes, nose and outer mouth; no brows, no lower lip');
  const w = 400;
  const h = 400;
  const rgb = new Uint8Array(w * h * 3);
  const corner = lm[36]!;
  for (let y = Math.round(corner.y - 0.5) - 2; y <= Math.round(corner.y - 0.5) + 2; y++)
    for (let x = Math.round(corner.x - 0.5) - 2; x <= Math.round(corner.x - 0.5) + 2; x++) rgb.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
  const centroid = (chip: Float32Array) => {
    let sx = 0;
    let sy = 0;
    let s = 0;
    for (let y = 0; y < 150; y++)
      for (let x = 0; x < 150; x++) {
        const v = chip[(y * 150 + x) * 3]!;
        sx += v * x;
        sy += v * y;
        s += v;
      }
    return { x: sx / s, y: sy / s };
  };
  const want = templatePoint(36, 150, 0.25);
  const got = centroid(extractChip(rgb, w, h, chipTransform(lm)));
  t.ok(
    Math.hypot(got.x - want.x, got.y - want.y) < 1,
    `dot at (${got.x.toFixed(1)}, ${got.y.toFixed(1)}), template (${want.x.toFixed(1)}, ${want.y.toFixed(1)})`,
  );
  const mirrored = centroid(extractChip(rgb, w, h, chipTransform(lm), 150, true));
  t.ok(Math.abs(mirrored.x - (149 - got.x)) < 1e-6 && Math.abs(mirrored.y - got.y) < 1e-6, 'the mirror chip is the chip flipped left–right');
});

t.test('a stored descriptor is compared only when both its model id and descriptor version are current', async (t) => {
  t.ok(isCurrentDescriptor({ descriptorVersion: DESCRIPTOR_VERSION, modelId: FACE_MODEL_ID }), 'current');
  t.notOk(isCurrentDescriptor({ descriptorVersion: DESCRIPTOR_VERSION, modelId: 'face-api-resnet128-dlibchip' }), 'another model');
  t.equal(
    isCurrentDescriptor({ descriptorVersion: DESCRIPTOR_VERSION }),
    (FACE_MODEL_ID as string) === LEGACY_MODEL_ID,
    'no model id: the first model, current only while the engine still uses it',
  );
  t.notOk(isCurrentDescriptor({ descriptorVersion: DESCRIPTOR_VERSION - 1, modelId: FACE_MODEL_ID }), 'an older version');
  t.notOk(isCurrentDescriptor({}), 'neither: the first engine (version 1)');
});
