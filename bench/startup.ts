// How long a command takes before it does anything, and how long the server takes to listen: the
// installed `examroom` (server/bin/examroom.mjs) running the JavaScript build (server/build-server.mjs)
// against the same command running the TypeScript sources through tsx (EXAMROOM_FROM_SOURCE=1), in one
// run on one scratch site (bench/lib/site.ts: a seeded database with sessions, rosters and papers).
// Each figure is the median of --runs spawns: wall time from spawn to exit (or to "listening on"), and
// the CPU time the process used for it, which a busy machine (other work on the two cores) inflates less.
// Usage: npm run bench -- startup [--runs 5] [--keep]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { buildServer, sealedCodeCache, serverBuildState } from '../server/build-server.mjs';
import { machineNote, prepareSite, processCpuSeconds, removeSite, spawnServer, ROOT } from './lib/site.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, keep: { type: 'boolean', default: false } } });
const runs = Math.max(1, Number(values.runs));
const log = (s: string) => console.log(s);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const fmt = (ms: number) => Math.round(ms).toString();

/** CPU ms of this process's exited (and reaped) children so far: cutime + cstime of /proc/self/stat. */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) / 100) * 1000;
}

interface Timing {
  wall: number;
  cpu: number;
}

/** Wall and CPU ms of `examroom ARGS` from spawn to exit; throws on a non-zero exit. */
function timeCli(args: string[], env: NodeJS.ProcessEnv): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const cpu0 = childrenCpuMs();
    const t0 = performance.now();
    const child = spawn(process.execPath, ['server/bin/examroom.mjs', ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve({ wall: performance.now() - t0, cpu: childrenCpuMs() - cpu0 })
        : reject(new Error(`examroom ${args.join(' ')} exited ${code}: ${stderr}`)),
    );
  });
}

function envFor(mode: 'built' | 'source'): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS; // the bench runs under tsx; the commands must not
  delete env.EXAMROOM_CONFIG;
  delete env.EXAMROOM_SERVER_BUILD;
  if (mode === 'source') env.EXAMROOM_FROM_SOURCE = '1';
  else delete env.EXAMROOM_FROM_SOURCE;
  return env;
}

log(`machine: ${machineNote()}`);
const site = await prepareSite({ terminals: 30, rooms: 1 });
log(`site: 30 terminals, 1 session, prepared in ${fmt(site.prepareMs)} ms (${site.dir})`);

const t0 = performance.now();
await buildServer();
const buildMs = performance.now() - t0;
const stateT0 = performance.now();
const state = serverBuildState();
const stateMs = performance.now() - stateT0;
if (!state.fresh) throw new Error(`the build is stale right after building: ${state.reason}`);
log(`build: ${fmt(buildMs)} ms (esbuild, ${state.dir.slice(ROOT.length + 1)}); staleness check ${stateMs.toFixed(1)} ms`);

const sessionList = ['session', 'list', '--config', site.configFile, '--data', site.dataDir];
type Figures = Record<'help' | 'list' | 'listen', Timing>;
const figures: Partial<Record<'source' | 'built', Figures>> = {};
const summary = (xs: Timing[]): Timing => ({ wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });
const show = (x: Timing) => `${fmt(x.wall)} ms (CPU ${fmt(x.cpu)} ms)`;
try {
  for (const mode of ['source', 'built'] as const) {
    const env = envFor(mode);
    const help: Timing[] = [];
    const list: Timing[] = [];
    const listen: Timing[] = [];
    // One unmeasured start of each kind, so both modes meet warm caches (tsx's transform cache, the page
    // cache, and the build's V8 code cache, which a build's first start of each kind writes).
    await timeCli(['--help'], env);
    await timeCli(sessionList, env);
    for (let i = 0; i < runs; i++) {
      help.push(await timeCli(['--help'], env));
      list.push(await timeCli(sessionList, env));
    }
    const saved = process.env.EXAMROOM_FROM_SOURCE;
    if (mode === 'source') process.env.EXAMROOM_FROM_SOURCE = '1';
    try {
      for (let i = -1; i < runs; i++) {
        const server = await spawnServer(site, 0, `server-${mode}-${i}.log`);
        if (i >= 0) listen.push({ wall: server.startMs, cpu: processCpuSeconds(server.pid) * 1000 });
        server.child.kill('SIGTERM');
        await server.exited;
      }
    } finally {
      if (saved === undefined) delete process.env.EXAMROOM_FROM_SOURCE;
      else process.env.EXAMROOM_FROM_SOURCE = saved;
    }
    const f = (figures[mode] = { help: summary(help), list: summary(list), listen: summary(listen) });
    log(
      `${mode === 'built' ? 'built (dist/server)' : 'source (tsx)       '}: examroom --help ${show(f.help)}, session list ${show(f.list)}, serve → listening ${show(f.listen)}  (medians of ${runs})`,
    );
  }
} finally {
  if (values.keep) log(`kept ${site.dir}`);
  else removeSite(site);
}
// What trusting a cache adds to each start (build-server.mjs sealedCodeCache): the loader reads the
// bundle and the cache anyway; the check hashes both (SHA-256) and asks two access() questions. Timed
// here, in this process, on the bytes already read, after the runs above left a sealed serve cache.
const used = serverBuildState(); // the build the runs used (a source saved meanwhile makes another)
if (!used.fresh) throw new Error(`the build went stale during the bench: ${used.reason}`);
const bundleBytes = readFileSync(join(used.dir, 'cli.cjs'));
const cacheFile = join(used.dir, 'cli.serve.v8cache');
const cacheBytes = readFileSync(cacheFile);
const sealRuns: number[] = [];
for (let i = 0; i < 21; i++) {
  const t1 = performance.now();
  const hash = createHash('sha256').update(bundleBytes).digest('hex');
  createHash('sha256').update(cacheBytes).digest('hex');
  sealRuns.push(performance.now() - t1);
  if (i === 0 && sealedCodeCache(cacheFile, hash, false).state === 'none') throw new Error('no serve cache after the runs');
}
const sealMs = median(sealRuns);
log(
  `seal check (SHA-256 of the ${(bundleBytes.length / 1e6).toFixed(1)} MB bundle and the ${(cacheBytes.length / 1e6).toFixed(1)} MB serve cache): ${sealMs.toFixed(1)} ms a start (median of 21)`,
);
const b = figures.built!;
const s = figures.source!;
log(
  `startup: cli ${fmt(b.list.wall)} ms, listen ${fmt(b.listen.wall)} ms, help ${fmt(b.help.wall)} ms, cli CPU ${fmt(b.list.cpu)} ms, listen CPU ${fmt(b.listen.cpu)} ms, cli from source ${fmt(s.list.wall)} ms, listen from source ${fmt(s.listen.wall)} ms, build ${fmt(buildMs)} ms, seal check ${sealMs.toFixed(1)} ms`,
);
