// Worker-thread entry: reads .xlsx workbooks (documents/xlsx-reader.ts) one at a time and posts their
// rows in batches, waiting for the main thread to take them (at most a few batches in flight), so
// neither the unzipping nor the XML parsing ever runs on the thread that answers terminals, and a
// workbook that needs too much memory kills only this worker (its resourceLimits), not the exam.
import { parentPort } from 'node:worker_threads';
import { XlsxRefusal, readXlsx, type XlsxRow } from './xlsx-reader.ts';
import type { SheetWorkerReply, SheetWorkerRequest } from './sheet-rows.ts';

const port = parentPort;
if (!port) throw new Error('documents/sheet-worker.ts must run as a worker thread');
const post = (m: SheetWorkerReply) => port.postMessage(m);

/** Batches the main thread has not yet taken; reading waits while this many are in flight. */
const IN_FLIGHT = 4;
let unacked = 0;
let wake: (() => void) | null = null;

async function onRows(rows: XlsxRow[]): Promise<void> {
  post({ type: 'rows', rows });
  unacked++;
  while (unacked >= IN_FLIGHT) await new Promise<void>((res) => (wake = res));
}

async function read(m: Extract<SheetWorkerRequest, { type: 'read' }>): Promise<void> {
  unacked = 0;
  try {
    await readXlsx(m.source, { ...m.options, onRows });
    post({ type: 'done' });
  } catch (err) {
    if (err instanceof XlsxRefusal) post({ type: 'refused', where: err.where, problem: err.problem });
    else post({ type: 'failed', message: (err as Error).stack ?? String(err) });
  }
}

port.on('message', (m: SheetWorkerRequest) => {
  if (m.type === 'more') {
    unacked--;
    wake?.();
    wake = null;
  } else void read(m);
});
