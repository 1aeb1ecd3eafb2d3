#!/usr/bin/env node
// Builds the browser apps the server serves: every <module>/web/ with a vite.config.ts (kiosk,
// terminal, proctor, inspector as they land). Each app is type-checked with its own tsconfig.json
// (the root tsconfig leaves **/web/** out: browser code has DOM types and JSX, the server has
// neither), then built by Vite into <module>/web/dist, which git ignores.
//
// Usage: node server/build-web.mjs [--if-stale] [MODULE...]
//   MODULE       build only these apps (e.g. terminal); default: all of them
//   --if-stale   skip an app whose dist/index.html is newer than every file it is built from
//                (its web/ folder, the module's own top-level .ts files such as protocol.ts, and the
//                shared build setup): what a test that needs a built app calls
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
// Apps import a few modules of other apps (the live player from media/web, the HTTP helpers from
// proctor/web, the state store from terminal/web): those count as inputs of every app.
const SHARED = [join(ROOT, 'server/vite.web.ts'), join(ROOT, 'tsconfig.web.json'), join(ROOT, 'server/build-web.mjs'), join(ROOT, 'media/web/src'), join(ROOT, 'proctor/web/src/http.ts'), join(ROOT, 'terminal/web/src/store.ts')];
const require = createRequire(import.meta.url);

const args = process.argv.slice(2);
const ifStale = args.includes('--if-stale');
const wanted = args.filter((a) => !a.startsWith('--'));

function appsOnDisk() {
  return readdirSync(ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'node_modules' && existsSync(join(ROOT, d.name, 'web/vite.config.ts')))
    .map((d) => d.name)
    .sort();
}

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path)) {
    if (e === 'dist' || e === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, e)));
  }
  return newest;
}

function isStale(module) {
  const built = join(ROOT, module, 'web/dist/index.html');
  if (!existsSync(built)) return true;
  const moduleTs = readdirSync(join(ROOT, module)).filter((f) => f.endsWith('.ts')).map((f) => join(ROOT, module, f));
  const inputs = [join(ROOT, module, 'web'), ...moduleTs, ...SHARED.filter(existsSync)];
  const newest = Math.max(...inputs.map(newestMtime));
  return newest > statSync(built).mtimeMs;
}

// Two test files may ask for the same stale app at once (tap runs files in parallel): one builds,
// the other waits for it and then finds the app up to date. Vite empties outDir first, so two
// builds into one folder would trip over each other.
const LOCK = join(ROOT, 'node_modules/.examroom-build-web.lock');

async function withLock(fn) {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
      } catch {
        // just created, pid not written yet
      }
      if (holder && !isAlive(holder)) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`build-web: ${LOCK} has been held for 3 minutes; remove it if no build is running`);
      else await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

const all = appsOnDisk();
const unknown = wanted.filter((m) => !all.includes(m));
if (unknown.length) {
  console.error(`build-web: no web app in ${unknown.join(', ')} (apps with a web/vite.config.ts: ${all.join(', ') || 'none'})`);
  process.exit(2);
}
const modules = wanted.length ? wanted : all;
const { build } = await import('vite');
const tsc = require.resolve('typescript/bin/tsc');

await withLock(async () => {
  for (const module of modules) {
    const web = join(ROOT, module, 'web');
    if (ifStale && !isStale(module)) {
      console.log(`build-web: ${module}/web/dist is up to date`);
      continue;
    }
    const checked = spawnSync(process.execPath, [tsc, '--noEmit', '-p', join(web, 'tsconfig.json')], { cwd: ROOT, stdio: 'inherit' });
    if (checked.status !== 0) {
      console.error(`build-web: ${module}/web does not type-check (tsc -p ${relative(ROOT, join(web, 'tsconfig.json'))})`);
      process.exitCode = 1;
      return;
    }
    try {
      await build({ configFile: join(web, 'vite.config.ts'), logLevel: process.env.CI ? 'warn' : 'info' });
    } catch (err) {
      console.error(`build-web: vite build of ${module}/web failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
      return;
    }
    console.log(`build-web: ${module}/web → ${relative(ROOT, join(web, 'dist'))}`);
  }
});
