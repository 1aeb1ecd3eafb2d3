// A whole exam site for the terminal benches, made in a temp folder: a config with N terminals in
// rooms whose seat grids are exactly filled, the demo question bank, one session per room with a
// roster of valid ID numbers, drawn seats, generated papers, every candidate admitted, every terminal
// paired and the exam started — all written in-process before the server is spawned, then the real
// `examroom serve` process on that folder, and what the benches read of it (CPU, RSS, metrics).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../../config/index.ts';
import { buildApp } from '../../server/app.ts';
import { checkDigitOf } from '../../core/index.ts';
import { demoQuestions } from '../../exam/demo/questions.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const TEMPLATE_ID = 'gm-principal-general';
const SURNAMES = ['张', '王', '李', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙'];
const GIVEN = ['伟', '芳', '娜', '洋', '静', '帆', '磊', '敏', '杰', '婷', '强', '丽', '军', '霞'];

export interface BenchTerminal {
  id: string;
  token: string;
  /** What the candidate types at log-in: the ticket number, or (every third one) the ID number. */
  credential: string;
  sessionId: string;
  idNumber: string;
  room: string;
  seat: string;
}

export interface BenchSite {
  dir: string;
  dataDir: string;
  configFile: string;
  terminals: BenchTerminal[];
  sessionIds: string[];
  rooms: { id: string; rows: number; columns: number }[];
  questionsPerPaper: number;
  prepareMs: number;
}

/** Valid 18-digit ID numbers (GB 11643 check digit), distinct for i < 1000 per birth date. */
export function benchIdNumber(i: number): string {
  const year = 1965 + (i % 35);
  const month = String((i % 12) + 1).padStart(2, '0');
  const day = String((i % 28) + 1).padStart(2, '0');
  const first17 = `440106${year}${month}${day}${String(i % 1000).padStart(3, '0')}`;
  return first17 + checkDigitOf(first17);
}

/** A rows × columns grid (each ≤ 30) holding exactly n seats, as square as possible. */
function exactGrid(n: number): { rows: number; columns: number } {
  let best: { rows: number; columns: number } | null = null;
  for (let rows = 1; rows <= 30; rows++) {
    if (n % rows) continue;
    const columns = n / rows;
    if (columns > 30) continue;
    if (!best || Math.abs(rows - columns) < Math.abs(best.rows - best.columns)) best = { rows, columns };
  }
  if (!best) throw new Error(`${n} seats per room cannot be an exact grid of at most 30 × 30; pick another --rooms`);
  return best;
}

function yaml(rooms: BenchSite['rooms'], terminals: { id: string; room: string; seat: string }[]): string {
  return [
    'site: { id: bench-site, name: 基准测试考点, province: "440000", city: "440100" }',
    'server: { host: 127.0.0.1, port: 0 }',
    'rooms:',
    ...rooms.map((r) => `  - { id: ${r.id}, name: 考场${r.id}, seats: { rows: ${r.rows}, columns: ${r.columns} } }`),
    'terminals:',
    ...terminals.map((t) => `  - { id: ${t.id}, room: ${t.room}, seat: "${t.seat}" }`),
    // The simulated terminals have no camera; 0 tells them not to send snapshots.
    'exam: { showScore: true, snapshotIntervalSeconds: 0 }',
    '',
  ].join('\n');
}

/**
 * Makes the site. `terminals` candidates spread evenly over `rooms` rooms, one terminal per seat.
 * Setup writes with synchronous=OFF on its own connection (a per-connection setting): the server
 * process opens the file afresh with FULL, and setup durability is not what is measured.
 */
export async function prepareSite(opts: { terminals: number; rooms: number }): Promise<BenchSite> {
  const t0 = performance.now();
  const { terminals: n, rooms: roomCount } = opts;
  if (n % roomCount) throw new Error(`${n} terminals do not split evenly over ${roomCount} rooms`);
  const perRoom = n / roomCount;
  const grid = exactGrid(perRoom);
  const width = perRoom >= 100 ? 3 : 2;
  const rooms = Array.from({ length: roomCount }, (_, r) => ({ id: `R${String(r + 1).padStart(2, '0')}`, ...grid }));
  const termConf = rooms.flatMap((r) =>
    Array.from({ length: perRoom }, (_, k) => ({ id: `${r.id}-T${String(k + 1).padStart(3, '0')}`, room: r.id, seat: String(k + 1).padStart(width, '0') })),
  );

  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'examroom-bench-'));
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, yaml(rooms, termConf));
  const config = loadConfig(configFile, { dataDir });
  const app = await buildApp({ config });
  const db = app.ctx.db;
  db.pragma('synchronous = OFF');
  const actor = 'system:bench';
  try {
    const { exam } = app;
    exam.bank.createVersion({ id: 'bench-v1', kind: 'import', questions: demoQuestions(), templates: [] });
    const now = Date.now();
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const plan = exam.plans.createPlan({ name: '基准测试 终端并发', from: day(now - 86400_000), to: day(now + 7 * 86400_000) }, actor);
    // Scheduled a few minutes ahead (a session cannot be created in the past), started at once below.
    const startsAt = new Date(Math.ceil((now + 5 * 60_000) / 60_000) * 60_000).toISOString();
    const terminals: BenchTerminal[] = [];
    const sessionIds: string[] = [];
    let person = 0;
    for (const room of rooms) {
      const session = exam.plans.createSession({ planId: plan.id, room: room.id, startsAt, templateId: TEMPLATE_ID }, actor);
      sessionIds.push(session.id);
      const people = Array.from({ length: perRoom }, () => {
        const i = person++;
        return {
          身份证号: benchIdNumber(i),
          姓名: `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7) % GIVEN.length]}${GIVEN[(i * 3 + 1) % GIVEN.length]}`,
          人员类别: '主要负责人',
          行业: '通用',
          培训机构: '基准测试培训中心',
        };
      });
      await exam.plans.importRoster(session.id, { bytes: Buffer.from(JSON.stringify(people)), filename: 'bench-roster.json' }, actor);
      exam.plans.assignSeats(session.id, actor);
      exam.plans.generateSessionPapers(session.id, actor);
      exam.plans.advanceSession(session.id, 'checkin', actor);
      for (const e of exam.plans.roster(session.id)) app.terminal.admitCandidate(session.id, e.idNumber, actor);
      exam.plans.advanceSession(session.id, 'in_progress', actor);
      for (const e of exam.plans.roster(session.id)) {
        const t = termConf.find((x) => x.room === room.id && x.seat === e.seat);
        if (!t) throw new Error(`no terminal at seat ${e.seat} of room ${room.id}`);
        terminals.push({
          id: t.id,
          token: '',
          credential: terminals.length % 3 === 2 ? e.idNumber : e.ticketNo,
          sessionId: session.id,
          idNumber: e.idNumber,
          room: room.id,
          seat: e.seat!,
        });
      }
    }
    // The pairing dance per terminal, as an admin approving the code the terminal shows.
    const devices = app.ctx.devices;
    for (const t of terminals) {
      const req = devices.requestPairing('terminal', t.id, { ip: '127.0.0.1', userAgent: 'examroom-bench' });
      devices.approve(req.code, null, actor);
      const got = devices.collect(req.pairingId, req.pollSecret);
      if (got.status !== 'approved') throw new Error(`pairing ${t.id}: ${got.status}`);
      t.token = got.token;
    }
    const questionsPerPaper = exam.plans.paperStore.forCandidate(terminals[0]!.sessionId, terminals[0]!.idNumber)!.items.length;
    terminals.sort((a, b) => a.id.localeCompare(b.id));
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { dir, dataDir, configFile, terminals, sessionIds, rooms, questionsPerPaper, prepareMs: performance.now() - t0 };
  } finally {
    await app.close();
  }
}

export function removeSite(site: BenchSite): void {
  rmSync(site.dir, { recursive: true, force: true });
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  base: string;
  /** ms from spawn to the "listening on" line. */
  startMs: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** Spawns `examroom serve` exactly as systemd runs it (no tsx hooks from this process) and waits for "listening on". */
export async function spawnServer(site: BenchSite, port = 0, logName = 'server.log'): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.EXAMROOM_CONFIG;
  const t0 = performance.now();
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server process.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, 'server/bin/examroom.mjs', 'serve', '--config', site.configFile, '--data', site.dataDir, '--port', String(port)],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = createWriteStream(join(site.dir, logName));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    log.write(d);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  const rl = createInterface({ input: child.stdout! });
  const line = await new Promise<string>((res, rej) => {
    rl.on('line', (l) => {
      log.write(`${l}\n`);
      if (/^listening on /.test(l)) res(l);
    });
    void exited.then((e) => rej(new Error(`server exited (${JSON.stringify(e)}) before listening:\n${stderr}`)));
  });
  const m = /^listening on (https?):\/\/(\S+):(\d+)$/.exec(line)!;
  return { child, pid: child.pid!, port: Number(m[3]), base: `${m[1]}://${m[2]}:${m[3]}`, startMs: performance.now() - t0, exited, stderr: () => stderr };
}

const CLK_TCK = 100; // USER_HZ on Linux: /proc reports CPU times in 1/100 s.

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "(comm) ", field 3 (state) is index 0, so utime (14) and stime (15) are indexes 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

export function processRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** A CPU meter for another process: percent of one core between start() and read(). */
export function cpuMeter(pid: number) {
  let cpu0 = 0;
  let t0 = 0;
  return {
    start() {
      cpu0 = processCpuSeconds(pid);
      t0 = performance.now();
    },
    read(): { cpuSeconds: number; wallSeconds: number; percent: number } {
      const cpuSeconds = processCpuSeconds(pid) - cpu0;
      const wallSeconds = (performance.now() - t0) / 1000;
      return { cpuSeconds, wallSeconds, percent: (100 * cpuSeconds) / wallSeconds };
    },
  };
}

/** This process (all its threads): percent of one core over a span. */
export function selfCpuMeter() {
  let u0 = process.cpuUsage();
  let t0 = performance.now();
  return {
    start() {
      u0 = process.cpuUsage();
      t0 = performance.now();
    },
    read(): { percent: number; cpuSeconds: number } {
      const u = process.cpuUsage(u0);
      const cpuSeconds = (u.user + u.system) / 1e6;
      return { cpuSeconds, percent: (100 * cpuSeconds) / ((performance.now() - t0) / 1000) };
    },
  };
}

/**
 * The server's event-loop delay since the previous scrape, from its public /metrics (prom-client
 * resets its event-loop histogram on every collect, so the first call starts a window).
 */
export async function eventLoopLag(base: string): Promise<{ p50ms: number; p99ms: number; maxms: number } | null> {
  try {
    const text = await (await fetch(`${base}/metrics`)).text();
    const get = (name: string) => Number(new RegExp(`^examroom_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000;
    return { p50ms: get('p50'), p99ms: get('p99'), maxms: get('max') };
  } catch {
    return null;
  }
}

export const percentile = (sorted: ArrayLike<number>, p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : NaN;

/** How busy the machine is, printed with the figures: other work on it skews every number here. */
export function machineNote(): string {
  const [one] = loadavg();
  // Pressure stall information: the share of the last 10 s in which some task waited for a CPU / for I/O.
  const psi = (what: string) => {
    try {
      return `${/some avg10=(\S+)/.exec(readFileSync(`/proc/pressure/${what}`, 'utf8'))?.[1] ?? '?'} %`;
    } catch {
      return 'n/a';
    }
  };
  return `${cpus().length} cores, load average ${one!.toFixed(2)}, CPU pressure ${psi('cpu')}, I/O pressure ${psi('io')} (10 s)`;
}
