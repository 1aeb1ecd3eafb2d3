// Worker-thread entry: owns one tfjs runtime and answers describe/analyse requests one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { analyse, defaultLimits, describe, loadModels, tensorCount, type CoreLimits } from './core.ts';
import type { WorkerReply, WorkerRequest } from './pool.ts';

const limits: CoreLimits = { ...defaultLimits, ...((workerData as { limits?: Partial<CoreLimits> } | null)?.limits ?? {}) };
const port = parentPort;
if (!port) throw new Error('kiosk/face/worker.ts must run as a worker thread');

const ready = loadModels();
ready.then(
  (info) => port.postMessage({ type: 'ready', backend: info.backend } satisfies WorkerReply),
  (err: Error) => port.postMessage({ type: 'fatal', error: `loading face models failed: ${err.message}` } satisfies WorkerReply),
);

port.on('message', async (msg: WorkerRequest) => {
  try {
    await ready;
    const image = new Uint8Array(msg.image);
    if (msg.op === 'describe') {
      const result = await describe(image, msg.mode, limits);
      port.postMessage({ type: 'result', id: msg.id, result, tensors: tensorCount() } satisfies WorkerReply);
    } else if (msg.op === 'analyse') {
      const result = await analyse(image, limits);
      port.postMessage({ type: 'result', id: msg.id, result, tensors: tensorCount() } satisfies WorkerReply);
    } else if (msg.op === 'crash') {
      // Test hook: proves a dying worker fails only its own request and is replaced.
      process.exit(3);
    }
  } catch (err) {
    port.postMessage({ type: 'error', id: msg.id, error: (err as Error).message } satisfies WorkerReply);
  }
});
