// `npm run bench -- tiles [--sub | --room] [TILES=32] [SECONDS=30] [WIDTHxHEIGHT=640x360]`: does the
// proctor console's grid stay smooth with 32 live tiles? Measured in the browser, not the encoders.
//
// The cameras: ONE 10 s H.264 (25 fps, GOP 2 s) + AAC clip, encoded once and cached in
// var/bench-media/, configured TILES times as a file:// camera of room R1 — the ingest reads a file
// with `-re -stream_loop -1` and copies the video, so the sources cost one demuxer each, no encoder.
//   --sub   every camera also has a sub-stream (subUrl) that the grid tiles play: a 320×180 clip at
//           12 fps, the reduced rate NVR grids use (--sub=WxH@FPS for another, e.g. --sub=320x180@25).
//   --room  a real exam room: 2 cameras + (TILES - 2) terminal screens. A screen reaches the player as
//           the same MPEG-TS over /ws/live as a camera (media/screens.ts ingests the terminal's WebM
//           with stream copy), so it is simulated as a file source shaped like terminal/web/src/screen.ts
//           sends it: 1280×720, 2 fps, a key frame every 4 s, 300 kbit/s, constrained baseline (Chromium's
//           MediaRecorder encodes H.264 with OpenH264: no B-frames), no sound.
// Smoothness is judged against each source's own frame rate: a screen showing 2 fps of 2 is smooth.
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
const subFlag = process.argv.slice(2).find((a) => a.startsWith('--sub'));
const flags = new Set(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith('--'))
    .map((a) => a.replace(/=.*/, '')),
);
for (const f of flags) if (f !== '--sub' && f !== '--room') throw new Error(`unknown option ${f} (options: --sub[=WxH@FPS], --room)`);
const subShape = /^--sub=(\d+)x(\d+)@(\d+)$/.exec(subFlag ?? '');
if (subFlag && subFlag !== '--sub' && !subShape) throw new Error(`${subFlag}: write --sub or --sub=WIDTHxHEIGHT@FPS, e.g. --sub=320x180@25`);
const MODE: 'cameras' | 'sub' | 'room' = flags.has('--room') ? 'room' : flags.has('--sub') ? 'sub' : 'cameras';
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const TILES = Number(args[0] ?? 32);
const SECONDS = Number(args[1] ?? 30);
const [WIDTH, HEIGHT] = (args[2] ?? '640x360').split('x').map(Number) as [number, number];
const FPS = 25;
const SUB = subShape ? { width: Number(subShape[1]), height: Number(subShape[2]), fps: Number(subShape[3]) } : { width: 320, height: 180, fps: 12 };
const SCREEN = { width: 1280, height: 720, fps: 2 };
const CHROMIUM = '/usr/bin/chromium';
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const out = (line: string) => process.stdout.write(`${line}\n`);

/** A looped clip, encoded once: a camera (GOP 2 s, with sound) or a terminal screen (GOP 4 s, 300 kbit/s, silent). */
function clip(width = WIDTH, height = HEIGHT, fps = FPS, screen = false): string {
  const dir = join(ROOT, 'var/bench-media');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${screen ? 'screen' : 'tile'}-${width}x${height}p${fps}-h264${screen ? '' : '-aac'}.mkv`);
  if (existsSync(file)) return file;
  out(`encoding the ${width}x${height} ${screen ? 'screen' : 'camera'} clip once (cached in var/bench-media/)…`);
  const kbit = screen ? 300 : Math.round((width * height) / 350);
  const gop = screen ? fps * 4 : fps * 2;
  const r = spawnSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=${fps}`,
    ...(screen ? [] : ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000']),
    '-t',
    screen ? '20' : '10',
    '-map',
    '0:v',
    ...(screen ? ['-an'] : ['-map', '1:a']),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    ...(screen ? ['-profile:v', 'baseline'] : []),
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(gop),
    '-keyint_min',
    String(gop),
    '-b:v',
    `${kbit}k`,
    '-maxrate',
    `${kbit}k`,
    '-bufsize',
    `${kbit * 2}k`,
    ...(screen ? [] : ['-c:a', 'aac', '-b:a', '32k', '-ac', '1']),
    '-y',
    `${file}.tmp.mkv`,
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
      all.set(Number(d), {
        pid: Number(d),
        ppid: Number(f[1]),
        comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK,
      });
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
const built = spawnSync(process.execPath, [join(ROOT, 'server/build-web.mjs'), '--if-stale', 'proctor'], {
  cwd: ROOT,
  encoding: 'utf8',
  env: { ...process.env, CI: 'true' },
});
if (built.status !== 0) throw new Error(`building the proctor app failed:\n${built.stdout}\n${built.stderr}`);

const file = clip();
const subFile = MODE === 'sub' ? clip(SUB.width, SUB.height, SUB.fps) : null;
const screenFile = MODE === 'room' ? clip(SCREEN.width, SCREEN.height, SCREEN.fps, true) : null;
const data = mkdtempSync(join(tmpdir(), 'examroom-bench-tiles-'));
const CAMERAS = MODE === 'room' ? Math.min(2, TILES) : TILES;
const ids = Array.from({ length: TILES }, (_, i) =>
  i < CAMERAS ? `CAM-${String(i + 1).padStart(2, '0')}` : `SCR-${String(i + 1 - CAMERAS).padStart(2, '0')}`,
);
/** What each tile plays, at what frame rate: its smoothness is judged against that. */
const tileFps = new Map(ids.map((id, i) => [id, i < CAMERAS ? (MODE === 'sub' ? SUB.fps : FPS) : SCREEN.fps]));
const entry = (id: string, i: number) =>
  i < CAMERAS
    ? `  - { id: ${id}, name: 机位 ${id.slice(4)}, room: R1, url: "file://${file}"${subFile ? `, subUrl: "file://${subFile}"` : ''} }`
    : `  - { id: ${id}, name: 屏幕 ${id.slice(4)}, room: R1, url: "file://${screenFile}", audio: false }`;
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
${ids.map(entry).join('\n')}
`,
  { dataDir: data },
);
const app = await buildApp({ config });
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as { port: number }).port;
const deadline = Date.now() + 60_000;
const up = () => app.media.sources().filter((s) => s.state === 'up' && (s.sub === null || s.sub.state === 'up')).length;
while (up() < TILES && Date.now() < deadline) await sleep(500);
const what =
  MODE === 'room'
    ? `${CAMERAS} cameras ${WIDTH}x${HEIGHT} ${FPS} fps H.264 + AAC and ${TILES - CAMERAS} terminal screens ${SCREEN.width}x${SCREEN.height} ${SCREEN.fps} fps H.264`
    : `${TILES} cameras: ${WIDTH}x${HEIGHT} ${FPS} fps H.264 + AAC${MODE === 'sub' ? `, each with a ${SUB.width}x${SUB.height} ${SUB.fps} fps sub-stream that the grid plays` : ''}`;
out(`${what}, looped from files; ingest ${up()}/${TILES} up`);

const profile = mkdtempSync(join(tmpdir(), 'examroom-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1920, height: 1080 },
  locale: 'zh-CN',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--autoplay-policy=no-user-gesture-required',
  ],
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
  // Polled from here: the console's CSP (no eval) refuses waitForFunction's polling in the page.
  // Tiles out of view are paused by the player and are not waited for.
  const onScreen = () =>
    page.evaluate(
      `[...document.querySelectorAll('figure.tile')].filter((f) => { const r = f.getBoundingClientRect(); return r.bottom > 0 && r.top < window.innerHeight; }).length`,
    ) as Promise<number>;
  const playingNow = () => page.locator('figure.tile[data-state="playing"]').count();
  while (Date.now() - t0 < 90_000 && (await playingNow()) < (await onScreen())) await sleep(250);
  out(`console: ${await playingNow()}/${TILES} tiles playing (${await onScreen()} on screen) after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await sleep(5000); // past the start-up catch-up

  interface Snap {
    at: number;
    tiles: {
      id: string;
      total: number;
      dropped: number;
      presented: number;
      buffered: number;
      reconnects: number;
      visible: boolean;
      size: string;
      stream: string;
      state: string;
    }[];
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
          stream: f.getAttribute('data-stream') || 'main',
          state: f.getAttribute('data-state'),
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
    const fps = tileFps.get(tb.id) ?? FPS;
    return {
      id: tb.id,
      fps,
      smooth: ((frames - dropped) / secs / fps) * 100,
      stream: tb.stream,
      state: tb.state,
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
  out(
    `window ${secs.toFixed(1)} s, ${rows.filter((r) => r.visible).length} tiles on screen (${rows[0]?.size ?? '?'} px each), load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`,
  );
  out('tile     stream  source  decoded/s  shown/s  of source  presented/s  dropped  buffer ahead  reconnects');
  for (const r of rows)
    out(
      `${r.id.padEnd(8)} ${r.stream.padEnd(6)} ${`${r.fps} fps`.padStart(7)}  ${r.decoded.toFixed(1).padStart(9)}  ${r.shown.toFixed(1).padStart(7)}  ${r.smooth.toFixed(0).padStart(7)} %  ${r.presented.toFixed(1).padStart(11)}  ${r.droppedPct.toFixed(1).padStart(6)} %  ${r.buffered.toFixed(2).padStart(10)} s  ${String(r.reconnects).padStart(10)}${r.visible ? '' : `  (off screen: ${r.state})`}`,
    );
  // Judged on the tiles a person can see; a tile off screen is paused by design (web/video/player.ts).
  const seen = rows.filter((r) => r.visible);
  const fps = seen.map((r) => r.shown);
  const smooth = seen.map((r) => Math.min(100, r.smooth));
  const kinds = [...new Set(seen.map((r) => r.fps))].sort((a, b) => b - a);
  for (const k of kinds) {
    const of = seen.filter((r) => r.fps === k).map((r) => r.shown);
    out(`tiles of ${k} fps sources (${of.length}): frames shown/s median ${median(of).toFixed(1)}, min ${Math.min(...of).toFixed(1)}`);
  }
  const allFrames = b.tiles.reduce((s, t, i) => s + t.total - a.tiles[i]!.total, 0);
  const allDropped = b.tiles.reduce((s, t, i) => s + t.dropped - a.tiles[i]!.dropped, 0);
  const droppedPct = allFrames ? (allDropped / allFrames) * 100 : 0;
  const chromePct = ((cpu1.chromium - cpu0.chromium) / secs) * 100;
  const serverPct = ((cpu1.ffmpeg - cpu0.ffmpeg + cpu1.self - cpu0.self) / secs) * 100;
  const long = { n: b.long.n - a.long.n, ms: b.long.ms - a.long.ms, max: b.long.max };
  out(
    `per tile on screen, frames shown/s: min ${Math.min(...fps).toFixed(1)}, median ${median(fps).toFixed(1)}, max ${Math.max(...fps).toFixed(1)}; of the source's own rate: median ${median(smooth).toFixed(0)} %, min ${Math.min(...smooth).toFixed(0)} %; dropped ${droppedPct.toFixed(1)} % of decoded frames`,
  );
  out(
    `player buffer ahead of the playhead: median ${median(rows.map((r) => r.buffered)).toFixed(2)} s, max ${Math.max(...rows.map((r) => r.buffered)).toFixed(2)} s; reconnects ${rows.reduce((s, r) => s + r.reconnects, 0)}`,
  );
  out(`main thread: ${long.n} long tasks (${((long.ms / secs / 1000) * 100).toFixed(1)} % of the time, longest ${long.max.toFixed(0)} ms)`);
  const ingests = TILES + (MODE === 'sub' ? TILES : 0);
  out(
    `CPU, % of one core: Chromium ${chromePct.toFixed(0)} % (${cpu1.chromiumProcs} processes), server ${serverPct.toFixed(0)} % (Node ${(((cpu1.self - cpu0.self) / secs) * 100).toFixed(0)} % incl. this bench's page polling, ${ingests} ingest ffmpeg ${(((cpu1.ffmpeg - cpu0.ffmpeg) / secs) * 100).toFixed(0)} %)`,
  );
  const label =
    MODE === 'room' ? ` (${CAMERAS} cameras + ${TILES - CAMERAS} screens)` : MODE === 'sub' ? ` (sub-streams ${SUB.width}x${SUB.height} ${SUB.fps} fps)` : '';
  result = `tiles: ${TILES} tiles${label}, ${seen.length} on screen, median ${median(smooth).toFixed(0)} % / min ${Math.min(...smooth).toFixed(0)} % of source fps, median ${median(fps).toFixed(1)} fps, min ${Math.min(...fps).toFixed(1)} fps, dropped ${droppedPct.toFixed(1)} %, chromium ${chromePct.toFixed(0)} % cpu`;
} finally {
  await context.close();
  await app.close();
  rmSync(data, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
out(result);
process.exit(0);
