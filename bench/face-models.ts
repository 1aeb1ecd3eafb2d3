// Descriptor candidates and passive anti-spoof models, measured offline on cached outputs (issue 17).
// Step 1 (`--cache FILE [--shard i/n]`): every photo of the pair lists through the reference path (padded
// SSD → 68 landmarks → face-api descriptor v2) plus each extra model on its own aligned crop; one JSON line
// per photo appended to FILE(.i), resumable. Step 2 (`--score FILE`): 10-fold cross-validation of every
// candidate and fusion on both lists from the cached outputs, no model run. Step 3 (`--spoof FILE`):
// anti-spoof scores of spoofs made here from LFW photos, beside the genuine photos' scores.
// Usage: node --import tsx bench/run.ts face-models --cache /tmp/face-cache.jsonl --shard 0/2
//        node --import tsx bench/run.ts face-models --score /tmp/face-cache.jsonl
//        node --import tsx bench/run.ts face-models --cache … --models dlibF [--first]   (dlib's face chip + mirror;
//          dlibBF: from re-found landmarks, dlib5F: five points; --first: pairs.txt's photos only)
//        node --import tsx bench/run.ts face-models --score … --models dlibF --no-fusions --means dlibF+dlibF:mirror
//        node --import tsx bench/run.ts face-models --latency 20 [--recipes v2,chip,chip-flip,mfn]
//        … --cache … --models fpmfn --recipe none   (the ONNX MobileFaceNet and its mirror only; onnx-models.ts)
//        … --score … --merge OTHER_CACHE --models fpmfn --means fpmfn+fpmfn:mirror   (face-api's from OTHER_CACHE)
// (`--pairs2 FILE`: the second list, default made as `bench face --make-pairs` makes it.)
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { atLine, chooseThreshold, crossValidate, cvLine, foldsOf, makePairs, readPairs, type Pair, type Scored } from './lib/face-pairs.ts';

const shared = resolve(process.env.FACE_DATA ?? resolve(import.meta.dirname, '../../shared/data/faces'));
const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: join(shared, 'pairs.txt') },
    cache: { type: 'string' },
    score: { type: 'string' },
    shard: { type: 'string', default: '0/1' },
    models: { type: 'string', default: 'mobilefacenet,mobileface,faceres,faceres-deep,antispoof,liveness' },
    'max-far': { type: 'string', default: '0.005' },
    spoof: { type: 'string' },
    count: { type: 'string', default: '40' },
    'spoof-scores': { type: 'string' },
    // Descriptor means to score as candidates: groups of cached outputs joined by '+', e.g.
    // 'dlib+dlib:mirror,faceapi+dlib' (the mean vector of the group, compared by Euclidean distance).
    means: { type: 'string', default: '' },
    'no-fusions': { type: 'boolean', default: false },
    first: { type: 'boolean', default: false },
    // `--latency N`: p50 of one 640×480 live frame through the quick path with each descriptor recipe,
    // the recipes taking turns frame by frame so the machine's load falls on each alike.
    latency: { type: 'string' },
    recipes: { type: 'string', default: 'v2,chip,chip-flip' },
    // `--cache … --recipe none`: only the extra models (face-api's descriptor is taken from another cache:
    // `--merge FILE` at scoring time fills in each photo's outputs missing here).
    recipe: { type: 'string', default: 'v2' },
    merge: { type: 'string' },
  },
});
const log = (s: string) => console.log(s);
const root = dirname(resolve(values.pairs!));
const list1 = readPairs(resolve(values.pairs!));
const list2 = makePairs(root, list1, 17).map((l, i) => {
  const [f, a, b] = l.split(' ');
  return { same: f === '1', a: a!, b: b!, line: i + 1 } satisfies Pair;
});

interface Row {
  img: string;
  ok: boolean;
  reason?: string;
  d?: Record<string, number[]>;
  ms?: Record<string, number>;
}

if (values.cache) {
  const { loadModels, describe, defaultLimits } = await import('../kiosk/face/core.ts');
  const [i, n] = values.shard!.split('/').map(Number) as [number, number];
  const out = `${values.cache}.${i}`;
  const done = new Set(loadCache(values.cache).keys());
  // Pairs of the two lists alternate, so a run cut short leaves a complete prefix of each list.
  // `--first`: pairs.txt's photos only (its CV needs the whole list: one outlier decides its threshold).
  const order = values.first ? list1 : Array.from({ length: Math.max(list1.length, list2.length) }, (_, k) => [list1[k], list2[k]]).flat();
  const images = [...new Set(order.flatMap((p) => (p ? [p.a, p.b] : [])))].filter((_, k) => k % n === i);
  const extra = values.models!.split(',').filter(Boolean);
  await loadModels();
  log(`shard ${i}/${n}: ${images.length} photos, ${done.size} cached already; models ${extra.join(', ')}`);
  let k = 0;
  const t0 = performance.now();
  for (const img of images) {
    k++;
    if (done.has(img)) continue;
    const t = performance.now();
    const r = await describe(readFileSync(join(root, img)), 'accurate', defaultLimits, extra, values.recipe as 'v2' | 'none');
    const total = performance.now() - t;
    const row: Row = r.ok
      ? {
          img,
          ok: true,
          d: {
            ...(r.descriptor.length ? { faceapi: Array.from(r.descriptor) } : {}),
            ...Object.fromEntries(Object.entries(r.extra ?? {}).map(([m, v]) => [m, Array.from(v)])),
          },
          ms: { total, ...r.extraMs },
        }
      : { img, ok: false, reason: `${r.reason}: ${r.detail}` };
    appendFileSync(out, `${JSON.stringify(row)}\n`);
    if (k % 25 === 0) process.stderr.write(`  ${k}/${images.length} ${((performance.now() - t0) / 1000).toFixed(0)} s, load ${loadavg()[0]!.toFixed(1)}\n`);
  }
  log(`shard ${i}/${n} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** All cached rows of FILE.0 … FILE.n-1, by photo. */
function loadCache(file: string): Map<string, Row> {
  const dir = dirname(file);
  const base = file.slice(dir.length + 1);
  const rows = new Map<string, Row>();
  for (const f of readdirSync(dir).filter((x) => x.startsWith(`${base}.`)))
    for (const l of readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)) {
      const r = JSON.parse(l) as Row;
      rows.set(r.img, r);
    }
  return rows;
}

function unit(v: number[]): number[] {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}
const euclid = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0));

if (values.score) {
  const rows = loadCache(values.score);
  if (values.merge)
    for (const [img, m] of loadCache(values.merge)) {
      const r = rows.get(img);
      if (r?.ok && m.ok) r.d = { ...m.d, ...r.d };
      else if (r && r.ok !== m.ok) log(`note: ${img} has a face in one cache only (${r.ok ? values.merge : values.score})`);
    }
  const maxFar = Number(values['max-far']);
  const descriptorModels = [
    'faceapi',
    ...values.models!.split(',').filter((m) => !['antispoof', 'liveness'].includes(m)),
    ...values.means!.split(',').filter(Boolean),
  ];
  // face-api's descriptors are compared as the engine compares them (Euclidean, not unit vectors);
  // the others by cosine (Euclidean on unit vectors), as their authors do.
  // dlib* are the same ResNet on dlib's face chip (align.ts): compared like faceapi. A name with '+' is
  // the mean of those outputs (e.g. a chip and its mirror).
  const raw = (m: string) => m === 'faceapi' || m.startsWith('dlib');
  // Cached outputs named 'x:mirror' are the mirror image's output of model x, compared as x is.
  const vec = (img: string, m: string): number[] | null => {
    const r = rows.get(img);
    if (m.includes('+')) {
      // Each part as it is compared alone (cosine models as unit vectors), and a mean of cosine models'
      // parts is compared by cosine again.
      const names = m.split('+');
      const parts = names.map((x) => vec(img, x));
      if (parts.some((v) => !v)) return null;
      const avg = parts[0]!.map((_, i) => parts.reduce((s, v) => s + v![i]!, 0) / parts.length);
      return names.some((x) => raw(x)) ? avg : unit(avg);
    }
    const v = r?.ok ? r.d?.[m] : undefined;
    return v ? (raw(m) ? v : unit(v)) : null;
  };
  const distances = (pairs: Pair[], m: string): Array<number | null> =>
    pairs.map((p) => {
      const a = vec(p.a, m);
      const b = vec(p.b, m);
      return a && b ? euclid(a, b) : null;
    });
  log(
    `cache: ${rows.size} photos, ${[...rows.values()].filter((r) => !r.ok).length} without a face: ${[...rows.values()]
      .filter((r) => !r.ok)
      .map((r) => r.img)
      .join(', ')}`,
  );
  const devPick: Record<string, number> = {};
  for (const [name, pairs] of [
    ['pairs.txt', list1],
    ['second list (made, seed 17)', list2],
  ] as const) {
    const missing = pairs.filter((p) => !rows.has(p.a) || !rows.has(p.b)).length;
    log(
      `\n${name}: ${pairs.length} pairs (${pairs.filter((p) => p.same).length} same), ${missing} not cached yet; 10-fold CV, threshold at FAR ≤ ${100 * maxFar} % on the nine training folds`,
    );
    const use = pairs.filter((p) => rows.has(p.a) && rows.has(p.b));
    const folds = foldsOf(use);
    const dist: Record<string, Array<number | null>> = {};
    for (const m of descriptorModels) {
      dist[m] = distances(use, m);
      const s: Scored[] = use.map((p, i) => ({ same: p.same, distance: dist[m]![i]! }));
      log(`  ${m.padEnd(28)} ${cvLine(crossValidate(s, folds, maxFar))}`);
      // The shipped-threshold rule: the CV procedure's choice on the whole dev list (pairs.txt), then
      // scored on the held-out second list.
      if (name === 'pairs.txt') devPick[m] = chooseThreshold(s, maxFar);
      else if (devPick[m] !== undefined) log(`  ${''.padEnd(28)} ${atLine(s, devPick[m]!)}`);
    }
    // Fusions: sum of two models' distances, each z-normalised by the training folds' pairs (so the
    // scale of one model never leaks from the test fold).
    for (let x = 0; !values['no-fusions'] && x < descriptorModels.length; x++)
      for (let y = x + 1; y < descriptorModels.length; y++) {
        const [mx, my] = [descriptorModels[x]!, descriptorModels[y]!];
        const res = fusedCv(use, folds, [dist[mx]!, dist[my]!], maxFar);
        log(`  ${`${mx} + ${my}`.padEnd(28)} ${cvLine(res)}`);
      }
    const ms = (m: string) => {
      const xs = [...rows.values()]
        .filter((r) => r.ok && r.ms?.[m] !== undefined)
        .map((r) => r.ms![m]!)
        .sort((a, b) => a - b);
      return xs.length ? `${xs[Math.floor(xs.length / 2)]!.toFixed(0)} ms` : '-';
    };
    if (name === 'pairs.txt')
      log(
        `  per-photo time of each extra model (crop + model, p50, this machine under load): ${values
          .models!.split(',')
          .map((m) => `${m} ${ms(m)}`)
          .join(', ')}; whole reference path ${ms('total')}`,
      );
  }
}

function fusedCv(pairs: Pair[], folds: number[], ds: Array<Array<number | null>>, maxFar: number) {
  // Fold-wise: normalise with the training folds' mean/std, then cross-validate the fold's own split.
  const fused: Array<number | null> = new Array(pairs.length).fill(null);
  const perFold = (f: number) => {
    const stats = ds.map((d) => {
      const xs = d.filter((v, i) => v !== null && folds[i] !== f) as number[];
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length) || 1;
      return { mean, sd };
    });
    return (i: number) => (ds.some((d) => d[i] === null) ? null : ds.reduce((s, d, k) => s + (d[i]! - stats[k]!.mean) / stats[k]!.sd, 0));
  };
  // The threshold of fold f is chosen on the other nine with their own normalisation (fit on those
  // nine, which include no test pair), and applied to the test fold under the same normalisation.
  let fa = 0;
  let fr = 0;
  let nDiff = 0;
  let nSame = 0;
  let refused = 0;
  const accs: number[] = [];
  const thresholds: number[] = [];
  for (let f = 0; f < 10; f++) {
    const g = perFold(f);
    for (let i = 0; i < pairs.length; i++) fused[i] = g(i);
    const s: Scored[] = pairs.map((p, i) => ({ same: p.same, distance: fused[i]! }));
    const one = crossValidateOne(s, folds, f, maxFar);
    fa += one.fa;
    fr += one.fr;
    nDiff += one.nDiff;
    nSame += one.nSame;
    refused += one.refused;
    accs.push(one.acc);
    thresholds.push(one.th);
  }
  const accuracy = accs.reduce((s, x) => s + x, 0) / 10;
  const std = Math.sqrt(accs.reduce((s, x) => s + (x - accuracy) ** 2, 0) / 9);
  return { accuracy, std, fa, nDiff, fr, nSame, refused, thresholds };
}

function crossValidateOne(s: Scored[], folds: number[], f: number, maxFar: number) {
  const r = crossValidate(
    s.map((x, i) => ({ ...x, fold: folds[i] })),
    folds.map((x) => (x === f ? 0 : 1 + (x % 9))),
    maxFar,
    1,
  );
  return { fa: r.fa, fr: r.fr, nDiff: r.nDiff, nSame: r.nSame, refused: r.refused, acc: r.accuracy, th: r.thresholds[0]! };
}

// Spoofs made here from genuine LFW photos (people of the second list's source: outside pairs.txt), each
// a kind of presentation attack a kiosk camera could see: the photo on a phone/monitor screen in the
// frame (bezel, gamma, moiré), a printed photo held up (low contrast, paper grain, white border), and
// re-captured copies through ffmpeg (blur + sensor noise, moiré, glare).
const spoofKinds: Record<string, string> = {
  screen:
    "scale=300:300,eq=gamma=1.25:saturation=1.2,geq=lum='lum(X,Y)*(0.88+0.12*sin(X*1.3+Y*0.4))':cb='cb(X,Y)':cr='cr(X,Y)',pad=340:390:20:45:black,pad=640:480:150:45:0x6a6a6a,gblur=sigma=0.7",
  print:
    'eq=contrast=0.7:saturation=0.6:brightness=0.06,colorbalance=rs=0.06:bs=-0.06,noise=alls=10:allf=u,pad=290:290:20:20:white,pad=640:480:175:95:0x505050',
  blur: 'scale=640:-1,gblur=sigma=3,noise=alls=8:allf=t,scale=250:250',
  moire: "scale=500:500,geq=lum='lum(X,Y)*(0.85+0.15*sin(X*0.9+Y*0.35))':cb='cb(X,Y)':cr='cr(X,Y)',scale=250:250",
  glare: "geq=lum='min(255,lum(X,Y)+140*exp(-((X-W*0.62)*(X-W*0.62)+(Y-H*0.35)*(Y-H*0.35))/(2*(W*0.14)*(W*0.14))))':cb='cb(X,Y)':cr='cr(X,Y)'",
};

if (values.spoof) {
  const { loadModels, describe, defaultLimits } = await import('../kiosk/face/core.ts');
  const dir = resolve(values.spoof);
  const out = join(dir, 'scores.jsonl');
  const done = new Set(
    existsSync(out)
      ? readFileSync(out, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { file: string }).file)
      : [],
  );
  // Every k-th photo of the second list's people: spread over people, seeded by the list itself.
  const photos = [...new Set(list2.flatMap((p) => [p.a, p.b]))].sort();
  const n = Number(values.count);
  const chosen = photos.filter((_, k) => k % Math.max(1, Math.floor(photos.length / n)) === 0).slice(0, n);
  await loadModels();
  for (const img of chosen)
    for (const [kind, filter] of Object.entries(spoofKinds)) {
      const file = join(dir, kind, img.replaceAll('/', '_'));
      if (done.has(file)) continue;
      mkdirSync(join(dir, kind), { recursive: true });
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(root, img), '-vf', filter, '-q:v', '3', file]);
      const r = await describe(readFileSync(file), 'accurate', defaultLimits, ['antispoof', 'liveness']);
      const row = r.ok
        ? { file, img, kind, ok: true, antispoof: r.extra!.antispoof![0], liveness: r.extra!.liveness![0] }
        : { file, img, kind, ok: false, reason: r.reason };
      appendFileSync(out, `${JSON.stringify(row)}\n`);
    }
  log(`spoofs of ${chosen.length} photos × ${Object.keys(spoofKinds).length} kinds scored into ${out}`);
}

// APCER (spoofs accepted as real) and BPCER (genuine photos refused) of each anti-spoof model at a few
// cut-offs: genuine = every cached LFW photo, attacks = the spoofs scored by --spoof (`--score CACHE
// --spoof-scores DIR`).
if (values.score && values['spoof-scores']) {
  const rows = loadCache(values.score);
  const byFile = new Map(
    readFileSync(join(resolve(values['spoof-scores']), 'scores.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { file: string; kind: string; ok: boolean; antispoof?: number; liveness?: number })
      .map((a) => [a.file, a]),
  );
  const attacks = [...byFile.values()];
  const real = [...rows.values()].filter((r) => r.ok && r.d?.antispoof);
  log(`\nanti-spoof: ${real.length} genuine LFW photos, ${attacks.length} spoofs (${attacks.filter((a) => !a.ok).length} without a face found: not counted)`);
  for (const m of ['antispoof', 'liveness'] as const) {
    const genuine = real.map((r) => r.d![m]![0]!).sort((a, b) => a - b);
    const q = (p: number) => genuine[Math.floor(p * (genuine.length - 1))]!.toFixed(2);
    log(`  ${m}: genuine score p1 ${q(0.01)} p5 ${q(0.05)} p50 ${q(0.5)}`);
    for (const cutoff of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      const bpcer = genuine.filter((x) => x < cutoff).length / genuine.length;
      const perKind = [...new Set(attacks.map((a) => a.kind))].map((k) => {
        const xs = attacks.filter((a) => a.kind === k && a.ok).map((a) => a[m]!);
        return `${k} ${((100 * xs.filter((x) => x >= cutoff).length) / Math.max(1, xs.length)).toFixed(0)} %`;
      });
      const all = attacks.filter((a) => a.ok).map((a) => a[m]!);
      log(
        `    real if ≥ ${cutoff}: BPCER ${(100 * bpcer).toFixed(1)} %, APCER ${((100 * all.filter((x) => x >= cutoff).length) / Math.max(1, all.length)).toFixed(1)} % (${perKind.join(', ')})`,
      );
    }
  }
}

if (values.latency) {
  const { loadModels, describe, defaultLimits } = await import('../kiosk/face/core.ts');
  const sharp = (await import('sharp')).default;
  const recipes = values.recipes!.split(',') as Array<import('../kiosk/face/core.ts').Recipe>;
  await loadModels();
  const photos = list1.slice(0, Number(values.latency)).map((p) => p.b);
  const times: Record<string, number[]> = Object.fromEntries(recipes.map((r) => [r, []]));
  const l0 = loadavg()[0]!;
  for (const [k, img] of photos.entries()) {
    // As bench face makes its live frames: the photo centred on a grey 640×480 canvas, JPEG.
    const inner = await sharp(join(root, img)).resize(460, 460, { fit: 'inside' }).toBuffer();
    const frame = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 118, g: 118, b: 118 } } })
      .composite([{ input: inner, gravity: 'centre' }])
      .jpeg({ quality: 90 })
      .toBuffer();
    if (k === 0) for (const r of recipes) await describe(frame, 'fast', defaultLimits, [], r); // warm-up
    for (let j = 0; j < recipes.length; j++) {
      const r = recipes[(j + k) % recipes.length]!;
      const t = performance.now();
      await describe(frame, 'fast', defaultLimits, [], r);
      times[r]!.push(performance.now() - t);
    }
  }
  const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!.toFixed(0);
  log(
    `latency of one 640×480 live frame (decode, tiny detector, landmarks, descriptor; one thread; ${photos.length} frames; load average ${l0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}):`,
  );
  for (const r of recipes) log(`  ${r.padEnd(10)} p50 ${p(times[r]!, 0.5)} ms, p95 ${p(times[r]!, 0.95)} ms`);
}
