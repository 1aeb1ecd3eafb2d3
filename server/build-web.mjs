#!/usr/bin/env node
// Builds the browser apps the server serves: every <module>/web/ with a vite.config.ts (the app is
// named for its module: kiosk, terminal, proctor, media) and every <module>/web/<app>/ with one (named
// for its folder: proctor/web/inspector is the app "inspector"). Each app is type-checked with its own
// tsconfig.json (the root tsconfig leaves **/web/** out: browser code has DOM types and JSX, the
// server has neither), then built by Vite into its dist/, which git ignores.
//
// Usage: node server/build-web.mjs [--if-stale] [APP...]
//   APP          build only these apps (e.g. terminal, inspector); default: all of them
//   --if-stale   skip an app whose dist/index.html is newer than every file it is built from
//                (its folder, its module's own top-level .ts files such as protocol.ts, the web kit
//                in web/, every module's protocol.ts and the shared build setup): what a test that
//                needs a built app calls
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
// Every app imports the web kit (web/: HTTP, store, i18n, log-in, pairing, base CSS, live tile and
// players) and protocol files (its own module's and, through the kit, media's): inputs of every app.
const SHARED = [join(ROOT, 'server/vite.web.ts'), join(ROOT, 'tsconfig.web.json'), join(ROOT, 'server/build-web.mjs'), join(ROOT, 'web')];
const require = createRequire(import.meta.url);

const args = process.argv.slice(2);
const ifStale = args.includes('--if-stale');
const wanted = args.filter((a) => !a.startsWith('--'));

/** The apps on disk: { name, module, dir (relative to ROOT) }, sorted by name. */
function appsOnDisk() {
  const apps = [];
  for (const d of readdirSync(ROOT, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name.startsWith('.') || d.name === 'node_modules' || d.name === 'web') continue;
    const web = join(ROOT, d.name, 'web');
    if (!existsSync(web)) continue;
    if (existsSync(join(web, 'vite.config.ts'))) apps.push({ name: d.name, module: d.name, dir: `${d.name}/web` });
    for (const sub of readdirSync(web, { withFileTypes: true })) {
      if (sub.isDirectory() && existsSync(join(web, sub.name, 'vite.config.ts')))
        apps.push({ name: sub.name, module: d.name, dir: `${d.name}/web/${sub.name}` });
    }
  }
  return apps.sort((a, b) => a.name.localeCompare(b.name));
}

/** Newest mtime under path, leaving out build output and the folders of apps nested inside it. */
function newestMtime(path, top = true) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  if (!top && existsSync(join(path, 'vite.config.ts'))) return 0;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path)) {
    if (e === 'dist' || e === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, e), false));
  }
  return newest;
}

function isStale(app) {
  const built = join(ROOT, app.dir, 'dist/index.html');
  if (!existsSync(built)) return true;
  const topTs = (dir) =>
    readdirSync(join(ROOT, dir))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(ROOT, dir, f));
  const protocols = readdirSync(ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ROOT, d.name, 'protocol.ts')))
    .map((d) => join(ROOT, d.name, 'protocol.ts'));
  const inputs = [join(ROOT, app.dir), ...topTs(app.module), ...protocols, ...SHARED.filter(existsSync)];
  const newest = Math.max(...inputs.map((p) => newestMtime(p)));
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
const unknown = wanted.filter((m) => !all.some((a) => a.name === m));
if (unknown.length) {
  console.error(
    `build-web: no web app named ${unknown.join(', ')} (apps with a vite.config.ts: ${all.map((a) => `${a.name} (${a.dir})`).join(', ') || 'none'})`,
  );
  process.exit(2);
}
const apps = wanted.length ? all.filter((a) => wanted.includes(a.name)) : all;
const { build } = await import('vite');
const tsc = require.resolve('typescript/bin/tsc');

await withLock(async () => {
  for (const app of apps) {
    const web = join(ROOT, app.dir);
    if (ifStale && !isStale(app)) {
      console.log(`build-web: ${app.dir}/dist is up to date`);
      continue;
    }
    const checked = spawnSync(process.execPath, [tsc, '--noEmit', '-p', join(web, 'tsconfig.json')], { cwd: ROOT, stdio: 'inherit' });
    if (checked.status !== 0) {
      console.error(`build-web: ${app.dir} does not type-check (tsc -p ${relative(ROOT, join(web, 'tsconfig.json'))})`);
      process.exitCode = 1;
      return;
    }
    try {
      await build({ configFile: join(web, 'vite.config.ts'), logLevel: process.env.CI ? 'warn' : 'info' });
    } catch (err) {
      console.error(`build-web: vite build of ${app.dir} failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
      return;
    }
    console.log(`build-web: ${app.name} (${app.dir}) → ${relative(ROOT, join(web, 'dist'))}`);
  }
});
