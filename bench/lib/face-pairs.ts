// Pair lists and the LFW evaluation protocol for the face benches: read a pair list, make a second
// list over people disjoint from the first (seeded), and 10-fold cross-validation of a distance
// threshold — chosen on nine folds, scored on the tenth — so no figure is tuned on the pairs it reports.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pair {
  same: boolean;
  a: string;
  b: string;
  line: number;
}

export function readPairs(file: string): Pair[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l, i) => ({ l: l.trim(), i }))
    .filter(({ l }) => l && !l.startsWith('#'))
    .map(({ l, i }) => {
      const [flag, a, b] = l.split(/\s+/);
      if ((flag !== '0' && flag !== '1') || !a || !b) throw new Error(`${file}:${i + 1}: expected "1 A B" or "0 A B", got "${l}"`);
      return { same: flag === '1', a, b, line: i + 1 };
    });
}

/** mulberry32: a small seeded generator, so a made list is the same on every machine. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A second pair list from `<root>/lfw`: every same-person pair (all photo combinations) of the people
 * with two or more photos who appear nowhere in `exclude`, plus as many different-person pairs drawn
 * (seeded) from those same people's photos. Paths are relative to `root`, as in pairs.txt.
 */
export function makePairs(root: string, exclude: Pair[], seed: number): string[] {
  const person = (p: string) => p.split('/')[1]!;
  const used = new Set(exclude.flatMap((p) => [person(p.a), person(p.b)]));
  const lfw = join(root, 'lfw');
  const people = readdirSync(lfw, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !used.has(d.name))
    .map((d) => ({
      name: d.name,
      photos: readdirSync(join(lfw, d.name))
        .filter((f) => f.endsWith('.jpg'))
        .sort(),
    }))
    .filter((p) => p.photos.length >= 2)
    .sort((x, y) => (x.name < y.name ? -1 : 1));
  const same: string[] = [];
  for (const p of people)
    for (let i = 0; i < p.photos.length; i++)
      for (let j = i + 1; j < p.photos.length; j++) same.push(`1 lfw/${p.name}/${p.photos[i]} lfw/${p.name}/${p.photos[j]}`);
  const rnd = seeded(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const seen = new Set<string>();
  const diff: string[] = [];
  while (diff.length < same.length) {
    const x = pick(people);
    const y = pick(people);
    if (x === y) continue;
    const a = `lfw/${x.name}/${pick(x.photos)}`;
    const b = `lfw/${y.name}/${pick(y.photos)}`;
    const key = a < b ? `${a} ${b}` : `${b} ${a}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diff.push(`0 ${a} ${b}`);
  }
  // Interleave so any prefix (--limit) keeps the classes balanced.
  return same.flatMap((s, i) => [s, diff[i]!]);
}

/** Ten folds, each with a tenth of the same-person and a tenth of the different-person pairs. */
export function foldsOf(pairs: Array<{ same: boolean }>, k = 10): number[] {
  const fold = new Array<number>(pairs.length);
  let s = 0;
  let d = 0;
  const nSame = pairs.filter((p) => p.same).length;
  const nDiff = pairs.length - nSame;
  pairs.forEach((p, i) => {
    fold[i] = p.same ? Math.floor((s++ * k) / nSame) : Math.floor((d++ * k) / nDiff);
  });
  return fold;
}

/** Wilson 95 % interval of a proportion x/n. */
export function wilson(x: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.96;
  const p = x / n;
  const c = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

/** One scored pair: its distance, or null when a photo was refused (always a wrong decision). */
export interface Scored {
  same: boolean;
  distance: number | null;
}

/**
 * The threshold a training set supports: the largest distance threshold whose false-accept rate on it
 * stays ≤ maxFar (ties broken toward more accuracy). Refused pairs count against accuracy whatever
 * the threshold.
 */
export function chooseThreshold(train: Scored[], maxFar: number): number {
  const diff = train.filter((p) => !p.same && p.distance !== null).map((p) => p.distance!);
  const nDiff = train.filter((p) => !p.same).length;
  const allowed = Math.floor(maxFar * nDiff + 1e-9);
  diff.sort((a, b) => a - b);
  // With `allowed` false accepts permitted, the threshold sits just below the (allowed+1)-th closest
  // different-person distance: halfway to the previous distance, so it is not fitted to one pair.
  const cut = diff[allowed];
  if (cut === undefined) return Infinity;
  const below = train
    .filter((p) => p.distance !== null && p.distance < cut)
    .map((p) => p.distance!)
    .sort((a, b) => b - a)[0];
  return below === undefined ? cut - 1e-6 : (below + cut) / 2;
}

export interface CvResult {
  /** Mean and standard deviation of the ten test folds' accuracies. */
  accuracy: number;
  std: number;
  /** Pooled over the ten test folds. */
  fa: number;
  nDiff: number;
  fr: number;
  nSame: number;
  refused: number;
  thresholds: number[];
}

export function crossValidate(scored: Scored[], folds: number[], maxFar: number, k = 10): CvResult {
  const accs: number[] = [];
  const thresholds: number[] = [];
  let fa = 0;
  let fr = 0;
  let nDiff = 0;
  let nSame = 0;
  let refused = 0;
  for (let f = 0; f < k; f++) {
    const train = scored.filter((_, i) => folds[i] !== f);
    const test = scored.filter((_, i) => folds[i] === f);
    // A list shorter than k pairs per class (--limit) leaves folds empty: they have no accuracy.
    if (test.length === 0) continue;
    const th = chooseThreshold(train, maxFar);
    thresholds.push(th);
    let wrong = 0;
    for (const p of test) {
      if (p.same) nSame++;
      else nDiff++;
      if (p.distance === null) {
        refused++;
        wrong++;
        if (p.same) fr++;
        continue;
      }
      const match = p.distance <= th;
      if (match && !p.same) fa++;
      if (!match && p.same) fr++;
      if (match !== p.same) wrong++;
    }
    accs.push(1 - wrong / test.length);
  }
  const accuracy = accs.reduce((s, x) => s + x, 0) / accs.length;
  const std = accs.length > 1 ? Math.sqrt(accs.reduce((s, x) => s + (x - accuracy) ** 2, 0) / (accs.length - 1)) : 0;
  return { accuracy, std, fa, nDiff, fr, nSame, refused, thresholds };
}

const pct = (x: number) => (100 * x).toFixed(1);

/** `accuracy 98.6 ± 1.2 %, FAR 0.3 % [0.1–1.2] (1/302), FRR 2.3 % [..] (7/302), threshold 0.61 (0.60–0.62)` */
export function cvLine(r: CvResult): string {
  const [farLo, farHi] = wilson(r.fa, r.nDiff);
  const [frrLo, frrHi] = wilson(r.fr, r.nSame);
  const ths = [...r.thresholds].sort((a, b) => a - b);
  const med = ths[Math.floor(ths.length / 2)]!;
  return (
    `accuracy ${pct(r.accuracy)} ± ${pct(r.std)} %, FAR ${pct(r.fa / r.nDiff)} % [${pct(farLo)}–${pct(farHi)}] (${r.fa}/${r.nDiff}), ` +
    `FRR ${pct(r.fr / r.nSame)} % [${pct(frrLo)}–${pct(frrHi)}] (${r.fr}/${r.nSame}), refused ${r.refused}, ` +
    `threshold ${med.toFixed(3)} (${ths[0]!.toFixed(3)}–${ths.at(-1)!.toFixed(3)})`
  );
}

/** `at pairs.txt's pick 0.571: accuracy 97.0 %, FAR 0.3 % [..] (1/298), FRR 5.7 % [..] (17/298)` — one fixed threshold. */
export function atLine(s: Scored[], th: number, label = "at pairs.txt's pick"): string {
  let fa = 0;
  let fr = 0;
  let wrong = 0;
  for (const p of s) {
    const match = p.distance !== null && p.distance <= th;
    if (match && !p.same) fa++;
    if (!match && p.same) fr++;
    if (match !== p.same) wrong++;
  }
  const nSame = s.filter((p) => p.same).length;
  const nDiff = s.length - nSame;
  const [a, b] = wilson(fa, nDiff);
  const [c, d] = wilson(fr, nSame);
  return (
    `${label} ${th.toFixed(3)}: accuracy ${pct(1 - wrong / s.length)} %, FAR ${pct(fa / nDiff)} % [${pct(a)}–${pct(b)}] (${fa}/${nDiff}), ` +
    `FRR ${pct(fr / nSame)} % [${pct(c)}–${pct(d)}] (${fr}/${nSame})`
  );
}
