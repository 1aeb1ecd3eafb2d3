// The import rules of the architecture (docs/architecture.md, "Imports point one way") as code: which
// folder may import which of our files. Kept apart from its test so the test can also run it on a
// synthetic tree and watch it fail.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

export interface Crossing {
  /** The importing file, relative to the root, with forward slashes. */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** The imported file, relative to the root. */
  to: string;
  /** The rule it breaks, in words. */
  rule: string;
}

/** Infrastructure every module may use file by file. */
const KERNEL = new Set(['core', 'storage']);
/** Folders the rest reaches only through their index.ts. */
const FACADE_ONLY = new Set(['config', 'documents']);
/**
 * Not product code, so not held to the rules: tests and benches drive internals on purpose (a bench
 * times generatePaper alone, a test builds the app from server/app.ts) and never ship.
 */
const HARNESS = new Set(['tests', 'bench']);
const NEVER_SOURCE = new Set(['node_modules', 'var', 'dist']);
const SOURCE = /\.(ts|tsx|mts|cts|mjs)$/;
const TEST_FILE = /\.test\.(ts|tsx|mts|cts|mjs)$/;

/** Every product source file under root, relative, with forward slashes, sorted. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) {
        if (NEVER_SOURCE.has(entry.name) || (depth === 0 && HARNESS.has(entry.name))) continue;
        walk(join(dir, entry.name), depth + 1);
      } else if (SOURCE.test(entry.name) && !TEST_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        out.push(relative(root, join(dir, entry.name)).split(sep).join('/'));
      }
    }
  };
  walk(root, 0);
  return out.sort();
}

/** Every module a file names: static imports, `import type`, `export … from`, `import()` and `require()`. Comments and strings are not imports. */
export function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** The web app a file belongs to: `web` for the shared folder, `<module>/web` for an app's own code; null for server code. */
function webAppOf(file: string): string | null {
  const parts = file.split('/');
  if (parts[0] === 'web') return 'web';
  const i = parts.indexOf('web');
  return i > 0 ? parts.slice(0, i + 1).join('/') : null;
}

// A module's contract file, or one of its parts' (training/ratings/protocol.ts: the ratings' routes).
const isProtocol = (file: string): boolean => /^[^/]+\/(?:[^/]+\/)?protocol\.ts$/.test(file) && !file.includes('/web/');
const isIndex = (file: string, folder: string): boolean => file === `${folder}/index.ts`;
const topOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.');
/** A web app's Vite config runs in Node at build time; it is build tooling, not code the browser gets. */
const isViteConfig = (file: string): boolean => /(^|\/)vite\.config\.(ts|mts|mjs)$/.test(file);

/** Why `from` may not import `to` (both root-relative files of ours), or null when the rules allow it. */
export function breaksRule(from: string, to: string): string | null {
  const fromWeb = webAppOf(from);
  const toWeb = webAppOf(to);
  if (fromWeb) {
    if (toWeb === 'web' || toWeb === fromWeb || isProtocol(to)) return null;
    if (isViteConfig(from) && to === 'server/vite.web.ts') return null;
    if (toWeb)
      return fromWeb === 'web' ? "the shared web/ folder imports no app's own code" : "a web app uses another app's code only through the shared web/ folder";
    return 'a web app imports nothing of the server but <module>/protocol.ts files';
  }
  if (toWeb) return 'server code never imports web app code';
  const src = topOf(from);
  const dst = topOf(to);
  // A protocol file is compiled into the browser apps too, so it leans only on other protocol files.
  if (isProtocol(from) && !isProtocol(to)) return 'a protocol file is shared with the browser and imports only other protocol files';
  if (src === dst) return null;
  if (src === 'core') return 'core/ imports nothing of ours';
  if (src === 'storage') return dst === 'core' ? null : 'storage/ imports only core/';
  if (src === 'config') return dst === 'core' ? null : 'config/ imports only core/';
  if (src === 'documents') {
    if (dst === 'core' || dst === 'storage') return null;
    return 'documents/ imports only core/ and storage/';
  }
  if (dst === 'server') return 'no module imports server/';
  // A module's protocol file is a public face like its index.ts: the contract its routes answer with,
  // which the server and other modules may name (imports only typebox, so it drags nothing in).
  if (KERNEL.has(dst) || isIndex(to, dst) || isProtocol(to)) return null;
  if (FACADE_ONLY.has(dst)) return `${dst}/ is reached through ${dst}/index.ts only`;
  if (src === 'server') return `server/ reaches a module through its index.ts, not ${to}`;
  return `a module reaches another module through its index.ts only, never its internals (${to})`;
}

/** The file a relative specifier names: as written, or with the extension or /index.ts a bundler would add. */
function resolveOurs(root: string, from: string, specifier: string): string {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.jsx$/, '.tsx'), `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`];
  return candidates.find((c) => existsSync(join(root, c)) && statSync(join(root, c)).isFile()) ?? base;
}

/** An allowed crossing, written `from -> to` with root-relative paths. */
export const crossingKey = (c: Pick<Crossing, 'from' | 'to'>): string => `${c.from} -> ${c.to}`;

/** Every import under root that the rules do not allow. */
export function findCrossings(root: string): Crossing[] {
  const crossings: Crossing[] = [];
  for (const from of sourceFiles(root)) {
    for (const specifier of importSpecifiers(readFileSync(join(root, from), 'utf8'))) {
      if (!specifier.startsWith('.') && !specifier.startsWith('/')) continue; // a package (or node:), not ours
      if (specifier.startsWith('/')) {
        crossings.push({ from, specifier, to: specifier, rule: 'an absolute path ties the code to one machine' });
        continue;
      }
      const to = resolveOurs(root, from, specifier);
      if (to.startsWith('../')) {
        crossings.push({ from, specifier, to, rule: 'reaches outside the project' });
        continue;
      }
      const rule = breaksRule(from, to);
      if (rule) crossings.push({ from, specifier, to, rule });
    }
  }
  return crossings;
}

export function describeCrossing(c: Crossing): string {
  return `${c.from} imports ${c.specifier}: ${c.rule}`;
}
