// The PDF kit (documents/pdf-kit.ts, pdfkit + Debian's Noto CJK collection): time to render a 1-page
// and a 30-page A4 Chinese results sheet (bench/lib/pdf-sample.ts), the file size (the font is
// embedded as a subset) and the peak memory. Each size runs in a child process of its own, so its peak
// is its own: "cold" is the first document of a process (the 20 MB collections read and parsed),
// "warm" the median of the next --runs documents (what a running server pays per report).
// Usage: npm run bench -- pdf [--runs 3] [--out DIR]   (--out keeps the PDFs to look at)
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, out: { type: 'string' }, child: { type: 'string' } },
});
const runs = Math.max(1, Number(values.runs));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

interface Figures {
  rows: number;
  pages: number;
  bytes: number;
  coldMs: number;
  warmMs: number;
  /** CPU time of the same renders: a busy machine (other work on the cores) inflates it less than wall time. */
  coldCpuMs: number;
  warmCpuMs: number;
  baseMiB: number;
  peakMiB: number;
}

if (values.child) {
  const rows = Number(values.child);
  const { renderSample, samplePhoto } = await import('./lib/pdf-sample.ts');
  const photos: [Buffer, Buffer] = [await samplePhoto(1), await samplePhoto(2)];
  const baseMiB = process.memoryUsage().rss / 2 ** 20;
  const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  const pdf = await renderSample(rows, photos);
  const coldMs = performance.now() - t0;
  const coldCpuMs = cpuMs(process.cpuUsage(c0));
  const warm: number[] = [];
  const warmCpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    t0 = performance.now();
    c0 = process.cpuUsage();
    await renderSample(rows, photos);
    warm.push(performance.now() - t0);
    warmCpu.push(cpuMs(process.cpuUsage(c0)));
  }
  if (values.out) writeFileSync(join(values.out, `pdf-bench-${rows}.pdf`), pdf);
  const pages = (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
  const f: Figures = {
    rows,
    pages,
    bytes: pdf.length,
    coldMs,
    warmMs: median(warm),
    coldCpuMs,
    warmCpuMs: median(warmCpu),
    baseMiB,
    peakMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(f)}\n`);
  process.exit(0);
}

// 6 rows fill the first page under the header block; ~19 wrapped rows fill each later page.
const cases = [
  { label: '1 page', rows: 6 },
  { label: '30 pages', rows: 545 },
];
const results: Figures[] = [];
for (const c of cases) {
  const args = ['--import', 'tsx', import.meta.filename, '--child', String(c.rows), '--runs', String(runs)];
  if (values.out) args.push('--out', values.out);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the ${c.label} child failed: ${r.stderr}`);
  const f = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Figures;
  results.push(f);
  console.log(
    `${c.label}: ${f.pages} pages, ${f.rows} rows, ${(f.bytes / 1024).toFixed(0)} KiB, cold ${f.coldMs.toFixed(0)} ms (CPU ${f.coldCpuMs.toFixed(0)}), ` +
      `warm ${f.warmMs.toFixed(0)} ms (CPU ${f.warmCpuMs.toFixed(0)}, median of ${runs}), ` +
      `RSS ${f.baseMiB.toFixed(0)} MiB before, ${f.peakMiB.toFixed(0)} MiB peak`,
  );
}
const [one, thirty] = results as [Figures, Figures];
console.log(
  `pdf: 1-page ${(one.warmMs / 1000).toFixed(2)} s warm (${(one.coldMs / 1000).toFixed(2)} s cold) ${(one.bytes / 1024).toFixed(0)} KiB, ` +
    `${thirty.pages}-page ${(thirty.warmMs / 1000).toFixed(2)} s warm (${(thirty.coldMs / 1000).toFixed(2)} s cold) ${(thirty.bytes / 1024).toFixed(0)} KiB, ` +
    `${Math.max(one.peakMiB, thirty.peakMiB).toFixed(0)} MiB peak`,
);
