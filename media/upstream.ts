// Upstream push to the provincial and city platforms: for each configured target and each source it
// takes, one ffmpeg that reads the source's MPEG-TS from the live relay on stdin and stream-copies it
// (H.264/H.265 + AAC) to RTMP (FLV) or RTSP. Each pusher is its own process with its own status,
// restarted with backoff; it is a sink of the relay like any viewer, so a dead or slow platform is
// skipped or dropped by the relay and never reaches ingest or the recorder.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { UpstreamConfig } from '../config/index.ts';
import { redactText, redactUrl, urlSecrets } from '../core/index.ts';
import type { LiveRelay, Sink } from './live.ts';

export type UpstreamTarget = UpstreamConfig & { sources: 'all' | string[] };

export interface PusherStatus {
  target: string;
  targetName: string;
  level: 'province' | 'city';
  source: string;
  /** The push URL with any password hidden. */
  url: string;
  /** starting: ffmpeg runs but nothing has gone out yet; pushing: bytes are reaching the platform; retrying: waiting to start again. */
  state: 'starting' | 'pushing' | 'retrying' | 'stopped';
  since: number;
  /** Why the last attempt ended, in ffmpeg's words where it said something. */
  lastError: string | null;
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

/** ffmpeg's arguments for one push: TS in on stdin, stream copy out. FLV carries H.264 (and HEVC in enhanced RTMP) with AAC. */
export function pusherArgs(protocol: 'rtmp' | 'rtsp', url: string): string[] {
  const out = protocol === 'rtmp' ? ['-f', 'flv', '-flvflags', 'no_duration_filesize', url] : ['-f', 'rtsp', '-rtsp_transport', 'tcp', url];
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
    '-f',
    'mpegts',
    '-i',
    'pipe:0',
    '-map',
    '0:v:0',
    '-map',
    '0:a:0?',
    '-c',
    'copy',
    ...out,
  ];
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
    const child = spawn(ffmpeg, pusherArgs(target.protocol, url), { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
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
      },
      drop: (reason) => {
        p.killReason = `relay dropped the pusher: ${reason}`;
        kill(child);
      },
    };
    try {
      p.detach = deps.relay.attach(status.source, sink);
    } catch (err) {
      p.killReason = `source not available: ${err instanceof Error ? err.message : String(err)}`;
      kill(child);
    }
    child.on('exit', (code, signal) => {
      p.detach?.();
      p.detach = null;
      p.child = null;
      const said = p.stderr.trim().split('\n').filter(Boolean).pop();
      // ffmpeg's error repeats the push URL: its password and secret parameters are hidden (core/redact.ts).
      status.lastError = redactText(p.killReason ?? said ?? `ffmpeg exited (${signal ?? `code ${code}`})`, urlSecrets(target.url));
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
    if (p.child) kill(p.child);
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
          url: redactUrl(pushUrl(target.url, source)),
          state: 'starting',
          since: now(),
          lastError: null,
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
        kill(p.child);
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
        kill(p.child);
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

/** Kills ffmpeg's whole process group (it was started detached): nothing it started outlives it. */
function kill(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

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
