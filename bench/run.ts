// `npm run bench -- NAME [ARGS]` runs bench/NAME.ts. Each bench prints its figures and ends with one
// line `NAME: figure unit, …` for comparison across runs; no bench asserts a time.
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const here = import.meta.dirname;
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3));
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- NAME [ARGS]\navailable: ${available.join(', ') || '(none)'}\n`);
  process.exit(1);
}
process.argv = [process.argv[0]!, join(here, `${name}.ts`), ...args];
await import(pathToFileURL(join(here, `${name}.ts`)).href);
