// Face verification on labelled pairs: detection failures, FAR/FRR at the engine's default threshold,
// accuracy, a threshold sweep, and the latency of one verification of a 640×480 single-face frame.
// Each pair is scored two ways. The kiosk path: the first photo is enrolled as the roster reference
// (thorough detector), the second is placed on a 640×480 canvas as a live frame and verified against
// that descriptor (quick detector), refused by every live-frame quality rule. The photo path (LFW's own
// protocol, what the accuracy target is stated in): both photos enrolled as stored photos and their
// descriptors compared. A pair with a refused photo counts as a wrong decision on either path.
// References follow the engine's retake policy: refused only when no single face is found; blur, size
// and turn are warnings (listed below with how their pairs were decided).
// Accuracy is reported the LFW way: 10-fold cross-validation, the threshold chosen on nine folds (the
// largest with FAR ≤ --max-far, default 0.5 %) and scored on the tenth; mean ± std of the folds, FAR/FRR
// pooled over the ten test folds with 95 % intervals. Without --pairs it scores shared pairs.txt and a
// second list over other people (made as --make-pairs makes it), so a result tuned on one list shows
// on the other; the shipped threshold's figures are printed beside.
// Usage: npm run bench -- face [--pairs FILE] [--images DIR] [--limit N] [--workers 2] [--latency 40]
//        [--threshold T] [--tiny 416] [--relaxed] (quality refusals off: measures what the limits are set from)
//        npm run bench -- face --make-pairs [--seed 17] [--out FILE]   (the second list, printed or written)
// Image paths in the pairs file are relative to --images, by default the pairs file's folder.
// FACE_DATA overrides where the shared faces are (default ../../shared/data/faces from the checkout).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createFaceEngine, DEFAULT_THRESHOLD, distance, type EnrolResult } from '../kiosk/face/index.ts';
import { atLine, chooseThreshold, crossValidate, cvLine, foldsOf, makePairs, readPairs, type CvResult, type Pair } from './lib/face-pairs.ts';

const shared = resolve(process.env.FACE_DATA ?? resolve(import.meta.dirname, '../../shared/data/faces'));
const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: join(shared, 'pairs.txt') },
    images: { type: 'string' },
    limit: { type: 'string', default: '0' },
    workers: { type: 'string', default: '2' },
    latency: { type: 'string', default: '40' },
    threshold: { type: 'string' },
    tiny: { type: 'string' },
    relaxed: { type: 'boolean', default: false },
    'make-pairs': { type: 'boolean', default: false },
    seed: { type: 'string', default: '17' },
    out: { type: 'string' },
    'max-far': { type: 'string', default: '0.005' },
  },
});
const pairsFile = resolve(values.pairs!);
// The shared list alone, or the shared list plus the second one (no --pairs given: the default run).
const withSecond = !process.argv.slice(2).some((a) => a === '--pairs' || a.startsWith('--pairs='));
if (values['make-pairs']) {
  const lines = makePairs(dirname(pairsFile), readPairs(pairsFile), Number(values.seed));
  const text = `# made by bench face --make-pairs --seed ${values.seed}: people absent from ${pairsFile}\n${lines.join('\n')}\n`;
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
  process.exit(0);
}
const maxFar = Number(values['max-far']);
// Without --images, image paths are relative to the pairs file's folder (the shared set's layout).
const imagesDir = resolve(values.images ?? dirname(pairsFile));
const threshold = values.threshold ? Number(values.threshold) : DEFAULT_THRESHOLD;
const workers = Math.max(1, Number(values.workers));
const log = (s: string) => console.log(s);
const pct = (x: number) => (100 * x).toFixed(1);
const q = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : NaN);

const limitN = Number(values.limit);
const cut = (ps: Pair[]) => (limitN > 0 ? ps.slice(0, limitN) : ps);
const lists: Array<{ name: string; pairs: Pair[] }> = [{ name: pairsFile, pairs: cut(readPairs(pairsFile)) }];
if (withSecond) {
  const made = makePairs(dirname(pairsFile), readPairs(pairsFile), Number(values.seed)).map((l, i) => {
    const [f, a, b] = l.split(' ');
    return { same: f === '1', a: a!, b: b!, line: i + 1 };
  });
  lists.push({ name: `second list (--make-pairs --seed ${values.seed}: other people)`, pairs: cut(made) });
}

const cpu = () => `${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)}`;
log(`machine: ${cpu()}`);
for (const l of lists)
  log(
    `pairs: ${l.pairs.length} from ${l.name} (${l.pairs.filter((p) => p.same).length} same, ${l.pairs.filter((p) => !p.same).length} different), images under ${imagesDir}`,
  );

const relaxed = values.relaxed ? { minSharpness: 0, maxYaw: 90, minFacePx: 0 } : {};
const tiny = values.tiny ? { tinyInput: Number(values.tiny) } : {};
const engine = await createFaceEngine({ threshold, workers, limits: { ...relaxed, ...tiny } });
const t0 = performance.now();
await engine.ready();
log(`engine: ${workers} worker(s), backend ${engine.backend}, models loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

/** A live-camera-like frame: the photo centred on a 640×480 grey canvas, sent as JPEG as a browser would. */
async function frame640(photo: Buffer): Promise<Buffer> {
  const img = sharp(photo);
  const m = await img.metadata();
  const scale = Math.min(1, 460 / Math.max(m.width ?? 1, m.height ?? 1));
  const w = Math.round((m.width ?? 1) * scale);
  const h = Math.round((m.height ?? 1) * scale);
  const inner = await img.resize(w, h).toBuffer();
  return sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 118, g: 118, b: 118 } } })
    .composite([{ input: inner, left: Math.round((640 - w) / 2), top: Math.round((480 - h) / 2) }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

const refs = new Map<string, Promise<EnrolResult>>();
const enrolRef = (path: string) => {
  let r = refs.get(path);
  if (!r) {
    r = engine.enrol(readFileSync(join(imagesDir, path)));
    refs.set(path, r);
  }
  return r;
};

interface Outcome {
  pair: Pair;
  distance: number | null;
  refusal: string | null;
  /** Quality warnings the reference was enrolled with. */
  warned: string[];
}

/** One pair scored both ways: the kiosk path (probe as a live frame) and the photo path (LFW's protocol). */
interface Scored {
  kiosk: Outcome;
  photo: Outcome;
}

async function scoreList(pairs: Pair[]): Promise<Scored[]> {
  const outcomes: Scored[] = [];
  const t0 = performance.now();
  let next = 0;
  async function lane(): Promise<void> {
    while (next < pairs.length) {
      const pair = pairs[next++]!;
      const ref = await enrolRef(pair.a);
      if (!ref.ok) {
        const refused: Outcome = { pair, distance: null, refusal: `reference ${pair.a}: ${ref.reason} (${ref.detail})`, warned: [] };
        outcomes.push({ kiosk: refused, photo: refused });
        continue;
      }
      const warned = (ref.quality.warnings ?? []).map((w) => `${w.reason} (${w.detail})`);
      const probe = await frame640(readFileSync(join(imagesDir, pair.b)));
      const v = await engine.verify(probe, ref.descriptor);
      const kiosk: Outcome = v.ok
        ? { pair, distance: v.result.distance, refusal: null, warned }
        : { pair, distance: null, refusal: `probe ${pair.b}: ${v.reason} (${v.detail})`, warned };
      // The photo path: the second photo enrolled exactly as the first (a stored photo, the retake
      // policy's warnings instead of live-frame refusals), the two descriptors compared.
      const other = await enrolRef(pair.b);
      const photo: Outcome = other.ok
        ? { pair, distance: distance(ref.descriptor, other.descriptor), refusal: null, warned }
        : { pair, distance: null, refusal: `second photo ${pair.b}: ${other.reason} (${other.detail})`, warned };
      outcomes.push({ kiosk, photo });
      if (outcomes.length % 100 === 0) process.stderr.write(`  ${outcomes.length}/${pairs.length} pairs, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  }
  await Promise.all(Array.from({ length: workers }, lane));
  log(`scored ${pairs.length} pairs in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  // Back in list order, so the folds are the same whatever order the lanes finished in.
  return outcomes.sort((x, y) => x.kiosk.pair.line - y.kiosk.pair.line);
}

function score(outcomes: Outcome[], th: number) {
  let fa = 0;
  let fr = 0;
  let wrong = 0;
  for (const o of outcomes) {
    if (o.distance === null) {
      wrong++;
      if (o.pair.same) fr++;
      continue;
    }
    const match = o.distance <= th;
    if (match && !o.pair.same) fa++;
    if (!match && o.pair.same) fr++;
    if (match !== o.pair.same) wrong++;
  }
  const nSame = outcomes.filter((o) => o.pair.same).length;
  const nDiff = outcomes.length - nSame;
  return { far: nDiff ? fa / nDiff : 0, frr: nSame ? fr / nSame : 0, accuracy: 1 - wrong / outcomes.length, fa, fr };
}

type Path = 'kiosk' | 'photo';
const PATH_TITLE: Record<Path, string> = {
  kiosk: 'kiosk path: the reference photo enrolled, the other photo verified as a live 640×480 frame (live-frame refusals count wrong)',
  photo:
    "photo path (LFW's protocol): both photos enrolled as stored photos, descriptors compared (no face, or two faces the subject rule cannot tell apart, count wrong)",
};

function report(name: string, path: Path, outcomes: Outcome[]): CvResult {
  log(`\n== ${name}\n   ${PATH_TITLE[path]}`);
  const failures = outcomes.filter((o) => o.refusal);
  log(`detection failures: ${failures.length} of ${outcomes.length} pairs (${pct(failures.length / outcomes.length)} %)`);
  for (const f of failures) log(`  line ${f.pair.line} (${f.pair.same ? 'same' : 'different'}): ${f.refusal}`);
  const warnedPairs = outcomes.filter((o) => o.warned.length > 0);
  log(`pairs whose reference was enrolled with quality warnings: ${warnedPairs.length}`);
  for (const o of warnedPairs) {
    const decided =
      o.distance === null
        ? `probe refused`
        : `distance ${o.distance.toFixed(3)} → ${o.distance <= threshold ? 'match' : 'mismatch'}${(o.distance <= threshold) === o.pair.same ? '' : ' (wrong)'}`;
    log(`  line ${o.pair.line} (${o.pair.same ? 'same' : 'different'}): ${o.pair.a}: ${o.warned.join('; ')}; ${decided}`);
  }
  const sameD = outcomes
    .filter((o) => o.pair.same && o.distance !== null)
    .map((o) => o.distance!)
    .sort((a, b) => a - b);
  const diffD = outcomes
    .filter((o) => !o.pair.same && o.distance !== null)
    .map((o) => o.distance!)
    .sort((a, b) => a - b);
  log(
    `distance, same person:      p5 ${q(sameD, 0.05).toFixed(3)}  p50 ${q(sameD, 0.5).toFixed(3)}  p95 ${q(sameD, 0.95).toFixed(3)}  max ${sameD.at(-1)?.toFixed(3)}`,
  );
  log(
    `distance, different people: min ${diffD[0]?.toFixed(3)}  p1 ${q(diffD, 0.01).toFixed(3)}  p5 ${q(diffD, 0.05).toFixed(3)}  p50 ${q(diffD, 0.5).toFixed(3)}`,
  );
  log('threshold sweep (refusals count as wrong; they add to FRR for same-person pairs):');
  // Around the threshold: distances of different models have different scales.
  for (let th = threshold - 0.15; th <= threshold + 0.126; th += 0.025) {
    const s = score(outcomes, th);
    log(
      `  ${th.toFixed(3)}  accuracy ${pct(s.accuracy)} %  FAR ${pct(s.far)} % (${s.fa})  FRR ${pct(s.frr)} % (${s.fr})${Math.abs(th - threshold) < 1e-9 ? '   ← default' : ''}`,
    );
  }
  const s = score(outcomes, threshold);
  log(`at the shipped threshold ${threshold}: accuracy ${pct(s.accuracy)} %, FAR ${pct(s.far)} % (${s.fa}), FRR ${pct(s.frr)} % (${s.fr})`);
  const cv = crossValidate(
    outcomes.map((o) => ({ same: o.pair.same, distance: o.distance })),
    foldsOf(outcomes.map((o) => o.pair)),
    maxFar,
  );
  log(`10-fold CV (threshold: largest with FAR ≤ ${pct(maxFar)} % on the nine training folds): ${cvLine(cv)}`);
  // How the shipped threshold is chosen: the same rule on the whole dev list (the first list), then
  // scored on the held-out second list, which never chose anything.
  const scored = outcomes.map((o) => ({ same: o.pair.same, distance: o.distance }));
  const pick = devPick[path];
  if (pick === undefined) {
    devPick[path] = chooseThreshold(scored, maxFar);
    log(`the rule's choice on this whole list (the dev pick): ${devPick[path]!.toFixed(3)} (shipped: ${threshold})`);
  } else log(atLine(scored, pick, "at the dev list's pick"));
  return cv;
}

const devPick: Partial<Record<Path, number>> = {};
const results: Record<Path, CvResult[]> = { kiosk: [], photo: [] };
const allOutcomes: Outcome[] = [];
for (const l of lists) {
  const scored = await scoreList(l.pairs);
  allOutcomes.push(...scored.map((o) => o.kiosk));
  for (const path of ['kiosk', 'photo'] as const)
    results[path].push(
      report(
        l.name,
        path,
        scored.map((o) => o[path]),
      ),
    );
}

const refsDone = await Promise.all([...refs.values()]);
const okRefs = refsDone.filter((r): r is Extract<EnrolResult, { ok: true }> => r.ok);
const dist = (name: string, xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  log(
    `  ${name}: p1 ${q(s, 0.01).toFixed(2)}  p5 ${q(s, 0.05).toFixed(2)}  p50 ${q(s, 0.5).toFixed(2)}  p95 ${q(s, 0.95).toFixed(2)}  p99 ${q(s, 0.99).toFixed(2)}`,
  );
};
log(`quality of ${okRefs.length} enrolled reference photos${values.relaxed ? ' (relaxed limits)' : ''}:`);
dist(
  'sharpness',
  okRefs.map((r) => r.quality.sharpness),
);
dist(
  '|yaw| °',
  okRefs.map((r) => Math.abs(r.quality.yaw)),
);
dist(
  'face width px',
  okRefs.map((r) => r.box.width),
);
const seconds = okRefs
  .map((r) => r.quality.secondFace ?? 0)
  .filter((x) => x > 0)
  .sort((a, b) => a - b);
log(`  second face present in ${seconds.length} photos, width ratio to the main face: ${seconds.map((x) => x.toFixed(2)).join(' ') || '-'}`);

// Latency: one request at a time, so the figure is what one candidate waits with the engine idle.
const n = Math.max(1, Number(values.latency));
const sample = allOutcomes.filter((o) => o.distance !== null).slice(0, n);
const frames = await Promise.all(sample.map((o) => frame640(readFileSync(join(imagesDir, o.pair.b)))));
const lat: number[] = [];
for (let i = 0; i < sample.length; i++) {
  const ref = (await enrolRef(sample[i]!.pair.a)) as Extract<EnrolResult, { ok: true }>;
  const t = performance.now();
  await engine.verify(frames[i]!, ref.descriptor);
  lat.push(performance.now() - t);
}
lat.sort((a, b) => a - b);
log(
  `latency of one verification (640×480 JPEG frame vs stored descriptor, ${lat.length} runs, sequential): p50 ${q(lat, 0.5).toFixed(0)} ms, p95 ${q(lat, 0.95).toFixed(0)} ms; machine now: ${cpu()}`,
);
log(`worker tensors after the run: ${engine.stats().tensors} (steady = no leak), restarts ${engine.stats().restarts}`);
await engine.close();

// The summary: both paths on both lists, cross-validated (mean accuracy of the ten test folds; FAR and
// FRR pooled over them), never a threshold tuned on the pairs it reports. The last line is the first
// list's photo path — the LFW protocol the accuracy target is stated in; the kiosk path's live-frame
// rules refuse some LFW photos as kiosk frames (two people cheek to cheek, blurred, profile), which
// the kiosk asks to retake, so its line is printed just above, never hidden.
for (const path of ['kiosk', 'photo'] as const) {
  log(`${path} path, first list, cross-validated: ${cvLine(results[path][0]!)}`);
  if (results[path][1]) log(`${path} path, second list, cross-validated: ${cvLine(results[path][1])}`);
}
const cv = results.photo[0]!;
log(`face: accuracy ${pct(cv.accuracy)} %, FAR ${pct(cv.fa / cv.nDiff)} %, FRR ${pct(cv.fr / cv.nSame)} %, p50 ${q(lat, 0.5).toFixed(0)} ms`);
