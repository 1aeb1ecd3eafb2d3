// 500 exam terminals against a real server process over real WebSockets on loopback.
// Phase A, "everyone starts at once": every candidate logs in within the same moment; measured from
// the first log-in sent to the last paper received (target ≤ 2 s). Phase B: every terminal saves one
// answer a second (jittered) for --seconds; save→ack latency per message (target p99 ≤ 20 ms) and
// the server process's CPU from /proc. The terminals run in worker threads of this process and its
// CPU is reported too, so one can see the client side was not the bottleneck.
// Usage: npm run bench -- terminals [--terminals 500] [--rooms 10] [--seconds 60] [--workers 2] [--keep]
// BENCH_DIR chooses the file system of the data folder (default: the OS temp dir).
import { parseArgs } from 'node:util';
import { Fleet } from './lib/fleet.ts';
import { cpuMeter, eventLoopLag, machineNote, percentile, prepareSite, processRssMiB, removeSite, selfCpuMeter, spawnServer } from './lib/site.ts';
import type { PhaseStats } from './lib/terminal-worker.ts';

const { values } = parseArgs({
  options: {
    terminals: { type: 'string', default: '500' },
    rooms: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '60' },
    workers: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
  },
});
const n = Number(values.terminals);
const seconds = Number(values.seconds);
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const log = (s: string) => console.log(s);

log(`machine: ${machineNote()}`);
const site = await prepareSite({ terminals: n, rooms: Number(values.rooms) });
log(
  `site: ${n} terminals in ${site.rooms.length} room(s) of ${site.rooms[0]!.rows}×${site.rooms[0]!.columns}, ${site.questionsPerPaper} questions per paper, prepared in ${fmt(site.prepareMs / 1000)} s (${site.dir})`,
);
const server = await spawnServer(site);
log(`server: pid ${server.pid}, ${server.base}, started in ${fmt(server.startMs / 1000, 2)} s`);
const serverCpu = cpuMeter(server.pid);
const clientCpu = selfCpuMeter();
const fleet = Fleet.start(
  site.terminals.map((t) => ({ id: t.id, token: t.token, credential: t.credential })),
  { workers: Number(values.workers), reconnect: false },
);

try {
  const connected = await fleet.all<{ ok: number; failed: number; ms: number }>({ cmd: 'connect', url: server.base.replace(/^http/, 'ws') }, 'connected');
  const ok = connected.reduce((s, c) => s + c.ok, 0);
  log(`connect: ${ok}/${n} terminals connected and greeted in ${fmt(Math.max(...connected.map((c) => c.ms)) / 1000, 2)} s`);
  if (ok !== n) throw new Error(`${n - ok} terminals could not connect; see ${site.dir}/server.log`);

  // ---- Phase A: everyone logs in at once --------------------------------------------------------
  await new Promise((r) => setTimeout(r, 1000));
  serverCpu.start();
  const at = performance.timeOrigin + performance.now() + 300;
  const a = await fleet.all<{ firstSent: number; sentAll: number; lastPaper: number; loginMs: Float64Array; refused: string[]; missing: number }>(
    { cmd: 'login', at },
    'loggedIn',
  );
  const aCpu = serverCpu.read();
  const firstSent = Math.min(...a.map((x) => x.firstSent));
  const startAll = Math.max(...a.map((x) => x.lastPaper)) - firstSent;
  const loginMs = Float64Array.from(a.flatMap((x) => [...x.loginMs])).sort();
  const refused = a.flatMap((x) => x.refused);
  const missing = a.reduce((s, x) => s + x.missing, 0);
  log('');
  log(`phase A (all ${n} log in at once):`);
  log(
    `  log-ins sent within ${fmt(Math.max(...a.map((x) => x.sentAll)) - firstSent)} ms; last paper ${fmt(startAll)} ms after the first log-in (target ≤ 2000 ms)`,
  );
  log(`  log-in → paper per terminal: p50 ${fmt(percentile(loginMs, 0.5))} ms, p99 ${fmt(percentile(loginMs, 0.99))} ms, max ${fmt(loginMs.at(-1) ?? NaN)} ms`);
  log(`  server CPU over the phase: ${fmt(aCpu.cpuSeconds, 2)} s in ${fmt(aCpu.wallSeconds, 2)} s`);
  if (refused.length || missing) log(`  PROBLEM: ${refused.length} refused (${refused.slice(0, 3).join('; ')}), ${missing} without a paper`);

  // ---- Phase B: one save a second per terminal ---------------------------------------------------
  await new Promise((r) => setTimeout(r, 2000));
  await eventLoopLag(server.base); // starts the server's event-loop window
  serverCpu.start();
  clientCpu.start();
  const elu0 = performance.eventLoopUtilization();
  const b = await fleet.all<{ stats: PhaseStats }>({ cmd: 'answer', ratePerSecond: 1, seconds }, 'answered');
  const bCpu = serverCpu.read();
  const cCpu = clientCpu.read();
  const mainElu = performance.eventLoopUtilization(elu0).utilization;
  const lag = await eventLoopLag(server.base);
  const lat = Float64Array.from(b.flatMap((x) => [...x.stats.latencies])).sort();
  const rtt = Float64Array.from(b.flatMap((x) => [...x.stats.pongRtts])).sort();
  const sum = (k: 'sent' | 'acked' | 'unacked' | 'timeMessages' | 'closes') => b.reduce((s, x) => s + x.stats[k], 0);
  const errors: Record<string, number> = {};
  for (const x of b) for (const [k, v] of Object.entries(x.stats.errors)) errors[k] = (errors[k] ?? 0) + v;
  const p50 = percentile(lat, 0.5);
  const p99 = percentile(lat, 0.99);
  log('');
  log(`phase B (${n} terminals × 1 save/s for ${seconds} s):`);
  log(
    `  saves: ${sum('sent')} sent, ${sum('acked')} acked (${fmt(sum('acked') / bCpu.wallSeconds, 0)}/s), ${sum('unacked')} never acked, errors ${JSON.stringify(errors)}, ${sum('closes')} sockets closed`,
  );
  log(
    `  save → ack: p50 ${fmt(p50, 2)} ms, p90 ${fmt(percentile(lat, 0.9), 2)} ms, p99 ${fmt(p99, 2)} ms, p99.9 ${fmt(percentile(lat, 0.999), 2)} ms, max ${fmt(lat.at(-1) ?? NaN, 2)} ms (target p99 ≤ 20 ms)`,
  );
  log(`  over 20 ms: ${lat.filter((x) => x > 20).length} of ${lat.length}; over 100 ms: ${lat.filter((x) => x > 100).length}`);
  log(
    `  ping → pong: p50 ${fmt(percentile(rtt, 0.5), 2)} ms, p99 ${fmt(percentile(rtt, 0.99), 2)} ms (${rtt.length} pings); time pushes received: ${sum('timeMessages')}`,
  );
  log(
    `  server: CPU ${fmt(bCpu.percent)} % of one core (${fmt(bCpu.cpuSeconds, 2)} s in ${fmt(bCpu.wallSeconds, 1)} s), RSS ${fmt(processRssMiB(server.pid), 0)} MiB`,
  );
  if (lag) log(`  server event-loop delay over the phase: p50 ${fmt(lag.p50ms, 2)} ms, p99 ${fmt(lag.p99ms, 2)} ms, max ${fmt(lag.maxms, 2)} ms`);
  log(
    `  client (this process, ${values.workers} terminal threads): CPU ${fmt(cCpu.percent)} % of one core; event-loop busy ${b.map((x) => `${fmt(100 * x.stats.elu)} %`).join(', ')} (main ${fmt(100 * mainElu)} %)`,
  );
  log(`machine: ${machineNote()}`);
  log('');
  log(`terminals: p99 ${fmt(p99, 1)} ms, p50 ${fmt(p50, 1)} ms, start-all ${fmt(startAll, 0)} ms, cpu ${fmt(bCpu.percent, 0)} %`);
} finally {
  await fleet.stop();
  server.child.kill('SIGTERM');
  await server.exited;
  if (values.keep) console.error(`kept ${site.dir}`);
  else removeSite(site);
}
