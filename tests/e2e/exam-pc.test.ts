// End to end, HEADFUL: an exam PC as the Debian provisioning script makes it (terminal/provision/
// exam-pc-debian.sh), on a real X display (Xvfb), records its WHOLE SCREEN — not the tab. The script's
// files are written under a scratch root (--root) and read back: Chromium runs with the script's own
// flags file (kiosk mode, --auto-select-desktop-capture-source) on the script's start URL. Its managed
// policies go to /etc/chromium/policies, which a test on a shared machine must not write (and Chromium
// takes no policy from its command line), so the policy file is checked, not applied; the gesture-free
// capture it allows is what the auto-select flag gives on X11 as well.
// A second X client (xlogo, a solid magenta window) is drawn over the kiosk browser after the capture
// started, and that magenta is found in a frame of the recording fetched back over the playback API:
// the page cannot draw it, only a capture of the display can contain it.
// What the recording costs per PC (upload, CPU) is measured by `npm run bench -- exam-pc` (docs/exam-pcs.md).
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, TEST_CONFIG_YAML, TEST_HOST, buildTestApp, listenForTests, login, PASSWORDS, scratchDir, testKeysFolder } from '../helpers.ts';
import { parseConfig } from '../../config/index.ts';
import { builtEntryOf } from '../../server/routes/web.ts';
import { chainedSteps, requireChromiumAndApps } from './browser.ts';
import { until } from '../wait.ts';

const SCRIPT = join(ROOT, 'terminal/provision/exam-pc-debian.sh');
const ARTIFACTS = join(ROOT, 'tests/artifacts/exam-pc');
const SCREEN = { width: 1280, height: 720 };
/** Where the second X client draws: well inside the screen, away from the page's centred log-in form. */
const PATCH = { x: 1000, y: 470, w: 240, h: 200 };

requireChromiumAndApps('terminal');
for (const tool of ['Xvfb', 'xlogo', 'ffmpeg']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    t.fail(`${tool} is missing: the headful exam-PC test needs xvfb, x11-apps and ffmpeg (server/setup.mjs installs them for tests)`);
    process.exit(1);
  }
}

/** Xvfb on a display number it picks itself (-displayfd), so parallel test files never collide. */
async function startXvfb(): Promise<{ display: string; proc: ChildProcess }> {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${SCREEN.width}x${SCREEN.height}x24`, '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d) => void (err += String(d)));
  const display = await new Promise<string>((resolve, reject) => {
    let got = '';
    (proc.stdio[3] as NodeJS.ReadableStream).on('data', (d) => {
      got += String(d);
      if (got.includes('\n')) resolve(`:${got.trim()}`);
    });
    proc.on('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${err.slice(-400)}`)));
  });
  return { display, proc };
}

/** Runs a tool without blocking the event loop (the server under test lives in this process). */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d) => void (stderr += String(d)));
    p.on('close', (status) => resolve({ status, stdout: Buffer.concat(out), stderr }));
  });
}

/** The average colour of a box of the last frame of a recorded segment, in screen coordinates. */
async function colourIn(file: string, box: { x: number; y: number; w: number; h: number }, frameWidth: number): Promise<[number, number, number]> {
  const s = frameWidth / SCREEN.width;
  const crop = `crop=${Math.round(box.w * s)}:${Math.round(box.h * s)}:${Math.round(box.x * s)}:${Math.round(box.y * s)},scale=1:1:flags=area`;
  // Every frame, one pixel each: the last three bytes are the last frame's.
  const r = await run('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', file, '-vf', crop, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  const n = r.stdout.length;
  if (r.status !== 0 || n < 3) throw new Error(`ffmpeg could not read ${file}: ${r.stderr}`);
  return [r.stdout[n - 3]!, r.stdout[n - 2]!, r.stdout[n - 1]!];
}

t.test('an exam PC set up by the Debian script records its whole X display, kiosk and all, and passes the log-in checks', async (t) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = scratchDir(t, 'examroom-e2e-exam-pc-');
  // The lab's default turns the exam-PC log-in checks off (tests/helpers.ts); here they are on, as on a site.
  const yaml = TEST_CONFIG_YAML.replace('server: { host: 127.0.0.1, port: 0 }', `server: { host: 127.0.0.1, port: 0, tls: site-ca, names: [${TEST_HOST}] }`)
    .replace(/examPcs: .*\n/, '')
    .concat(`paths: { keys: ${JSON.stringify(testKeysFolder())} }\nmedia: { segmentSeconds: 2, record: always }\n`);
  const app = await buildTestApp({ config: parseConfig(yaml, { dataDir: join(dir, 'data') }) });
  t.teardown(() => app.close());
  const { base } = await listenForTests(app);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const segments: { sourceId: string; segmentId: number; start: number; end: number }[] = [];
  app.ctx.bus.on('recording.segment', (p) => void segments.push(p as (typeof segments)[number]));

  const step = chainedSteps(async () => {});
  const root = join(dir, 'pc-root');
  const caFile = join(dir, 'site-ca.crt');
  writeFileSync(caFile, app.tls!.caPem()!);
  const fingerprint = new X509Certificate(app.tls!.caPem()!).fingerprint256;
  const home = join(dir, 'home');
  mkdirSync(home);
  const provision = (...args: string[]) => run('sh', [SCRIPT, '--root', root, '--no-install', ...args]);

  await step(t, 'a CA whose fingerprint differs stops the script before anything is written', async (t) => {
    const r = await provision('--server', base, '--seat', 'T1', '--ca', caFile, '--ca-fingerprint', '00'.repeat(32));
    t.equal(r.status, 1, 'exit 1');
    t.match(r.stderr, /the site CA has fingerprint [0-9a-f]{64}, not 0{64}: stopping, nothing trusted/);
    t.notOk(existsSync(join(root, 'usr/local/share/ca-certificates/examroom-site-ca.crt')), 'the CA is not trusted');
    t.notOk(existsSync(join(root, 'etc/chromium/policies/managed/examroom-exam-pc.json')), 'no policy written');
  });

  let flags: string[] = [];
  let startUrl = '';
  await step(t, 'the script trusts the checked CA, writes the policies for the appliance origin alone and the kiosk session', async (t) => {
    const r = await provision('--server', base, '--seat', 'T1', '--ca', caFile, '--ca-fingerprint', fingerprint, '--kiosk-home', home);
    t.equal(r.status, 0, r.stderr);
    const said = r.stdout.toString();
    t.match(said, /the site CA's fingerprint matches/);
    t.match(said, /trusted the site CA in the NSS store/, 'the browser will trust the appliance by the CA, as on a PC');
    t.match(said, /wrote \/etc\/chromium\/policies\/managed\/examroom-exam-pc\.json/);
    const policy = JSON.parse(readFileSync(join(root, 'etc/chromium/policies/managed/examroom-exam-pc.json'), 'utf8')) as Record<string, unknown>;
    t.match(
      policy,
      {
        URLBlocklist: ['*'],
        URLAllowlist: [base],
        ScreenCaptureAllowedByOrigins: [base],
        ScreenCaptureWithoutGestureAllowedForOrigins: [base],
        VideoCaptureAllowedUrls: [base],
        DeveloperToolsAvailability: 2,
        DownloadRestrictions: 3,
        PrintingEnabled: false,
        ExtensionInstallBlocklist: ['*'],
        PasswordManagerEnabled: false,
        TranslateEnabled: false,
      },
      'the policies name the appliance origin only',
    );
    t.notOk('//' in policy, 'the template comment is not written as a policy');
    flags = readFileSync(join(root, 'etc/examroom-exam-pc/chromium-flags'), 'utf8').split('\n').filter(Boolean);
    startUrl = readFileSync(join(root, 'etc/examroom-exam-pc/start-url'), 'utf8').trim();
    t.equal(startUrl, `${base}/terminal/?device=T1`, 'the start URL names the seat');
    t.ok(flags.includes('--kiosk') && flags.includes('--auto-select-desktop-capture-source=Entire screen'), 'kiosk mode, whole screen by itself');
  });

  const x = await startXvfb();
  t.teardown(() => void x.proc.kill());
  // The script's own X session runs Chromium (its flags file, its window size, its profile; the site CA
  // trusted in the NSS store the script filled). The lab adds, as a site may in chromium-flags.local: the
  // test name's address, no sandbox (root), and a DevTools port for the test to drive the page it opened. No stand-in camera: Chromium's fake devices
  // would replace the screen capture too, and the lab has no webcam.
  const profile = join(home, '.config/examroom-exam-pc');
  writeFileSync(
    join(root, 'etc/examroom-exam-pc/chromium-flags.local'),
    ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--remote-debugging-port=0', `--host-resolver-rules=MAP ${TEST_HOST} 127.0.0.1`].join('\n'),
  );
  const session = spawn('sh', [join(root, 'usr/local/lib/examroom/exam-pc-session')], {
    env: { ...process.env, DISPLAY: x.display, HOME: home, EXAMROOM_PC_ETC: join(root, 'etc/examroom-exam-pc') },
    stdio: 'ignore',
    detached: true,
  });
  // The session restarts a closed browser: its whole process group goes.
  t.teardown(() => {
    try {
      process.kill(-session.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
  });
  const port = await until(
    "the session's Chromium to open its DevTools port",
    () => {
      try {
        return readFileSync(join(profile, 'DevToolsActivePort'), 'utf8').split('\n')[0];
      } catch {
        return null;
      }
    },
    30_000,
  );
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  let seen = '';
  const page = await until('the start page', () => {
    const pages = browser.contexts().flatMap((c) => c.pages());
    seen = pages.map((p) => p.url()).join(', ');
    return pages.find((p) => p.url().startsWith(base));
  }).catch(async (err: Error) => {
    await run('ffmpeg', [
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'x11grab',
      '-video_size',
      `${SCREEN.width}x${SCREEN.height}`,
      '-i',
      x.display,
      '-frames:v',
      '1',
      join(ARTIFACTS, 'no-start-page.png'),
    ]);
    throw new Error(`${err.message} (the browser shows: ${seen || 'no page'}; a screenshot is in ${ARTIFACTS})`);
  });
  page.setDefaultTimeout(30_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const screenStatus = () =>
    page.evaluate('window.__screen ?? null') as Promise<{
      state: string;
      bytesSent: number;
      captured: { width: number; height: number; displaySurface: string | null } | null;
    } | null>;

  await step(t, "the room's bulk approval pairs the PC by its ?device= id; the whole monitor is captured without a picker", async (t) => {
    t.equal(page.url(), startUrl, 'the session opened the start URL');
    const code = ((await page.getByTestId('pairing-code').textContent()) ?? '').replace(/\D/g, '');
    const bulk = await until('the request to be listed', async () => {
      const r = await app.inject({ method: 'GET', url: '/api/devices/pairings', headers: { cookie: admin } });
      return (r.json() as { code: string }[]).some((p) => p.code === code) && r;
    });
    t.ok(bulk);
    const ok = await app.inject({ method: 'POST', url: '/api/devices/pairings/approve-room', headers: { cookie: admin }, payload: { roomId: 'R1' } });
    t.match(ok.json(), { approved: [{ deviceId: 'T1', seat: '01' }], left: [] }, 'approved with the room');
    const s = await until(
      'the page to send its screen',
      async () => {
        const s = await screenStatus();
        return s?.state === 'sending' && s;
      },
      30_000,
    );
    t.match(s.captured, { displaySurface: 'monitor', width: SCREEN.width, height: SCREEN.height }, 'the monitor, at the display size');
  });

  await step(t, 'the health report shows the PC ready: kiosk, whole monitor, the server’s build', async (t) => {
    const d = await until('a report with the capture', async () => {
      const r = await app.inject({ method: 'GET', url: '/api/devices', headers: { cookie: admin } });
      const d = (
        r.json() as { id: string; problems?: string[]; health: { screenCapture: { state: string }; display?: unknown; appHash?: string } | null }[]
      ).find((x) => x.id === 'T1');
      return d?.health?.screenCapture.state === 'capturing' && d;
    });
    t.match(d.health, { screenCapture: { surface: 'monitor' }, display: { kiosk: true }, appHash: builtEntryOf('terminal/web') });
    t.same(d.problems, ['no_camera'], 'nothing to warn about but the camera the lab does not have');
    const ready = await app.inject({ method: 'GET', url: '/api/devices/readiness?roomId=R1', headers: { cookie: admin } });
    t.match((ready.json() as { warnings: unknown[] }).warnings, [{ deviceId: 'T1', problems: ['no_camera'] }], 'the same before the session');
  });

  await step(t, 'a log-in from this PC passes the PC checks (the refusal is only that no session is open)', async (t) => {
    const field = page.getByLabel('准考证号或身份证号');
    await field.fill('44010120260001');
    await field.press('Enter');
    const said = await until('the refusal', async () => {
      const text = (await page.locator('#login-error').allTextContents()).join(' ');
      return text.trim() && text;
    });
    t.match(said, /尚未开始检录/, `session_not_open, not a PC check: ${said}`);
    const refused = app.ctx.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'terminal.login_pc_refused'").get() as { n: number };
    t.equal(refused.n, 0, 'no PC-check refusal audited');
  });

  await step(t, 'a window drawn on the display outside the page is in the recording, and the recording plays', async (t) => {
    const logo = spawn('xlogo', ['-display', x.display, '-geometry', `${PATCH.w}x${PATCH.h}+${PATCH.x}+${PATCH.y}`, '-bg', '#ff00ff', '-fg', '#ff00ff'], {
      stdio: 'ignore',
    });
    t.teardown(() => void logo.kill());
    const drawnAt = Date.now();
    // The recorder's key frames come every 4 s at most: a segment that starts after the drawing shows it.
    const seg = await until('a segment recorded after the drawing', () => segments.find((s) => s.sourceId === 'SCREEN-T1' && s.start > drawnAt + 500), 40_000);
    const res = await app.inject({ method: 'GET', url: `/api/media/segments/${seg.segmentId}.ts`, headers: { cookie: admin } });
    t.equal(res.statusCode, 200, 'the segment plays back over HTTP');
    const file = join(ARTIFACTS, 'segment-with-xlogo.ts');
    writeFileSync(file, res.rawPayload);
    const probe = await run('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,width,nb_read_frames', '-of', 'json', file]);
    const video = (JSON.parse(probe.stdout.toString()) as { streams: { codec_name: string; width: number; nb_read_frames: string }[] }).streams[0]!;
    t.match(video, { codec_name: 'h264' }, 'H.264');
    t.ok(Number(video.nb_read_frames) >= 2, `${video.nb_read_frames} frames decode`);
    const inPatch = await colourIn(file, { x: PATCH.x + 40, y: PATCH.y + 40, w: PATCH.w - 80, h: PATCH.h - 80 }, video.width);
    const onPage = await colourIn(file, { x: 40, y: 40, w: 200, h: 120 }, video.width);
    const magenta = ([r, g, b]: number[]) => r! > 200 && g! < 70 && b! > 200;
    t.ok(magenta(inPatch), `the second X client's magenta is in the recorded frame (rgb ${inPatch.join(',')})`);
    t.notOk(magenta(onPage), `and the page around it is not magenta (rgb ${onPage.join(',')})`);
    await run('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-i', file, '-update', '1', join(ARTIFACTS, 'recorded-frame.png')]);
    await run('ffmpeg', [
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'x11grab',
      '-video_size',
      `${SCREEN.width}x${SCREEN.height}`,
      '-i',
      x.display,
      '-frames:v',
      '1',
      join(ARTIFACTS, 'display.png'),
    ]);
  });

  await step(t, '--undo removes every file the script wrote, and only those', async (t) => {
    const r = await provision('--undo');
    t.equal(r.status, 0, r.stderr);
    const left = spawnSync('find', [root, '-type', 'f'], { encoding: 'utf8' }).stdout.trim();
    t.equal(left, join(root, 'etc/examroom-exam-pc/chromium-flags.local'), "only the site's own flags file is left");
  });

  t.same(pageErrors, [], 'no errors on the page');
});
