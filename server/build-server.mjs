#!/usr/bin/env node
// Builds the server and the CLI from their TypeScript sources to JavaScript once, so a command does not
// pay tsx's transpiling (and Node's loading of some 700 TypeBox files) on every start. The sources stay
// the truth: server/bin/examroom.mjs checks the build against them on each start (serverBuildState, a
// stat of every input, a few ms) and rebuilds a stale one before it runs anything.
//
// Usage: node server/build-server.mjs [--if-stale]
//   --if-stale   do nothing when the build is current (what npm test, npm start and install.sh run)
//
// Layout: dist/server/<id>/ holds one build (cli.js, face-worker.js, sheet-worker.js, shared chunks), <id> being
// a hash of its inputs; dist/server/current.json names the current one and lists every input with its
// mtime and size. A build is written to a folder of its own and published by renaming current.json over
// the old one, so two processes that rebuild at once, or a server still running an older build that
// loads a lazy chunk later, never see a half-written or deleted build.
//
// Only node: built-ins at the top: the launcher imports this file on every start, and esbuild is loaded
// only when a build actually runs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
/** Where a checkout's builds live (tests build a scratch project of their own: every function takes a root). */
export const buildRoot = (root = ROOT) => join(root, 'dist/server');
const currentFile = (root) => join(buildRoot(root), 'current.json');

/** What the build starts from: the CLI (which imports the server lazily), the face and the sheet worker threads. */
const ENTRIES = { cli: 'server/cli.ts', 'face-worker': 'kiosk/face/worker.ts', 'sheet-worker': 'documents/sheet-worker.ts' };

/**
 * Packages bundled into the build instead of loaded from node_modules at run time. TypeBox ships as
 * ~700 small ES modules whose loading alone took 0.3–0.7 s of every start (measured with bench startup);
 * bundled, it is one parse. Everything else stays external: native addons (better-sqlite3, sharp), files
 * read beside a package's own code (swagger-ui, face-api models) and worker-thread transports need
 * their real node_modules paths.
 */
const BUNDLED_PACKAGES = ['typebox', 'yaml'];

/**
 * yaml's Node entry is CommonJS (74 files, 0.1 s to load) that requires 'process', which bundled
 * CommonJS cannot do from an ES module; its ES build is the same code with console in place of
 * process.emitWarning, used only by yaml's parse() (config/load.ts calls parseDocument and reports
 * the document's warnings itself).
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
  if (!existsSync(join(dir, 'cli.js'))) return { fresh: false, reason: `the build ${current.id} named by ${relative(root, currentFile(root))} is missing` };
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

/** The inputs esbuild read: our sources as they are; a bundled package by its package.json (its version). */
function inputsOf(root, metafile) {
  const files = new Set(BUILD_INPUTS.filter((f) => existsSync(join(root, f))));
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*?node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    files.add(m ? `${m[1]}/package.json` : input);
  }
  return [...files].sort();
}

/**
 * In the build, `import.meta` of each source module still names its source file, so every file read
 * beside a module (config/default.yaml, the demo keys and faces, the paper templates, the web apps'
 * dist folders) is found where it is in the checkout. The build folder sits at a fixed depth below the
 * root, so the source is named relative to the chunk and the checkout can move.
 */
function sourceLocationPlugin(root, outDepth) {
  const up = '../'.repeat(outDepth);
  return {
    name: 'examroom-source-location',
    setup(build) {
      build.onLoad({ filter: /\.m?ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!/\bimport\.meta\.(url|dirname|filename)\b/.test(text)) return undefined;
        const rel = toPosix(relative(root, args.path));
        const fileUrl = `new URL(${JSON.stringify(up + rel)}, import.meta.url)`;
        const dirUrl = `new URL(${JSON.stringify(up + toPosix(dirname(rel)) + '/')}, import.meta.url)`;
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

/** Bare imports stay external (loaded from node_modules at run time) except BUNDLED_PACKAGES. */
const externalPackagesPlugin = (root) => ({
  name: 'examroom-external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      if (!BUNDLED_PACKAGES.includes(name)) return { path: args.path, external: true };
      return BUNDLED_ENTRY[args.path] ? { path: join(root, BUNDLED_ENTRY[args.path]) } : undefined;
    });
  },
});

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
  let result;
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: ENTRIES,
      outdir: tmp,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
      plugins: [externalPackagesPlugin(root), sourceLocationPlugin(root, outDepth)],
    });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    const errors = err?.errors?.map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ''}${e.text}`).join('\n');
    throw new Error(`the server does not build:\n${errors || err?.message || String(err)}`);
  }
  const files = inputsOf(root, result.metafile);
  const hash = contentHash(root, files);
  const id = hash.slice(0, 16);
  const dir = join(builds, id);
  if (existsSync(join(dir, 'cli.js'))) {
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
    if (ifStale) {
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
