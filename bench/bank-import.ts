// What a large bank import costs: a deterministic 50,000-row .xlsx (the size of a provincial bank)
// imported into a scratch database, with the time of each phase, the peak memory of the process that
// imports, and the longest stall of its main thread (event-loop delay) while the file is read by the
// sheet worker (documents/sheet-rows.ts) and its rows are checked, and while duplicates are checked and
// the questions stored. The store phase runs two ways on the same file in one run, each into a scratch
// database of its own: in steps (the default: chunks that yield to the event loop, one short publishing
// transaction) and as one transaction (as before December 2026, `oneTransaction`), whose event-loop
// delay is a stall of every other request. The budget is 15 s and 500 MiB.
// Usage: npm run bench -- bank-import [ROWS]
//
// The workbook is written by this process and imported by a child, so the peak memory measured is
// the import's alone (maxRSS is a process-lifetime figure).
import { spawnSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { systemClock } from '../core/index.ts';
import { createAuditLog, openDatabase } from '../storage/index.ts';
import { createBankStore } from '../exam/bank/store.ts';
import { createBankAdmin, type ImportProgress } from '../exam/bank/import/index.ts';
import { INDUSTRY_LABELS, CATEGORY_LABELS } from '../exam/types.ts';

const HEADER = ['编号', '题型', '题干', '选项A', '选项B', '选项C', '选项D', '选项E', '答案', '难度', '知识点', '行业', '人员类别', '作业类别', '解析'];
const INDUSTRY_NAMES = Object.values(INDUSTRY_LABELS);
const CATEGORY_NAMES = Object.values(CATEGORY_LABELS);

/** Row i of the bench bank: every type, answer notation and label in rotation; stems unique and realistic in length. */
function benchRow(i: number): (string | number)[] {
  const kind = i % 3;
  const category = CATEGORY_NAMES[i % 3]!;
  const stem = `第${i}题：根据《安全生产法》和本行业安全操作规程，作业人员在进入受限空间前必须首先完成哪一项工作（编号${i}）？`;
  const common = [
    INDUSTRY_NAMES[i % INDUSTRY_NAMES.length]!,
    category,
    category === CATEGORY_LABELS.special_operation ? '低压电工作业' : '',
    `第${i}题解析：依据相关条款。`,
  ];
  if (kind === 0) return [`B${i}`, '判断', stem, '', '', '', '', '', ['√', '×', '对', '错'][i % 4]!, (i % 5) + 1, `知识点${i % 40}`, ...common];
  const options = [`检测氧含量与有毒气体浓度${i}`, `办理作业审批手续${i}`, `安排专人监护${i}`, `配备应急救援器材${i}`, `通风换气${i}`];
  const answer = kind === 1 ? ['A', 'b', 'Ｃ', 'D'][i % 4]! : ['ABD', 'A、C', 'b,c,e', 'ＡＢＣ'][i % 4]!;
  return [`B${i}`, kind === 1 ? '单选' : '多选', stem, ...options, answer, (i % 5) + 1, `知识点${i % 40}`, ...common];
}

async function writeBenchWorkbook(file: string, rows: number): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true, useStyles: false });
  const ws = wb.addWorksheet('题库');
  ws.addRow(HEADER).commit();
  for (let i = 1; i <= rows; i++) ws.addRow(benchRow(i)).commit();
  ws.commit();
  await wb.commit();
}

/** The child: imports the file and reports its figures as one JSON line. */
async function importInChild(file: string, dbFile: string, mode: string): Promise<void> {
  const db = openDatabase(dbFile);
  const bank = createBankStore(db, systemClock);
  const admin = createBankAdmin({ db, bank, audit: createAuditLog(db, systemClock), clock: systemClock });
  const phaseStart: Record<string, number> = {};
  // A terminal's ping waits for the longest of these: the reading is the worker's, the checking the main thread's.
  const readingDelay = monitorEventLoopDelay({ resolution: 10 });
  const start = performance.now();
  readingDelay.enable();
  // The store phase's stall by a 10 ms ticker of its own: a histogram enabled inside a stall (the one
  // transaction calls onProgress from within it) never sees that stall. A gap counts for the phase it ends in.
  let lastTick = performance.now();
  let storingMaxDelayMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    if (phaseStart.checking !== undefined) storingMaxDelayMs = Math.max(storingMaxDelayMs, now - lastTick - 10);
    lastTick = now;
  }, 10);
  const onProgress = (p: ImportProgress) => {
    if (p.phase === 'checking' && phaseStart.checking === undefined) readingDelay.disable();
    phaseStart[p.phase] ??= performance.now();
  };
  const r = await admin.importFile(file, 'xlsx', { filename: 'bench.xlsx', actor: 'bench', onProgress, oneTransaction: mode === 'one' });
  const end = performance.now();
  // The ticker sees a stall only when it next runs: give it that turn.
  await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(ticker);
  db.close();
  const checking = phaseStart.checking ?? end;
  process.stdout.write(
    `${JSON.stringify({
      imported: r.imported,
      duplicates: r.duplicates.length,
      seconds: (end - start) / 1000,
      readingSeconds: (checking - start) / 1000,
      storingSeconds: (end - checking) / 1000,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
      readingMaxDelayMs: readingDelay.max / 1e6,
      storingMaxDelayMs,
    })}\n`,
  );
}

interface ChildFigures {
  imported: number;
  duplicates: number;
  seconds: number;
  readingSeconds: number;
  storingSeconds: number;
  maxRssMiB: number;
  readingMaxDelayMs: number;
  storingMaxDelayMs: number;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return importInChild(process.argv[3]!, process.argv[4]!, process.argv[5]!);
  const rows = Number(process.argv[2] ?? 50_000);
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'examroom-bench-'));
  try {
    const file = join(dir, 'bench.xlsx');
    const t0 = performance.now();
    await writeBenchWorkbook(file, rows);
    console.log(`wrote ${rows} rows to ${file} (${(statSync(file).size / 1024 / 1024).toFixed(1)} MiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const run = (mode: 'steps' | 'one'): ChildFigures => {
      const child = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', file, join(dir, `bench-${mode}.sqlite`), mode], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      if (child.status !== 0) throw new Error(`the import (${mode}) failed (exit ${child.status})`);
      return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as ChildFigures;
    };
    // One transaction first, then in steps: the later run meets the warmer page cache, so any bias favours the old way.
    const one = run('one');
    console.log(
      `one transaction: read and check ${one.readingSeconds.toFixed(2)} s, duplicates and store ${one.storingSeconds.toFixed(2)} s, longest stall storing ${one.storingMaxDelayMs.toFixed(0)} ms`,
    );
    const f = run('steps');
    console.log(`imported ${f.imported}, duplicates ${f.duplicates}`);
    console.log(
      `in steps:        read and check ${f.readingSeconds.toFixed(2)} s, duplicates and store ${f.storingSeconds.toFixed(2)} s, longest stall storing ${f.storingMaxDelayMs.toFixed(0)} ms`,
    );
    console.log(`longest main-thread stall while reading and checking: ${f.readingMaxDelayMs.toFixed(0)} ms`);
    console.log(
      `bank-import: ${f.seconds.toFixed(1)} s, ${f.maxRssMiB.toFixed(0)} MiB peak, ${f.readingMaxDelayMs.toFixed(0)} ms max event-loop delay reading, ${f.storingMaxDelayMs.toFixed(0)} ms storing in steps (one transaction: ${one.storingMaxDelayMs.toFixed(0)} ms, ${one.seconds.toFixed(1)} s)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
