// `npm run bench -- tiles [TILES=32] [SECONDS=30] [WIDTHxHEIGHT=640x360]`: does the proctor console's
// grid stay smooth with 32 live tiles? Measured in the browser, not the encoders.
//
// The cameras: ONE 10 s H.264 (25 fps, GOP 2 s) + AAC clip, encoded once and cached in
// var/bench-media/, configured TILES times as a file:// camera of room R1 — the ingest reads a file
// with `-re -stream_loop -1` and copies the video, so the sources cost one demuxer each, no encoder.
// Everything else is the real appliance: ingest, recording, the /ws/live relay, and the built
// /proctor/ app in Debian's Chromium (headless, software rendering as on a desk PC without GPU
// acceleration), logged in as the room's invigilator, every tile playing.
//
// Measured over the window, per tile in the page: decoded frames/s and dropped frames
// (video.getVideoPlaybackQuality() deltas), frames presented (requestVideoFrameCallback, counted by
// the player), the player's buffer ahead of the playhead (its part of the live latency) and
// reconnects; for the page: main-thread long tasks (PerformanceObserver 'longtask'); CPU of every
// Chromium process and of the server (this Node process + its ingest ffmpegs) from /proc.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { parseConfig } from '../config/index.ts';
import { buildApp } from '../server/app.ts';

const ROOT = resolve(import.meta.dirname, '..');
const TILES = Number(process.argv[2] ?? 32);
const SECONDS = Number(process.argv[3] ?? 30);
const [WIDTH, HEIGHT] = (process.argv[4] ?? '640x360').split('x').map(Number) as [number, number];
const FPS = 25;
const CHROMIUM = '/usr/bin/chromium';
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const out = (line: string) => process.stdout.write(`${line}\n`);

function clip(): string {
  const dir = join(ROOT, 'var/bench-media');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `tile-${WIDTH}x${HEIGHT}p${FPS}-h264-aac.mkv`);
  if (existsSync(file)) return file;
  out(`encoding the ${WIDTH}x${HEIGHT} camera clip once (cached in var/bench-media/)…`);
  const kbit = Math.round((WIDTH * HEIGHT) / 350);
  const r = spawnSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${WIDTH}x${HEIGHT}:rate=${FPS}`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000',
    '-t', '10', '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', String(FPS * 2), '-keyint_min', String(FPS * 2),
    '-b:v', `${kbit}k`, '-maxrate', `${kbit}k`, '-bufsize', `${kbit * 2}k`, '-c:a', 'aac', '-b:a', '32k', '-ac', '1', '-y', `${file}.tmp.mkv`,
  ]);
  if (r.status !== 0) throw new Error(`encoding the clip failed: ${r.stderr}`);
  spawnSync('mv', [`${file}.tmp.mkv`, file]);
  return file;
}

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  cpu: number;
}

function processes(): Map<number, Proc> {
  const all = new Map<number, Proc>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      all.set(Number(d), { pid: Number(d), ppid: Number(f[1]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK });
    } catch {
      // gone meanwhile
    }
  }
  return all;
}

/** CPU seconds so far of this process's descendants: the ingest ffmpegs, and everything else (Chromium). */
function cpuNow(): { ffmpeg: number; chromium: number; chromiumProcs: number; self: number } {
  const all = processes();
  const kids = new Map<number, number[]>();
  for (const p of all.values()) kids.set(p.ppid, [...(kids.get(p.ppid) ?? []), p.pid]);
  let ffmpeg = 0;
  let chrome = 0;
  let chromiumProcs = 0;
  const walk = (pid: number, inChromium: boolean) => {
    for (const k of kids.get(pid) ?? []) {
      const p = all.get(k)!;
      const c = inChromium || /chrom/i.test(p.comm);
      if (c) (chrome += p.cpu), chromiumProcs++;
      else if (p.comm === 'ffmpeg') ffmpeg += p.cpu;
      walk(k, c);
    }
  };
  walk(process.pid, false);
  const u = process.cpuUsage();
  return { ffmpeg, chromium: chrome, chromiumProcs, self: (u.user + u.system) / 1e6 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};

if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (Debian's chromium package)`);
const built = spawnSync(process.execPath, [join(ROOT, 'server/build-web.mjs'), '--if-stale', 'proctor'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
if (built.status !== 0) throw new Error(`building the proctor app failed:\n${built.stdout}\n${built.stderr}`);

const file = clip();
const data = mkdtempSync(join(tmpdir(), 'examroom-bench-tiles-'));
const ids = Array.from({ length: TILES }, (_, i) => `CAM-${String(i + 1).padStart(2, '0')}`);
const config = parseConfig(
  `site: { id: bench, name: 基准考点, province: "440000", city: "440100" }
server: { host: 127.0.0.1, port: 0 }
rooms:
  - { id: R1, name: 一号考场, seats: { rows: 6, columns: 6 } }
users:
  - { username: admin, role: admin, password: bench-admin-pass }
  - { username: invig, role: invigilator, rooms: [R1], password: bench-invig-pass }
retention: { minFreeGiB: 1 }
cameras:
${ids.map((id) => `  - { id: ${id}, name: 机位 ${id.slice(4)}, room: R1, url: "file://${file}" }`).join('\n')}
`,
  { dataDir: data },
);
const app = await buildApp({ config });
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as { port: number }).port;
const deadline = Date.now() + 60_000;
while (app.media.sources().filter((s) => s.state === 'up').length < TILES && Date.now() < deadline) await sleep(500);
out(`${TILES} cameras: ${WIDTH}x${HEIGHT} ${FPS} fps H.264 + AAC, looped from one file; ingest ${app.media.sources().filter((s) => s.state === 'up').length}/${TILES} up`);

const profile = mkdtempSync(join(tmpdir(), 'examroom-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1920, height: 1080 },
  locale: 'zh-CN',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required'],
});
let result = '';
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(60_000);
  await page.goto(`http://127.0.0.1:${port}/proctor/?room=R1`);
  await page.fill('input[name=username]', 'invig');
  await page.fill('input[name=password]', 'bench-invig-pass');
  await page.click('button[type=submit]');
  await page.getByTestId('tiles').waitFor();
  // The desk looks at the grid: scrolled to the tiles, as an invigilator watching them would be.
  await page.getByTestId('tiles').scrollIntoViewIfNeeded();
  const t0 = Date.now();
  // Page code is passed as text: the server's tsconfig has no DOM types.
  await page.waitForFunction(`document.querySelectorAll('figure.tile[data-state="playing"]').length >= ${TILES}`, undefined, { timeout: 90_000, polling: 250 }).catch(() => {});
  const playing = await page.locator('figure.tile[data-state="playing"]').count();
  out(`console: ${playing}/${TILES} tiles playing after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await sleep(5000); // past the start-up catch-up

  interface Snap {
    at: number;
    tiles: { id: string; total: number; dropped: number; presented: number; buffered: number; reconnects: number; visible: boolean; size: string }[];
    long: { n: number; ms: number; max: number };
  }
  const snap = () =>
    page.evaluate(`(() => {
      const tiles = [...document.querySelectorAll('figure.tile')].map((f) => {
        const v = f.querySelector('video');
        const q = v.getVideoPlaybackQuality();
        const r = f.getBoundingClientRect();
        const id = f.getAttribute('data-source');
        const s = (window.__live || {})[id];
        return {
          id,
          total: q.totalVideoFrames,
          dropped: q.droppedVideoFrames,
          presented: s ? s.frames : 0,
          buffered: s ? s.buffered : 0,
          reconnects: s ? s.reconnects : 0,
          visible: r.bottom > 0 && r.top < window.innerHeight,
          size: Math.round(r.width) + 'x' + Math.round(r.height),
        };
      });
      return { at: performance.now(), tiles, long: { ...(window.__longtasks || { n: 0, ms: 0, max: 0 }) } };
    })()`) as Promise<Snap>;
  await page.evaluate(`(() => {
    window.__longtasks = { n: 0, ms: 0, max: 0 };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__longtasks.n++;
        window.__longtasks.ms += e.duration;
        window.__longtasks.max = Math.max(window.__longtasks.max, e.duration);
      }
    }).observe({ type: 'longtask', buffered: false });
  })()`);
  const load0 = loadavg()[0]!;
  const cpu0 = cpuNow();
  const a = await snap();
  const buffered: Record<string, number[]> = {};
  for (let i = 0; i < SECONDS; i++) {
    await sleep(1000);
    const s = await snap();
    for (const tile of s.tiles) (buffered[tile.id] ??= []).push(tile.buffered);
  }
  const b = await snap();
  const cpu1 = cpuNow();
  const load1 = loadavg()[0]!;
  const secs = (b.at - a.at) / 1000;

  const rows = b.tiles.map((tb) => {
    const ta = a.tiles.find((x) => x.id === tb.id)!;
    const decoded = (tb.total - ta.total) / secs;
    const dropped = tb.dropped - ta.dropped;
    const frames = tb.total - ta.total;
    return {
      id: tb.id,
      decoded,
      shown: (frames - dropped) / secs,
      presented: (tb.presented - ta.presented) / secs,
      droppedPct: frames > 0 ? (dropped / frames) * 100 : 0,
      buffered: median(buffered[tb.id] ?? []),
      reconnects: tb.reconnects - ta.reconnects,
      visible: tb.visible,
      size: tb.size,
    };
  });
  out(`window ${secs.toFixed(1)} s, ${rows.filter((r) => r.visible).length} tiles on screen (${rows[0]?.size ?? '?'} px each), load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`);
  out('tile     decoded/s  shown/s  presented/s  dropped  buffer ahead  reconnects');
  for (const r of rows) out(`${r.id.padEnd(8)} ${r.decoded.toFixed(1).padStart(9)}  ${r.shown.toFixed(1).padStart(7)}  ${r.presented.toFixed(1).padStart(11)}  ${r.droppedPct.toFixed(1).padStart(6)} %  ${r.buffered.toFixed(2).padStart(10)} s  ${String(r.reconnects).padStart(10)}`);
  const fps = rows.map((r) => r.shown);
  const allFrames = b.tiles.reduce((s, t, i) => s + t.total - a.tiles[i]!.total, 0);
  const allDropped = b.tiles.reduce((s, t, i) => s + t.dropped - a.tiles[i]!.dropped, 0);
  const droppedPct = allFrames ? (allDropped / allFrames) * 100 : 0;
  const chromePct = ((cpu1.chromium - cpu0.chromium) / secs) * 100;
  const serverPct = ((cpu1.ffmpeg - cpu0.ffmpeg + cpu1.self - cpu0.self) / secs) * 100;
  const long = { n: b.long.n - a.long.n, ms: b.long.ms - a.long.ms, max: b.long.max };
  out(`per tile, frames shown/s (source ${FPS}): min ${Math.min(...fps).toFixed(1)}, median ${median(fps).toFixed(1)}, max ${Math.max(...fps).toFixed(1)}; dropped ${droppedPct.toFixed(1)} % of decoded frames`);
  out(`player buffer ahead of the playhead: median ${median(rows.map((r) => r.buffered)).toFixed(2)} s, max ${Math.max(...rows.map((r) => r.buffered)).toFixed(2)} s; reconnects ${rows.reduce((s, r) => s + r.reconnects, 0)}`);
  out(`main thread: ${long.n} long tasks (${((long.ms / secs / 1000) * 100).toFixed(1)} % of the time, longest ${long.max.toFixed(0)} ms)`);
  out(`CPU, % of one core: Chromium ${chromePct.toFixed(0)} % (${cpu1.chromiumProcs} processes), server ${serverPct.toFixed(0)} % (Node ${(((cpu1.self - cpu0.self) / secs) * 100).toFixed(0)} % incl. this bench's page polling, ${TILES} ingest ffmpeg ${(((cpu1.ffmpeg - cpu0.ffmpeg) / secs) * 100).toFixed(0)} %)`);
  result = `tiles: ${TILES} tiles, median ${median(fps).toFixed(1)} fps, min ${Math.min(...fps).toFixed(1)} fps, dropped ${droppedPct.toFixed(1)} %, chromium ${chromePct.toFixed(0)} % cpu`;
} finally {
  await context.close();
  await app.close();
  rmSync(data, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
out(result);
process.exit(0);
