// Simulated cameras on loopback: an RTSP server (rtsp-streaming-server) and ffmpeg publishing a test
// pattern with a sine tone in G.711 like a real IP camera. Two users, one implementation:
// - the demo site (`npm start`, `serve --demo`): one publisher per configured rtsp://127.0.0.1:PORT/PATH
//   camera, 640×360, 15 fps, x264 ultrafast, one thread each; a camera with a subUrl on the same server
//   gets its 320×180 sub-stream from the same ffmpeg (one test pattern, split and scaled);
// - the tests (startRtspSource): one small camera (320×240, 10 fps) on free ports that a test can
//   stop, restart or kill, to see what ingest, recording and live view do about it.
// Never used by a site: media/index.ts loads this file only when one of them asks.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import RtspServerModule from 'rtsp-streaming-server';

// The package is CommonJS compiled by Babel: under ESM its default export arrives one level down.
const RtspServer = ((RtspServerModule as unknown as { default?: unknown }).default ?? RtspServerModule) as unknown as new (cfg: {
  serverPort: number;
  clientPort: number;
  rtpPortStart: number;
  rtpPortCount: number;
}) => {
  start(): Promise<void>;
  PublishServer: { server?: Server };
  ClientServer: { server?: Server; clients: Record<string, { close(): unknown } | undefined> };
  Mounts: { mounts: Record<string, { close(): number[] } | undefined>; rtpPorts: number[]; getMount(uri: string): unknown };
};

type Handler = (req: { uri: string }, res: { statusCode: number; end(): void }) => Promise<unknown>;

/**
 * The package's request handlers are async and throw when a mount vanishes between DESCRIBE and SETUP
 * (a camera restarting under a connected client): an unhandled rejection that would end the process.
 * Each handler is wrapped so such a request gets an error status instead.
 */
function guardHandlers(target: object, mounts: { getMount(uri: string): unknown }): void {
  const obj = target as Record<string, Handler>;
  for (const name of ['describeRequest', 'setupRequest', 'playRequest', 'teardownRequest', 'optionsRequest', 'announceRequest', 'recordRequest']) {
    const orig = obj[name];
    if (typeof orig !== 'function') continue;
    obj[name] = async (req, res) => {
      try {
        if ((name === 'setupRequest' || name === 'playRequest') && target.constructor.name === 'ClientServer' && !mounts.getMount(req.uri)) {
          res.statusCode = 404;
          return res.end();
        }
        return await orig.call(target, req, res);
      } catch {
        try {
          res.statusCode = 500;
          res.end();
        } catch {
          /* connection gone */
        }
      }
    };
  }
}

interface LoopbackRtsp {
  /** Closes the mounts whose path ends with `path` (all of them without one). */
  dropMounts(path?: string): void;
  /** Closes the servers, every RTSP connection and every client session (their keepalive timers). */
  close(): Promise<void>;
}

/**
 * The RTSP server the publishers push to (serverPort) and the appliance pulls from (clientPort).
 * It serves RTP over UDP only (it answers 461 to a TCP SETUP), so a client must accept UDP: the
 * ingest's `prefer_tcp` falls back to it.
 */
async function startLoopbackRtsp(ports: { serverPort: number; clientPort: number; rtpPortStart: number; rtpPortCount: number }): Promise<LoopbackRtsp> {
  const server = new RtspServer(ports);
  guardHandlers(server.ClientServer, server.Mounts);
  guardHandlers(server.PublishServer, server.Mounts);
  await server.start();
  // Open RTSP connections would keep the process alive after close(): they are tracked and destroyed.
  const sockets = new Set<Socket>();
  for (const srv of [server.PublishServer.server, server.ClientServer.server]) {
    srv?.on('connection', (sock: Socket) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
  }
  // A killed publisher sends no TEARDOWN: its mount would keep its RTP ports, and a new ANNOUNCE
  // replaces it in the table but not on the ports, so stale mounts are closed by hand.
  const dropMounts = (path?: string) => {
    for (const [k, m] of Object.entries(server.Mounts.mounts)) {
      if (!m || (path !== undefined && !k.endsWith(path))) continue;
      server.Mounts.rtpPorts.push(...m.close());
      delete server.Mounts.mounts[k];
    }
  };
  return {
    dropMounts,
    async close() {
      dropMounts();
      // Each client session holds a 60-second keepalive timer that would keep the process alive.
      for (const c of Object.values(server.ClientServer.clients)) {
        try {
          await c?.close();
        } catch {
          /* already closed */
        }
      }
      server.PublishServer.server?.close();
      server.ClientServer.server?.close();
      for (const sock of sockets) sock.destroy();
    },
  };
}

/** Starts one publisher in a process group of its own (so a kill takes ffmpeg's threads with it); `tail()` is its stderr's end. */
function spawnPublisher(args: string[], tailChars: number): { child: ChildProcess; tail: () => string } {
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-tailChars)));
  return { child, tail: () => err };
}

export interface DemoCamera {
  id: string;
  name: string;
  url: string;
  /** Published too when it is on the same loopback RTSP server as url. */
  subUrl?: string;
  audio: boolean;
}

export interface DemoSources {
  /** The cameras being simulated, with the URL the appliance pulls. */
  cameras: Array<{ id: string; url: string }>;
  stop(): Promise<void>;
}

interface Log {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
}

/** Publishers push here (the RTSP server takes producers and consumers on separate ports). */
const PUBLISH_PORT_OFFSET = 1;
const RTP_PORT_START = 41000;
const RTP_PORT_COUNT = 40;

/**
 * Burns the wall clock into the top 16 rows as 24 black/white cells: bit k of floor(epoch ms / 10)
 * mod 2^24 in cell k. The live page reads it back (?measure=1) and compares with its own clock, which
 * on one machine is the glass-to-glass latency (capture → RTSP → ingest → relay → mpegts.js → screen).
 */
export const TIMECODE_FILTER = (fps: number) =>
  `settb=1/1000,setpts=RTCTIME/1000,split[a][b];[b]crop=iw:16:0:0,format=gray,geq=lum='255*mod(floor(floor(T*100)/pow(2,floor(X*24/W))),2)',format=yuv420p[bar];[a][bar]overlay=0:0,setpts=N/(${fps}*TB)`;

/** The ffmpeg arguments of one simulated camera: testsrc2 + 440 Hz tone, H.264 + G.711 µ-law over RTSP/UDP. */
export function demoPublisherArgs(opts: {
  publishUrl: string;
  subPublishUrl?: string;
  audio: boolean;
  width?: number;
  height?: number;
  fps?: number;
  timecode?: boolean;
  /** A fixed key-frame interval in frames (-g and -keyint_min); default a key frame at least every 2 s. */
  gop?: number;
  /** false: x264's own rate control instead of the demo's 600k (150k for the sub-stream). */
  bitrate?: boolean;
  /** hevc: the main picture in H.265 (libx265), as cameras sold since GB/T 28181-2022 often send. */
  codec?: 'h264' | 'hevc';
  /** The G.711 law (default µ-law, as most cameras here send). */
  audioCodec?: 'pcm_mulaw' | 'pcm_alaw';
}): string[] {
  const { width = 640, height = 360, fps = 15 } = opts;
  const keyFrames = opts.gop === undefined ? ['-g', String(fps * 2)] : ['-g', String(opts.gop), '-keyint_min', String(opts.gop)];
  const video = opts.timecode ? `[0:v]${TIMECODE_FILTER(fps)}` : '[0:v]null';
  const output = (map: string, bitrate: string, url: string) => [
    '-map',
    map,
    ...(opts.audio ? ['-map', '1:a'] : []),
    ...(opts.codec === 'hevc' ? ['-c:v', 'libx265', '-x265-params', 'log-level=none'] : ['-c:v', 'libx264']),
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-pix_fmt',
    'yuv420p',
    ...keyFrames,
    '-threads',
    '1',
    ...(opts.bitrate === false ? [] : ['-b:v', bitrate]),
    ...(opts.audio ? ['-c:a', opts.audioCodec ?? 'pcm_mulaw', '-ar', '8000', '-ac', '1'] : []),
    '-f',
    'rtsp',
    '-rtsp_transport',
    'udp',
    url,
  ];
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=${fps}`,
    ...(opts.audio ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000'] : []),
    ...(opts.subPublishUrl
      ? [
          '-filter_complex',
          `${video},split[v][s0];[s0]scale=${Math.round(width / 2)}:${Math.round(height / 2)}[s]`,
          ...output('[v]', '600k', opts.publishUrl),
          ...output('[s]', '150k', opts.subPublishUrl),
        ]
      : [...(opts.timecode ? ['-filter_complex', `${video}[v]`] : []), ...output(opts.timecode ? '[v]' : '0:v', '600k', opts.publishUrl)]),
  ];
}

/**
 * Starts the RTSP server and a publisher for every camera whose URL points at rtsp://127.0.0.1 (or
 * localhost) on one port. Cameras elsewhere are real and left alone. A publisher that dies is
 * started again after 2 s.
 */
export async function startDemoSources(cameras: DemoCamera[], log?: Log, opts: { rtpPortStart?: number; timecode?: boolean } = {}): Promise<DemoSources> {
  const local = cameras
    .map((c) => ({ c, u: new URL(c.url) }))
    .filter(({ u }) => u.protocol === 'rtsp:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost'));
  if (local.length === 0) return { cameras: [], stop: async () => {} };
  const clientPort = Number(local[0]!.u.port || 554);
  const serverPort = clientPort + PUBLISH_PORT_OFFSET;
  // The server's listen has no error handler (a busy port would crash the process): look first.
  if (!(await tcpPortFree(clientPort)) || !(await tcpPortFree(serverPort))) {
    log?.warn({ clientPort, serverPort }, 'demo cameras: RTSP ports in use (another demo running?); the demo runs without simulated cameras');
    return { cameras: [], stop: async () => {} };
  }
  const server = await startLoopbackRtsp({ serverPort, clientPort, rtpPortStart: opts.rtpPortStart ?? RTP_PORT_START, rtpPortCount: RTP_PORT_COUNT });

  let stopping = false;
  const children = new Map<string, ChildProcess>();
  const timers = new Set<NodeJS.Timeout>();
  const publish = (id: string, path: string, audio: boolean, subPath: string | null) => {
    if (stopping) return;
    const publishUrl = `rtsp://127.0.0.1:${serverPort}${path}`;
    const subPublishUrl = subPath ? `rtsp://127.0.0.1:${serverPort}${subPath}` : undefined;
    const { child, tail } = spawnPublisher(
      demoPublisherArgs({ publishUrl, ...(subPublishUrl ? { subPublishUrl } : {}), audio, timecode: opts.timecode ?? false }),
      1000,
    );
    child.on('error', (e) => log?.warn({ err: e, camera: id }, 'demo camera: ffmpeg could not start'));
    child.on('exit', (code, signal) => {
      children.delete(id);
      server.dropMounts(path);
      if (subPath) server.dropMounts(subPath);
      if (stopping) return;
      log?.warn({ camera: id, code, signal, stderr: tail().trim() }, 'demo camera publisher ended; starting it again in 2 s');
      const t = setTimeout(() => {
        timers.delete(t);
        publish(id, path, audio, subPath);
      }, 2000);
      timers.add(t);
    });
    children.set(id, child);
  };
  // A sub-stream is simulated only on the camera's own demo server (same host and port): anything else is real.
  const subPath = (c: DemoCamera, u: URL): string | null => {
    if (!c.subUrl) return null;
    const s = new URL(c.subUrl);
    return s.protocol === u.protocol && s.host === u.host && s.pathname !== u.pathname ? s.pathname : null;
  };
  for (const { c, u } of local) publish(c.id, u.pathname, c.audio, subPath(c, u));
  log?.info({ cameras: local.map(({ c }) => c.id), clientPort, serverPort }, 'demo cameras publishing');

  return {
    cameras: local.map(({ c }) => ({ id: c.id, url: c.url })),
    async stop() {
      if (stopping) return;
      stopping = true;
      for (const t of timers) clearTimeout(t);
      const exits = [...children.values()].map((child) => {
        const done = new Promise<void>((r) => child.once('exit', () => r()));
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
        return done;
      });
      await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 2000))]);
      await server.close();
    },
  };
}

function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, () => s.close(() => resolve(true)));
  });
}

/** A free TCP port on loopback, as the kernel hands one out (it may be taken again before use: a test's risk). */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function udpPairFree(port: number): Promise<boolean> {
  const tryBind = (p: number) =>
    new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(p, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  return (await tryBind(port)) && (await tryBind(port + 1));
}

/** A block of free UDP ports for RTP, picked at random so that parallel test files rarely collide. */
async function freeRtpRange(count: number): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const start = 20000 + 2 * Math.floor(Math.random() * 15000);
    let ok = true;
    for (let p = start; p < start + count && ok; p += 2) ok = await udpPairFree(p);
    if (ok) return start;
  }
  throw new Error('no free UDP port range for RTP');
}

export interface RtspSourceOptions {
  /** Mount path, default "cam". */
  path?: string;
  width?: number;
  height?: number;
  fps?: number;
  /** Key frame interval in frames (default = fps, one per second). */
  gop?: number;
  /** G.711 audio (default true). */
  audio?: boolean;
  /** Video codec (default h264). */
  codec?: 'h264' | 'hevc';
  /** Its law (default µ-law). */
  audioCodec?: 'pcm_mulaw' | 'pcm_alaw';
}

export interface RtspSource {
  /** Where a client pulls the stream (rtsp://127.0.0.1:PORT/PATH). */
  url: string;
  /** Stops the publisher and the server; safe to call twice. */
  stop(): Promise<void>;
  /** The camera "reboots": the publisher stops, stays away downMs (default 0), and starts again. */
  restart(opts?: { downMs?: number }): Promise<void>;
  /** The publisher alone (the server stays up): a camera that loses its encoder. */
  stopPublisher(): Promise<void>;
  startPublisher(): Promise<void>;
  /** The publisher's pid, for kill -9 tests. */
  publisherPid(): number | undefined;
}

const TEST_RTP_PORTS = 100;

/**
 * One simulated camera for the tests, on free ports: small and slow (320×240, 10 fps) to spare the CI
 * machine's two cores, with no restart of its own, so a test decides when the camera goes and comes back.
 */
export async function startRtspSource(opts: RtspSourceOptions = {}): Promise<RtspSource> {
  const path = opts.path ?? 'cam';
  const fps = opts.fps ?? 10;
  const serverPort = await freeTcpPort();
  const clientPort = await freeTcpPort();
  const server = await startLoopbackRtsp({ serverPort, clientPort, rtpPortStart: await freeRtpRange(TEST_RTP_PORTS), rtpPortCount: TEST_RTP_PORTS });
  const args = demoPublisherArgs({
    publishUrl: `rtsp://127.0.0.1:${serverPort}/${path}`,
    audio: opts.audio ?? true,
    ...(opts.audioCodec ? { audioCodec: opts.audioCodec } : {}),
    width: opts.width ?? 320,
    height: opts.height ?? 240,
    fps,
    gop: opts.gop ?? fps,
    bitrate: false,
    ...(opts.codec ? { codec: opts.codec } : {}),
  });

  let publisher: ChildProcess | null = null;
  let stopped = false;
  const startPublisher = async () => {
    if (stopped || publisher) return;
    const { child, tail } = spawnPublisher(args, 2000);
    child.on('exit', () => {
      if (publisher === child) publisher = null;
    });
    publisher = child;
    // The mount exists once ANNOUNCE/RECORD are through; a client that comes earlier gets a 404.
    await new Promise((r) => setTimeout(r, 700));
    if (child.exitCode !== null) throw new Error(`test RTSP publisher exited at once: ${tail()}`);
  };
  const stopPublisher = async () => {
    const child = publisher;
    if (!child || child.exitCode !== null) return;
    publisher = null;
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await exited;
    server.dropMounts();
    await new Promise((r) => setTimeout(r, 100));
  };

  await startPublisher();
  return {
    url: `rtsp://127.0.0.1:${clientPort}/${path}`,
    async stop() {
      if (stopped) return;
      await stopPublisher();
      stopped = true;
      await server.close();
    },
    async restart(o = {}) {
      await stopPublisher();
      if (o.downMs) await new Promise((r) => setTimeout(r, o.downMs));
      await startPublisher();
    },
    stopPublisher,
    startPublisher,
    publisherPid: () => publisher?.pid,
  };
}
