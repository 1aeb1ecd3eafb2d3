// The demo site's simulated cameras (`npm start`, `serve --demo`): an RTSP server on loopback
// (rtsp-streaming-server) and one ffmpeg per configured rtsp://127.0.0.1:PORT/PATH camera, publishing
// a test pattern with a sine tone in G.711 like a real IP camera. Cheap on purpose: 640×360, 15 fps,
// x264 ultrafast, one thread each; a camera with a subUrl on the same server gets its 320×180 sub-stream
// from the same ffmpeg (one test pattern, split and scaled: a second encode of a quarter of the pixels).
// Never used outside the demo.
import { spawn, type ChildProcess } from 'node:child_process';
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
  ClientServer: { server?: Server };
  Mounts: { mounts: Record<string, { close(): number[] } | undefined>; rtpPorts: number[] };
};

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
  `settb=1/1000,setpts=RTCTIME/1000,split[a][b];[b]crop=iw:16:0:0,format=gray,geq=lum='255*mod(floor(floor(T*100)/pow(2\,floor(X*24/W)))\,2)',format=yuv420p[bar];[a][bar]overlay=0:0,setpts=N/(${fps}*TB)`;

/** The ffmpeg arguments of one simulated camera: testsrc2 + 440 Hz tone, H.264 + G.711 µ-law over RTSP/UDP. */
export function demoPublisherArgs(opts: {
  publishUrl: string;
  subPublishUrl?: string;
  audio: boolean;
  width?: number;
  height?: number;
  fps?: number;
  timecode?: boolean;
}): string[] {
  const { width = 640, height = 360, fps = 15 } = opts;
  const video = opts.timecode ? `[0:v]${TIMECODE_FILTER(fps)}` : '[0:v]null';
  const output = (map: string, bitrate: string, url: string) => [
    '-map',
    map,
    ...(opts.audio ? ['-map', '1:a'] : []),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(fps * 2),
    '-threads',
    '1',
    '-b:v',
    bitrate,
    ...(opts.audio ? ['-c:a', 'pcm_mulaw', '-ar', '8000', '-ac', '1'] : []),
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
  const server = new RtspServer({ serverPort, clientPort, rtpPortStart: opts.rtpPortStart ?? RTP_PORT_START, rtpPortCount: RTP_PORT_COUNT });
  await server.start();
  const sockets = new Set<Socket>();
  for (const srv of [server.PublishServer.server, server.ClientServer.server]) {
    srv?.on('connection', (sock: Socket) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
  }
  // A killed publisher sends no TEARDOWN: its mount would keep its RTP ports and refuse the next ANNOUNCE.
  const dropMount = (path: string) => {
    for (const [k, m] of Object.entries(server.Mounts.mounts)) {
      if (!m || !k.endsWith(path)) continue;
      server.Mounts.rtpPorts.push(...m.close());
      delete server.Mounts.mounts[k];
    }
  };

  let stopping = false;
  const children = new Map<string, ChildProcess>();
  const timers = new Set<NodeJS.Timeout>();
  const publish = (id: string, path: string, audio: boolean, subPath: string | null) => {
    if (stopping) return;
    const publishUrl = `rtsp://127.0.0.1:${serverPort}${path}`;
    const subPublishUrl = subPath ? `rtsp://127.0.0.1:${serverPort}${subPath}` : undefined;
    const child = spawn('ffmpeg', demoPublisherArgs({ publishUrl, ...(subPublishUrl ? { subPublishUrl } : {}), audio, timecode: opts.timecode ?? false }), {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-1000)));
    child.on('error', (e) => log?.warn({ err: e, camera: id }, 'demo camera: ffmpeg could not start'));
    child.on('exit', (code, signal) => {
      children.delete(id);
      dropMount(path);
      if (subPath) dropMount(subPath);
      if (stopping) return;
      log?.warn({ camera: id, code, signal, stderr: err.trim() }, 'demo camera publisher ended; starting it again in 2 s');
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
      server.PublishServer.server?.close();
      server.ClientServer.server?.close();
      for (const sock of sockets) sock.destroy();
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
