// Builds the reader bridge into one file the kiosk PC runs with Node.js 18 or newer (nothing else to
// install: ws and the codec are inside), plus its install scripts, in dist/reader-bridge/:
//   node kiosk/reader-bridge/build.mjs
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'dist', 'reader-bridge');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'main.ts')],
  outfile: join(out, 'examroom-reader-bridge.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18',
  // ws's optional native speed-ups are not needed for a few messages a day.
  external: ['bufferutil', 'utf-8-validate'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
for (const f of readdirSync(join(here, 'install'))) copyFileSync(join(here, 'install', f), join(out, f));
process.stdout.write(`reader bridge built in ${out}\n`);
