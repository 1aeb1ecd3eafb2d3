// Plain-JS entry for the face worker thread. `--import tsx` in a worker's execArgv registers tsx's ESM
// hooks too late for the worker's own first module (and module.register is unreliable inside workers on
// Node 20), so this file registers tsx explicitly and imports the TypeScript worker through it.
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker.ts', import.meta.url);
