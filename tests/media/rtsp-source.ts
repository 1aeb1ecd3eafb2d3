// A real RTSP camera on loopback for media tests: rtsp-streaming-server (npm) fed by ffmpeg from lavfi
// test patterns — H.264 video (libx264 ultrafast) with a sine tone encoded as G.711 µ-law, like the
// IP cameras in exam rooms. Small and slow (320×240, 10 fps) to spare the CI machine's two cores.
// rtsp-streaming-server serves RTP over UDP only (it answers 461 to a TCP SETUP), so clients must
// accept UDP — the ingest's `prefer_tcp` falls back to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import RtspServerModule from 'rtsp-streaming-server';
import { sleep } from '../wait.ts';

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
 * (a camera restarting under a connected client): an unhandled rejection that would end the whole
 * test process. Each handler is wrapped so such a request gets an error status instead.
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

export async function freeTcpPort(): Promise<number> {
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

const RTP_PORTS = 100;

export async function startRtspSource(opts: RtspSourceOptions = {}): Promise<RtspSource> {
  const path = opts.path ?? 'cam';
  const w = opts.width ?? 320;
  const h = opts.height ?? 240;
  const fps = opts.fps ?? 10;
  const gop = opts.gop ?? fps;
  const audio = opts.audio ?? true;
  const serverPort = await freeTcpPort();
  const clientPort = await freeTcpPort();
  const rtpPortStart = await freeRtpRange(RTP_PORTS);
  const server = new RtspServer({ serverPort, clientPort, rtpPortStart, rtpPortCount: RTP_PORTS });
  guardHandlers(server.ClientServer, server.Mounts);
  guardHandlers(server.PublishServer, server.Mounts);
  await server.start();
  // Open RTSP connections would keep the test process alive after stop(): they are tracked and destroyed.
  const sockets = new Set<Socket>();
  for (const srv of [server.PublishServer.server, server.ClientServer.server]) {
    srv?.on('connection', (sock: Socket) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
  }
  // A killed publisher sends no TEARDOWN, so its mount (and RTP sockets) would linger; a new ANNOUNCE
  // replaces it in the table but not on the ports, so stale mounts are closed by hand.
  const dropMounts = () => {
    for (const [k, m] of Object.entries(server.Mounts.mounts)) {
      if (!m) continue;
      const freed = m.close();
      server.Mounts.rtpPorts.push(...freed);
      delete server.Mounts.mounts[k];
    }
  };

  let publisher: ChildProcess | null = null;
  let stopped = false;

  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${w}x${h}:rate=${fps}`,
    ...(audio ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000'] : []),
    '-map',
    '0:v',
    ...(audio ? ['-map', '1:a'] : []),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(gop),
    '-keyint_min',
    String(gop),
    '-threads',
    '1',
    ...(audio ? ['-c:a', 'pcm_mulaw', '-ar', '8000', '-ac', '1'] : []),
    '-f',
    'rtsp',
    '-rtsp_transport',
    'udp',
    `rtsp://127.0.0.1:${serverPort}/${path}`,
  ];

  const startPublisher = async () => {
    if (stopped || publisher) return;
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    child.on('exit', () => {
      if (publisher === child) publisher = null;
    });
    publisher = child;
    // The mount exists once ANNOUNCE/RECORD are through; a client that comes earlier gets a 404.
    await sleep(700);
    if (child.exitCode !== null) throw new Error(`test RTSP publisher exited at once: ${err}`);
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
    dropMounts();
    await sleep(100);
  };

  await startPublisher();
  return {
    url: `rtsp://127.0.0.1:${clientPort}/${path}`,
    async stop() {
      if (stopped) return;
      await stopPublisher();
      stopped = true;
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
    async restart(o = {}) {
      await stopPublisher();
      if (o.downMs) await sleep(o.downMs);
      await startPublisher();
    },
    stopPublisher,
    startPublisher,
    publisherPid: () => publisher?.pid,
  };
}
