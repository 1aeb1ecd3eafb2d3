#!/usr/bin/env node
// Builds the server and the CLI from their TypeScript sources to JavaScript once, so a command does not
// pay tsx's transpiling (and Node's loading of some 700 TypeBox files) on every start. The sources stay
// the truth: server/bin/examroom.mjs checks the build against them on each start (serverBuildState, a
// stat of every input, a few ms) and rebuilds a stale one before it runs anything.
//
// Usage: node server/build-server.mjs [--if-stale]
//   --if-stale   do nothing when the build is current (what npm test, npm start and install.sh run)
//
// Layout: dist/server/<id>/ holds one build (cli.cjs; face-worker.js, sheet-worker.js, backup-child.js and their chunks), <id> being
// a hash of its inputs; dist/server/current.json names the current one and lists every input with its
// mtime and size. A build is written to a folder of its own and published by renaming current.json over
// the old one, so two processes that rebuild at once, or a server still running an older build that
// loads a lazy chunk later, never see a half-written or deleted build.
//
// Only node: built-ins at the top: the launcher imports this file on every start, and esbuild is loaded
// only when a build actually runs.
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants as fsConstants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules, createRequire } from 'node:module';
import vm from 'node:vm';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
/** Where a checkout's builds live (tests build a scratch project of their own: every function takes a root). */
export const buildRoot = (root = ROOT) => join(root, 'dist/server');
const currentFile = (root) => join(buildRoot(root), 'current.json');

/**
 * The CLI (and the server it starts) is one CommonJS file, cli.cjs, run by loadServerBuild below through
 * vm.Script with V8's code cache: Node 20 caches no compiled code for ES modules, and compiling the
 * build's modules was the largest part of every start. The worker threads stay ES modules (they start
 * once per pool, not per command).
 */
const CLI_ENTRY = { cli: 'server/cli.ts' };
const WORKER_ENTRIES = { 'face-worker': 'kiosk/face/worker.ts', 'sheet-worker': 'documents/sheet-worker.ts', 'backup-child': 'storage/backup/child.ts' };

/**
 * Packages the CLI bundle leaves in node_modules, loaded by require at run time. Everything else is
 * bundled (Fastify, its plugins and their dependencies: ~450 CommonJS files that `serve` resolved and
 * compiled one by one before listening), because one file with a code cache starts faster than any
 * number of files without. A bundled package that reads files beside its own code (swagger-ui's
 * assets) still finds them: its `__dirname` and `__filename` name its place in node_modules
 * (packageLocationPlugin). What stays out: native addons (their loaders find the .node file from the
 * caller's stack or beside their code), pdfkit (it reads its font metrics relative to a path it
 * computes), face-api and tfjs (the worker threads' only), large ones only a rare command loads (they
 * would only grow the file every start reads), optional native helpers that may be absent, and the
 * build tools themselves.
 */
const EXTERNAL_PACKAGES = new Set([
  'better-sqlite3',
  'sharp',
  'pdfkit',
  'fontkit',
  'qrcode',
  'exceljs',
  'yauzl',
  'yazl',
  'csv-parse',
  // Fastify's schema compilers and its inject(): required on a route schema's first compile
  // (server/deferred-schemas.ts) and by tests, never before listening. 0.7 MB.
  'ajv',
  'ajv-formats',
  'fast-json-stringify',
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
  'light-my-request',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@vladmandic/face-api',
  'rtsp-streaming-server',
  'node-media-server',
  'bufferutil',
  'utf-8-validate',
  'esbuild',
  'tsx',
]);

/**
 * Packages the worker threads' ES-module build bundles (everything else is imported from node_modules).
 * TypeBox ships as ~700 small ES modules whose loading alone took 0.3–0.7 s (measured with bench startup).
 */
const WORKER_BUNDLED_PACKAGES = ['typebox', 'yaml'];

/**
 * yaml's Node entry is CommonJS (74 files, 0.1 s to load) that requires 'process', which bundled
 * CommonJS cannot do from an ES module; its ES build is the same code with console in place of
 * process.emitWarning, used only by yaml's parse() (config/load.ts calls parseDocument and reports
 * the document's warnings itself). Used by both builds, so the config is read by one and the same code.
 */
const BUNDLED_ENTRY = { yaml: 'node_modules/yaml/browser/index.js' };

/** Files whose change changes the build without being a bundled module. */
const BUILD_INPUTS = ['server/build-server.mjs', 'tsconfig.json', 'package.json', 'node_modules/esbuild/package.json'];

/** How many older builds to keep beside the current one, for servers still running them. */
const KEEP_OLD_BUILDS = 3;

const toPosix = (p) => p.split(sep).join('/');

function readCurrent(root) {
  try {
    return JSON.parse(readFileSync(currentFile(root), 'utf8'));
  } catch {
    return null;
  }
}

function fingerprint(root, file) {
  const st = statSync(join(root, file));
  return [st.mtimeMs, st.size];
}

function contentHash(root, files) {
  const h = createHash('sha256');
  for (const f of files)
    h.update(f)
      .update('\0')
      .update(readFileSync(join(root, f)))
      .update('\0');
  return h.digest('hex');
}

/**
 * Whether the build matches the sources, cheaply: one stat per input. Only when an mtime or size moved
 * (a git checkout, an editor's save without a change) are the inputs' contents hashed, and a build whose
 * hash still matches is kept (and its recorded mtimes refreshed where the folder is writable).
 * @returns {{ fresh: true, dir: string, id: string } | { fresh: false, reason: string }}
 */
export function serverBuildState({ root = ROOT } = {}) {
  const current = readCurrent(root);
  if (!current || typeof current.id !== 'string' || !current.inputs) return { fresh: false, reason: 'no server build yet' };
  const dir = join(buildRoot(root), current.id);
  if (!existsSync(join(dir, 'cli.cjs'))) return { fresh: false, reason: `the build ${current.id} named by ${relative(root, currentFile(root))} is missing` };
  const moved = [];
  for (const [file, [mtimeMs, size]] of Object.entries(current.inputs)) {
    let now;
    try {
      now = fingerprint(root, file);
    } catch {
      return { fresh: false, reason: `${file} is gone` };
    }
    if (now[0] !== mtimeMs || now[1] !== size) moved.push(file);
  }
  if (moved.length === 0) return { fresh: true, dir, id: current.id };
  if (contentHash(root, Object.keys(current.inputs)) !== current.hash)
    return { fresh: false, reason: `${moved[0]}${moved.length > 1 ? ` and ${moved.length - 1} more` : ''} changed` };
  // Same contents, new mtimes: remember them so the next start needs no hashing.
  try {
    const inputs = Object.fromEntries(Object.keys(current.inputs).map((f) => [f, fingerprint(root, f)]));
    publish(root, { ...current, inputs });
  } catch {
    // A read-only install (systemd's ProtectSystem): the build is right, only the next start hashes again.
  }
  return { fresh: true, dir, id: current.id };
}

function publish(root, current) {
  const file = currentFile(root);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(current, null, 1)}\n`);
  renameSync(tmp, file);
}

/**
 * npm's record of what node_modules holds (every package's version and integrity hash), rewritten by
 * every install: one input standing for the ~250 bundled packages, whose package.json files each cost a
 * stat on every start.
 */
const INSTALLED_PACKAGES = 'node_modules/.package-lock.json';

/**
 * The inputs esbuild read: our sources as they are; bundled packages by npm's record of node_modules, or
 * where there is none (a project installed otherwise) each by its package.json (its version).
 */
function inputsOf(root, results) {
  const files = new Set(BUILD_INPUTS.filter((f) => existsSync(join(root, f))));
  const installed = existsSync(join(root, INSTALLED_PACKAGES));
  for (const input of results.flatMap((r) => Object.keys(r.metafile.inputs))) {
    const m = /^(.*?node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    files.add(m ? (installed ? INSTALLED_PACKAGES : `${m[1]}/package.json`) : input);
  }
  return [...files].sort();
}

/**
 * In the build, `import.meta` of each source module still names its source file, so every file read
 * beside a module (config/default.yaml, the demo keys and faces, the paper templates, the web apps'
 * dist folders) is found where it is in the checkout. The build folder sits at a fixed depth below the
 * root, so the source is named relative to the output file and the checkout can move. `chunkUrl` is
 * the output file's own URL: import.meta.url in an ES module, a banner's constant in the CommonJS one.
 */
function sourceLocationPlugin(root, outDepth, chunkUrl) {
  const up = '../'.repeat(outDepth);
  return {
    name: 'examroom-source-location',
    setup(build) {
      build.onLoad({ filter: /\.m?ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!/\bimport\.meta\.(url|dirname|filename)\b/.test(text)) return undefined;
        const rel = toPosix(relative(root, args.path));
        const fileUrl = `new URL(${JSON.stringify(up + rel)}, ${chunkUrl})`;
        const dirUrl = `new URL(${JSON.stringify(up + toPosix(dirname(rel)) + '/')}, ${chunkUrl})`;
        const contents =
          text.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_, what) =>
            what === 'url'
              ? `${fileUrl}.href`
              : what === 'filename'
                ? `__examroomFileUrlToPath(${fileUrl})`
                : `__examroomFileUrlToPath(${dirUrl}).slice(0, -1)`,
          ) +
          // At the end, so the source map's line numbers stay those of the file.
          "\nimport { fileURLToPath as __examroomFileUrlToPath } from 'node:url';\n";
        return { contents, loader: 'ts' };
      });
    },
  };
}

const packageName = (path) => (path.startsWith('@') ? path.split('/').slice(0, 2).join('/') : path.split('/')[0]);

/**
 * Whether a package imported from `importer` is the one at the top of node_modules, which is what an
 * external require from the build folder finds. A package with its own nested copy gets that copy bundled.
 */
function topLevelCopy(root, importer, name) {
  const top = join(root, 'node_modules');
  if (!importer.startsWith(top + sep)) return true;
  for (let dir = dirname(importer); dir.length > top.length; dir = dirname(dir)) if (existsSync(join(dir, 'node_modules', name))) return false;
  return true;
}

/** Which bare imports stay external (loaded from node_modules at run time): `external(name)` says. */
const packagesPlugin = (root, external) => ({
  name: 'examroom-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const name = packageName(args.path);
      if (external(name) && (BUILTINS.has(name) || topLevelCopy(root, args.importer, name))) return { path: args.path, external: true };
      return BUNDLED_ENTRY[args.path] ? { path: join(root, BUNDLED_ENTRY[args.path]) } : undefined;
    });
  },
});

/**
 * A bundled CommonJS package's `__dirname` and `__filename` would name the build folder: each file that
 * uses them gets its own, naming where it is in node_modules, relative to the build (the checkout can move).
 */
function packageLocationPlugin(root, outDepth) {
  const up = '../'.repeat(outDepth);
  return {
    name: 'examroom-package-location',
    setup(build) {
      build.onLoad({ filter: /[\\/]node_modules[\\/].*\.(c?js)$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!/\b__(dirname|filename)\b/.test(text) || /\b(const|let|var|function)\s+__(dirname|filename)\b/.test(text)) return undefined;
        const rel = toPosix(relative(root, args.path));
        const dir = JSON.stringify(up + toPosix(dirname(rel)));
        const file = JSON.stringify(up + rel);
        // On the first line, so the source map's line numbers stay those of the file.
        const prefix = `var __dirname = require("node:path").join(__examroomChunkDir, ${dir}), __filename = require("node:path").join(__examroomChunkDir, ${file});`;
        return { contents: prefix + text, loader: 'js' };
      });
    },
  };
}

/**
 * Node 20 reads a file as UTF-8 at some 25 ms a megabyte, and as Latin-1 (which pure ASCII is) at under
 * 1 ms; V8 also keeps an ASCII source in half the memory. esbuild's output is ASCII but for what it leaves
 * as written: comments and regular-expression literals (【…】, ＊, ；). Each such character becomes its
 * \uXXXX escape, which means the same in a string, a regular expression (with or without the u flag:
 * an escaped surrogate pair is one code point) and an identifier, and changes only the text of a comment.
 */
function asciiOnly(file) {
  const text = readFileSync(file, 'utf8');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is every non-ASCII code unit
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== text) writeFileSync(file, ascii);
}

/** Node's built-ins named without `node:` (bundled packages require 'fs', 'events' …) stay external. */
const BUILTINS = new Set(builtinModules);

/**
 * Builds into a fresh folder and publishes it. Returns the new build's folder.
 * Throws an Error whose message lists esbuild's errors when the sources do not build.
 */
export async function buildServer({ root = ROOT, log = () => {} } = {}) {
  const started = performance.now();
  const esbuild = await import('esbuild');
  const builds = buildRoot(root);
  mkdirSync(builds, { recursive: true });
  const tmp = join(builds, `.tmp-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(tmp); // before esbuild, so a read-only install fails here with EACCES/EROFS, not in esbuild's words
  const outDepth = toPosix(relative(root, tmp)).split('/').length;
  const common = {
    absWorkingDir: root,
    outdir: tmp,
    bundle: true,
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
  };
  let results;
  try {
    results = await Promise.all([
      esbuild.build({
        ...common,
        entryPoints: CLI_ENTRY,
        format: 'cjs',
        // import() of an external package becomes a require: a vm.Script's own import() needs Node's
        // experimental loader hook (a warning on stderr at the first PDF). The package.json "type": "module"
        // makes esbuild give the require Node's ES-import meaning (default = module.exports).
        supported: { 'dynamic-import': false },
        minifyWhitespace: true,
        outExtension: { '.js': '.cjs' },
        // The loader (loadServerBuild) runs the file with __filename set to its path.
        banner: { js: "const __examroomChunkUrl = require('node:url').pathToFileURL(__filename).href, __examroomChunkDir = __dirname;" },
        plugins: [
          packagesPlugin(root, (name) => BUILTINS.has(name) || EXTERNAL_PACKAGES.has(name)),
          sourceLocationPlugin(root, outDepth, '__examroomChunkUrl'),
          packageLocationPlugin(root, outDepth),
        ],
      }),
      esbuild.build({
        ...common,
        entryPoints: WORKER_ENTRIES,
        splitting: true,
        format: 'esm',
        plugins: [packagesPlugin(root, (name) => !WORKER_BUNDLED_PACKAGES.includes(name)), sourceLocationPlugin(root, outDepth, 'import.meta.url')],
      }),
    ]);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    const errors = err?.errors?.map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ''}${e.text}`).join('\n');
    throw new Error(`the server does not build:\n${errors || err?.message || String(err)}`);
  }
  try {
    asciiOnly(join(tmp, 'cli.cjs'));
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const files = inputsOf(root, results);
  const hash = contentHash(root, files);
  const id = hash.slice(0, 16);
  const dir = join(builds, id);
  if (existsSync(join(dir, 'cli.cjs'))) {
    rmSync(tmp, { recursive: true, force: true }); // someone built these very sources meanwhile
  } else {
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  publish(root, {
    id,
    hash,
    builtAt: new Date().toISOString(),
    esbuild: esbuild.version,
    inputs: Object.fromEntries(files.map((f) => [f, fingerprint(root, f)])),
  });
  pruneOldBuilds(builds, id);
  log(`build-server: ${relative(root, dir)} from ${files.length} inputs in ${Math.round(performance.now() - started)} ms`);
  return dir;
}

function pruneOldBuilds(builds, currentId) {
  const others = readdirSync(builds, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== currentId)
    .map((d) => ({ name: d.name, mtimeMs: statSync(join(builds, d.name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  const hourAgo = Date.now() - 3600_000;
  for (const [i, d] of others.entries()) {
    // A .tmp folder younger than an hour may be another process's build in progress.
    const keep = d.name.startsWith('.tmp-') ? d.mtimeMs > hourAgo : i < KEEP_OLD_BUILDS;
    if (!keep) rmSync(join(builds, d.name), { recursive: true, force: true });
  }
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Whether this process may write `path` (root may write anything it owns, and anything but read-only mounts). */
function writable(path) {
  try {
    accessSync(path, fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The code cache of one kind of start, if it may be run: V8 runs the compiled code a cache holds, and
 * checks little of it (its source check is the source's length), so a cache is run only when
 * - its seal (`<cache>.seal`, written with it) names the SHA-256 of this very bundle and of the cache's
 *   bytes (a cache of another build, or altered after it was written, is refused), and
 * - it sits beside the build and, where this process cannot write the build folder (the installed
 *   service: the folder is root's), neither the cache nor its seal is writable by this process either.
 * Whoever can write the build folder can change the code itself, so a cache they made gives them no new
 * power; a process that cannot (the service account) can neither plant a cache nor re-seal one.
 * @returns {{ cachedData: Buffer | undefined, state: 'sealed' | 'none' | 'unsealed' | 'another-build' | 'altered' | 'writable' }}
 */
export function sealedCodeCache(cacheFile, bundleHash, folderWritable) {
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    return { cachedData: undefined, state: 'none' };
  }
  let seal;
  try {
    seal = JSON.parse(readFileSync(`${cacheFile}.seal`, 'utf8'));
  } catch {
    return { cachedData: undefined, state: 'unsealed' };
  }
  if (seal?.bundle !== bundleHash) return { cachedData: undefined, state: 'another-build' };
  if (seal?.cache !== sha256(cachedData)) return { cachedData: undefined, state: 'altered' };
  if (!folderWritable && (writable(cacheFile) || writable(`${cacheFile}.seal`))) return { cachedData: undefined, state: 'writable' };
  return { cachedData, state: 'sealed' };
}

/**
 * Runs a build's cli.cjs and returns its exports, the way Node runs a CommonJS file, but through vm.Script
 * with V8's code cache: the compiled code of what a start ran, saved beside the build, so the next start
 * of the same kind deserialises it instead of parsing and compiling ~3 MB of JavaScript. `profile` names
 * the kind ('serve', 'cli-session' …): a server and each command run different code, and each cache holds
 * what its own kind compiled. The cache is written once, sealed (sealedCodeCache: what may be run), when
 * missing or refused (V8 rejected it — another Node, other flags — or its seal did not match) by
 * `saveCodeCache()` — the launcher calls it when a command ends and a server 10 s after listening, past
 * a restart's rush — and only where this process can write the build folder: the installed service
 * cannot, and runs the caches root made at install (`--warm-caches`). A cache that cannot be read,
 * trusted or written only costs speed: the start is cold.
 * @returns {{ exports: Record<string, any>, cache: string, saveCodeCache(): boolean }}
 */
export function loadServerBuild(dir, { profile = 'cli' } = {}) {
  const file = join(dir, 'cli.cjs');
  const cacheFile = join(dir, `cli.${profile}.v8cache`);
  const bundle = readFileSync(file);
  const bundleHash = sha256(bundle);
  const folderWritable = writable(dir);
  const { cachedData, state } = sealedCodeCache(cacheFile, bundleHash, folderWritable);
  // Node's own CommonJS wrapper, so the file sees exactly what a required file sees.
  // Latin-1: the build is pure ASCII (asciiOnly), and Node 20 decodes UTF-8 at ~25 ms a megabyte.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${bundle.toString('latin1')}\n})`, {
    filename: file,
    cachedData,
  });
  const module = { exports: {}, filename: file, id: file, loaded: false };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dir);
  module.loaded = true;
  const cache = cachedData !== undefined && script.cachedDataRejected ? 'rejected' : state;
  let saved = cache === 'sealed' || !folderWritable;
  return {
    exports: module.exports,
    cache,
    saveCodeCache() {
      if (saved) return false;
      saved = true;
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        const data = script.createCachedData();
        writeFileSync(tmp, data);
        writeFileSync(`${tmp}.seal`, `${JSON.stringify({ bundle: bundleHash, cache: sha256(data) })}\n`);
        // The seal first: a cache without its seal is refused, a seal without its cache is nothing.
        renameSync(`${tmp}.seal`, `${cacheFile}.seal`);
        renameSync(tmp, cacheFile);
        return true;
      } catch {
        rmSync(tmp, { force: true });
        rmSync(`${tmp}.seal`, { force: true });
        return false;
      }
    },
  };
}

/**
 * Makes the code caches of a build as its owner (install.sh runs this as root after building): a server
 * start on a scratch site on loopback, stopped once it listens, and `--help`. The installed service,
 * which cannot write the build folder, runs these and writes none. Returns the kinds sealed.
 */
export async function warmCodeCaches({ root = ROOT, log = () => {} } = {}) {
  const state = serverBuildState({ root });
  if (!state.fresh) throw new Error(`the build is not current (${state.reason}): build first`);
  const scratch = mkdtempSync(join(tmpdir(), 'examroom-warm-'));
  const env = { ...process.env };
  for (const k of ['NODE_OPTIONS', 'EXAMROOM_FROM_SOURCE', 'EXAMROOM_CONFIG', 'EXAMROOM_SERVER_BUILD']) delete env[k];
  const bin = join(root, 'server/bin/examroom.mjs');
  try {
    const config = join(scratch, 'config.yaml');
    writeFileSync(
      config,
      `site: { id: warm-up, name: 预热, province: "440000", city: "440100" }
server: { host: 127.0.0.1, port: 0 }
paths: { data: ${JSON.stringify(join(scratch, 'data'))}, keys: ${JSON.stringify(join(scratch, 'keys'))} }
rooms:
  - { id: R1, name: 预热, seats: { rows: 1, columns: 1 } }
`,
    );
    await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bin, 'serve', '--config', config], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let said = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      const hear = (d) => {
        said += d;
        if (/listening on/.test(said)) child.kill('SIGTERM');
      };
      child.stdout.setEncoding('utf8').on('data', hear);
      child.stderr.setEncoding('utf8').on('data', hear);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (/listening on/.test(said)) resolve();
        else reject(new Error(`the warm-up server did not listen (${signal ?? `exit ${code}`}): ${said.slice(-2000)}`));
      });
    });
    const help = spawnSync(process.execPath, [bin, '--help'], { cwd: root, env, encoding: 'utf8' });
    if (help.status !== 0) throw new Error(`examroom --help exited ${help.status}: ${help.stderr}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const kinds = ['serve', 'cli'].filter((k) => existsSync(join(state.dir, `cli.${k}.v8cache.seal`)));
  log(`build-server: code caches sealed in ${relative(root, state.dir)}: ${kinds.join(', ') || 'none'}`);
  return kinds;
}

/** A fresh build's folder, building first when the sources moved on. */
export async function ensureServerBuild({ root = ROOT, log = () => {} } = {}) {
  const state = serverBuildState({ root });
  if (state.fresh) return state.dir;
  log(`build-server: rebuilding (${state.reason})`);
  return buildServer({ root, log });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ifStale = process.argv.includes('--if-stale');
  try {
    const log = (s) => console.log(s);
    if (process.argv.includes('--warm-caches')) {
      await warmCodeCaches({ log });
    } else if (ifStale) {
      const state = serverBuildState();
      if (state.fresh) log(`build-server: ${relative(ROOT, state.dir)} is up to date`);
      else await buildServer({ log });
    } else {
      await buildServer({ log });
    }
  } catch (err) {
    console.error(`build-server: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
