// `npm run bench -- media [SOURCES] [MPEG1_SOURCES]`: the CPU our media pipeline spends per 1080p
// camera, against the MPEG-1 re-encode node-rtsp-stream does for browsers.
//
// The cameras: ONE 10 s 1080p25 H.264 (2.5 Mbit/s, GOP 2 s) + G.711 µ-law clip, encoded once and cached
// in var/bench-media/, looped by one `ffmpeg -re -stream_loop -1 -c copy` per camera into an RTSP
// server (rtsp-streaming-server, its own process). Their CPU is not ours and is not counted.
//
// Phase 1, ours: the real app (buildApp) ingests every camera (one ffmpeg each: RTSP in, video and
// G.711 copied, Matroska segments recorded to disk, TS to the relay), a viewer process watches every
// camera over /ws/live and listens to one (stream=sound: the one AAC encode). Run twice: without
// upstream, and with an RTMP push of every source (each push shares its source's AAC encode). Counted: the ffmpeg children of this process (/proc/PID/stat utime+stime) and
// this Node process (process.cpuUsage), over a fixed window after warm-up.
// Phase 2, MPEG-1: for a few of the same cameras, `ffmpeg -i SRC -f mpegts -codec:v mpeg1video
// -b:v 1000k -r 30 -` as node-rtsp-stream runs it (its audio default: MP2), same window. Only
// ffmpeg's CPU is counted (node-rtsp-stream's own Node relay would add to it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { parseConfig } from '../config/index.ts';
import { buildApp } from '../server/app.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SOURCES = Number(process.argv[2] ?? 32);
const MPEG1_SOURCES = Number(process.argv[3] ?? 2);
const WARMUP_MS = 8000;
const WINDOW_MS = 20_000;
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const out = (line: string) => process.stdout.write(`${line}\n`);

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

function clip(): string {
  const dir = join(ROOT, 'var/bench-media');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'camera-1080p25-h264-g711.mkv');
  if (existsSync(file)) return file;
  out('encoding the 1080p camera clip once (cached in var/bench-media/)…');
  const r = spawnSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1920x1080:rate=25',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=8000',
    '-t',
    '10',
    '-map',
    '0:v',
    '-map',
    '1:a',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '50',
    '-keyint_min',
    '50',
    '-b:v',
    '2500k',
    '-maxrate',
    '2500k',
    '-bufsize',
    '5000k',
    '-c:a',
    'pcm_mulaw',
    '-ar',
    '8000',
    '-ac',
    '1',
    '-y',
    `${file}.tmp.mkv`,
  ]);
  if (r.status !== 0) throw new Error(`encoding the clip failed: ${r.stderr}`);
  spawnSync('mv', [`${file}.tmp.mkv`, file]);
  return file;
}

/** CPU seconds (user + system) of a process, from /proc/PID/stat. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** The ffmpeg processes this process started (ingest and pushers run detached, but their parent is us). */
function ffmpegChildren(parent: number, among?: Set<number>, except?: Set<number>): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && comm === 'ffmpeg' && (!among || among.has(Number(d))) && !except?.has(Number(d))) pids.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** CPU of a set of processes over the window, counting processes that start or end inside it. */
async function measure(pids: () => number[], window: number): Promise<{ seconds: number; processes: number }> {
  const start = new Map<number, number>();
  const last = new Map<number, number>();
  let known = pids();
  for (const p of known) start.set(p, cpuSeconds(p));
  const t0 = Date.now();
  // Scanning /proc costs this process CPU too (counted as ours): every 5 s, reading known pids every second.
  for (let tick = 1; Date.now() - t0 < window; tick++) {
    await sleep(1000);
    if (tick % 5 === 0) known = pids();
    for (const p of known) {
      if (!start.has(p)) start.set(p, 0);
      last.set(p, cpuSeconds(p));
    }
  }
  let total = 0;
  for (const [p, s] of start) total += (last.get(p) ?? s) - s;
  return { seconds: total, processes: start.size };
}

const children: ChildProcess[] = [];
function killAll(): void {
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      c.kill('SIGKILL');
    }
  }
}
process.on('exit', killAll);

const file = clip();
const clientPort = await freePort();
const publishPort = await freePort();
// The RTSP server in its own process: relaying 32 cameras' RTP is the cameras' side, not ours.
const rtsp = spawn(
  process.execPath,
  [
    '-e',
    `const S=require('rtsp-streaming-server').default;new S({serverPort:${publishPort},clientPort:${clientPort},rtpPortStart:44000,rtpPortCount:${SOURCES * 12 + 40}}).start().then(()=>console.log('ready'))`,
  ],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], detached: true },
);
children.push(rtsp);
await new Promise<void>((res) => rtsp.stdout!.once('data', () => res()));

const ids = Array.from({ length: SOURCES }, (_, i) => `BENCH-${String(i + 1).padStart(2, '0')}`);
const publishers: ChildProcess[] = [];
for (const id of ids) {
  const p = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-re',
      '-stream_loop',
      '-1',
      '-i',
      file,
      '-map',
      '0',
      '-c',
      'copy',
      '-f',
      'rtsp',
      '-rtsp_transport',
      'udp',
      `rtsp://127.0.0.1:${publishPort}/${id.toLowerCase()}`,
    ],
    {
      stdio: ['ignore', 'ignore', 'ignore'],
      detached: true,
    },
  );
  children.push(p);
  publishers.push(p);
  await sleep(60);
}
await sleep(1500);
out(`${SOURCES} simulated 1080p25 cameras (H.264 2.5 Mbit/s + G.711) publishing into rtsp://127.0.0.1:${clientPort}/`);

// Phase 1: our pipeline, twice in this run: as a site without upstream push, then the same with one
// province RTMP push of every source (node-media-server on loopback, its own process, not counted).
const load0 = loadavg();
async function ours(push: boolean): Promise<number> {
  const data = mkdtempSync(join(tmpdir(), 'examroom-bench-media-'));
  const cameras = ids.map((id) => `  - { id: ${id}, name: ${id}, room: R1, url: "rtsp://127.0.0.1:${clientPort}/${id.toLowerCase()}" }`).join('\n');
  let platform: ChildProcess | null = null;
  let upstream = '';
  if (push) {
    const rtmpPort = await freePort();
    platform = spawn(process.execPath, ['--import', 'tsx', 'tests/media/upstream-nms.ts', String(rtmpPort), join(data, 'platform')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    children.push(platform);
    await new Promise<void>((res) => platform!.stdout!.once('data', () => res()));
    upstream = `upstream:\n  - { id: prov, name: 省平台, level: province, protocol: rtmp, url: "rtmp://127.0.0.1:${rtmpPort}/live/{source}" }\n`;
  }
  const config = parseConfig(
    `site: { id: bench, name: 基准考点, province: "440000", city: "440100" }
server: { host: 127.0.0.1, port: 0 }
rooms:
  - { id: R1, name: 一号考场, seats: { rows: 8, columns: 8 } }
users:
  - { username: admin, role: admin, password: bench-admin-pass }
retention: { minFreeGiB: 1 }
# Recorded around the clock, through the ingest's own tee: the figure stays the cost of one source
# recording (record: sessions records the same bytes by a second stream-copy ffmpeg inside a window).
media: { record: always }
cameras:
${cameras}
${upstream}`,
    { dataDir: data },
  );
  const app = await buildApp({ config });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'bench-admin-pass' } });
  const cookie = `examroom_session=${login.cookies.find((c) => c.name === 'examroom_session')!.value}`;
  const deadline = Date.now() + 90_000;
  while (app.media.sources().filter((s) => s.state === 'up').length < SOURCES && Date.now() < deadline) await sleep(500);
  const up = app.media.sources().filter((s) => s.state === 'up').length;
  out(`${push ? 'with an RTMP push of every source' : 'no upstream push'}: ingest ${up}/${SOURCES} sources up`);

  // One browser-like viewer per camera (video-only tiles), and the one unmuted tile (stream=sound, the
  // AAC encode), in another process (a browser's cost is not the appliance's).
  const viewers = spawn(
    process.execPath,
    [
      '-e',
      `const W=require('ws');let bytes=0;const ids=${JSON.stringify(ids)};for(const [i,id] of ids.entries()){const s=new W('ws://127.0.0.1:${port}/ws/live/'+id+(i===0?'?stream=sound':''),{headers:{cookie:${JSON.stringify(cookie)}}});s.on('message',(m)=>{bytes+=m.length});s.on('error',()=>{})}
setInterval(()=>console.log(bytes),1000)`,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], detached: true },
  );
  children.push(viewers);
  let viewerBytes = 0;
  viewers.stdout!.setEncoding('utf8').on('data', (d: string) => {
    const n = Number(d.trim().split('\n').pop());
    if (Number.isFinite(n)) viewerBytes = n;
  });
  await sleep(WARMUP_MS);
  const ingestBefore = app.media.sources().reduce((s, x) => s + x.bytes, 0);
  const viewedBefore = viewerBytes;
  const node0 = process.cpuUsage();
  const publisherPids = new Set(publishers.map((p) => p.pid!));
  const m = await measure(() => ffmpegChildren(process.pid, undefined, publisherPids), WINDOW_MS);
  const sound = await measure(() => app.live.relay.sound.pids(), 2000);
  const node1 = process.cpuUsage(node0);
  const nodeSeconds = (node1.user + node1.system) / 1e6;
  const ingestMbit = ((app.media.sources().reduce((s, x) => s + x.bytes, 0) - ingestBefore) * 8) / (WINDOW_MS / 1000) / 1e6;
  const viewedMbit = ((viewerBytes - viewedBefore) * 8) / (WINDOW_MS / 1000) / 1e6;
  const recording = app.media.sources().filter((s) => s.recording).length;
  const pushing = app.live.upstream.status().filter((s) => s.state === 'pushing').length;
  const pct = ((m.seconds + nodeSeconds) / (WINDOW_MS / 1000) / SOURCES) * 100;
  out(
    `  ${WINDOW_MS / 1000} s window: ${m.processes} ffmpeg (ingest, ${app.live.relay.sound.running().length} AAC encodes${push ? ', pushers' : ''}) ${((m.seconds / (WINDOW_MS / 1000)) * 100).toFixed(1)} % + Node (fan-out, index, relay) ${((nodeSeconds / (WINDOW_MS / 1000)) * 100).toFixed(1)} % of a core`,
  );
  out(
    `  ${recording}/${SOURCES} recording, ${pushing} pushing, ingest ${ingestMbit.toFixed(1)} Mbit/s, relayed to viewers ${viewedMbit.toFixed(1)} Mbit/s; ${sound.processes} AAC encodes, each ≈ ${((sound.seconds / 2 / Math.max(1, sound.processes)) * 100).toFixed(1)} % of a core`,
  );
  viewers.kill('SIGKILL');
  await app.close();
  if (platform) process.kill(-platform.pid!, 'SIGKILL');
  rmSync(data, { recursive: true, force: true });
  return pct;
}
const oursPct = await ours(false);
const pushPct = await ours(true);

// Phase 2: MPEG-1 as node-rtsp-stream does it, on the first few of the same cameras.
const encoders: ChildProcess[] = [];
const speeds: string[] = [];
for (const id of ids.slice(0, MPEG1_SOURCES)) {
  const e = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-stats_period',
      '2',
      '-progress',
      'pipe:2',
      '-rtsp_transport',
      'udp',
      '-i',
      `rtsp://127.0.0.1:${clientPort}/${id.toLowerCase()}`,
      '-f',
      'mpegts',
      '-codec:v',
      'mpeg1video',
      '-b:v',
      '1000k',
      '-r',
      '30',
      '-',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  e.stdout!.resume();
  const i = encoders.length;
  e.stderr!.setEncoding('utf8').on('data', (d: string) => {
    const m = /speed=\s*([\d.]+)x/.exec(d);
    if (m) speeds[i] = m[1]!;
  });
  children.push(e);
  encoders.push(e);
}
const encoderPids = new Set(encoders.map((e) => e.pid!));
await sleep(WARMUP_MS);
const mpeg1 = await measure(() => ffmpegChildren(process.pid, encoderPids), WINDOW_MS);
const mpeg1Pct = (mpeg1.seconds / (WINDOW_MS / 1000) / MPEG1_SOURCES) * 100;
out(
  `MPEG-1 (node-rtsp-stream's ffmpeg, ${MPEG1_SOURCES} sources): ${mpeg1Pct.toFixed(1)} % of a core per source (encoding speed ${speeds.map((s) => `${s}×`).join(', ')} real time)`,
);
const pubCpu = publishers.reduce((s, p) => s + cpuSeconds(p.pid!), 0);
out(`not counted: the ${SOURCES} camera publishers used ${pubCpu.toFixed(1)} CPU s in all, the RTSP server ${cpuSeconds(rtsp.pid!).toFixed(1)} CPU s`);
killAll();
const load1 = loadavg();
out(
  `machine: ${cpus().length} cores, load average ${load0.map((l) => l.toFixed(1)).join(' ')} at the start, ${load1.map((l) => l.toFixed(1)).join(' ')} at the end (other work shares it)`,
);
out(`media with an RTMP push of every source: ${pushPct.toFixed(2)} % of a core per source, ${(mpeg1Pct / pushPct).toFixed(0)}× less than MPEG-1`);
out(
  `media: ${oursPct.toFixed(2)} % of a core per source, ${(mpeg1Pct / oursPct).toFixed(0)}× less than MPEG-1 (${SOURCES} sources recorded, every tile watched, one unmuted)`,
);
process.exit(0);
