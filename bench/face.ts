// Face verification on labelled pairs: detection failures, FAR/FRR at the engine's default threshold,
// accuracy, a threshold sweep, and the latency of one verification of a 640×480 single-face frame.
// Each pair is scored the way the kiosk uses the engine: the first photo is enrolled as the roster
// reference (thorough detector), the second is placed on a 640×480 canvas as a live frame and verified
// against that descriptor (quick detector). A pair with a refused photo counts as a wrong decision.
// References follow the engine's retake policy: refused only when no single face is found; blur, size
// and turn are warnings (listed below with how their pairs were decided). Live frames are refused by
// every quality rule.
// Usage: npm run bench -- face [--pairs FILE] [--images DIR] [--limit N] [--workers 2] [--latency 40]
//        [--threshold T] [--tiny 416] [--relaxed] (quality refusals off: measures what the limits are set from)
// Image paths in the pairs file are relative to --images, by default the pairs file's folder.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createFaceEngine, DEFAULT_THRESHOLD, type EnrolResult } from '../kiosk/face/index.ts';

const shared = resolve(import.meta.dirname, '../../shared/data/faces');
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
  },
});
const pairsFile = resolve(values.pairs!);
// Without --images, image paths are relative to the pairs file's folder (the shared set's layout).
const imagesDir = resolve(values.images ?? dirname(pairsFile));
const threshold = values.threshold ? Number(values.threshold) : DEFAULT_THRESHOLD;
const workers = Math.max(1, Number(values.workers));
const log = (s: string) => console.log(s);
const pct = (x: number) => (100 * x).toFixed(1);
const q = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : NaN);

interface Pair {
  same: boolean;
  a: string;
  b: string;
  line: number;
}
let pairs: Pair[] = readFileSync(pairsFile, 'utf8')
  .split('\n')
  .map((l, i) => ({ l: l.trim(), i }))
  .filter(({ l }) => l && !l.startsWith('#'))
  .map(({ l, i }) => {
    const [flag, a, b] = l.split(/\s+/);
    if ((flag !== '0' && flag !== '1') || !a || !b) throw new Error(`${pairsFile}:${i + 1}: expected "1 A B" or "0 A B", got "${l}"`);
    return { same: flag === '1', a, b, line: i + 1 };
  });
if (Number(values.limit) > 0) pairs = pairs.slice(0, Number(values.limit));

const cpu = () => `${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)}`;
log(`machine: ${cpu()}`);
log(
  `pairs: ${pairs.length} from ${pairsFile} (${pairs.filter((p) => p.same).length} same, ${pairs.filter((p) => !p.same).length} different), images under ${imagesDir}`,
);

const relaxed = values.relaxed ? { minSharpness: 0, maxYaw: 90, minFacePx: 0 } : {};
const tiny = values.tiny ? { tinyInput: Number(values.tiny) } : {};
const engine = await createFaceEngine({ threshold, workers, limits: { ...relaxed, ...tiny } });
let t0 = performance.now();
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
const outcomes: Outcome[] = [];
t0 = performance.now();
let next = 0;
async function lane(): Promise<void> {
  while (next < pairs.length) {
    const pair = pairs[next++]!;
    const ref = await enrolRef(pair.a);
    if (!ref.ok) {
      outcomes.push({ pair, distance: null, refusal: `reference ${pair.a}: ${ref.reason} (${ref.detail})`, warned: [] });
      continue;
    }
    const warned = (ref.quality.warnings ?? []).map((w) => `${w.reason} (${w.detail})`);
    const probe = await frame640(readFileSync(join(imagesDir, pair.b)));
    const v = await engine.verify(probe, ref.descriptor);
    outcomes.push(
      v.ok
        ? { pair, distance: v.result.distance, refusal: null, warned }
        : { pair, distance: null, refusal: `probe ${pair.b}: ${v.reason} (${v.detail})`, warned },
    );
    if (outcomes.length % 100 === 0) process.stderr.write(`  ${outcomes.length}/${pairs.length} pairs, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }
}
await Promise.all(Array.from({ length: workers }, lane));
log(`scored ${pairs.length} pairs in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

const failures = outcomes.filter((o) => o.refusal);
log(`detection failures: ${failures.length} of ${pairs.length} pairs (${pct(failures.length / pairs.length)} %)`);
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

function score(th: number) {
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
for (let th = 0.4; th <= 0.701; th += 0.025) {
  const s = score(th);
  log(
    `  ${th.toFixed(3)}  accuracy ${pct(s.accuracy)} %  FAR ${pct(s.far)} % (${s.fa})  FRR ${pct(s.frr)} % (${s.fr})${Math.abs(th - threshold) < 1e-9 ? '   ← default' : ''}`,
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
const sample = outcomes.filter((o) => o.distance !== null).slice(0, n);
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

const s = score(threshold);
log(`face: accuracy ${pct(s.accuracy)} %, FAR ${pct(s.far)} %, FRR ${pct(s.frr)} %, p50 ${q(lat, 0.5).toFixed(0)} ms`);
