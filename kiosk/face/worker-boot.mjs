// Plain-JS entry for the face worker thread. Run from the server build (server/bin/examroom.mjs sets
// EXAMROOM_SERVER_BUILD to its folder), it loads the bundled worker; run from the sources, it registers
// tsx and imports the TypeScript worker through it: `--import tsx` in a worker's execArgv registers tsx's
// ESM hooks too late for the worker's own first module (and module.register is unreliable inside workers
// on Node 20).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const build = process.env.EXAMROOM_SERVER_BUILD;
if (build) {
  await import(pathToFileURL(join(build, 'face-worker.js')).href);
} else {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport('./worker.ts', import.meta.url);
}
