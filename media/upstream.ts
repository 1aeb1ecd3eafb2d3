// Upstream push to the provincial and city platforms: for each configured target and each source it
// takes, one ffmpeg that reads the source's MPEG-TS from the live relay on stdin and stream-copies it to
// RTMP (FLV) or RTSP. RTSP carries the sound as received: G.711 (or AAC with its configuration) comes
// from the audio tap (media/g711.ts) on fd 3, copied. RTMP needs AAC: its pusher reads the relay's
// `sound` stream, whose one AAC encode per source (media/sound.ts) runs only while a push or a listener
// takes it, shared by all of them. Each pusher is its own process with its own status,
// restarted with backoff; it is a sink of the relay like any viewer, so a dead or slow platform is
// skipped or dropped by the relay and never reaches ingest or the recorder.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { UpstreamConfig } from '../config/index.ts';
import { HIDDEN, pushUrlSecrets, redactPushUrl, redactText, urlSecrets } from '../core/index.ts';
import { AudioTap, G711_FLV_INPUT, G711_TS_INPUT, isG711, type TapCodec } from './g711.ts';
import { killGroup } from './kill-group.ts';
import type { LiveRelay, Sink } from './live.ts';

export type UpstreamTarget = UpstreamConfig & { sources: 'all' | string[] };

export interface PusherStatus {
  target: string;
  targetName: string;
  level: 'province' | 'city';
  source: string;
  /** The push URL with its password, stream key and query values hidden (core/redact.ts redactPushUrl). */
  url: string;
  /** starting: ffmpeg runs but nothing has gone out yet; pushing: bytes are reaching the platform; retrying: waiting to start again. */
  state: 'starting' | 'pushing' | 'retrying' | 'stopped';
  since: number;
  /** Why the last attempt ended, in ffmpeg's words where it said something. */
  lastError: string | null;
  /** The same in plain words for the console (zh-CN, English), when it is a known cause; null otherwise. */
  problem: { zh: string; en: string } | null;
  restarts: number;
  /** Bytes written by the current attempt (ffmpeg -progress total_size). */
  bytesOut: number;
  /** When the current retry wait ends. */
  retryAt: number | null;
}

export interface UpstreamDeps {
  relay: LiveRelay;
  targets: UpstreamTarget[];
  /** The ids of the sources that exist now (cameras and connected terminal screens). */
  sourceIds: () => string[];
  /** What a source sends (null until its ingest has read it): RTSP copies its sound by codec. */
  codecs?: (sourceId: string) => { video: string | null; audio: string | null } | null;
  ffmpeg?: string;
  now?: () => number;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
  /** Backoff bounds, in ms; tests shorten them. */
  backoff?: { firstMs: number; maxMs: number };
  /** A pusher that has written nothing new for this long is killed and retried. */
  stallMs?: number;
}

export function pushUrl(template: string, sourceId: string): string {
  return template.replaceAll('{source}', encodeURIComponent(sourceId));
}

/**
 * ffmpeg's arguments for one push: TS in on stdin, stream copy out. RTMP: the relay's `sound` stream
 * (H.264 + AAC) into FLV. RTSP: the main stream's video, and with `tap` its sound as received from the
 * audio tap's FLV on fd 3 (G.711, or AAC with its configuration, which the RTSP muxer needs up front).
 */
export function pusherArgs(protocol: 'rtmp' | 'rtsp', url: string, tap = false): string[] {
  const out = protocol === 'rtmp' ? ['-f', 'flv', '-flvflags', 'no_duration_filesize', url] : ['-f', 'rtsp', '-rtsp_transport', 'tcp', url];
  const input = tap
    ? [...G711_TS_INPUT, ...G711_FLV_INPUT, '-map', '0:v:0', '-map', '1:a:0']
    : ['-f', 'mpegts', '-i', 'pipe:0', '-map', '0:v:0', '-map', '0:a:0?'];
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-nostats',
    '-progress',
    'pipe:1',
    '-fflags',
    '+genpts+discardcorrupt',
    ...input,
    '-c',
    'copy',
    ...out,
  ];
}

/** Known causes of a push that does not start or stops, in words a site's IT person can act on. */
export function pushProblem(error: string | null, url: string): { zh: string; en: string } | null {
  if (!error) return null;
  let host = redactPushUrl(url) ?? HIDDEN;
  try {
    host = new URL(url).host;
  } catch {
    /* keep the URL as shown: never as written (its path is the stream key) */
  }
  if (/Connection refused/i.test(error))
    return {
      zh: `上级平台 ${host} 拒绝连接：请确认平台的接收服务已启动、地址和端口正确`,
      en: `the platform at ${host} refused the connection: check that its receiver is running and the address and port are right`,
    };
  if (/timed out|No route to host|Network is unreachable/i.test(error))
    return {
      zh: `连不上上级平台 ${host}（无应答）：请检查地址、网络和防火墙`,
      en: `no answer from the platform at ${host}: check the address, the network and the firewall`,
    };
  if (/401|Unauthorized|403|Forbidden/i.test(error))
    return {
      zh: `上级平台 ${host} 拒绝了推流账号：请检查地址中的用户名和密码`,
      en: `the platform at ${host} refused the credentials: check the user and password in the URL`,
    };
  if (/404|Not Found/i.test(error))
    return {
      zh: `上级平台 ${host} 不认识这个推流地址（404）：请检查地址的路径`,
      en: `the platform at ${host} does not know this stream path (404): check the URL's path`,
    };
  if (/no global headers|incorrect codec parameters|not supported|Could not write header/i.test(error))
    return {
      zh: `上级平台 ${host} 不接受这路视频或声音的编码：${error}`,
      en: `the stream's video or sound codec cannot be sent this way to ${host}: ${error}`,
    };
  if (/source not available/.test(error)) return { zh: '视频源不存在或未启动', en: 'the source does not exist or is not running' };
  if (/relay dropped|no progress/.test(error))
    return { zh: `上级平台 ${host} 接收太慢，推流已重新开始`, en: `the platform at ${host} took the stream too slowly; the push started over` };
  return null;
}

interface Pusher {
  status: PusherStatus;
  target: UpstreamTarget;
  child: ChildProcess | null;
  detach: (() => void) | null;
  timer: NodeJS.Timeout | null;
  backoffMs: number;
  lastProgressAt: number;
  startedAt: number;
  stderr: string;
  /** Bytes the relay has handed to this attempt, and when it last did. */
  bytesIn: number;
  lastInputAt: number;
  /** Why we killed it, when we did: says more than ffmpeg's exit. */
  killReason: string | null;
  /** Waiting for the source's codecs before the first attempt. */
  waiting?: boolean;
}

export function createUpstream(deps: UpstreamDeps) {
  const now = deps.now ?? Date.now;
  const ffmpeg = deps.ffmpeg ?? 'ffmpeg';
  const backoff = deps.backoff ?? { firstMs: 1000, maxMs: 30_000 };
  const stallMs = deps.stallMs ?? 20_000;
  const pushers = new Map<string, Pusher>();
  let running = false;
  let reconcileTimer: NodeJS.Timeout | null = null;
  let stallTimer: NodeJS.Timeout | null = null;

  const key = (target: string, source: string) => `${target}\u0000${source}`;

  function wanted(): Array<{ target: UpstreamTarget; source: string }> {
    const ids = deps.sourceIds();
    const out: Array<{ target: UpstreamTarget; source: string }> = [];
    for (const target of deps.targets) {
      for (const source of target.sources === 'all' ? ids : target.sources.filter((s) => ids.includes(s))) out.push({ target, source });
    }
    return out;
  }

  function start(p: Pusher): void {
    p.timer = null;
    if (!running) return;
    const { target, status } = p;
    const url = pushUrl(target.url, status.source);
    const codecs = deps.codecs?.(status.source);
    if (deps.codecs && codecs === null) {
      // What the source sends decides the pusher's arguments: wait until its ingest has read it once.
      status.lastError = 'waiting for the source to come up (its stream has not been read yet)';
      status.problem = { zh: '等待视频源接通', en: 'waiting for the source to come up' };
      p.waiting = true;
      p.timer = setTimeout(() => start(p), 1000);
      return;
    }
    if (p.waiting) {
      p.waiting = false;
      status.lastError = null;
      status.problem = null;
    }
    const audio = codecs?.audio ?? null;
    const tapCodec: TapCodec | null = target.protocol === 'rtsp' && (isG711(audio) || audio === 'aac') ? audio : null;
    const child = spawn(ffmpeg, pusherArgs(target.protocol, url, tapCodec !== null), {
      stdio: tapCodec ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const tap = tapCodec ? new AudioTap(tapCodec) : null;
    const audioIn = tap ? (child.stdio[3] as import('node:stream').Writable) : null;
    audioIn?.on('error', () => {});
    p.child = child;
    p.stderr = '';
    p.bytesIn = 0;
    p.startedAt = now();
    p.lastProgressAt = now();
    Object.assign(status, { state: 'starting', since: now(), bytesOut: 0, retryAt: null });
    // A platform that hangs up makes our next write fail with EPIPE: that is the pusher's end, never the relay's.
    child.stdin!.on('error', () => {});
    child.on('error', (err) => {
      p.killReason = `could not start ffmpeg: ${err.message}`;
    });
    readProgress(child.stdout!, (size) => {
      p.lastProgressAt = now();
      if (size > status.bytesOut) {
        status.bytesOut = size;
        if (status.state === 'starting') {
          status.problem = null;
          status.state = 'pushing';
          status.since = now();
          deps.log?.info({ target: target.id, source: status.source }, 'upstream push running');
        }
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      p.stderr = (p.stderr + d).slice(-2000);
    });
    const sink: Sink = {
      backlog: () => child.stdin!.writableLength,
      write: (bytes) => {
        p.bytesIn += bytes.length;
        p.lastInputAt = now();
        if (child.stdin!.writable) child.stdin!.write(bytes);
        if (tap && audioIn?.writable) {
          const flv = tap.push(bytes);
          if (flv.length) audioIn.write(flv);
        }
      },
      drop: (reason) => {
        p.killReason = `relay dropped the pusher: ${reason}`;
        killGroup(child);
      },
    };
    try {
      // RTMP takes the shared AAC encode; RTSP the sound as received.
      p.detach = deps.relay.attach(status.source, sink, target.protocol === 'rtmp' ? 'sound' : 'main');
    } catch (err) {
      p.killReason = `source not available: ${err instanceof Error ? err.message : String(err)}`;
      killGroup(child);
    }
    child.on('exit', (code, signal) => {
      p.detach?.();
      p.detach = null;
      p.child = null;
      // The line that says why: ffmpeg's closing "Error initializing output stream 0:1 --" says nothing.
      const said = p.stderr
        .trim()
        .split('\n')
        .filter((l) => l.trim() && !/^(Error initializing output stream|Conversion failed)/.test(l.trim()))
        .pop();
      // ffmpeg's error repeats the push URL: its password, stream key and query values are hidden (core/redact.ts).
      status.lastError = redactText(p.killReason ?? said ?? `ffmpeg exited (${signal ?? `code ${code}`})`, [...pushUrlSecrets(target.url), ...urlSecrets(url)]);
      status.problem = pushProblem(status.lastError, url);
      p.killReason = null;
      if (!running || !pushers.has(key(target.id, status.source))) {
        status.state = 'stopped';
        status.since = now();
        return;
      }
      // A push that ran a good while starts the backoff over: the platform had a blip, not an outage.
      if (now() - p.startedAt > 60_000) p.backoffMs = backoff.firstMs;
      status.state = 'retrying';
      status.since = now();
      status.retryAt = now() + p.backoffMs;
      status.restarts++;
      deps.log?.warn({ target: target.id, source: status.source, error: status.lastError, retryInMs: p.backoffMs }, 'upstream push ended; retrying');
      p.timer = setTimeout(() => start(p), p.backoffMs);
      p.backoffMs = Math.min(backoff.maxMs, p.backoffMs * 2);
    });
  }

  function stopPusher(p: Pusher): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = null;
    p.detach?.();
    p.detach = null;
    if (p.child) killGroup(p.child);
    p.status.state = 'stopped';
    p.status.since = now();
  }

  function reconcile(): void {
    if (!running) return;
    const want = wanted();
    const keep = new Set(want.map((w) => key(w.target.id, w.source)));
    for (const [k, p] of pushers) {
      if (!keep.has(k)) {
        pushers.delete(k);
        stopPusher(p);
      }
    }
    for (const { target, source } of want) {
      const k = key(target.id, source);
      if (pushers.has(k)) continue;
      const p: Pusher = {
        target,
        status: {
          target: target.id,
          targetName: target.name,
          level: target.level,
          source,
          url: redactPushUrl(pushUrl(target.url, source), target.url) ?? HIDDEN,
          state: 'starting',
          since: now(),
          lastError: null,
          problem: null,
          restarts: 0,
          bytesOut: 0,
          retryAt: null,
        },
        child: null,
        detach: null,
        timer: null,
        backoffMs: backoff.firstMs,
        lastProgressAt: now(),
        startedAt: now(),
        stderr: '',
        killReason: null,
        bytesIn: 0,
        lastInputAt: 0,
      };
      pushers.set(k, p);
      start(p);
    }
  }

  function checkStalls(): void {
    for (const p of pushers.values()) {
      // Stalled = input arrives but nothing goes out. A source that is down sends nothing: not the platform's fault.
      if (p.child && now() - p.lastProgressAt > stallMs && now() - p.lastInputAt < stallMs) {
        p.killReason = `no progress for ${Math.round(stallMs / 1000)} s`;
        killGroup(p.child);
      }
    }
  }

  return {
    start(): void {
      if (running || deps.targets.length === 0) return;
      running = true;
      reconcile();
      // Terminal screens come and go: their pushers follow them.
      reconcileTimer = setInterval(reconcile, 5000);
      reconcileTimer.unref();
      stallTimer = setInterval(checkStalls, 2000);
      stallTimer.unref();
    },
    /** Looks at the source list again now (after a source is added or removed). */
    reconcile,
    /** A source's stream started over (ingest restarted): its pushers reconnect so the platform sees fresh timestamps. */
    restartSource(sourceId: string): void {
      for (const p of pushers.values()) {
        if (p.status.source !== sourceId || !p.child || p.bytesIn === 0) continue;
        p.killReason = 'the source restarted; pushing its new stream';
        killGroup(p.child);
      }
    },
    status(): PusherStatus[] {
      return [...pushers.values()].map((p) => ({ ...p.status }));
    },
    async stop(): Promise<void> {
      running = false;
      if (reconcileTimer) clearInterval(reconcileTimer);
      if (stallTimer) clearInterval(stallTimer);
      const exits = [...pushers.values()].map((p) => {
        const child = p.child;
        stopPusher(p);
        return child && child.exitCode === null && child.signalCode === null ? new Promise<void>((r) => child.once('exit', () => r())) : Promise.resolve();
      });
      await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 3000))]);
      pushers.clear();
    },
  };
}

export type Upstream = ReturnType<typeof createUpstream>;

/** ffmpeg -progress writes key=value blocks; total_size is the bytes muxed so far. */
function readProgress(out: Readable, onSize: (bytes: number) => void): void {
  let buf = '';
  out.setEncoding('utf8');
  out.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line.startsWith('total_size=')) {
        const n = Number(line.slice(11));
        if (Number.isFinite(n)) onSize(n);
      }
    }
  });
}
