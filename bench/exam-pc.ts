// `npm run bench -- exam-pc [SECONDS=20]`: what one exam PC's screen recording costs — upload and CPU —
// at the default 2 fps, for a still screen (a candidate reading) and a changing one (the page repaints
// twice a second, as when scrolling or paging through questions), in one run on one display.
//
// Headful, as on a PC: Xvfb (1280×720) and Debian's Chromium with the exam-PC flags (kiosk,
// --auto-select-desktop-capture-source), the real terminal app served over HTTPS by the real appliance
// in this process, paired through the room's bulk approval; the page captures the whole monitor and
// sends H.264 over /ws/screen, which the server ingests and records. Upload: the sender's own byte count
// (window.__screen.bytesSent). CPU: every Chromium process (/proc), as a share of one core.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, TEST_HOST, buildTestApp, httpsTestConfig, listenForTests, servedTlsOf } from '../tests/helpers.ts';

const SECONDS = Number(process.argv[2] ?? 20);
const SCREEN = { width: 1280, height: 720 };

const built = spawnSync(process.execPath, [join(ROOT, 'server/build-web.mjs'), '--if-stale', 'terminal'], { cwd: ROOT, encoding: 'utf8' });
if (built.status !== 0) throw new Error(`building the terminal app failed: ${built.stderr}`);

async function startXvfb(): Promise<{ display: string; proc: ChildProcess }> {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${SCREEN.width}x${SCREEN.height}x24`, '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const display = await new Promise<string>((resolve, reject) => {
    let got = '';
    (proc.stdio[3] as NodeJS.ReadableStream).on('data', (d) => {
      got += String(d);
      if (got.includes('\n')) resolve(`:${got.trim()}`);
    });
    proc.on('exit', (code) => reject(new Error(`Xvfb exited (${code}); is xvfb installed?`)));
  });
  return { display, proc };
}

function cpuSecondsOfTree(rootPid: number): number {
  const procs = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // gone meanwhile
    }
  }
  let ticks = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    ticks += procs.get(pid)?.ticks ?? 0;
    for (const [child, p] of procs) if (p.ppid === pid) stack.push(child);
  }
  return ticks / 100;
}

const dir = mkdtempSync(join(tmpdir(), 'examroom-bench-exam-pc-'));
const app = await buildTestApp({ config: httpsTestConfig(join(dir, 'data'), 'media: { record: always }\n') });
const { base, port } = await listenForTests(app);
const x = await startXvfb();
const profile = join(dir, 'profile');
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: false,
  viewport: null,
  ignoreDefaultArgs: ['--enable-automation'],
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--kiosk',
    `--window-size=${SCREEN.width},${SCREEN.height}`,
    '--window-position=0,0',
    '--auto-select-desktop-capture-source=Entire screen',
    `--host-resolver-rules=MAP ${TEST_HOST} 127.0.0.1`,
    `--ignore-certificate-errors-spki-list=${servedTlsOf(port)!.spki.join(',')}`,
  ],
  env: { ...process.env, DISPLAY: x.display, LANGUAGE: 'en_US:en' },
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${base}/terminal/?device=T1`);
  await page.getByTestId('pairing-code').waitFor({ timeout: 30_000 });
  for (let i = 0; i < 100 && app.ctx.devices.pending().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  app.ctx.devices.approveRoom('R1', 'bench');
  const sent = () => page.evaluate('window.__screen?.state === "sending" ? window.__screen.bytesSent : -1') as Promise<number>;
  for (let i = 0; i < 300 && (await sent()) < 0; i++) await new Promise((r) => setTimeout(r, 100));
  if ((await sent()) < 0) throw new Error('the page never sent its screen');
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout.split('\n');
  const browserPid = Number(
    ps
      .find((l) => l.includes(`--user-data-dir=${profile}`) && !l.includes('--type='))!
      .trim()
      .split(/\s+/)[0],
  );
  // The first 4 s of a capture go at 10 fps: past them before measuring.
  await new Promise((r) => setTimeout(r, 6000));

  const measure = async (label: string) => {
    const from = { bytes: await sent(), cpu: cpuSecondsOfTree(browserPid), at: Date.now() };
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const to = { bytes: await sent(), cpu: cpuSecondsOfTree(browserPid), at: Date.now() };
    const s = (to.at - from.at) / 1000;
    const kbits = ((to.bytes - from.bytes) * 8) / 1000 / s;
    const cpu = ((to.cpu - from.cpu) / s) * 100;
    process.stdout.write(`${label}: upload ${kbits.toFixed(0)} kbit/s, Chromium CPU ${cpu.toFixed(1)} % of one core over ${s.toFixed(0)} s\n`);
    return { kbits, cpu };
  };
  const still = await measure('still screen');
  // A repaint twice a second: a new colour and a block of text moving, the whole page changed.
  await page.evaluate(`setInterval(() => {
    const n = Date.now() / 500 | 0;
    document.body.style.background = 'hsl(' + (n * 47 % 360) + ',60%,85%)';
    document.body.style.transform = 'translateY(' + (n % 2 ? 8 : 0) + 'px)';
  }, 500)`);
  const changing = await measure('changing screen');
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  process.stdout.write(`machine: load average ${load} (1, 5, 15 min) on ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores\n`);
  process.stdout.write(
    `exam-pc: still ${still.kbits.toFixed(0)} kbit/s ${still.cpu.toFixed(1)} % CPU, changing ${changing.kbits.toFixed(0)} kbit/s ${changing.cpu.toFixed(1)} % CPU (1280x720, 2 fps, load ${load.split(' ')[0]})\n`,
  );
} finally {
  await context.close();
  x.proc.kill();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
