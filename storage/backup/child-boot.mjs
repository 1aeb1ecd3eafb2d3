// Plain-JS entry for the backup child process (storage/backup/child.ts), as documents/sheet-worker-boot.mjs
// is for the sheet worker: from the server build (EXAMROOM_SERVER_BUILD names its folder) it loads the
// bundled entry; from the sources it imports the TypeScript through tsx's API.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const build = process.env.EXAMROOM_SERVER_BUILD;
if (build) {
  await import(pathToFileURL(join(build, 'backup-child.js')).href);
} else {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport('./child.ts', import.meta.url);
}
