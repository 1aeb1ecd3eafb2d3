// Plain-JS entry for the sheet worker thread (documents/sheet-worker.ts), as kiosk/face/worker-boot.mjs
// is for the face worker: from the server build (EXAMROOM_SERVER_BUILD names its folder) it loads the
// bundled worker; from the sources it imports the TypeScript through tsx's API.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const build = process.env.EXAMROOM_SERVER_BUILD;
if (build) {
  await import(pathToFileURL(join(build, 'sheet-worker.js')).href);
} else {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport('./sheet-worker.ts', import.meta.url);
}
