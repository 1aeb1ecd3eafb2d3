// What durability costs: committed audit entries per second with synchronous=FULL (our choice) and
// with NORMAL, on a real file in the data folder's file system. Usage: npm run bench -- commits [N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, createAuditLog } from '../storage/index.ts';
import { systemClock } from '../core/index.ts';

const n = Number(process.argv[2] ?? 2000);
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'examroom-bench-'));

function run(sync: 'FULL' | 'NORMAL'): { perSecond: number; p99ms: number } {
  const db = openDatabase(join(dir, `${sync}.sqlite`));
  db.pragma(`synchronous = ${sync}`);
  const audit = createAuditLog(db, systemClock);
  const times: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    audit.append({ actor: 'bench', action: 'bench.write', target: String(i), detail: { i, note: 'a committed row' } });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  db.close();
  times.sort((a, b) => a - b);
  return { perSecond: n / seconds, p99ms: times[Math.floor(times.length * 0.99)]! };
}

try {
  const full = run('FULL');
  const normal = run('NORMAL');
  console.log(`synchronous=FULL   ${full.perSecond.toFixed(0)} commits/s, p99 ${full.p99ms.toFixed(2)} ms`);
  console.log(`synchronous=NORMAL ${normal.perSecond.toFixed(0)} commits/s, p99 ${normal.p99ms.toFixed(2)} ms`);
  console.log(`commits: ${full.perSecond.toFixed(0)} commits/s FULL, ${normal.perSecond.toFixed(0)} commits/s NORMAL, p99 ${full.p99ms.toFixed(2)} ms FULL`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
