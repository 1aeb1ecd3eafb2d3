// The rows of an .xlsx workbook, read by a worker thread (documents/sheet-worker.ts) with memory and
// size limits: the unzipping and XML parsing never run on the main thread, where a big or hostile
// workbook would stall terminal pings and answers. The zip limits (xlsx-reader.ts) come first: the
// worker's memory limit caps only its JS heap, not the buffers zlib inflates into.
import { Worker } from 'node:worker_threads';
import { ValidationError } from '../core/index.ts';
import { XLSX_LIMITS, type XlsxLimits, type XlsxReadOptions, type XlsxRow } from './xlsx-reader.ts';

export type { XlsxRow } from './xlsx-reader.ts';

export interface SheetLimits extends XlsxLimits {
  /** The worker's JS heap (resourceLimits.maxOldGenerationSizeMb); past it the worker dies and the file is refused. */
  maxHeapMiB: number;
}

const MiB = 1024 * 1024;

/**
 * A question bank: 50,000 rows are ~40 MiB of sheet XML and ~10 MiB of shared strings (bench/bank-import.ts);
 * the limits leave it room four times over and still stop a bomb long before memory is gone.
 */
export const BANK_SHEET_LIMITS: SheetLimits = { ...XLSX_LIMITS, maxPartBytes: 192 * MiB, maxTotalBytes: 384 * MiB, maxHeapMiB: 512 };

/** A roster or an attendance list: a few thousand rows at most, read whole into memory. */
export const TABLE_SHEET_LIMITS: SheetLimits = { ...XLSX_LIMITS, maxPartBytes: 32 * MiB, maxTotalBytes: 64 * MiB, maxHeapMiB: 256 };

export type SheetWorkerRequest = { type: 'read'; source: string | Uint8Array; options: Omit<XlsxReadOptions, 'onRows'> } | { type: 'more' };
export type SheetWorkerReply =
  | { type: 'rows'; rows: XlsxRow[] }
  | { type: 'done' }
  | { type: 'refused'; where: string; problem: string }
  | { type: 'failed'; message: string };

type Event = SheetWorkerReply | { type: 'error'; err: Error & { code?: string } } | { type: 'exit'; code: number };

const BOOT = new URL('./sheet-worker-boot.mjs', import.meta.url);
/** An idle worker is kept this long for the next workbook (starting one costs 0.1–2 s), then ended. */
const IDLE_MS = 30_000;

/** One worker and the events it sent that the current read has not taken yet. */
interface SheetWorker {
  worker: Worker;
  heapMiB: number;
  events: Event[];
  wake: (() => void) | null;
  dead: boolean;
}

let idle: { w: SheetWorker; timer: NodeJS.Timeout } | null = null;

function spawnWorker(heapMiB: number): SheetWorker {
  const worker = new Worker(BOOT, {
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: heapMiB, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
  });
  const w: SheetWorker = { worker, heapMiB, events: [], wake: null, dead: false };
  const push = (e: Event) => {
    w.events.push(e);
    w.wake?.();
    w.wake = null;
  };
  worker.on('message', (m: SheetWorkerReply) => push(m));
  worker.on('error', (err) => push({ type: 'error', err }));
  worker.on('exit', (code) => {
    w.dead = true;
    if (idle?.w === w) {
      clearTimeout(idle.timer);
      idle = null;
    }
    push({ type: 'exit', code });
  });
  return w;
}

function takeWorker(heapMiB: number): SheetWorker {
  if (idle && idle.w.heapMiB === heapMiB && !idle.w.dead) {
    const { w, timer } = idle;
    clearTimeout(timer);
    idle = null;
    w.worker.ref();
    return w;
  }
  return spawnWorker(heapMiB);
}

function giveBack(w: SheetWorker): void {
  if (w.dead) return;
  if (idle) void idle.w.worker.terminate();
  if (idle) clearTimeout(idle.timer);
  // Unreferenced while idle: a CLI command ends when its work does, not 30 s later.
  w.worker.unref();
  const timer = setTimeout(() => {
    if (idle?.w === w) idle = null;
    void w.worker.terminate();
  }, IDLE_MS);
  timer.unref();
  idle = { w, timer };
}

export interface SheetRowsOptions {
  /** The file's name, for the refusal's path. */
  filename: string;
  sheets: 'first' | 'all';
  dates: boolean;
  fillMerges: boolean;
  limits: SheetLimits;
}

/**
 * The workbook's rows in order; a ValidationError names the file, the part or cell and why when it is
 * no workbook, breaks a limit, or needs more memory than its limit. Stopping early (a cancelled job)
 * ends the worker.
 */
export async function* xlsxRows(source: string | Uint8Array, opts: SheetRowsOptions): AsyncGenerator<XlsxRow> {
  const { limits, filename } = opts;
  const refuse = (where: string, problem: string): never => {
    const path = where === 'the workbook' ? filename : `${filename}, ${where}`;
    throw new ValidationError([{ path, problem }], `${path}: ${problem}; nothing was imported`);
  };
  // A copy the worker owns: the caller's Buffer may be a slice of a shared pool.
  let input: string | Uint8Array = source;
  const transfer: ArrayBuffer[] = [];
  if (typeof source !== 'string') {
    const copy = new Uint8Array(source.byteLength);
    copy.set(source);
    input = copy;
    transfer.push(copy.buffer);
  }
  const { maxHeapMiB, ...xlsxLimits } = limits;
  const w = takeWorker(maxHeapMiB);
  w.worker.postMessage(
    {
      type: 'read',
      source: input,
      options: { sheets: opts.sheets, dates: opts.dates, fillMerges: opts.fillMerges, limits: xlsxLimits },
    } satisfies SheetWorkerRequest,
    transfer,
  );
  const next = async (): Promise<Event> => {
    while (w.events.length === 0) await new Promise<void>((res) => (w.wake = res));
    return w.events.shift()!;
  };
  // Whether the worker ended its read and may serve the next file.
  let reusable = false;
  try {
    for (;;) {
      const e = await next();
      if (e.type === 'rows') {
        yield* e.rows;
        w.worker.postMessage({ type: 'more' } satisfies SheetWorkerRequest);
        // Batches already queued would otherwise be taken in one microtask run: let sockets and timers in between.
        await new Promise<void>((res) => setImmediate(res));
      } else if (e.type === 'done') {
        reusable = true;
        return;
      } else if (e.type === 'refused') {
        reusable = true;
        refuse(e.where, e.problem);
      } else if (e.type === 'failed') throw new Error(`reading ${filename} failed: ${e.message}`);
      else if (e.type === 'error') {
        if (e.err.code === 'ERR_WORKER_OUT_OF_MEMORY')
          refuse(
            'the workbook',
            `reading it needed more than ${maxHeapMiB} MiB of memory (limit ${maxHeapMiB} MiB); refused as a spreadsheet bomb or a wrong file: save only the sheet to import`,
          );
        throw e.err;
      } else throw new Error(`the sheet reader for ${filename} stopped (exit code ${e.code}) before the end of the file`);
    }
  } finally {
    // A read stopped half-way (a cancelled job, a thrown row) leaves batches in flight: that worker ends.
    if (reusable) giveBack(w);
    else await w.worker.terminate();
  }
}
